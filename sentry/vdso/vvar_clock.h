// The sentry side of the vDSO clock (DESIGN §4): calibrates the TSC
// against the host's CLOCK_MONOTONIC and keeps the vvar page's parameters
// (vvar_layout.h) close to the host clocks from a thread of its own.
//
// The vDSO and the sentry's own clock_gettime/gettimeofday/time handlers
// both read time through this page, so they agree exactly. The page stays
// disabled (the vDSO makes real syscalls) until the first calibration, and
// for good when the host TSC is not invariant or drifts from the host
// clock by more than the slew can absorb.
#ifndef RUNSC_SENTRY_VDSO_VVAR_CLOCK_H_
#define RUNSC_SENTRY_VDSO_VVAR_CLOCK_H_

#include <time.h>

#include <cstdint>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sentry/vdso/vvar_layout.h"

namespace runsc::sentry {

class VvarClock {
 public:
  struct Options {
    // Refreshes start this often, so the first calibration is ready soon
    // after boot, and double up to max_interval.
    absl::Duration first_interval = absl::Milliseconds(5);
    absl::Duration max_interval = absl::Milliseconds(500);
    // Keep the page disabled even with a usable TSC (tests of the
    // syscall fallback, or an operator who distrusts the TSC).
    bool force_syscalls = false;
  };

  // Publishes into `page` (a writable mapping the caller keeps alive
  // longer than this object) and starts the refresh thread if the TSC is
  // usable.
  VvarClock(runsc_vvar* page, const Options& options);
  ~VvarClock();
  VvarClock(const VvarClock&) = delete;
  VvarClock& operator=(const VvarClock&) = delete;

  // Whether the host TSC is invariant (CPUID 0x80000007 EDX bit 8, which
  // Linux reports as constant_tsc and nonstop_tsc): a TSC that stops or
  // changes rate cannot be interpolated between refreshes.
  static bool HostTscIsInvariant();

  // The time of `clock` as the vDSO computes it now; false when the page
  // cannot serve it (disabled, or not a clock the page keeps).
  bool Now(clockid_t clock, timespec* ts) const;

  // Whether the vDSO currently serves time without a trap.
  bool enabled() const { return __atomic_load_n(&page_->enabled, __ATOMIC_ACQUIRE) != 0; }

 private:
  struct Sample {
    uint64_t tsc = 0;
    int64_t mono_ns = 0, realtime_ns = 0, boottime_ns = 0;
  };
  static Sample TakeSample();
  void RefreshLoop(Options options);
  // Computes and publishes new parameters from `now`; false when the page
  // had to be disabled.
  bool Refresh(const Sample& now, absl::Duration next_interval);
  void Publish(const runsc_vvar& next);  // Everything but magic and seq.
  void Disable();

  runsc_vvar* const page_;
  Sample first_;  // Calibration start: the long-run TSC rate is measured from here.
  bool calibrated_ = false;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_VDSO_VVAR_CLOCK_H_
