#include "sentry/kernel/cpu_timer.h"

#include <algorithm>

namespace runsc::sentry {

std::shared_ptr<CpuTimer> CpuTimer::Create(IntervalTimerService& service, Sampler sampler,
                                           FireCallback fire) {
  return std::shared_ptr<CpuTimer>(new CpuTimer(service, std::move(sampler), std::move(fire)));
}

absl::Duration CpuTimer::WaitFor(absl::Duration left, int threads) {
  return std::max(left / std::max(threads, 1), kMinimumWait);
}

CpuTimer::Setting CpuTimer::SettingOfLocked(absl::Duration now_cpu) const {
  Setting s;
  if (!armed_) return s;
  s.interval = interval_;
  // Due but not yet seen by a sample: still armed, so never zero.
  s.value = std::max(deadline_ - now_cpu, absl::Nanoseconds(1));
  return s;
}

void CpuTimer::ScheduleLocked(absl::Duration now_cpu, int threads) {
  const std::weak_ptr<const void> owner = weak_from_this();
  if (!armed_) {
    service_.Set(owner, 0, {}, nullptr);
    return;
  }
  std::weak_ptr<CpuTimer> weak = weak_from_this();
  service_.Set(owner, 0, {WaitFor(deadline_ - now_cpu, threads), absl::ZeroDuration()}, [weak] {
    std::shared_ptr<CpuTimer> self = weak.lock();
    return self != nullptr && self->Check();
  });
}

absl::StatusOr<CpuTimer::Setting> CpuTimer::Set(Setting setting) {
  absl::StatusOr<Sample> now = sampler_();
  if (!now.ok()) return now.status();
  absl::MutexLock lock(&mu_);
  const Setting old = SettingOfLocked(now->cpu);
  armed_ = setting.value > absl::ZeroDuration();
  deadline_ = now->cpu + setting.value;
  interval_ = std::max(setting.interval, absl::ZeroDuration());
  ScheduleLocked(now->cpu, now->threads);
  return old;
}

absl::StatusOr<CpuTimer::Setting> CpuTimer::Get() {
  absl::StatusOr<Sample> now = sampler_();
  if (!now.ok()) return now.status();
  absl::MutexLock lock(&mu_);
  return SettingOfLocked(now->cpu);
}

bool CpuTimer::Check() {
  absl::StatusOr<Sample> now = sampler_();
  int64_t expirations = 0;
  {
    absl::MutexLock lock(&mu_);
    if (!now.ok()) {
      armed_ = false;
      return false;
    }
    if (!armed_) return false;
    if (now->cpu >= deadline_) {
      expirations = 1;
      if (interval_ > absl::ZeroDuration()) {
        absl::Duration rem;
        expirations += absl::IDivDuration(now->cpu - deadline_, interval_, &rem);
        deadline_ += interval_ * expirations;
      } else {
        armed_ = false;
      }
    }
    // Re-arms the service's timer (or drops it) before firing, so a Set
    // made by the fire callback's target wins over this one.
    ScheduleLocked(now->cpu, now->threads);
  }
  if (expirations > 0 && !fire_(expirations)) {
    absl::MutexLock lock(&mu_);
    armed_ = false;
    service_.Set(weak_from_this(), 0, {}, nullptr);
    return false;
  }
  return true;
}

}  // namespace runsc::sentry
