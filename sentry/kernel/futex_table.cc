#include "sentry/kernel/futex_table.h"

#include <algorithm>

#include "absl/cleanup/cleanup.h"

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
                                                 absl::FunctionRef<bool()> interrupted,
                                                 bool* asleep) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = check(); !s.ok()) return s;
  Waiter self{key, bitset, false};
  queues_[key].push_back(&self);
  bool unused = false;
  bool& mark = asleep != nullptr ? *asleep : unused;
  const bool was_asleep = mark;
  mark = true;
  absl::Cleanup restore = [&] { mark = was_asleep; };
  // As Linux's futex_wait: a wake wins over a timeout or a signal that
  // arrive at the same time, and an expired deadline is only noticed once
  // the waiter is queued (a deadline in the past times out, not EAGAIN).
  for (;;) {
    if (self.woken) return FutexWaitResult::kWoken;
    if (absl::Now() >= deadline) {
      RemoveLocked(&self);
      return FutexWaitResult::kTimedOut;
    }
    if (interrupted()) {
      RemoveLocked(&self);
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

absl::StatusOr<int> FutexTable::Requeue(const FutexKey& from, const FutexKey& to, int max_wake,
                                        int max_requeue,
                                        absl::FunctionRef<absl::Status()> check) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = check(); !s.ok()) return s;
  auto it = queues_.find(from);
  if (it == queues_.end()) return 0;
  std::list<Waiter*>& queue = it->second;
  int woken = 0, moved = 0;
  while (!queue.empty() && woken < max_wake) {
    queue.front()->woken = true;
    queue.pop_front();
    ++woken;
  }
  if (!(from == to)) {
    while (!queue.empty() && moved < max_requeue) {
      Waiter* w = queue.front();
      queue.pop_front();
      w->key = to;
      queues_[to].push_back(w);
      ++moved;
    }
  } else {
    // Requeueing onto the same word leaves the waiters where they are but
    // counts them, as Linux does.
    moved = std::min<int>(max_requeue, static_cast<int>(queue.size()));
  }
  // (Inserting `to` into the map left the reference `queue` valid.)
  if (queue.empty()) queues_.erase(from);
  if (woken > 0) cv_.SignalAll();
  return woken + moved;
}

int FutexTable::WaitersOf(const FutexKey& key) {
  absl::MutexLock lock(&mu_);
  auto it = queues_.find(key);
  return it == queues_.end() ? 0 : static_cast<int>(it->second.size());
}

void FutexTable::RemoveLocked(Waiter* waiter) {
  auto it = queues_.find(waiter->key);
  if (it == queues_.end()) return;
  it->second.remove(waiter);
  if (it->second.empty()) queues_.erase(it);
}

}  // namespace runsc::sentry
