#include "runsc/cmd/terminal_signal_relay.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "base/errno_status.h"
#include "base/logging.h"
#include "runsc/sandbox/control_client.h"

namespace runsc::cmd {
namespace {

sigset_t TerminalSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGQUIT, SIGTSTP, SIGWINCH, SIGHUP}) sigaddset(&set, sig);
  return set;
}

[[noreturn]] void RelayMain(pid_t parent, int slave, const std::string& state_dir, int pid) {
  // Dies with whoever waits for the exec'd process (runsc exec, or its
  // --detach waiter), which kills it when that process is gone.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(0);
  const sigset_t set = TerminalSignals();
  sigprocmask(SIG_BLOCK, &set, nullptr);
  if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) != 0) {
    LogWarning("exec --tty: cannot take the terminal's signals (", strerror(errno),
               "); ^C and window changes will not reach the process");
    _exit(1);
  }
  // The terminal stays ours without the descriptor; the process's own
  // descriptors are the sentry's.
  close(slave);
  int null_fd = open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    for (int fd = 0; fd <= 2; ++fd) dup2(null_fd, fd);
    if (null_fd > 2) close(null_fd);
  }
  sandbox::ControlClient control(state_dir);
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&set, &info);
    if (sig < 0) {
      if (errno == EINTR) continue;
      _exit(1);
    }
    absl::Status sent = control.SignalTerminalForeground(pid, sig);
    if (!sent.ok()) LogDebug("exec --tty: relaying signal ", sig, ": ", sent.message());
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<TerminalSignalRelay>> TerminalSignalRelay::Start(
    int slave, const std::string& state_dir, int pid) {
  const pid_t parent = getpid();
  pid_t child = fork();
  if (child < 0) return HostError("fork for the terminal's signal relay");
  if (child == 0) RelayMain(parent, slave, state_dir, pid);
  return std::unique_ptr<TerminalSignalRelay>(new TerminalSignalRelay(child));
}

TerminalSignalRelay::~TerminalSignalRelay() {
  kill(child_, SIGKILL);
  while (waitpid(child_, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace runsc::cmd
