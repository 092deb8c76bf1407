#include "runsc/container/hook_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/errno_status.h"
#include "base/logging.h"
#include "base/unique_fd.h"
#include "runsc/status_macros.h"

namespace runsc::container {
namespace {

// What of a hook's stdout and stderr goes into the error message: enough
// for its complaint, bounded whatever it prints.
constexpr size_t kMaxCapturedBytes = 4096;

// Writes all of `data` to `fd`.
absl::Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return HostError("writing the hook's state");
    data.remove_prefix(n);
  }
  return absl::OkStatus();
}

// The state as a file to read from the start. A memfd rather than a pipe:
// nothing to block on when the hook does not read its stdin, and no
// SIGPIPE for runsc when it exits without reading.
absl::StatusOr<UniqueFd> StateFile(std::string_view state_json) {
  UniqueFd fd(static_cast<int>(syscall(SYS_memfd_create, "runsc-hook-state", MFD_CLOEXEC)));
  if (!fd.valid()) return HostError("memfd_create for the hook's state");
  RUNSC_RETURN_IF_ERROR(WriteAll(fd.get(), state_json));
  if (lseek(fd.get(), 0, SEEK_SET) != 0) return HostError("lseek of the hook's state");
  return fd;
}

struct Pipe {
  UniqueFd read, write;
};

absl::StatusOr<Pipe> MakePipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return HostError("pipe2 for a hook");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Reads what is there from `fd` (non-blocking) into `out`, up to the
// bound; false once the writers are gone.
bool Drain(int fd, std::string& out) {
  char buf[4096];
  while (true) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EAGAIN;
    if (n == 0) return false;
    size_t room = kMaxCapturedBytes - std::min(out.size(), kMaxCapturedBytes);
    out.append(buf, std::min<size_t>(n, room));
  }
}

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// In the child between fork and exec: async-signal-safe calls only.
[[noreturn]] void ExecHook(const char* path, char* const* argv, char* const* envp, int stdin_fd,
                           int stdout_fd, int stderr_fd, int exec_error_fd) {
  // Its own process group, so that a timeout kills what it started too.
  setpgid(0, 0);
  if (dup2(stdin_fd, 0) < 0 || dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0) _exit(127);
  // runsc run blocks the signals it forwards, and a hook is no part of it.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
  }
  // Nothing of runsc's (its lock, the console socket, log files) leaks
  // into the hook; the error pipe is close-on-exec and stays until exec.
  const unsigned keep = static_cast<unsigned>(exec_error_fd);
  if ((keep > 3 && syscall(SYS_close_range, 3u, keep - 1, 0u) != 0) ||
      syscall(SYS_close_range, keep + 1, ~0u, 0u) != 0) {
    for (int fd = 3; fd < 1024; ++fd) {  // Kernels before 5.9.
      if (fd != exec_error_fd) close(fd);
    }
  }
  execve(path, argv, envp);
  int error = errno;
  ssize_t unused = write(exec_error_fd, &error, sizeof(error));
  (void)unused;
  _exit(127);
}

std::string Describe(int wait_status) {
  if (WIFEXITED(wait_status)) return absl::StrCat("exit status ", WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) {
    return absl::StrCat("signal ", WTERMSIG(wait_status), " (", strsignal(WTERMSIG(wait_status)),
                        ")");
  }
  return absl::StrCat("wait status ", wait_status);
}

}  // namespace

const char* HookKindName(HookKind kind) {
  switch (kind) {
    case HookKind::kPrestart: return "prestart";
    case HookKind::kCreateRuntime: return "createRuntime";
    case HookKind::kCreateContainer: return "createContainer";
    case HookKind::kStartContainer: return "startContainer";
    case HookKind::kPoststart: return "poststart";
    case HookKind::kPoststop: return "poststop";
  }
  return "unknown";
}

