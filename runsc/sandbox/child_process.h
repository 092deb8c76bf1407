// Starting and stopping the sandbox's host processes.
#ifndef RUNSC_RUNSC_SANDBOX_CHILD_PROCESS_H_
#define RUNSC_RUNSC_SANDBOX_CHILD_PROCESS_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/unique_fd.h"
#include "runsc/sandbox/process_identity.h"

namespace runsc::sandbox {

struct ChildSpec {
  std::string path;  // What is executed (no PATH search).
  std::vector<std::string> argv;  // argv[0] included.
  // {fd in this process, fd number in the child}. The child gets exactly
  // these descriptors: every other one, stdio included, is closed at exec.
  // Child numbers must be distinct and below 64.
  std::vector<std::pair<int, int>> fds;
  // The child's whole environment ("KEY=value"); nullopt: this process's.
  std::optional<std::vector<std::string>> env;
  // cgroup.procs files open for writing (Cgroup::OpenProcsFiles): the child
  // writes "0" to each, joining the cgroup before it execs anything.
  std::vector<int> cgroup_procs_fds;
  // CLONE_NEW* flags: the child starts in new namespaces of these kinds.
  // With CLONE_NEWPID it is pid 1 there; the pid returned is its host pid.
  unsigned long namespaces = 0;
  // A child fd number (one of `fds`) that is a tty: after setsid the child
  // makes it its controlling terminal (TIOCSCTTY), so that the terminal's
  // signals (^C, window changes, hang-up) reach it. -1: none.
  int controlling_tty = -1;
};

// Forks (clone, for `spec.namespaces`) and execs `spec` in a new session (setsid: a terminal's signals and
// hang-up do not reach it), with an empty signal mask and default signal
// dispositions. No parent-death signal: the child outlives its parent, as the
// sandbox must outlive `runsc create`. Returns once exec has succeeded; an
// exec failure is reported as an error, after the child has been reaped.
[[nodiscard]] absl::StatusOr<ProcessIdentity> SpawnChild(const ChildSpec& spec);

// SpawnChild in two halves, so that two children can get ready at once
// (the sandbox's gofer and sentry: each spends milliseconds joining cgroups
// and exec'ing, which need not be one after the other).
class StartedChild {
 public:
  StartedChild() = default;
  StartedChild(StartedChild&& other) noexcept { *this = std::move(other); }
  StartedChild& operator=(StartedChild&& other) noexcept {
    std::swap(pid_, other.pid_);
    std::swap(path_, other.path_);
    std::swap(identity_, other.identity_);
    std::swap(error_read_, other.error_read_);
    return *this;
  }
  // A child never awaited is killed and reaped: a failed launch leaves none.
  ~StartedChild();

  // Returns once the child has exec'd; an exec failure is an error, after
  // the child has been reaped.
  [[nodiscard]] absl::StatusOr<ProcessIdentity> AwaitExec() &&;

 private:
  friend absl::StatusOr<StartedChild> StartChild(const ChildSpec& spec);
  pid_t pid_ = 0;
  std::string path_;
  absl::StatusOr<ProcessIdentity> identity_ = absl::UnknownError("not started");
  UniqueFd error_read_;
};

// Forks as SpawnChild does, without waiting for the exec.
[[nodiscard]] absl::StatusOr<StartedChild> StartChild(const ChildSpec& spec);

// Sends SIGKILL to `process` if it is still live and waits until it is gone:
// reaped if it is our child, otherwise no longer live (exited or zombie).
// Error if it is still live after `timeout`.
[[nodiscard]] absl::Status KillAndWait(const ProcessIdentity& process,
                                       absl::Duration timeout = absl::Seconds(10));

// Waits for our child `pid` to exit and returns its status as a shell would:
// the exit code, or 128+signal. EINTR is retried.
[[nodiscard]] absl::StatusOr<int> WaitForExitCode(pid_t pid);

// The exit code for a waitpid() status: code, or 128+signal.
int ExitCodeFromWaitStatus(int wait_status);

}  // namespace runsc::sandbox

#endif  // RUNSC_RUNSC_SANDBOX_CHILD_PROCESS_H_
