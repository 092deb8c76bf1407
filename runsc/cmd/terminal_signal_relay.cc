#include "runsc/cmd/terminal_signal_relay.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

bool ReadAll(int fd, void* data, size_t size) {
  char* p = static_cast<char*>(data);
  while (size > 0) {
    ssize_t n = read(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

[[noreturn]] void RelayMain(pid_t parent, bool die_with_parent, int slave, int ready, int attach,
                            const std::string& state_dir) {
  if (die_with_parent) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(0);
  }
  // Blocked before the terminal is ours: they queue until we take them.
  const sigset_t set = TerminalSignals();
  sigprocmask(SIG_BLOCK, &set, nullptr);
  char verdict = 1;
  if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) != 0) verdict = 0;
  // The terminal stays ours without the descriptor; the process's own
  // descriptors are the sentry's.
  close(slave);
  int null_fd = open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    for (int fd = 0; fd <= 2; ++fd) dup2(null_fd, fd);
    if (null_fd > 2) close(null_fd);
  }
  ssize_t unused = write(ready, &verdict, 1);
  (void)unused;
  close(ready);
  int pid = 0;
  if (verdict == 0 || !ReadAll(attach, &pid, sizeof(pid)) || pid <= 0) _exit(0);
  close(attach);
  sandbox::ControlClient control(state_dir);
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&set, &info);
    if (sig < 0) {
      if (errno == EINTR) continue;
      _exit(1);
    }
    absl::Status sent = control.SignalTerminalForeground(pid, sig);
    // The process (or the whole sandbox) is gone, or its terminal hung up:
    // nothing more to relay.
    if (!sent.ok() || sig == SIGHUP) _exit(0);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<TerminalSignalRelay>> TerminalSignalRelay::Start(
    int slave, const std::string& state_dir, bool die_with_parent) {
  int ready[2], attach[2];
  if (pipe2(ready, O_CLOEXEC) != 0) return HostError("pipe for the terminal's signal relay");
  UniqueFd ready_read(ready[0]), ready_write(ready[1]);
  // A socket rather than a pipe: MSG_NOSIGNAL, should the relay be gone.
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, attach) != 0) {
    return HostError("socketpair for the terminal's signal relay");
  }
  UniqueFd attach_read(attach[0]), attach_write(attach[1]);
  const pid_t parent = getpid();
  pid_t child = fork();
  if (child < 0) return HostError("fork for the terminal's signal relay");
  if (child == 0) {
    ready_read.reset();
    attach_write.reset();
    RelayMain(parent, die_with_parent, slave, ready_write.get(), attach_read.get(), state_dir);
  }
  std::unique_ptr<TerminalSignalRelay> relay(
      new TerminalSignalRelay(child, std::move(attach_write)));
  ready_write.reset();
  attach_read.reset();
  char verdict = 0;
  if (!ReadAll(ready_read.get(), &verdict, 1) || verdict != 1) {
    return absl::InternalError("the terminal's signal relay could not take the terminal");
  }
  return relay;
}

absl::Status TerminalSignalRelay::Attach(int pid) {
  const char* p = reinterpret_cast<const char*>(&pid);
  size_t left = sizeof(pid);
  while (left > 0) {
    ssize_t n = send(attach_.get(), p, left, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return HostError("telling the terminal's signal relay its process");
    p += n;
    left -= static_cast<size_t>(n);
  }
  attach_.reset();
  return absl::OkStatus();
}

TerminalSignalRelay::~TerminalSignalRelay() {
  if (child_ <= 0) return;
  kill(child_, SIGKILL);
  while (waitpid(child_, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace runsc::cmd
