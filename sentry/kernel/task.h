// A task: one application thread (today, one process: threads come later),
// run by one sentry host thread that owns its stub (DESIGN §3-4).
#ifndef RUNSC_SENTRY_KERNEL_TASK_H_
#define RUNSC_SENTRY_KERNEL_TASK_H_

#include <sys/resource.h>
#include <sys/types.h>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "platform/platform.h"
#include "sentry/kernel/signals.h"
#include "sentry/mm/memory_manager.h"

namespace runsc::fs {
class FdTable;
class FsContext;
}  // namespace runsc::fs

namespace runsc::sentry {

class Kernel;

struct Credentials {
  uint32_t uid = 0, euid = 0, suid = 0;
  uint32_t gid = 0, egid = 0, sgid = 0;
  std::vector<uint32_t> groups;
};

// Linux's special return values a handler uses to ask for a restart.
inline constexpr int64_t kErrRestartSys = -512;     // ERESTARTSYS: SA_RESTART decides.
inline constexpr int64_t kErrRestartNoIntr = -513;  // Always restart.
inline constexpr int64_t kErrRestartNoHand = -514;  // Restart only if no handler ran.

class Task {
 public:
  Task(Kernel& kernel, int tid);
  ~Task();

  Kernel& kernel() { return kernel_; }
  int tid() const { return tid_; }
  int tgid() const { return tid_; }  // One thread per process for now.

  // --- Owned by the task's own thread. ---
  platform::Registers regs{};
  std::unique_ptr<platform::Context> context;
  // Swapped by execve under kernel().mu; other threads take a reference.
  std::shared_ptr<MemoryManager> mm;
  std::shared_ptr<fs::FdTable> fds;
  std::shared_ptr<fs::FsContext> fs;
  Credentials creds;
  std::array<struct rlimit, RLIM_NLIMITS> rlimits{};
  uint64_t clear_child_tid = 0;
  // The last syscall returned a kErrRestart* code; signal delivery decides
  // whether it restarts or fails with EINTR.
  bool syscall_restart_pending = false;
  stack_t alt_stack{nullptr, SS_DISABLE, 0};
  std::string comm;     // Name of the executable (15 chars at most).
  std::string exe_path;  // Path of the executable, for /proc/self/exe.
  absl::Time start_time;
  // Runs on the task's thread before the first switch, instead of attaching
  // to `mm` (the container's init loads its image there). False: the task
  // exits at once.
  std::function<bool(Task&)> before_run;

  // --- Guarded by kernel().mu. ---
  Task* parent = nullptr;
  std::vector<Task*> children;
  int pgid = 0, sid = 0;
  std::shared_ptr<SignalHandlers> handlers;
  SignalSet blocked = 0;
  SignalSet saved_mask_for_sigsuspend = 0;
  bool restore_mask_after_signal = false;
  std::deque<siginfo_t> pending;
  bool exiting = false;      // exit or a fatal signal is under way.
  int exit_status = 0;       // wait(2) status word once exiting.
  bool zombie = false;       // Exited, waiting to be reaped.
  uint64_t user_ns_time = 0;

  // Starts the task's host thread. `attach_first` is for tasks whose
  // address space was made elsewhere (fork): the thread attaches to it.
  void Start();

  // Sets the task up to exit with wait status `status` (the caller holds
  // kernel().mu). The run loop finishes the job.
  void BeginExitLocked(int status);

  // True if a signal could be delivered now, or the task is exiting: a
  // blocking call must return. Requires kernel().mu.
  bool InterruptedLocked() const;

  // Wakes the task if it waits in the sentry or runs in its stub.
  void Kick();

  // Fd the task's host-fd waits poll besides their own, so Kick() ends them.
  int wake_fd() const { return wake_fd_; }
  void DrainWakeFd();

 private:
  void Run();
  void FinishExit();

  Kernel& kernel_;
  const int tid_;
  int wake_fd_ = -1;
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_KERNEL_TASK_H_
