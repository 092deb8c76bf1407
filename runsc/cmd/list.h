// runsc list [-q] [--format table|json]
#ifndef RUNSC_RUNSC_CMD_LIST_H_
#define RUNSC_RUNSC_CMD_LIST_H_

#include <string>

#include "runsc/cmd/command.h"

namespace runsc::cmd {

class ListCommand : public Command {
 public:
  std::string_view Name() const override { return "list"; }
  std::string_view Synopsis() const override { return "list the containers under --root"; }
  void SetFlags(CLI::App& app) override;
  absl::StatusOr<int> Execute(const config::GlobalConfig& config) override;

 private:
  bool quiet_ = false;
  std::string format_ = "table";
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_LIST_H_
