#include "sentry/kernel/posix_timer_table.h"

#include <algorithm>
#include <climits>

#include "base/errno_status.h"

namespace runsc::sentry {
namespace {

// DELAYTIMER_MAX: an overrun count saturates here rather than wrapping.
constexpr int64_t kDelayTimerMax = INT_MAX;

int64_t SaturatingAdd(int64_t a, int64_t b) { return a > kDelayTimerMax - b ? kDelayTimerMax : a + b; }

}  // namespace

absl::StatusOr<int> PosixTimerTable::Create(const PosixTimer& timer) {
  if (timers_.size() >= static_cast<size_t>(kMaxTimers)) {
    return ErrnoError(EAGAIN, "the process has too many POSIX timers");
  }
  // At most kMaxTimers ids are taken, so this finds a free one quickly.
  while (timers_.count(next_id_) != 0) next_id_ = next_id_ == INT_MAX ? 0 : next_id_ + 1;
  const int id = next_id_;
  next_id_ = next_id_ == INT_MAX ? 0 : next_id_ + 1;
  timers_[id] = timer;
  return id;
}

PosixTimer* PosixTimerTable::Find(int id) {
  auto it = timers_.find(id);
  return it == timers_.end() ? nullptr : &it->second;
}

bool PosixTimerTable::Delete(int id) { return timers_.erase(id) != 0; }

std::vector<int> PosixTimerTable::Ids() const {
  std::vector<int> ids;
  ids.reserve(timers_.size());
  for (const auto& [id, timer] : timers_) ids.push_back(id);
  return ids;
}

siginfo_t PosixTimerTable::SignalInfo(int id, const PosixTimer& timer) {
  siginfo_t info{};
  info.si_signo = timer.signo;
  info.si_code = SI_TIMER;
  info.si_timerid = id;
  info.si_overrun = 0;
  info.si_value = timer.value;
  return info;
}

bool PosixTimerTable::SignalQueued(int id, const std::deque<siginfo_t>& queue) {
  for (const siginfo_t& info : queue) {
    if (info.si_code == SI_TIMER && info.si_timerid == id) return true;
  }
  return false;
}

bool PosixTimerTable::Expire(int id, int64_t expirations, bool queued) {
  PosixTimer* timer = Find(id);
  if (timer == nullptr || expirations < 1) return false;
  if (queued) {
    timer->overrun = SaturatingAdd(timer->overrun, expirations);
    return false;
  }
  timer->overrun = SaturatingAdd(0, expirations - 1);
  return timer->notify != SIGEV_NONE;
}

int64_t PosixTimerTable::WallExpirationsDue(PosixTimer& timer, absl::Time now) {
  int64_t total = 1;
  if (timer.interval > absl::ZeroDuration() && now > timer.first_expiry) {
    absl::Duration rem;
    total += absl::IDivDuration(now - timer.first_expiry, timer.interval, &rem);
  }
  const int64_t due = std::max<int64_t>(total - timer.expirations_counted, 1);
  timer.expirations_counted = std::max(total, timer.expirations_counted + 1);
  return due;
}

void PosixTimerTable::OnSignalTaken(siginfo_t& info) {
  if (info.si_code != SI_TIMER) return;
  PosixTimer* timer = Find(info.si_timerid);
  if (timer == nullptr) return;
  info.si_overrun = static_cast<int>(timer->overrun);
  timer->overrun_last = timer->overrun;
  timer->overrun = 0;
}

}  // namespace runsc::sentry
