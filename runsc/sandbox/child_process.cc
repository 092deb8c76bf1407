#include "runsc/sandbox/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/errno_status.h"
#include "base/unique_fd.h"

namespace runsc::sandbox {
namespace {

// Descriptors are parked at or above this number while being moved into
// place, so that no target number overwrites a source not yet moved.
constexpr int kParkingFd = 100;
constexpr int kMaxChildFd = 64;
// waitid's P_PIDFD (linux/wait.h; glibc's idtype_t may not name it).
constexpr int kPidfdIdType = 3;

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

// Everything the child uses, built before the clone: the child must not
// allocate.
struct ExecPlan {
  const char* path;
  char* const* argv;
  char* const* envp;  // nullptr: inherit.
  const std::pair<int, int>* fds;
  size_t nfds;
  const int* cgroup_fds;
  size_t ncgroup_fds;
  int controlling_tty;
};

// Runs in the forked child: only async-signal-safe calls from here on.
[[noreturn]] void ExecChild(const ExecPlan& plan, int error_fd) {
  const std::pair<int, int>* fds = plan.fds;
  const size_t nfds = plan.nfds;
  auto fail = [&error_fd](int err) {
    ssize_t unused = write(error_fd, &err, sizeof(err));
    (void)unused;
    _exit(127);
  };
  // First: nothing the child does, exec included, happens outside the
  // sandbox's cgroup. "0" is the writer itself, in v1 and v2.
  for (size_t i = 0; i < plan.ncgroup_fds; ++i) {
    if (write(plan.cgroup_fds[i], "0", 1) != 1) fail(errno);
  }
  if (setsid() < 0) fail(errno);

  sigset_t empty;
  sigemptyset(&empty);
  if (sigprocmask(SIG_SETMASK, &empty, nullptr) != 0) fail(errno);
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, nullptr);  // Some are invalid: ignore.
  }

  // Park the error pipe and every source above the targets, then move the
  // sources down. F_DUPFD_CLOEXEC: parked copies vanish at exec; dup2 clears
  // close-on-exec on the targets.
  int parked_error = fcntl(error_fd, F_DUPFD_CLOEXEC, kParkingFd);
  if (parked_error < 0) fail(errno);
  error_fd = parked_error;
  int parked[kMaxChildFd];
  bool is_target[kMaxChildFd] = {};
  for (size_t i = 0; i < nfds; ++i) {
    parked[i] = fcntl(fds[i].first, F_DUPFD_CLOEXEC, kParkingFd);
    if (parked[i] < 0) fail(errno);
  }
  for (size_t i = 0; i < nfds; ++i) {
    if (dup2(parked[i], fds[i].second) < 0) fail(errno);
    is_target[fds[i].second] = true;
  }
  // Everything that is not a target closes: below kMaxChildFd now, the rest
  // at exec (which keeps the error pipe open until then).
  for (int fd = 0; fd < kMaxChildFd; ++fd) {
    if (!is_target[fd]) close(fd);
  }
  if (syscall(SYS_close_range, kMaxChildFd, ~0U, CLOSE_RANGE_CLOEXEC) != 0) fail(errno);
  // A session leader with no terminal yet (setsid above): this one becomes
  // its controlling terminal, with the child's group in the foreground.
  if (plan.controlling_tty >= 0 && ioctl(plan.controlling_tty, TIOCSCTTY, 0) != 0) fail(errno);

  if (plan.envp != nullptr) {
    execve(plan.path, plan.argv, plan.envp);
  } else {
    execv(plan.path, plan.argv);
  }
  fail(errno);
  __builtin_unreachable();
}

}  // namespace

absl::StatusOr<StartedChild> StartChild(const ChildSpec& spec) {
  if (spec.path.empty() || spec.argv.empty()) {
    return absl::InvalidArgumentError("SpawnChild: no program");
  }
  if (spec.fds.size() > static_cast<size_t>(kMaxChildFd)) {
    return absl::InvalidArgumentError("SpawnChild: too many descriptors");
  }
  bool seen[kMaxChildFd] = {};
  for (const auto& [from, to] : spec.fds) {
    if (to < 0 || to >= kMaxChildFd || seen[to]) {
      return absl::InvalidArgumentError(absl::StrCat("SpawnChild: bad child fd ", to));
    }
    seen[to] = true;
  }
  if (spec.controlling_tty >= 0 &&
      (spec.controlling_tty >= kMaxChildFd || !seen[spec.controlling_tty])) {
    return absl::InvalidArgumentError(
        absl::StrCat("SpawnChild: controlling tty ", spec.controlling_tty, " is not a child fd"));
  }
  // Everything the child needs is built before fork (the child has its own
  // copy: these may go as soon as clone returns).
  std::vector<char*> argv;
  for (const std::string& arg : spec.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  if (spec.env.has_value()) {
    for (const std::string& var : *spec.env) envp.push_back(const_cast<char*>(var.c_str()));
    envp.push_back(nullptr);
  }
  const ExecPlan plan{spec.path.c_str(), argv.data(), spec.env.has_value() ? envp.data() : nullptr,
                      spec.fds.data(), spec.fds.size(), spec.cgroup_procs_fds.data(),
                      spec.cgroup_procs_fds.size(), spec.controlling_tty};

  int error_pipe[2];
  if (pipe2(error_pipe, O_CLOEXEC) != 0) return HostError("pipe2");
  UniqueFd error_read(error_pipe[0]);
  UniqueFd error_write(error_pipe[1]);

  // clone as fork (no new stack: the child runs on a copy of ours), with
  // the namespace flags. Not glibc's fork(): it cannot take them, and the
  // child only makes raw system calls until exec anyway.
  pid_t pid = static_cast<pid_t>(
      syscall(SYS_clone, SIGCHLD | spec.namespaces, nullptr, nullptr, nullptr, nullptr));
  if (pid < 0) return HostError(spec.namespaces != 0 ? "clone with new namespaces" : "fork");
  if (pid == 0) ExecChild(plan, error_write.get());
  error_write.reset();

  // Identify the child now, while it cannot have exited unseen: until we
  // reap it, its pid cannot be reused.
  StartedChild child;
  child.pid_ = pid;
  child.path_ = spec.path;
  child.identity_ = IdentifyProcess(pid);
  child.error_read_ = std::move(error_read);
  return child;
}

StartedChild::~StartedChild() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
}

