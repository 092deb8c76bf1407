#include "sentry/kernel/futex_table.h"

#include <algorithm>

namespace runsc::sentry {

FutexKey FutexKeyOf(const MemoryManager& mm, uint64_t address, bool is_private) {
  if (!is_private) {
    if (std::optional<SharedLocation> at = mm.SharedLocationOf(address)) {
      return FutexKey::Shared(at->object, at->offset);
    }
  }
  return FutexKey::Private(&mm, address);
}

absl::StatusOr<FutexWaitResult> FutexTable::Wait(const FutexKey& key, uint32_t bitset,
                                                 absl::Time deadline,
                                                 absl::FunctionRef<absl::Status()> check,
                                                 absl::FunctionRef<bool()> interrupted) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = check(); !s.ok()) return s;
  Waiter self{bitset, false};
  queues_[key].push_back(&self);
  // As Linux's futex_wait: a wake wins over a timeout or a signal that
  // arrive at the same time, and an expired deadline is only noticed once
  // the waiter is queued (a deadline in the past times out, not EAGAIN).
  for (;;) {
    if (self.woken) return FutexWaitResult::kWoken;
    if (absl::Now() >= deadline) {
      RemoveLocked(key, &self);
      return FutexWaitResult::kTimedOut;
    }
    if (interrupted()) {
      RemoveLocked(key, &self);
      return FutexWaitResult::kInterrupted;
    }
    cv_.WaitWithDeadline(&mu_, deadline);
  }
}

int FutexTable::Wake(const FutexKey& key, uint32_t bitset, int max) {
  absl::MutexLock lock(&mu_);
  auto it = queues_.find(key);
  if (it == queues_.end()) return 0;
  std::list<Waiter*>& queue = it->second;
  int woken = 0;
  for (auto w = queue.begin(); w != queue.end();) {
    if (((*w)->bitset & bitset) == 0) {
      ++w;
      continue;
    }
    (*w)->woken = true;
    w = queue.erase(w);
    if (++woken >= max) break;
  }
  if (queue.empty()) queues_.erase(it);
  if (woken > 0) cv_.SignalAll();
  return woken;
}

int FutexTable::WaitersOf(const FutexKey& key) {
  absl::MutexLock lock(&mu_);
  auto it = queues_.find(key);
  return it == queues_.end() ? 0 : static_cast<int>(it->second.size());
}

void FutexTable::RemoveLocked(const FutexKey& key, Waiter* waiter) {
  auto it = queues_.find(key);
  if (it == queues_.end()) return;
  it->second.remove(waiter);
  if (it->second.empty()) queues_.erase(it);
}

}  // namespace runsc::sentry
