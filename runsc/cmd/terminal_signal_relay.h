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
#ifndef RUNSC_RUNSC_CMD_TERMINAL_SIGNAL_RELAY_H_
#define RUNSC_RUNSC_CMD_TERMINAL_SIGNAL_RELAY_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace runsc::cmd {

class TerminalSignalRelay {
 public:
  // Forks the relay for the pty whose slave is `slave` (open here), for the
  // sandbox process `pid` of the container whose state directory is
  // `state_dir`. Call it while this process has no other thread: the child
  // goes on without exec. The relay dies with this process.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<TerminalSignalRelay>> Start(
      int slave, const std::string& state_dir, int pid);

  // Kills and reaps the relay.
  ~TerminalSignalRelay();
  TerminalSignalRelay(const TerminalSignalRelay&) = delete;
  TerminalSignalRelay& operator=(const TerminalSignalRelay&) = delete;

 private:
  explicit TerminalSignalRelay(pid_t child) : child_(child) {}
  pid_t child_;
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_TERMINAL_SIGNAL_RELAY_H_
