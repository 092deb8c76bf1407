// PosixTimerTable: a process's POSIX timers (timer_create(2)), the part of
// them that is bookkeeping: ids, what each notifies, and the overrun counts
// that si_overrun and timer_getoverrun(2) report. Arming and expiry live in
// syscalls/sys_timer.cc, on the kernel's IntervalTimerService (wall clocks)
// or a CpuTimer (CPU-time clocks). Guarded by Kernel::mu, as the rest of
// ThreadGroup.
//
// Overruns, as Linux counts them: a timer has at most one signal queued.
// An expiry while that signal is still pending only adds to the overrun;
// when the signal is taken, si_overrun gets the count, which becomes what
// timer_getoverrun reports, and counting starts again.
#ifndef RUNSC_SENTRY_KERNEL_POSIX_TIMER_TABLE_H_
#define RUNSC_SENTRY_KERNEL_POSIX_TIMER_TABLE_H_

#include <signal.h>
#include <time.h>

#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sentry/kernel/cpu_timer.h"

namespace runsc::sentry {

struct PosixTimer {
  clockid_t clock = CLOCK_MONOTONIC;
  // SIGEV_NONE, SIGEV_SIGNAL (SIGEV_THREAD is the same to the kernel), or
  // SIGEV_THREAD_ID with target_tid.
  int notify = SIGEV_SIGNAL;
  int signo = SIGALRM;
  sigval value{};
  int target_tid = 0;  // Virtual tid, for SIGEV_THREAD_ID.

  // Bumped by every timer_settime, so an expiry of an older setting that
  // was already on its way is recognised and dropped.
  uint64_t arm_serial = 0;
  // A CPU-time clock's timer runs on its own CpuTimer; others on the
  // kernel's IntervalTimerService, which reports one expiry per callback,
  // so the periods it collapsed are counted from the setting.
  std::shared_ptr<CpuTimer> cpu_timer;
  absl::Time first_expiry;
  absl::Duration interval;
  int64_t expirations_counted = 0;

  // Expirations not yet reported: those since the pending signal was queued.
  int64_t overrun = 0;
  // What timer_getoverrun returns: the overrun of the last signal taken.
  int64_t overrun_last = 0;
};

class PosixTimerTable {
 public:
  // Linux refuses more than RLIMIT_SIGPENDING timers; a fixed cap keeps a
  // hostile process from growing the table without bound.
  static constexpr int kMaxTimers = 4096;

  // Adds a timer and returns its id: ids count up from 0 per process and
  // are not reused until they wrap, as Linux's. EAGAIN when full.
  absl::StatusOr<int> Create(const PosixTimer& timer);
  // Null if `id` names no timer of this process.
  PosixTimer* Find(int id);
  // False if `id` names no timer.
  bool Delete(int id);
  std::vector<int> Ids() const;
  void Clear() { timers_.clear(); }
  size_t size() const { return timers_.size(); }

  // The siginfo a timer's signal carries (SI_TIMER, its id and value).
  static siginfo_t SignalInfo(int id, const PosixTimer& timer);
  // True if `queue` holds the signal of timer `id` (not yet taken).
  static bool SignalQueued(int id, const std::deque<siginfo_t>& queue);

  // `expirations` (>= 1) happened; `queued` says whether the timer's signal
  // is still pending. Returns true if a new signal must be sent, in which
  // case expirations beyond the first are counted as its overrun.
  bool Expire(int id, int64_t expirations, bool queued);
  // For a wall-clock timer: the expirations up to `now` not yet counted
  // (at least 1: the service only calls when one is due).
  static int64_t WallExpirationsDue(PosixTimer& timer, absl::Time now);
  // A signal was taken off a queue (delivered, sigtimedwait, signalfd):
  // if it is a timer's, fills in its si_overrun and resets the count.
  void OnSignalTaken(siginfo_t& info);

 private:
  std::map<int, PosixTimer> timers_;
  int next_id_ = 0;
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_KERNEL_POSIX_TIMER_TABLE_H_
