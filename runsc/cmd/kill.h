// runsc kill [--all] ID [SIGNAL]
#ifndef RUNSC_RUNSC_CMD_KILL_H_
#define RUNSC_RUNSC_CMD_KILL_H_

#include <string>

#include "runsc/cmd/command.h"

namespace runsc::cmd {

class KillCommand : public Command {
 public:
  std::string_view Name() const override { return "kill"; }
  std::string_view Synopsis() const override {
    return "send a signal (default TERM) to a container's init process";
  }
  void SetFlags(CLI::App& app) override;
  absl::StatusOr<int> Execute(const config::GlobalConfig& config) override;

 private:
  std::string id_;
  std::string signal_ = "TERM";
  bool all_ = false;
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_KILL_H_
