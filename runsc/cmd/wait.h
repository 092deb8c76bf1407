// runsc wait ID: blocks until the container's init exits, then prints
// {"id": ID, "exitStatus": N} as gVisor's runsc wait does (N is the exit
// code, or 128 + the signal that killed it).
#ifndef RUNSC_RUNSC_CMD_WAIT_H_
#define RUNSC_RUNSC_CMD_WAIT_H_

#include <string>

#include "runsc/cmd/command.h"

namespace runsc::cmd {

class WaitCommand : public Command {
 public:
  std::string_view Name() const override { return "wait"; }
  std::string_view Synopsis() const override {
    return "wait until a container's init exits and print its exit status";
  }
  void SetFlags(CLI::App& app) override;
  absl::StatusOr<int> Execute(const config::GlobalConfig& config) override;

 private:
  std::string id_;
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_WAIT_H_
