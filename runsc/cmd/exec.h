// runsc exec [flags] ID [COMMAND [ARG...]]: a new process in a running
// container (runc exec's flags; see exec_process.h for how they combine).
//
// The process is a new task of the container's sandbox whose stdio is the
// three descriptors of an ExecStdio, passed to the sentry over the control
// socket: runsc exec's own, or with --tty (or "terminal": true in
// --process) a new host pty's slave, whose master is sent to
// --console-socket as create does for the container's console, or without
// one relayed to runsc exec's own stdio as runc exec -t does. runsc exec then waits for it and exits with its status (code, or
// 128+signal), forwarding the signals it gets. With --detach it returns at
// once, leaving a small waiter process (runsc exec's child, which a
// subreaper such as containerd's shim adopts) that exits with that status;
// --pid-file names the waiter, the host process to wait for.
#ifndef RUNSC_RUNSC_CMD_EXEC_H_
#define RUNSC_RUNSC_CMD_EXEC_H_

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "runsc/cmd/command.h"
#include "runsc/cmd/exec_process.h"
#include "runsc/sandbox/host_console.h"

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

// exec --tty: a new host pty whose slave is the process's stdio (and, in
// the sandbox, its controlling terminal, /dev/pts/<n>) and whose master
// goes to the console socket or to runsc exec's relay.
class PtyStdio : public ExecStdio {
 public:
  // `rows`/`cols`: process.consoleSize (0: unset).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<PtyStdio>> Open(unsigned rows, unsigned cols);
  absl::StatusOr<std::array<int, 3>> Descriptors() override;
  int slave() const { return pty_.slave.get(); }
  void CloseSlave() { pty_.slave.reset(); }
  UniqueFd TakeMaster() { return std::move(pty_.master); }

 private:
  explicit PtyStdio(sandbox::HostPty pty) : pty_(std::move(pty)) {}
  sandbox::HostPty pty_;
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
  // runc's rules for --tty, --detach and --console-socket together.
  absl::Status CheckTerminal(bool terminal) const;

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
