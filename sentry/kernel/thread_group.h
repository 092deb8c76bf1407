// A thread group (a process): what its threads share besides memory, files
// and signal handlers, which have shared objects of their own (DESIGN §4).
//
// Process-level identity lives on the leader task, as in Linux: its tid is
// the tgid, and its parent, children, process group and session are the
// process's. The leader's Task stays in the kernel's table, standing for the
// process, until the process is reaped, even if its own thread ended first.
#ifndef RUNSC_SENTRY_KERNEL_THREAD_GROUP_H_
#define RUNSC_SENTRY_KERNEL_THREAD_GROUP_H_

#include <signal.h>

#include <algorithm>
#include <array>
#include <deque>
#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "sentry/kernel/cpu_timer.h"
#include "sentry/kernel/group_stop.h"
#include "sentry/kernel/posix_timer_table.h"

namespace runsc::sentry {

class Task;

// Guarded by Kernel::mu.
struct ThreadGroup {
  ThreadGroup(int id, Task* first) : tgid(id), leader(first), members{first} {}

  const int tgid;
  Task* const leader;
  // Threads whose host thread has not finished exiting, leader included
  // while it runs. The process ends when the last one goes.
  std::vector<Task*> members;
  // Process-directed signals (kill, SIGCHLD, timers): any member that does
  // not block one may take it. Thread-directed ones wait in Task::pending.
  std::deque<siginfo_t> pending;
  // exit_group(2) or a fatal signal: every member is going, and the
  // process's wait status is this one.
  bool exiting = false;
  int exit_status = 0;
  // The job-control stop (SIGSTOP, SIGTSTP...) and what wait(2) may report
  // of it; which threads still have to park is in Task::group_stop_pending.
  GroupStop stop;

  // timer_create(2) timers; deleted by execve, not inherited by fork.
  PosixTimerTable posix_timers;
  // setitimer(ITIMER_PROF / ITIMER_VIRTUAL), made at first use; kept across
  // execve, not inherited by fork.
  std::shared_ptr<CpuTimer> itimer_prof, itimer_virtual;
  // CPU time of the images this process ran before its last execve (each
  // image has its own stub, whose host clock starts at zero), per host CPU
  // clock kind (CPUCLOCK_PROF, _VIRT, _SCHED).
  std::array<absl::Duration, 3> cpu_before_exec{};

  void RemoveMember(Task* t) { members.erase(std::remove(members.begin(), members.end(), t), members.end()); }
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_KERNEL_THREAD_GROUP_H_
