#include "runsc/cmd/signal_forwarder.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "base/logging.h"
#include "runsc/sandbox/child_process.h"
#include "runsc/sandbox/control_client.h"

namespace runsc::cmd {
namespace {

constexpr int kForwarded[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2};

}  // namespace

absl::StatusOr<SignalForwarder> SignalForwarder::Create() {
  sigset_t set, old;
  sigemptyset(&set);
  for (int sig : kForwarded) sigaddset(&set, sig);
  if (sigprocmask(SIG_BLOCK, &set, &old) != 0) return HostError("sigprocmask");
  UniqueFd fd(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd.valid()) {
    absl::Status error = HostError("signalfd");
    sigprocmask(SIG_SETMASK, &old, nullptr);
    return error;
  }
  return SignalForwarder(std::move(fd), old);
}

SignalForwarder::~SignalForwarder() {
  if (signal_fd_.valid()) sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
}

absl::Status SignalForwarder::ForwardUntilReadable(int fd,
                                                   const std::function<void(int)>& forward) {
  while (true) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {signal_fd_.get(), POLLIN, 0}};
    int n = poll(fds, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return HostError("poll");
    if (fds[0].revents != 0) return absl::OkStatus();
    signalfd_siginfo info;
    while (read(signal_fd_.get(), &info, sizeof(info)) == sizeof(info)) {
      forward(static_cast<int>(info.ssi_signo));
    }
  }
}

absl::StatusOr<int> SignalForwarder::Wait(const sandbox::ProcessIdentity& sentry,
                                          const std::string& state_dir) {
  // A pidfd makes the sentry's exit one more thing to poll, without SIGCHLD
  // handlers. The sentry is our child, so its pid cannot be reused before we
  // reap it.
  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, sentry.pid, 0)));
  if (!pidfd.valid()) return HostError(absl::StrCat("pidfd_open ", sentry.pid));
  sandbox::ControlClient control(state_dir);
  absl::Status waited = ForwardUntilReadable(pidfd.get(), [&](int signo) {
    absl::Status sent = control.Signal(signo, /*all=*/false);
    // The sentry may be exiting: its exit is what we report.
    if (!sent.ok()) LogWarning("forwarding signal ", signo, ": ", sent.message());
  });
  if (!waited.ok()) return waited;
  return sandbox::WaitForExitCode(sentry.pid);
}

}  // namespace runsc::cmd
