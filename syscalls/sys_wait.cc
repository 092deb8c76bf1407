// wait4 and waitid: a process waits for a child process to end, or to be
// stopped or continued by job-control signals (WUNTRACED/WSTOPPED,
// WCONTINUED; the child's side is sentry/kernel/group_stop.h).
//
// Children are processes (their leaders stand for them); any thread of the
// parent process may wait.
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <climits>
#include <optional>

#include "base/logging.h"
#include "syscalls/helpers.h"

namespace runsc::syscalls {
namespace {

using sentry::Kernel;
using sentry::Task;

// Which children a wait is for (wait4's pid, or waitid's idtype and id).
struct ChildSelector {
  enum Kind { kAny, kPid, kProcessGroup } kind = kAny;
  int id = 0;
};

bool Selects(const ChildSelector& sel, const Task& child) {
  switch (sel.kind) {
    case ChildSelector::kAny: return true;
    case ChildSelector::kPid: return child.tid() == sel.id;
    case ChildSelector::kProcessGroup: return child.pgid == sel.id;
  }
  return false;
}

// __WALL waits for every child; __WCLONE only for "clone" children (those
// that send no SIGCHLD at their end); neither: only the others.
bool WaitsFor(int options, const Task& child) {
  if (options & __WALL) return true;
  const bool clone_child = child.exit_signal != SIGCHLD;
  return (options & __WCLONE) ? clone_child : !clone_child;
}

// Which changes of a child a wait reports, and whether it leaves them to
// be reported again (WNOWAIT).
struct Wanted {
  bool exited = true;
  bool stopped = false;
  bool continued = false;
  bool keep = false;
};

enum class ChildEvent { kExited, kStopped, kContinued };

struct Reaped {
  int pid = 0;  // 0: none (WNOHANG, or interrupted).
  int status = 0;  // wait(2) status word.
  uint32_t uid = 0;
  bool interrupted = false;  // A signal came first: the call restarts or fails with EINTR.
  ChildEvent event = ChildEvent::kExited;
};

// What `c` has to report that the wait wants, if anything (Linux's
// wait_consider_task: an end, else a stop, else a continue); consumed
// unless `want.keep`. A zombie is taken out of the tables. Requires
// kernel().mu.
std::optional<Reaped> ReportOfLocked(Kernel& k, Task& process, Task& c, const Wanted& want) {
  if (c.zombie) {
    if (!want.exited) return std::nullopt;
    Reaped r{c.tid(), c.exit_status, c.creds.uid, false, ChildEvent::kExited};
    if (!want.keep) {
      process.children.erase(std::find(process.children.begin(), process.children.end(), &c));
      k.RemoveTask(r.pid);
    }
    return r;
  }
  sentry::GroupStop& stop = c.group().stop;
  if (want.stopped && stop.stop_report() != 0) {
    Reaped r{c.tid(), sentry::StoppedStatus(stop.stop_report()), c.creds.uid, false,
             ChildEvent::kStopped};
    if (!want.keep) stop.TakeStopReport();
    return r;
  }
  if (want.continued && stop.continued_report()) {
    Reaped r{c.tid(), sentry::kContinuedStatus, c.creds.uid, false, ChildEvent::kContinued};
    if (!want.keep) stop.TakeContinuedReport();
    return r;
  }
  return std::nullopt;
}

// Waits until a selected child has something to report that `want` asks
// for. ECHILD if there is no such child at all.
absl::StatusOr<Reaped> WaitForChild(Task& t, const ChildSelector& sel, int options,
                                    const Wanted& want) {
  Kernel& k = t.kernel();
  absl::MutexLock lock(&k.mu);
  sentry::Task::SleepingScope sleeping(t);
  Task& process = t.leader();
  for (;;) {
    bool any = false;
    for (Task* c : process.children) {
      if (!Selects(sel, *c) || !WaitsFor(options, *c)) continue;
      any = true;
      if (std::optional<Reaped> r = ReportOfLocked(k, process, *c, want)) return *r;
    }
    if (!any) return ErrnoError(ECHILD, "no child to wait for");
    if (options & WNOHANG) return Reaped{};
    if (t.InterruptedLocked()) return Reaped{0, 0, 0, true};
    k.cv.Wait(&k.mu);
  }
}

SyscallResult Wait4(Task& t, const SyscallArgs& a) {
  const int pid = static_cast<int>(a[0]);
  const int options = static_cast<int>(a[2]);
  if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE | __WNOTHREAD)) {
    return SyscallResult::Error(EINVAL);
  }
  // -INT_MIN has no int value: Linux refuses it before matching anything.
  if (pid == INT_MIN) return SyscallResult::Error(ESRCH);
  ChildSelector sel;
  if (pid > 0) {
    sel = {ChildSelector::kPid, pid};
  } else if (pid == 0) {
    absl::MutexLock lock(&t.kernel().mu);
    sel = {ChildSelector::kProcessGroup, t.leader().pgid};
  } else if (pid < -1) {
    sel = {ChildSelector::kProcessGroup, -pid};
  }
  Wanted want;
  want.stopped = (options & WUNTRACED) != 0;
  want.continued = (options & WCONTINUED) != 0;
  absl::StatusOr<Reaped> r = WaitForChild(t, sel, options, want);
  if (!r.ok()) return FromStatus(r.status());
  if (r->interrupted) return SyscallResult::Value(sentry::kErrRestartSys);
  if (r->pid == 0) return SyscallResult::Value(0);
  if (a[1] != 0) RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[1], int32_t{r->status}));
  if (a[3] != 0) {
    struct rusage ru {};
    RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[3], ru));
  }
  return SyscallResult::Value(r->pid);
}