absl::Status HookRunner::RunHook(const config::SpecHook& hook, std::string_view state_json) {
  RUNSC_ASSIGN_OR_RETURN(UniqueFd state, StateFile(state_json));
  RUNSC_ASSIGN_OR_RETURN(Pipe out, MakePipe());
  RUNSC_ASSIGN_OR_RETURN(Pipe err, MakePipe());
  RUNSC_ASSIGN_OR_RETURN(Pipe exec_error, MakePipe());
  // Everything the child needs is made before the fork.
  const std::vector<std::string> args = hook.args.empty() ? std::vector<std::string>{hook.path}
                                                          : hook.args;
  std::vector<char*> argv = CStrings(args);
  std::vector<char*> envp = CStrings(hook.env);

  pid_t pid = fork();
  if (pid < 0) return HostError("fork for a hook");
  if (pid == 0) {
    ExecHook(hook.path.c_str(), argv.data(), envp.data(), state.get(), out.write.get(),
             err.write.get(), exec_error.write.get());
  }
  // Also from here, so that a kill at the timeout cannot miss a group the
  // child has not made yet.
  setpgid(pid, pid);
  out.write.reset();
  err.write.reset();
  exec_error.write.reset();
  fcntl(out.read.get(), F_SETFL, O_NONBLOCK);
  fcntl(err.read.get(), F_SETFL, O_NONBLOCK);
  // Readable once the hook has exited. Without it (kernels before 5.3),
  // a short tick asks waitpid instead.
  UniqueFd exited(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));

  const std::optional<absl::Time> deadline =
      hook.timeout_seconds.has_value()
          ? std::optional<absl::Time>(absl::Now() + absl::Seconds(*hook.timeout_seconds))
          : std::nullopt;
  std::string stdout_text, stderr_text;
  bool stdout_open = true, stderr_open = true;
  int wait_status = 0;
  bool timed_out = false;
  while (true) {
    pid_t reaped = waitpid(pid, &wait_status, WNOHANG);
    if (reaped == pid) break;
    if (reaped < 0 && errno != EINTR) return HostError("waitpid for a hook");
    int timeout_ms = exited.valid() ? -1 : 20;
    if (deadline.has_value()) {
      absl::Duration left = *deadline - absl::Now();
      if (left <= absl::ZeroDuration()) {
        timed_out = true;
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        while (waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
        }
        break;
      }
      // Bounded: a timeout of years must not overflow poll's int.
      int left_ms = static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(left), 1 << 30)) + 1;
      timeout_ms = timeout_ms < 0 ? left_ms : std::min(timeout_ms, left_ms);
    }
    pollfd fds[3] = {{stdout_open ? out.read.get() : -1, POLLIN, 0},
                     {stderr_open ? err.read.get() : -1, POLLIN, 0},
                     {exited.valid() ? exited.get() : -1, POLLIN, 0}};
    if (poll(fds, 3, timeout_ms) < 0 && errno != EINTR) return HostError("poll for a hook");
    if (stdout_open && fds[0].revents != 0) stdout_open = Drain(out.read.get(), stdout_text);
    if (stderr_open && fds[1].revents != 0) stderr_open = Drain(err.read.get(), stderr_text);
  }
  // What it wrote before it ended. Not waited for beyond that: a process it
  // left behind may hold the pipes open for as long as it likes.
  if (stdout_open) Drain(out.read.get(), stdout_text);
  if (stderr_open) Drain(err.read.get(), stderr_text);

  int exec_errno = 0;
  if (read(exec_error.read.get(), &exec_errno, sizeof(exec_errno)) == sizeof(exec_errno)) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot execute ", hook.path, ": ", strerror(exec_errno)));
  }
  const std::string output = absl::StrCat(", stdout: ", stdout_text, ", stderr: ", stderr_text);
  if (timed_out) {
    return absl::DeadlineExceededError(absl::StrCat("ran past its timeout of ",
                                                    *hook.timeout_seconds,
                                                    "s and was killed", output));
  }
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(Describe(wait_status), output));
}

const std::vector<config::SpecHook>& HookRunner::HooksOf(HookKind kind) const {
  switch (kind) {
    case HookKind::kPrestart: return hooks_.prestart;
    case HookKind::kCreateRuntime: return hooks_.create_runtime;
    case HookKind::kCreateContainer: return hooks_.create_container;
    case HookKind::kStartContainer: return hooks_.start_container;
    case HookKind::kPoststart: return hooks_.poststart;
    case HookKind::kPoststop: return hooks_.poststop;
  }
  return hooks_.poststop;
}

absl::Status HookRunner::Run(HookKind kind, std::string_view state_json) const {
  const std::vector<config::SpecHook>& hooks = HooksOf(kind);
  for (size_t i = 0; i < hooks.size(); ++i) {
    absl::Status ran = RunHook(hooks[i], state_json);
    if (!ran.ok()) {
      return absl::Status(ran.code(), absl::StrCat("error running ", HookKindName(kind), " hook #",
                                                   i, " (", hooks[i].path, "): ", ran.message()));
    }
  }
  return absl::OkStatus();
}

void HookRunner::RunBestEffort(HookKind kind, std::string_view state_json) const {
  const std::vector<config::SpecHook>& hooks = HooksOf(kind);
  for (size_t i = 0; i < hooks.size(); ++i) {
    absl::Status ran = RunHook(hooks[i], state_json);
    if (!ran.ok()) {
      LogWarning("error running ", HookKindName(kind), " hook #", i, " (", hooks[i].path,
                 "): ", ran.message());
    }
  }
}

}  // namespace runsc::container
