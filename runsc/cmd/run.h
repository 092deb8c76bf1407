// runsc run [--bundle B] [--pid-file P] [--console-socket S] [--detach] ID:
// create + start, then (unless --detach) wait for the container, delete it
// and exit with its status. With process.terminal and no console socket, the
// container's terminal is relayed to runsc's own stdio (console_relay.h).
#ifndef RUNSC_RUNSC_CMD_RUN_H_
#define RUNSC_RUNSC_CMD_RUN_H_

#include "runsc/cmd/command.h"
#include "runsc/cmd/create.h"

namespace runsc::cmd {

class RunCommand : public Command {
 public:
  std::string_view Name() const override { return "run"; }
  std::string_view Synopsis() const override {
    return "create and start a container, wait for it and exit with its status";
  }
  void SetFlags(CLI::App& app) override;
  absl::StatusOr<int> Execute(const config::GlobalConfig& config) override;

 private:
  CreateFlags flags_;
  bool detach_ = false;
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_RUN_H_