absl::StatusOr<ProcessIdentity> StartedChild::AwaitExec() && {
  const pid_t pid = std::exchange(pid_, 0);
  if (pid <= 0) return absl::FailedPreconditionError("AwaitExec: no child");
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(error_read_.get(), &child_errno, sizeof(child_errno));
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return ErrnoError(child_errno, absl::StrCat("cannot execute ", path_, ": ",
                                                strerror(child_errno)));
  }
  if (!identity_.ok()) {
    kill(pid, SIGKILL);
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    return identity_.status();
  }
  return *identity_;
}

absl::StatusOr<ProcessIdentity> SpawnChild(const ChildSpec& spec) {
  absl::StatusOr<StartedChild> child = StartChild(spec);
  if (!child.ok()) return child.status();
  return std::move(*child).AwaitExec();
}

namespace {

// Without pidfds (Linux < 5.3): polls, with growing pauses.
absl::Status KillAndPoll(const ProcessIdentity& process, absl::Duration timeout) {
  if (IsLive(process)) kill(process.pid, SIGKILL);
  const absl::Time deadline = absl::Now() + timeout;
  absl::Duration pause = absl::Milliseconds(1);
  while (true) {
    // Reap it if it is our child, so that it does not stay a zombie; only
    // while the pid is still that process (a zombie keeps its start time),
    // never a newer process that reused the pid.
    if (IdentifyProcess(process.pid).value_or(ProcessIdentity{}) == process) {
      pid_t reaped = waitpid(process.pid, nullptr, WNOHANG);
      if (reaped == process.pid) return absl::OkStatus();
    }
    if (!IsLive(process)) return absl::OkStatus();
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("process ", process.pid, " is still alive after SIGKILL"));
    }
    absl::SleepFor(pause);
    pause = std::min(pause * 2, absl::Milliseconds(50));
  }
}

}  // namespace

absl::Status KillAndWait(const ProcessIdentity& process, absl::Duration timeout) {
  if (process.pid <= 0) return absl::OkStatus();
  // The pidfd first, the identity check second: then the pidfd is the
  // process we checked, and neither the signal nor the wait can reach a
  // newer one that reused the pid. Waiting on it is an event, not a poll
  // loop with pauses (a few ms of every delete).
  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, process.pid, 0)));
  if (!pidfd.valid()) {
    if (errno == ESRCH) return absl::OkStatus();  // Gone and reaped.
    return KillAndPoll(process, timeout);
  }
  // A zombie keeps its identity: it is still ours to reap.
  if (IdentifyProcess(process.pid).value_or(ProcessIdentity{}) != process) {
    return absl::OkStatus();  // Reaped already; the pid is another process's now.
  }
  if (IsLive(process)) syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0);
  // Readable once the whole process has exited (a zombie, or reaped).
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    const int64_t left_ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    pollfd pfd = {pidfd.get(), POLLIN, 0};
    int n = poll(&pfd, 1, static_cast<int>(std::clamp<int64_t>(left_ms, 0, 60'000)));
    if (n > 0) break;
    if (n < 0 && errno != EINTR) return HostError("poll on a pidfd");
    if (n == 0 && left_ms <= 0) {
      return absl::DeadlineExceededError(
          absl::StrCat("process ", process.pid, " is still alive after SIGKILL"));
    }
  }
  // Reap it if it is our child (ECHILD otherwise: someone else's to reap).
  siginfo_t info = {};
  while (waitid(static_cast<idtype_t>(kPidfdIdType), static_cast<id_t>(pidfd.get()), &info, WEXITED) <
             0 &&
         errno == EINTR) {
  }
  return absl::OkStatus();
}

int ExitCodeFromWaitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 255;
}

absl::StatusOr<int> WaitForExitCode(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return HostError(absl::StrCat("waitpid ", pid));
  }
  return ExitCodeFromWaitStatus(status);
}

}  // namespace runsc::sandbox
