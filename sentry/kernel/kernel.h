// The kernel: every task, the process tree and the state tasks share.
//
// Locking: one kernel mutex (`mu`) guards the task tree, signal state and
// every wait queue; `cv` is signalled on any change a blocked task may be
// waiting for. Simple and, with a sandbox's handful of tasks, not a
// bottleneck yet; finer locks come when `make bench` says so.
#ifndef RUNSC_SENTRY_KERNEL_KERNEL_H_
#define RUNSC_SENTRY_KERNEL_KERNEL_H_

#include <sys/utsname.h>

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "platform/platform.h"
#include "sentry/kernel/futex_table.h"
#include "sentry/kernel/interval_timer.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/uts_namespace.h"

namespace runsc::sentry {

class Vdso;

// Implemented by the syscall layer: handles the syscall the task stopped at
// (registers in task.regs) and stores the result in task.regs.rax.
class SyscallDispatcher {
 public:
  virtual ~SyscallDispatcher() = default;
  virtual void Dispatch(Task& task) = 0;
};

class Kernel {
 public:
  Kernel(std::unique_ptr<platform::Platform> platform, SyscallDispatcher& dispatcher);
  ~Kernel();

  platform::Platform& platform() { return *platform_; }
  SyscallDispatcher& dispatcher() { return dispatcher_; }

  absl::Mutex mu;
  absl::CondVar cv;

  // A new task with the next free tid, registered in the task table: the
  // first of a new process, or a new thread of `group`.
  std::shared_ptr<Task> NewTask() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  std::shared_ptr<Task> NewThreadOf(Task& sibling) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  Task* FindTask(int tid) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  std::shared_ptr<Task> FindTaskShared(int tid) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  void RemoveTask(int tid) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  std::shared_ptr<Task> FindTaskSharedUnlocked(int tid) ABSL_LOCKS_EXCLUDED(mu) {
    absl::MutexLock lock(&mu);
    return FindTaskShared(tid);
  }
  template <typename F>
  void ForEachTask(F f) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    for (auto& [tid, task] : tasks_) f(*task);
  }

