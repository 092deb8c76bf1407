#include "sentry/vdso/vvar_clock.h"

#include <cpuid.h>

#include <algorithm>
#include <cstdlib>

#include "base/logging.h"

namespace runsc::sentry {
namespace {

constexpr int64_t kNanosPerSecond = 1000000000;
// The page runs this far ahead of the host clock. Timers and sleeps are
// still timed by the host (syscalls/sys_time.cc, timerfd, futex): a clock
// a little ahead means an application that computed a deadline from the
// vDSO never wakes up to find it still in the future.
constexpr int64_t kLeadNs = 500;
// Beyond this the slew would take too long: behind, step forward (time
// stays monotonic); ahead, the TSC is not tracking the host clock at all,
// so stop using it.
constexpr int64_t kMaxErrorNs = 1000000;
// At most this fraction of the rate is changed per refresh (1000 ppm).
constexpr double kMaxSlew = 1e-3;
// A new piece of the clock takes over this far ahead of its publication
// (vvar_layout.h); refreshes are never closer than twice this.
constexpr int64_t kSwitchAheadNs = 500000;
// Wall-clock steps smaller than this are measurement noise, not a step.
constexpr int64_t kOffsetStepNs = 100000;

int64_t ReadHost(clockid_t clock) {
  timespec ts;
  ::clock_gettime(clock, &ts);
  return ts.tv_sec * kNanosPerSecond + ts.tv_nsec;
}

// CLOCK_X - CLOCK_MONOTONIC, with the monotonic reading taken on both
// sides so the offset is not skewed by the time one read takes.
int64_t OffsetFromMonotonic(clockid_t clock) {
  const int64_t before = ReadHost(CLOCK_MONOTONIC);
  const int64_t other = ReadHost(clock);
  const int64_t after = ReadHost(CLOCK_MONOTONIC);
  return other - (before + (after - before) / 2);
}

// Nanoseconds per TSC cycle, times 2^32, between two samples.
uint64_t MultBetween(uint64_t tsc0, int64_t ns0, uint64_t tsc1, int64_t ns1) {
  if (tsc1 <= tsc0 || ns1 <= ns0) return 0;
  return static_cast<uint64_t>((static_cast<unsigned __int128>(ns1 - ns0) << 32) / (tsc1 - tsc0));
}

}  // namespace

bool VvarClock::HostTscIsInvariant() {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(0x80000000, &eax, &ebx, &ecx, &edx) || eax < 0x80000007) return false;
  if (!__get_cpuid(0x80000007, &eax, &ebx, &ecx, &edx)) return false;
  return (edx & (1u << 8)) != 0;
}

VvarClock::VvarClock(runsc_vvar* page, const Options& options) : page_(page) {
  page_->magic = RUNSC_VVAR_MAGIC;
  Disable();
  if (options.force_syscalls) {
    LogInfo("vdso: clocks served by syscalls (TSC use turned off)");
    return;
  }
  if (!HostTscIsInvariant()) {
    LogWarning("vdso: the host TSC is not invariant (no constant_tsc/nonstop_tsc); clock_gettime "
               "and friends trap to the sentry");
    return;
  }
  first_ = TakeSample();
  thread_ = std::thread([this, options] { RefreshLoop(options); });
}

VvarClock::~VvarClock() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

VvarClock::Sample VvarClock::TakeSample() {
  // The TSC read closest around the host clock read: a preemption between
  // the three reads would skew the pair by microseconds.
  Sample best;
  uint64_t best_width = UINT64_MAX;
  for (int i = 0; i < 5; ++i) {
    const uint64_t before = runsc_rdtsc_ordered();
    const int64_t mono = ReadHost(CLOCK_MONOTONIC);
    const uint64_t after = runsc_rdtsc_ordered();
    if (after - before < best_width) {
      best_width = after - before;
      best.tsc = before + (after - before) / 2;
      best.mono_ns = mono;
    }
  }
  best.realtime_ns = best.mono_ns + OffsetFromMonotonic(CLOCK_REALTIME);
  // Boot time never runs behind monotonic; a negative offset is noise.
  best.boottime_ns = best.mono_ns + std::max<int64_t>(0, OffsetFromMonotonic(CLOCK_BOOTTIME));
  return best;
}

void VvarClock::RefreshLoop(Options options) {
  absl::Duration interval = options.first_interval;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), interval)) return;
    }
    interval = std::max(std::min(interval * 2, options.max_interval),
                        absl::Nanoseconds(2 * kSwitchAheadNs));
    if (!Refresh(TakeSample(), interval)) return;
  }
}

