// CpuTimer: a timer on a process's CPU time (setitimer ITIMER_PROF and
// ITIMER_VIRTUAL, timer_create on a CPU-time clock). The application's CPU
// time is spent in its stub process, where no host timer of the sentry's
// can watch it, so the timer samples the clock instead: it waits on the
// kernel's IntervalTimerService for as long as the CPU time left needs at
// the least (the time left divided by the process's threads, since each
// thread adds at most one second of CPU time per second), samples, and
// fires or waits again. An idle process costs one sample per wait, and the
// waits grow as the time left does not shrink.
#ifndef RUNSC_SENTRY_KERNEL_CPU_TIMER_H_
#define RUNSC_SENTRY_KERNEL_CPU_TIMER_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sentry/kernel/interval_timer.h"

namespace runsc::sentry {

class CpuTimer : public std::enable_shared_from_this<CpuTimer> {
 public:
  using Setting = IntervalTimerService::Setting;
  // The process's CPU time now, and how many threads it has; an error when
  // the process is gone (the timer then stops).
  struct Sample {
    absl::Duration cpu;
    int threads = 1;
  };
  using Sampler = std::function<absl::StatusOr<Sample>()>;
  // Called, without the timer's lock, for each expiry that the samples
  // found, with the number of periods that passed (>= 1). Returns false if
  // its target is gone (the timer then stops).
  using FireCallback = std::function<bool(int64_t expirations)>;

  // The shortest wall-clock wait between two samples: a bound on how often
  // a timer that is almost due samples the clock.
  static constexpr absl::Duration kMinimumWait = absl::Microseconds(100);

  static std::shared_ptr<CpuTimer> Create(IntervalTimerService& service, Sampler sampler,
                                          FireCallback fire);
  CpuTimer(const CpuTimer&) = delete;
  CpuTimer& operator=(const CpuTimer&) = delete;

  // Arms (setting.value > 0 of CPU time from now) or disarms, and returns
  // the previous setting with the CPU time that was left. Fails if the
  // process cannot be sampled.
  absl::StatusOr<Setting> Set(Setting setting) ABSL_LOCKS_EXCLUDED(mu_);
  // The CPU time left and the interval (zero when disarmed).
  absl::StatusOr<Setting> Get() ABSL_LOCKS_EXCLUDED(mu_);
  // The clock the timer watches, now (for absolute settings).
  absl::StatusOr<Sample> SampleNow() const { return sampler_(); }

 private:
  CpuTimer(IntervalTimerService& service, Sampler sampler, FireCallback fire)
      : service_(service), sampler_(std::move(sampler)), fire_(std::move(fire)) {}

  // The wall-clock wait before the next sample, for `left` CPU time.
  static absl::Duration WaitFor(absl::Duration left, int threads);
  Setting SettingOfLocked(absl::Duration now_cpu) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Schedules the next sample, or cancels it when disarmed.
  void ScheduleLocked(absl::Duration now_cpu, int threads) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The service's callback: samples, fires what is due, waits again.
  bool Check() ABSL_LOCKS_EXCLUDED(mu_);

  IntervalTimerService& service_;
  const Sampler sampler_;
  const FireCallback fire_;

  absl::Mutex mu_;
  bool armed_ ABSL_GUARDED_BY(mu_) = false;
  absl::Duration deadline_ ABSL_GUARDED_BY(mu_);  // CPU time of the next expiry.
  absl::Duration interval_ ABSL_GUARDED_BY(mu_);
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_KERNEL_CPU_TIMER_H_