SyscallResult Waitid(Task& t, const SyscallArgs& a) {
  const int idtype = static_cast<int>(a[0]);
  const int id = static_cast<int>(a[1]);
  const int options = static_cast<int>(a[3]);
  if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WALL | __WCLONE |
                  __WNOTHREAD)) {
    return SyscallResult::Error(EINVAL);
  }
  if (!(options & (WEXITED | WSTOPPED | WCONTINUED))) return SyscallResult::Error(EINVAL);
  ChildSelector sel;
  switch (idtype) {
    case P_ALL:
      break;
    case P_PID:
      if (id <= 0) return SyscallResult::Error(EINVAL);
      sel = {ChildSelector::kPid, id};
      break;
    case P_PGID:
      if (id < 0) return SyscallResult::Error(EINVAL);
      if (id == 0) {
        absl::MutexLock lock(&t.kernel().mu);
        sel = {ChildSelector::kProcessGroup, t.leader().pgid};
      } else {
        sel = {ChildSelector::kProcessGroup, id};
      }
      break;
    case P_PIDFD:
      LogWarning("waitid(P_PIDFD) is not supported: there are no pidfds");
      return SyscallResult::Error(EINVAL);
    default:
      return SyscallResult::Error(EINVAL);
  }
  Wanted want;
  want.exited = (options & WEXITED) != 0;
  want.stopped = (options & WSTOPPED) != 0;
  want.continued = (options & WCONTINUED) != 0;
  want.keep = (options & WNOWAIT) != 0;
  absl::StatusOr<Reaped> r = WaitForChild(t, sel, options, want);
  if (!r.ok()) return FromStatus(r.status());
  if (r->interrupted) return SyscallResult::Value(sentry::kErrRestartSys);
  siginfo_t info{};
  if (r->pid != 0) {
    info.si_signo = SIGCHLD;
    info.si_pid = r->pid;
    info.si_uid = r->uid;
    switch (r->event) {
      case ChildEvent::kExited: {
        const bool exited = (r->status & 0x7f) == 0;
        info.si_code = exited ? CLD_EXITED : (r->status & 0x80) ? CLD_DUMPED : CLD_KILLED;
        info.si_status = exited ? (r->status >> 8) & 0xff : r->status & 0x7f;
        break;
      }
      case ChildEvent::kStopped:
        info.si_code = CLD_STOPPED;
        info.si_status = (r->status >> 8) & 0xff;
        break;
      case ChildEvent::kContinued:
        info.si_code = CLD_CONTINUED;
        info.si_status = SIGCONT;
        break;
    }
  }
  // With WNOHANG and nothing to report, Linux zeroes the siginfo.
  if (a[2] != 0) RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[2], info));
  if (a[4] != 0) {
    struct rusage ru {};
    RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[4], ru));
  }
  return SyscallResult::Value(0);
}

}  // namespace

void RegisterWait(SyscallTable& t) {
  t[SYS_wait4] = {"wait4", Wait4, Support::kPartial,
                  "no ptrace-stops; empty rusage"};
  t[SYS_waitid] = {"waitid", Waitid, Support::kPartial,
                   "P_ALL/P_PID/P_PGID; no ptrace-stops; no P_PIDFD; empty rusage"};
}

}  // namespace runsc::syscalls