bool VvarClock::Refresh(const Sample& now, absl::Duration next_interval) {
  const uint64_t long_run_mult = MultBetween(first_.tsc, first_.mono_ns, now.tsc, now.mono_ns);
  if (long_run_mult == 0) {
    LogWarning("vdso: the TSC did not advance with the host clock; clocks trap to the sentry");
    Disable();
    return false;
  }
  runsc_vvar next{};
  next.enabled = 1;
  next.realtime_offset_ns = now.realtime_ns - now.mono_ns;
  next.boottime_offset_ns = now.boottime_ns - now.mono_ns;
  if (!calibrated_) {
    calibrated_ = true;
    next.switch_tsc = now.tsc;
    next.before = next.after = {now.tsc, long_run_mult, now.mono_ns + kLeadNs};
    Publish(next);
    LogDebug("vdso: TSC calibrated, ", static_cast<double>(long_run_mult) / 4294967296.0,
             " ns per cycle; clock_gettime served without a trap");
    return true;
  }
  // Only this thread writes the page, so its fields can be read directly.
  if (now.tsc < page_->switch_tsc) return true;  // The last switch is still ahead.
  if (std::abs(next.realtime_offset_ns - page_->realtime_offset_ns) < kOffsetStepNs) {
    next.realtime_offset_ns = page_->realtime_offset_ns;
  }
  if (std::abs(next.boottime_offset_ns - page_->boottime_offset_ns) < kOffsetStepNs) {
    next.boottime_offset_ns = page_->boottime_offset_ns;
  }
  next.before = page_->after;
  const uint64_t ahead_cycles =
      static_cast<uint64_t>((static_cast<unsigned __int128>(kSwitchAheadNs) << 32) / long_run_mult);
  // Until the new piece is published with the switch still ahead: a
  // writer preempted past its own switch would let readers on both sides
  // of the publication disagree.
  for (;;) {
    next.switch_tsc = runsc_rdtsc_ordered() + ahead_cycles;
    const int64_t served = runsc_vvar_segment_at(&next.before, next.switch_tsc);
    const int64_t target =
        now.mono_ns + kLeadNs +
        static_cast<int64_t>((static_cast<unsigned __int128>(next.switch_tsc - now.tsc) *
                              long_run_mult) >> 32);
    const int64_t error = target - served;  // > 0: the page runs behind.
    if (error < -kMaxErrorNs) {
      LogWarning("vdso: the TSC runs ", -error, " ns ahead of the host clock; clocks trap to the "
                 "sentry from now on");
      Disable();
      return false;
    }
    if (error > kMaxErrorNs) {
      next.after = {next.switch_tsc, long_run_mult, target};  // Forward: still monotonic.
      LogDebug("vdso: clock stepped forward by ", error, " ns");
    } else {
      // Continue from what the page serves at the switch, at a rate that
      // closes the error over the next interval.
      const double slew = std::clamp(
          static_cast<double>(error) / static_cast<double>(absl::ToInt64Nanoseconds(next_interval)),
          -kMaxSlew, kMaxSlew);
      next.after = {next.switch_tsc,
                    static_cast<uint64_t>(static_cast<double>(long_run_mult) * (1.0 + slew)),
                    served};
    }
    if (runsc_rdtsc_ordered() + ahead_cycles / 2 < next.switch_tsc) break;
  }
  Publish(next);
  return true;
}

void VvarClock::Disable() {
  runsc_vvar off{};
  Publish(off);
}

void VvarClock::Publish(const runsc_vvar& next) {
  // Seqlock writer (Boehm, "Can seqlocks get along with programming
  // language memory models?"): odd, fence, fields, even with release.
  const uint32_t seq = __atomic_load_n(&page_->seq, __ATOMIC_RELAXED);
  __atomic_store_n(&page_->seq, seq + 1, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  auto store = [](auto* field, auto value) { __atomic_store_n(field, value, __ATOMIC_RELAXED); };
  store(&page_->switch_tsc, next.switch_tsc);
  for (auto [to, from] : {std::pair{&page_->before, &next.before}, {&page_->after, &next.after}}) {
    store(&to->tsc_base, from->tsc_base);
    store(&to->mult, from->mult);
    store(&to->mono_base_ns, from->mono_base_ns);
  }
  store(&page_->realtime_offset_ns, next.realtime_offset_ns);
  store(&page_->boottime_offset_ns, next.boottime_offset_ns);
  store(&page_->enabled, next.enabled);
  __atomic_store_n(&page_->seq, seq + 2, __ATOMIC_RELEASE);
}

bool VvarClock::Now(clockid_t clock, timespec* ts) const {
  int64_t ns;
  if (!runsc_vvar_read(page_, clock, &ns)) return false;
  ts->tv_sec = ns / kNanosPerSecond;
  ts->tv_nsec = ns % kNanosPerSecond;
  return true;
}

}  // namespace runsc::sentry
