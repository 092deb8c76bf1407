// exec --tty: the signals of the exec'd process's terminal, passed on.
//
// The host pty of an exec'd process is nobody's controlling terminal on the
// host: the sentry already has one (or none) and the process lives only in
// the sandbox. So ^C, ^\, ^Z typed on the master, a window size set on it
// and its hang-up would make the host line discipline signal no one. This
// relay is a small child process that makes itself a session leader with
// the pty as its controlling terminal, takes those signals (SIGINT,
// SIGQUIT, SIGTSTP, SIGWINCH, SIGHUP) and asks the sentry to send each to
// the foreground process group of that terminal in the sandbox, as the
// ConsoleSignalRelay does for the container's console.
//
// It is started before the process exists (so that no signal meant for it
// can come before the relay owns the terminal; they queue until Attach) and
// ends when killed, when the terminal hangs up, or when the process is gone.
#ifndef RUNSC_RUNSC_CMD_TERMINAL_SIGNAL_RELAY_H_
#define RUNSC_RUNSC_CMD_TERMINAL_SIGNAL_RELAY_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/unique_fd.h"

namespace runsc::cmd {

class TerminalSignalRelay {
 public:
  // Forks the relay for the pty whose slave is `slave` (open here), for the
  // container whose state directory is `state_dir`, and returns once it
  // owns the terminal. Call it while this process has no other thread: the
  // child goes on without exec. With `die_with_parent` it also dies with
  // this process (else, for a detached exec, whoever holds pid() kills it).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<TerminalSignalRelay>> Start(
      int slave, const std::string& state_dir, bool die_with_parent);

  // The sandbox pid of the process whose terminal it is: signals start to
  // flow (those that came meanwhile first).
  [[nodiscard]] absl::Status Attach(int pid);

  pid_t pid() const { return child_; }
  // Leaves the relay running and unreaped (a detached exec's waiter kills it).
  void Release() { child_ = -1; }

  // Kills and reaps the relay, unless released.
  ~TerminalSignalRelay();
  TerminalSignalRelay(const TerminalSignalRelay&) = delete;
  TerminalSignalRelay& operator=(const TerminalSignalRelay&) = delete;

 private:
  TerminalSignalRelay(pid_t child, UniqueFd attach) : child_(child), attach_(std::move(attach)) {}
  pid_t child_;
  UniqueFd attach_;  // Write end of the pipe that carries the pid.
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_TERMINAL_SIGNAL_RELAY_H_
