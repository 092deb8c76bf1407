// runsc start ID
#ifndef RUNSC_RUNSC_CMD_START_H_
#define RUNSC_RUNSC_CMD_START_H_

#include <string>

#include "runsc/cmd/command.h"

namespace runsc::cmd {

class StartCommand : public Command {
 public:
  std::string_view Name() const override { return "start"; }
  std::string_view Synopsis() const override { return "start the process of a created container"; }
  void SetFlags(CLI::App& app) override;
  absl::StatusOr<int> Execute(const config::GlobalConfig& config) override;

 private:
  std::string id_;
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_START_H_
