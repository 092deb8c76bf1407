// runsc exec [flags] ID [COMMAND [ARG...]]: a new process in a running
// container (runc exec's flags; see exec_process.h for how they combine).
//
// The process is a new task of the container's sandbox whose stdio is the
// three descriptors of an ExecStdio, passed to the sentry over the control
// socket. runsc exec then waits for it and exits with its status (code, or
// 128+signal), forwarding the signals it gets. With --detach it returns at
// once, leaving a small waiter process (runsc exec's child, which a
// subreaper such as containerd's shim adopts) that exits with that status;
// --pid-file names the waiter, the host process to wait for.
#ifndef RUNSC_RUNSC_CMD_EXEC_H_
#define RUNSC_RUNSC_CMD_EXEC_H_

#include <array>
#include <string>
#include <vector>

#include "runsc/cmd/command.h"
#include "runsc/cmd/exec_process.h"

namespace runsc::cmd {

// Where the exec'd process's fds 0, 1, 2 come from. The default is runsc
// exec's own stdio; a pty (exec --tty) is another source.
class ExecStdio {
 public:
  virtual ~ExecStdio() = default;
  // The three descriptors to pass; they stay owned by the source.
  [[nodiscard]] virtual absl::StatusOr<std::array<int, 3>> Descriptors() = 0;
};

class InheritedStdio : public ExecStdio {
 public:
  absl::StatusOr<std::array<int, 3>> Descriptors() override { return std::array<int, 3>{0, 1, 2}; }
};

class ExecCommand : public Command {
 public:
  std::string_view Name() const override { return "exec"; }
  std::string_view Synopsis() const override { return "run a new process in a running container"; }
  void SetFlags(CLI::App& app) override;
  absl::StatusOr<int> Execute(const config::GlobalConfig& config) override;

 private:
  // The process to run, from --process or the container's config.json.
  absl::StatusOr<config::SpecProcess> BaseProcess(const std::string& bundle) const;

  std::string id_;
  std::vector<std::string> command_;
  std::string process_file_;
  std::string pid_file_;
  std::string console_socket_;
  std::string cgroup_;
  std::string process_label_, apparmor_;
  ExecFlags flags_;
  int preserve_fds_ = 0;
  bool detach_ = false;
  bool tty_ = false;
  bool ignore_paused_ = false;
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_EXEC_H_