  // Queues a thread-directed signal (tgkill, faults, SIGPIPE) for `target`
  // and wakes it. Signals the target ignores are dropped here, as Linux does.
  void SendSignalLocked(Task& target, const siginfo_t& info) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Queues a process-directed signal (kill, SIGCHLD, timers) for the
  // process of `member` and wakes a thread that can take it: the leader if
  // it does not block it, else the first that does not (Linux's
  // complete_signal).
  void SendGroupSignalLocked(Task& member, const siginfo_t& info)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  // Job control (group_stop.h; Linux's do_signal_stop and friends).
  // `taker` took stop signal `sig` at its default action: unless a stop is
  // already under way, every thread of its group must park, and is kicked
  // out of its stub or blocking call to do so.
  void BeginGroupStopLocked(Task& taker, int sig) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // `t` had to park for its group's stop and parks now (or leaves): it
  // counts as stopped, and if it was the last the parent hears of the stop.
  void ParticipateInGroupStopLocked(Task& t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // SIGKILL or a group exit: the group's stop, if any, ends without a
  // report, and its parked threads wake to exit.
  void AbortGroupStopLocked(ThreadGroup& group) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Linux's will_become_orphaned_pgrp(pgrp, NULL): no member of process
  // group `pgid` has a parent in another group of the same session. The
  // job-control stop signals other than SIGSTOP do nothing to such a group,
  // and a terminal's background checks fail with EIO there.
  bool IsOrphanedProcessGroupLocked(int pgid) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  // Task threads register while they run so boot can wait for all of them.
  void TaskThreadStarted() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { ++live_threads_; }
  void TaskThreadFinished() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    --live_threads_;
    cv.SignalAll();
    exit_cv_.SignalAll();
  }
  int live_threads() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return live_threads_; }
  // The tid NewTask handed out last (/proc/loadavg's last pid; with no
  // wrap-around, the number of tasks made since boot for /proc/stat).
  int last_tid() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return next_tid_ - 1; }

  // The futex wait queues (futex(2)), under mu and cv like every wait.
  FutexTable& futexes() { return futexes_; }

  // The timers that expire on their own (setitimer, alarm): one thread.
  IntervalTimerService& interval_timers() { return interval_timers_; }

  // The container's init (tid 1) exited with this wait status.
  bool init_exited = false;
  int init_exit_status = 0;
  void MarkInitExited(int status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    init_exited = true;
    init_exit_status = status;
    exit_cv_.SignalAll();
  }
  // Waits until init has exited (and, with `all_threads`, every task
  // thread has finished), or until `deadline`; false if the deadline came
  // first. The waiters of boot and control use this, never mu.Await: a
  // thread in mu.Await leaves a Condition on mu that every Unlock must then
  // evaluate (Mutex::UnlockSlow), and mu is taken on almost every syscall
  // (getppid on systrap: ~90 ns of its ~850).
  bool AwaitExitLocked(bool all_threads, absl::Time deadline = absl::InfiniteFuture())
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    while (!init_exited || (all_threads && live_threads_ != 0)) {
      if (exit_cv_.WaitWithDeadline(&mu, deadline)) {
        return init_exited && (!all_threads || live_threads_ == 0);
      }
    }
    return true;
  }

  // Identity the application sees.
  // The UTS namespace tasks start in (boot sets its hostname from the spec).
  const std::shared_ptr<UtsNamespace> root_uts = std::make_shared<UtsNamespace>("runsc", "(none)");
  static constexpr const char* kRelease = "6.0.0-runsc";
  static constexpr const char* kVersion = "#1 SMP runsc sentry";
  absl::Time boot_time = absl::Now();

  // Logs an unimplemented syscall once per sandbox (DESIGN §4).
  void ReportUnimplemented(int nr, absl::string_view name);
  bool strace = false;
  // Mapped into every new image by execve, and the clock the time
  // syscalls read so they agree with it; null for none. Set at boot.
  const Vdso* vdso = nullptr;

 private:
  // What generating `sig` for the process of `target` does before it is
  // queued, or dropped as ignored (Linux's prepare_signal): a stop signal
  // discards a pending SIGCONT; SIGCONT discards pending stop signals and
  // ends the group's stop; SIGKILL ends it too, and kills the group.
  void PrepareSignalLocked(Task& target, int sig) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // SIGCHLD with CLD_STOPPED or CLD_CONTINUED to the parent of `member`'s
  // process, unless its SIGCHLD has SA_NOCLDSTOP; its waits wake either way.
  void NotifyParentOfStopLocked(Task& member, GroupStop::Notice notice)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // A task with the next free tid in `group` (null: a new one), in the table.
  std::shared_ptr<Task> AddTaskLocked(std::shared_ptr<ThreadGroup> group)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  std::unique_ptr<platform::Platform> platform_;
  SyscallDispatcher& dispatcher_;
  FutexTable futexes_{mu, cv};
  std::map<int, std::shared_ptr<Task>> tasks_ ABSL_GUARDED_BY(mu);
  int next_tid_ ABSL_GUARDED_BY(mu) = 1;
  int live_threads_ ABSL_GUARDED_BY(mu) = 0;
  // Signalled only by MarkInitExited and TaskThreadFinished, so that the
  // threads waiting for the end are not woken by every futex and signal.
  absl::CondVar exit_cv_;
  absl::Mutex report_mu_;
  std::vector<bool> reported_ ABSL_GUARDED_BY(report_mu_) = std::vector<bool>(512, false);
  // Declared after everything its callbacks touch, so it stops first.
  IntervalTimerService interval_timers_;
};

// wait(2) status words.
inline int ExitedStatus(int code) { return (code & 0xff) << 8; }
inline int SignaledStatus(int sig, bool core) { return sig | (core ? 0x80 : 0); }
inline int StoppedStatus(int sig) { return (sig << 8) | 0x7f; }
inline constexpr int kContinuedStatus = 0xffff;

inline bool IsStopSignal(int sig) {
  return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_KERNEL_KERNEL_H_
