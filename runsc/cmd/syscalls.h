// runsc syscalls [--format markdown|json]: the sentry's syscall table, each
// amd64 syscall with its support level and a note (DESIGN §4). The
// compatibility document is generated from this output, not written by hand.
#ifndef RUNSC_RUNSC_CMD_SYSCALLS_H_
#define RUNSC_RUNSC_CMD_SYSCALLS_H_

#include <string>

#include "runsc/cmd/command.h"

namespace runsc::cmd {

class SyscallsCommand : public Command {
 public:
  std::string_view Name() const override { return "syscalls"; }
  std::string_view Synopsis() const override {
    return "print the syscalls the sentry implements (Markdown or JSON)";
  }
  void SetFlags(CLI::App& app) override;
  absl::StatusOr<int> Execute(const config::GlobalConfig& config) override;

 private:
  std::string format_ = "markdown";
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_SYSCALLS_H_
