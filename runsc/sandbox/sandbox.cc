#include "runsc/sandbox/sandbox.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "base/errno_status.h"
#include "base/logging.h"
#include "base/phase_timer.h"
#include "base/unique_fd.h"
#include "runsc/sandbox/child_process.h"
#include "runsc/status_macros.h"

namespace runsc::sandbox {
namespace {

// The children are this very binary: one file to install (DESIGN §2).
constexpr char kSelfExe[] = "/proc/self/exe";
// The longest message the sentry may send on the ready pipe.
constexpr size_t kMaxReadyMessage = 4096;

// Descriptor numbers in the children (the contract in sandbox.h).
constexpr int kGoferSocketFd = 3;
constexpr int kGoferLogFd = 4;
constexpr int kSentryGoferFd = 3;
constexpr int kSentryControlFd = 4;
constexpr int kSentryReadyFd = 5;
constexpr int kSentryLogFd = 6;

// Both children get namespaces of their own. The sentry's pid namespace
// makes it pid 1 there, so its stubs die with it whatever else happens; its
// empty network namespace leaves it no host network to reach.
constexpr unsigned long kChildNamespaces =
    CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET;

// The children's environment: nothing of the caller's (containerd's or a
// shell's variables are not the sandbox's business), except the debugging
// escape that turns seccomp off, which must reach the child to act, and
// with --debug the timeline's origin.
std::vector<std::string> ChildEnvironment(const SandboxSpec& spec) {
  std::vector<std::string> env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
  if (const char* no_seccomp = getenv("RUNSC_UNSAFE_NO_SECCOMP"); no_seccomp != nullptr) {
    env.push_back(absl::StrCat("RUNSC_UNSAFE_NO_SECCOMP=", no_seccomp));
  }
  if (spec.timeline) env.push_back(PhaseTimer::OriginForChild());
  return env;
}

struct FdPair {
  UniqueFd first, second;
};

absl::StatusOr<UniqueFd> OpenDirectory(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return HostError(absl::StrCat("open ", path));
  return fd;
}

absl::StatusOr<UniqueFd> OpenDevNull() {
  UniqueFd fd(open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!fd.valid()) return HostError("open /dev/null");
  return fd;
}

absl::StatusOr<FdPair> GoferSocketPair() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
    return HostError("socketpair for the gofer");
  }
  return FdPair{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

absl::StatusOr<FdPair> ReadyPipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return HostError("pipe for the ready signal");
  return FdPair{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// The address of `name` in the directory open as `dir_fd`. Going through
// /proc/self/fd keeps the address short whatever the length of --root
// (sun_path holds 108 bytes).
sockaddr_un AddressInDirectory(int dir_fd, const char* name) {
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%s", dir_fd, name);
  return addr;
}

// A listening socket at <dir>/control.sock that only its owner can connect to.
absl::StatusOr<UniqueFd> BindControlSocket(int dir_fd) {
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return HostError("socket for control.sock");
  sockaddr_un addr = AddressInDirectory(dir_fd, kControlSocketName);
  // The umask makes the socket 0600 from the moment it exists; no window in
  // which another user could connect before a chmod.
  mode_t old_umask = umask(0177);
  int rc = bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  int bind_errno = errno;
  umask(old_umask);
  if (rc != 0) {
    errno = bind_errno;
    return HostError("bind control.sock");
  }
  if (fchmodat(dir_fd, kControlSocketName, 0600, 0) != 0) return HostError("chmod control.sock");
  if (listen(fd.get(), 16) != 0) return HostError("listen on control.sock");
  return fd;
}

ChildSpec GoferChild(const SandboxSpec& spec, int socket_fd, int log_fd, int null_fd) {
  ChildSpec child;
  child.path = kSelfExe;
  child.argv = {"runsc-gofer"};
  child.argv.insert(child.argv.end(), spec.child_global_flags.begin(),
                    spec.child_global_flags.end());
  child.argv.insert(child.argv.end(), {"gofer", "--root", spec.rootfs});
  if (spec.rootfs_readonly) child.argv.push_back("--read-only");
  for (const SandboxBindMount& mount : spec.bind_mounts) {
    child.argv.insert(child.argv.end(), {"--mount", (mount.read_only ? "ro:" : "rw:") + mount.source});
  }
  child.argv.insert(child.argv.end(), {"--socket-fd", absl::StrCat(kGoferSocketFd), "--log-fd",
                                       absl::StrCat(kGoferLogFd)});
  // The gofer never touches the container's stdio: holding it open would
  // keep a caller's pipes open after the container is gone.
  child.fds = {{null_fd, 0}, {null_fd, 1}, {null_fd, 2}, {socket_fd, kGoferSocketFd},
               {log_fd, kGoferLogFd}};
  child.env = ChildEnvironment(spec);
  child.cgroup_procs_fds = spec.cgroup_procs_fds;
  child.namespaces = kChildNamespaces;
  return child;
}

ChildSpec SentryChild(const SandboxSpec& spec, int gofer_fd, int control_fd, int ready_fd,
                      int log_fd) {
  ChildSpec child;
  child.path = kSelfExe;
  child.argv = {"runsc-sandbox"};
  child.argv.insert(child.argv.end(), spec.child_global_flags.begin(),
                    spec.child_global_flags.end());
  child.argv.insert(child.argv.end(),
                    {"boot", "--bundle", spec.bundle_dir, "--gofer-fd", absl::StrCat(kSentryGoferFd),
                     "--control-fd", absl::StrCat(kSentryControlFd), "--ready-fd",
                     absl::StrCat(kSentryReadyFd), "--log-fd", absl::StrCat(kSentryLogFd),
                     spec.container_id});
  // stdio is create's own: it is the container's stdio (DESIGN §7); with a
  // terminal, the pty slave, and the sentry's controlling terminal, so that
  // the host line discipline's signals (^C, ^Z, ^\, SIGWINCH, SIGHUP) reach
  // the sentry, which passes them on to the container's foreground group.
  const int in = spec.console_fd >= 0 ? spec.console_fd : 0;
  const int out = spec.console_fd >= 0 ? spec.console_fd : 1;
  const int err = spec.console_fd >= 0 ? spec.console_fd : 2;
  if (spec.console_fd >= 0) child.controlling_tty = 0;
  child.fds = {{in, 0},
               {out, 1},
               {err, 2},
               {gofer_fd, kSentryGoferFd},
               {control_fd, kSentryControlFd},
               {ready_fd, kSentryReadyFd},
               {log_fd, kSentryLogFd}};
  child.env = ChildEnvironment(spec);
  child.cgroup_procs_fds = spec.cgroup_procs_fds;
  child.namespaces = kChildNamespaces;
  return child;
}

// Why the sentry stopped before it was ready, for the error message.
std::string DescribeEarlyExit(const ProcessIdentity& sentry) {
  int status = 0;
  pid_t reaped = waitpid(sentry.pid, &status, WNOHANG);
  if (reaped == sentry.pid) {
    if (WIFEXITED(status)) return absl::StrCat("the sentry exited with status ", WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
      return absl::StrCat("the sentry was killed by signal ", WTERMSIG(status), " (",
                          strsignal(WTERMSIG(status)), ")");
    }
  }
  return "the sentry closed its ready pipe";
}

// Waits for the sentry's verdict on the ready pipe: "ok\n", or
// "error: <message>\n", or EOF if it died.
absl::Status WaitForReady(int ready_fd, const ProcessIdentity& sentry, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::string message;
  while (message.find('\n') == std::string::npos && message.size() < kMaxReadyMessage) {
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(absl::StrCat(
          "the sentry did not report that it was ready within ", absl::FormatDuration(timeout)));
    }
    pollfd pfd = {ready_fd, POLLIN, 0};
    int n = poll(&pfd, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return HostError("poll on the ready pipe");
    if (n == 0) continue;
    char buf[512];
    ssize_t got = read(ready_fd, buf, sizeof(buf));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return HostError("read from the ready pipe");
    if (got == 0) break;
    message.append(buf, got);
  }
  absl::string_view line = message;
  line = line.substr(0, line.find('\n'));
  if (line == "ok") return absl::OkStatus();
  if (absl::ConsumePrefix(&line, "error: ") || absl::ConsumePrefix(&line, "error:")) {
    return absl::FailedPreconditionError(std::string(absl::StripAsciiWhitespace(line)));
  }
  if (line.empty()) {
    return absl::InternalError(
        absl::StrCat(DescribeEarlyExit(sentry), " before the container was ready"));
  }
  return absl::InternalError(absl::StrCat("unexpected message from the sentry: \"",
                                          line.substr(0, 200), "\""));
}

}  // namespace

absl::StatusOr<SandboxProcesses> Sandbox::Launch(const SandboxSpec& spec) {
  PhaseTimer timeline("sandbox launch");
  RUNSC_ASSIGN_OR_RETURN(UniqueFd dir, OpenDirectory(spec.state_dir));
  RUNSC_ASSIGN_OR_RETURN(UniqueFd dev_null, OpenDevNull());
  RUNSC_ASSIGN_OR_RETURN(FdPair gofer_socket, GoferSocketPair());
  RUNSC_ASSIGN_OR_RETURN(FdPair ready, ReadyPipe());
  RUNSC_ASSIGN_OR_RETURN(UniqueFd control, BindControlSocket(dir.get()));
  const int log_fd = spec.log_fd >= 0 ? spec.log_fd : dev_null.get();

  SandboxProcesses processes;
  // On any failure below: no process and no socket stay behind.
  absl::Cleanup undo = [&] {
    absl::Status destroyed = Destroy(processes);
    if (!destroyed.ok()) LogError("cleaning up a failed sandbox: ", destroyed.message());
    unlinkat(dir.get(), kControlSocketName, 0);
  };

  // Both children start before either is awaited: each joins the cgroup
  // and execs on its own, at the same time.
  RUNSC_ASSIGN_OR_RETURN(
      StartedChild gofer,
      StartChild(GoferChild(spec, gofer_socket.second.get(), log_fd, dev_null.get())));
  gofer_socket.second.reset();
  RUNSC_ASSIGN_OR_RETURN(StartedChild sentry,
                         StartChild(SentryChild(spec, gofer_socket.first.get(), control.get(),
                                                ready.second.get(), log_fd)));
  timeline.Mark("sockets, pipes, gofer and sentry forked");
  RUNSC_ASSIGN_OR_RETURN(processes.gofer, std::move(gofer).AwaitExec());
  LogDebug("started gofer, pid ", processes.gofer.pid);
  RUNSC_ASSIGN_OR_RETURN(processes.sentry, std::move(sentry).AwaitExec());
  LogDebug("started sentry, pid ", processes.sentry.pid);
  timeline.Mark("gofer and sentry exec'd");
  // Only the sentry may hold these now: the ready pipe's EOF must mean the
  // sentry is gone, and the gofer must see its peer close when the sentry dies.
  gofer_socket.first.reset();
  ready.second.reset();
  control.reset();

  RUNSC_RETURN_IF_ERROR(WaitForReady(ready.first.get(), processes.sentry, spec.ready_timeout));
  timeline.Mark("sentry boot until ready");
  std::move(undo).Cancel();
  return processes;
}

absl::Status Sandbox::Destroy(const SandboxProcesses& processes) {
  // Sentry first: its stubs die with it, and the gofer then sees its peer go.
  absl::Status sentry = KillAndWait(processes.sentry);
  absl::Status gofer = KillAndWait(processes.gofer);
  if (!sentry.ok()) return absl::Status(sentry.code(), absl::StrCat("sentry: ", sentry.message()));
  if (!gofer.ok()) return absl::Status(gofer.code(), absl::StrCat("gofer: ", gofer.message()));
  return absl::OkStatus();
}

}  // namespace runsc::sandbox
