// runsc state ID: the OCI state of a container, as JSON on stdout.
#ifndef RUNSC_RUNSC_CMD_STATE_H_
#define RUNSC_RUNSC_CMD_STATE_H_

#include <string>

#include "runsc/cmd/command.h"

namespace runsc::cmd {

class StateCommand : public Command {
 public:
  std::string_view Name() const override { return "state"; }
  std::string_view Synopsis() const override { return "print the OCI state of a container"; }
  void SetFlags(CLI::App& app) override;
  absl::StatusOr<int> Execute(const config::GlobalConfig& config) override;

 private:
  std::string id_;
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_STATE_H_
