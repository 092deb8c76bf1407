// runsc delete [--force] ID
#ifndef RUNSC_RUNSC_CMD_DELETE_H_
#define RUNSC_RUNSC_CMD_DELETE_H_

#include <string>

#include "runsc/cmd/command.h"

namespace runsc::cmd {

class DeleteCommand : public Command {
 public:
  std::string_view Name() const override { return "delete"; }
  std::string_view Synopsis() const override {
    return "delete a container and everything it holds (--force: even while running)";
  }
  void SetFlags(CLI::App& app) override;
  absl::StatusOr<int> Execute(const config::GlobalConfig& config) override;

 private:
  std::string id_;
  bool force_ = false;
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_DELETE_H_
