// A task: one application thread, run by one sentry host thread that
// controls its stub thread (DESIGN §3-4). Tasks of one process share a
// ThreadGroup.
#ifndef RUNSC_SENTRY_KERNEL_TASK_H_
#define RUNSC_SENTRY_KERNEL_TASK_H_

#include <sys/resource.h>
#include <sys/types.h>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "platform/platform.h"
#include "sentry/kernel/credentials.h"
#include "sentry/kernel/signal_stack.h"
#include "sentry/kernel/signals.h"
#include "sentry/kernel/thread_group.h"
#include "sentry/kernel/uts_namespace.h"
#include "sentry/mm/memory_manager.h"

namespace runsc::fs {
class FdTable;
class FsContext;
struct Dentry;
}  // namespace runsc::fs

namespace runsc::sentry {

class Kernel;

// Linux's special return values a handler uses to ask for a restart.
inline constexpr int64_t kErrRestartSys = -512;     // ERESTARTSYS: SA_RESTART decides.
inline constexpr int64_t kErrRestartNoIntr = -513;  // Always restart.
inline constexpr int64_t kErrRestartNoHand = -514;  // Restart only if no handler ran.
// ERESTART_RESTARTBLOCK: EINTR if a handler ran; otherwise the application
// re-enters the kernel with restart_syscall(2), which runs the task's
// restart_block (the rest of the interrupted call, e.g. a futex wait with
// the time that was left).
inline constexpr int64_t kErrRestartRestartBlock = -516;

class Task {
 public:
  // A task of `group`, or the first of a new group (a new process) if null.
  Task(Kernel& kernel, int tid, std::shared_ptr<ThreadGroup> group = nullptr);
  ~Task();

  Kernel& kernel() { return kernel_; }
  int tid() const { return tid_; }
  int tgid() const { return group_->tgid; }
  ThreadGroup& group() const { return *group_; }
  // The task that stands for the process: parent, children, process group
  // and session are its (see thread_group.h).
  Task& leader() const { return *group_->leader; }
  bool is_leader() const { return group_->leader == this; }
  const std::shared_ptr<ThreadGroup>& group_shared() const { return group_; }

  // --- Owned by the task's own thread. ---
  platform::Registers regs{};
  std::unique_ptr<platform::Context> context;
  // Swapped by execve under kernel().mu; other threads take a reference.
  std::shared_ptr<MemoryManager> mm;
  std::shared_ptr<fs::FdTable> fds;
  std::shared_ptr<fs::FsContext> fs;
  Credentials creds;
  // Shared with the parent unless unshare(CLONE_NEWUTS) made a copy.
  std::shared_ptr<UtsNamespace> uts;
  std::array<struct rlimit, RLIM_NLIMITS> rlimits{};
  // set_tid_address / CLONE_CHILD_CLEARTID: see ReleaseClearChildTid().
  uint64_t clear_child_tid = 0;
  // What restart_syscall(2) runs after a kErrRestartRestartBlock that no
  // handler ended; returns the syscall's result. Cleared once used and when
  // a handler runs.
  std::function<int64_t(Task&)> restart_block;
  // The last syscall returned a kErrRestart* code; signal delivery decides
  // whether it restarts or fails with EINTR.
  bool syscall_restart_pending = false;
  SignalStack alt_stack;  // sigaltstack(2); a thread starts without one.
  std::string comm;     // Name of the executable (15 chars at most). Written under kernel().mu.
  // The executable the task runs (its path, and the file itself, which
  // /proc/<pid>/exe reaches even once renamed), set by execve under
  // kernel().mu.
  std::string exe_path;
  std::shared_ptr<fs::Dentry> exe;
  absl::Time start_time;
  // Runs on the task's thread before the first switch, instead of attaching
  // to `mm` (the container's init loads its image there). False: the task
  // exits at once.
  std::function<bool(Task&)> before_run;
  // A thread made by clone(CLONE_THREAD): the stub thread (from
  // AddressSpace::NewThread) this task's host thread attaches to.
  pid_t stub_thread = 0;
  // A clone child's FP state, the parent's at the clone (as Linux's
  // fpu_clone copies it: the MXCSR and x87 control word -ffast-math's start
  // sets once must hold in every later thread and child). Loaded on the
  // task's own thread after it attaches, which only it may do.
  std::optional<platform::FpRegisters> inherited_fp;

