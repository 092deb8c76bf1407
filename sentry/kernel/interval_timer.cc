#include "sentry/kernel/interval_timer.h"

#include <algorithm>
#include <vector>

namespace runsc::sentry {
namespace {

bool SameOwner(const std::weak_ptr<const void>& a, const std::weak_ptr<const void>& b) {
  return !a.owner_before(b) && !b.owner_before(a);
}

}  // namespace

IntervalTimerService::~IntervalTimerService() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    cv_.Signal();
  }
  if (thread_.joinable()) thread_.join();
}

IntervalTimerService::Timer* IntervalTimerService::FindLocked(const std::weak_ptr<const void>& owner,
                                                              int slot) {
  std::shared_ptr<const void> live = owner.lock();
  if (live == nullptr) return nullptr;
  auto it = timers_.find({live.get(), slot});
  if (it == timers_.end()) return nullptr;
  if (!SameOwner(it->second.owner, owner)) {
    // A previous owner at the same address: its timer died with it.
    timers_.erase(it);
    return nullptr;
  }
  return &it->second;
}

IntervalTimerService::Setting IntervalTimerService::SettingOfLocked(const Timer& timer,
                                                                    absl::Time now) const {
  Setting s;
  s.interval = timer.interval;
  if (timer.deadline != absl::InfiniteFuture()) {
    // Due but not yet run: still armed, so never reported as zero.
    s.value = std::max(timer.deadline - now, absl::Nanoseconds(1));
  }
  return s;
}

IntervalTimerService::Setting IntervalTimerService::Set(const std::weak_ptr<const void>& owner, int slot,
                                                        Setting setting, ExpiryCallback on_expiry) {
  absl::MutexLock lock(&mu_);
  std::shared_ptr<const void> live = owner.lock();
  if (live == nullptr) return Setting{};
  const absl::Time now = absl::Now();
  Timer* timer = FindLocked(owner, slot);
  const Setting old = timer != nullptr ? SettingOfLocked(*timer, now) : Setting{};
  const bool arm = setting.value > absl::ZeroDuration();
  const absl::Duration interval = std::max(setting.interval, absl::ZeroDuration());
  if (!arm && interval == absl::ZeroDuration()) {
    timers_.erase({live.get(), slot});
    return old;
  }
  Timer& t = timers_[{live.get(), slot}];
  t.owner = owner;
  t.deadline = arm ? now + setting.value : absl::InfiniteFuture();
  t.interval = interval;
  t.on_expiry = std::move(on_expiry);
  t.generation = next_generation_++;
  if (arm && !thread_.joinable()) thread_ = std::thread([this] { Run(); });
  cv_.Signal();
  return old;
}

IntervalTimerService::Setting IntervalTimerService::Get(const std::weak_ptr<const void>& owner, int slot) {
  absl::MutexLock lock(&mu_);
  Timer* timer = FindLocked(owner, slot);
  return timer != nullptr ? SettingOfLocked(*timer, absl::Now()) : Setting{};
}

int IntervalTimerService::ArmedForTest() {
  absl::MutexLock lock(&mu_);
  int n = 0;
  for (const auto& [key, timer] : timers_) n += timer.deadline != absl::InfiniteFuture();
  return n;
}

void IntervalTimerService::Run() {
  struct Due {
    Key key;
    uint64_t generation;
    ExpiryCallback callback;
  };
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    const absl::Time now = absl::Now();
    absl::Time earliest = absl::InfiniteFuture();
    std::vector<Due> due;
    for (auto it = timers_.begin(); it != timers_.end();) {
      Timer& t = it->second;
      if (t.owner.expired()) {
        it = timers_.erase(it);
        continue;
      }
      if (t.deadline <= now) {
        due.push_back({it->first, t.generation, t.on_expiry});
        if (t.interval > absl::ZeroDuration()) {
          // Periods missed while the signal was late collapse into one
          // expiry (no overrun count for itimers).
          absl::Duration rem;
          const int64_t missed = absl::IDivDuration(now - t.deadline, t.interval, &rem);
          t.deadline += t.interval * (missed + 1);
        } else {
          t.deadline = absl::InfiniteFuture();
        }
      }
      earliest = std::min(earliest, t.deadline);
      ++it;
    }
    if (due.empty()) {
      if (earliest == absl::InfiniteFuture()) {
        cv_.Wait(&mu_);
      } else {
        cv_.WaitWithDeadline(&mu_, earliest);
      }
      continue;
    }
    std::vector<const Due*> gone;
    mu_.Unlock();
    for (const Due& d : due) {
      if (d.callback && !d.callback()) gone.push_back(&d);
    }
    mu_.Lock();
    for (const Due* d : gone) {
      auto it = timers_.find(d->key);
      if (it != timers_.end() && it->second.generation == d->generation) timers_.erase(it);
    }
  }
}

}  // namespace runsc::sentry
