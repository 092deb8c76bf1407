// IntervalTimerService: the kernel's one thread for timers that expire on
// their own (setitimer(ITIMER_REAL), alarm): it sleeps until the earliest
// armed deadline and runs the expiry callback of each timer that is due.
// With nothing armed it waits on a condition variable with no deadline, so
// an idle sandbox costs no CPU; the thread starts with the first timer.
//
// A timer is named by (owner, slot): the owner is any object the caller
// shares (a task); when it is gone the timer is dropped, and a new owner at
// the same address never sees its predecessor's timer.
#ifndef RUNSC_SENTRY_KERNEL_INTERVAL_TIMER_H_
#define RUNSC_SENTRY_KERNEL_INTERVAL_TIMER_H_

#include <functional>
#include <map>
#include <memory>
#include <thread>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace runsc::sentry {

class IntervalTimerService {
 public:
  // value: time to the next expiry, zero when disarmed. interval: the
  // period after each expiry, zero for a one-shot timer.
  struct Setting {
    absl::Duration value = absl::ZeroDuration();
    absl::Duration interval = absl::ZeroDuration();
  };
  // Runs on the service's thread, without the service's lock (it may take
  // the kernel's). Returns false if its target is gone: the timer is then
  // disarmed.
  using ExpiryCallback = std::function<bool()>;

  IntervalTimerService() = default;
  // Stops the thread; no callback runs after the destructor returns.
  ~IntervalTimerService();
  IntervalTimerService(const IntervalTimerService&) = delete;
  IntervalTimerService& operator=(const IntervalTimerService&) = delete;

  // Arms (setting.value > 0) or disarms the timer and returns its previous
  // setting, with the time that was left. A negative value disarms.
  Setting Set(const std::weak_ptr<const void>& owner, int slot, Setting setting,
              ExpiryCallback on_expiry) ABSL_LOCKS_EXCLUDED(mu_);
  // The current setting (zero for a timer never set or whose owner is gone).
  Setting Get(const std::weak_ptr<const void>& owner, int slot) ABSL_LOCKS_EXCLUDED(mu_);

  // For tests: the number of armed timers.
  int ArmedForTest() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  using Key = std::pair<const void*, int>;
  struct Timer {
    std::weak_ptr<const void> owner;
    absl::Time deadline = absl::InfiniteFuture();  // InfiniteFuture: disarmed.
    absl::Duration interval;
    ExpiryCallback on_expiry;
    uint64_t generation = 0;  // Bumped by every Set, so a late callback result is ignored.
  };

  // The live timer for `owner`, or null.
  Timer* FindLocked(const std::weak_ptr<const void>& owner, int slot) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Setting SettingOfLocked(const Timer& timer, absl::Time now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Run() ABSL_LOCKS_EXCLUDED(mu_);

  absl::Mutex mu_;
  absl::CondVar cv_;
  std::map<Key, Timer> timers_ ABSL_GUARDED_BY(mu_);
  uint64_t next_generation_ ABSL_GUARDED_BY(mu_) = 1;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // Started under mu_ by the first Set that arms.
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_KERNEL_INTERVAL_TIMER_H_