  // --- Guarded by kernel().mu. ---
  // Process-level (meaningful on the leader; see leader()): the parent's
  // leader, the leaders of child processes, process group and session.
  Task* parent = nullptr;
  std::vector<Task*> children;
  int pgid = 0, sid = 0;
  // The signal the parent gets when this process ends (clone's exit
  // signal); 0: none. Children without SIGCHLD are "clone" children, which
  // only __WCLONE or __WALL waits see.
  int exit_signal = SIGCHLD;
  std::shared_ptr<SignalHandlers> handlers;
  SignalSet blocked = 0;
  SignalSet saved_mask_for_sigsuspend = 0;
  bool restore_mask_after_signal = false;
  std::deque<siginfo_t> pending;  // Thread-directed; see group().pending.
  bool exiting = false;      // This thread's exit is under way.
  // The group's job-control stop (thread_group.h) waits for this thread to
  // park in its run loop (Linux's JOBCTL_STOP_PENDING); blocking calls
  // return so that it does.
  bool group_stop_pending = false;
  // Parked for the group's stop until SIGCONT or SIGKILL (JOBCTL_STOPPED):
  // /proc shows it as 'T'.
  bool group_stopped = false;
  int exit_status = 0;       // wait(2) status word once exiting.
  bool zombie = false;       // The process exited and waits to be reaped (leader).
  // A vfork child (CLONE_VFORK): its parent waits in clone until this task
  // lets go of the borrowed address space by execve or exit (Linux's
  // vfork_done); see ReleaseVforkParent().
  bool vfork_parent_waits = false;
  // prctl(2) state. pdeath_signal is sent to this task when its parent
  // exits; it is not inherited by fork. A child subreaper adopts the
  // orphans among its descendants instead of init (not inherited either).
  // no_new_privs is inherited and kept across execve, and can't be unset.
  // keep_caps (SECURE_KEEP_CAPS) is inherited and cleared by execve; the
  // timer slack is inherited, and a child's default is its parent's slack.
  int pdeath_signal = 0;
  bool child_subreaper = false;
  bool no_new_privs = false;
  bool keep_caps = false;
  uint64_t timer_slack_ns = 50000, default_timer_slack_ns = 50000;
  uint64_t user_ns_time = 0;
  // The task sleeps in a blocking call until something wakes it (Linux's
  // TASK_INTERRUPTIBLE): /proc/<pid>/stat shows 'S' rather than 'R'. Set
  // by a SleepingScope around the wait.
  bool sleeping = false;

  // Marks `task` as sleeping while it lives. Made and destroyed with
  // kernel().mu held, around a wait on kernel().cv (which releases the
  // mutex while it sleeps, so readers of /proc see the mark).
  class SleepingScope {
   public:
    explicit SleepingScope(Task& task) : task_(task), was_(task.sleeping) { task_.sleeping = true; }
    ~SleepingScope() { task_.sleeping = was_; }
    SleepingScope(const SleepingScope&) = delete;
    SleepingScope& operator=(const SleepingScope&) = delete;

   private:
    Task& task_;
    const bool was_;
  };

  // Starts the task's host thread, which attaches to the task's stub (or
  // runs before_run). False if the host has no thread to give; the caller
  // then undoes the task with AbandonUnstartedLocked().
  [[nodiscard]] bool Start();
  // Takes a task that never started out of the kernel's tables. Requires
  // kernel().mu.
  void AbandonUnstartedLocked();

  // Sets this thread up to exit with wait status `status` (the caller holds
  // kernel().mu). The run loop finishes the job.
  void BeginExitLocked(int status);
  // exit_group(2) and fatal signals: every thread of the process exits,
  // and the process's wait status is `status`. Requires kernel().mu.
  void BeginGroupExitLocked(int status);

  // True if a signal could be delivered now, the task is exiting or must
  // park for its group's stop: a blocking call must return. Requires
  // kernel().mu.
  bool InterruptedLocked() const;

  // Linux's mm_release, on exit and on execve: if another task shares the
  // address space, writes 0 to the clear_child_tid word and wakes one
  // futex waiter on it (how pthread_join learns that a thread is gone);
  // then forgets the address. With nobody else in the address space, nobody
  // could see the write, and Linux makes none either.
  void ReleaseClearChildTid();  // Without kernel().mu.
  // The other half of mm_release for a vfork child: wakes the parent that
  // waits for it. Without kernel().mu.
  void ReleaseVforkParent();

  // Wakes the task if it waits in the sentry or runs in its stub.
  void Kick();

  // Fd the task's host-fd waits poll besides their own, so Kick() ends them.
  int wake_fd() const { return wake_fd_; }
  void DrainWakeFd();

 private:
  void Run();
  void FinishExit();
  // The last thread of the process is gone: the leader becomes a zombie
  // for its parent to reap. Requires kernel().mu; called on the leader.
  void FinishProcessExitLocked();
  // Who adopts this task's children when it exits (null: nobody, init is
  // going). Requires kernel().mu.
  Task* NewReaperLocked();

  Kernel& kernel_;
  const int tid_;
  const std::shared_ptr<ThreadGroup> group_;
  int wake_fd_ = -1;
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_KERNEL_TASK_H_
