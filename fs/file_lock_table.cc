#include "fs/file_lock_table.h"

#include <errno.h>

#include <algorithm>

#include "base/errno_status.h"

namespace runsc::fs {
namespace {

constexpr int kErestartsys = 512;

bool Overlaps(const FileLock& l, uint64_t start, uint64_t end) {
  return l.start < end && start < l.end;
}

}  // namespace

bool LockWaitGraph::WouldDeadlock(LockOwner waiter, LockOwner holder) const {
  // Follow what the holder waits for; a chain is at most as long as the
  // number of waiters, which bounds the walk even if a cycle slipped in.
  LockOwner cur = holder;
  for (size_t steps = 0; steps <= waits_for_.size(); ++steps) {
    if (cur == waiter) return true;
    auto it = waits_for_.find(cur);
    if (it == waits_for_.end()) return false;
    cur = it->second;
  }
  return false;
}

std::optional<FileLock> FileLockTable::ConflictLocked(LockOwner owner, LockType type,
                                                      uint64_t start, uint64_t end) const {
  for (const FileLock& l : locks_) {
    if (l.owner == owner || !Overlaps(l, start, end)) continue;
    if (type == LockType::kWrite || l.type == LockType::kWrite) return l;
  }
  return std::nullopt;
}

absl::Status FileLockTable::LockLocked(const FileLock& lock, bool wait, LockWaitGraph* graph,
                                       const std::function<bool()>& interrupted) {
  for (;;) {
    std::optional<FileLock> conflict = ConflictLocked(lock.owner, lock.type, lock.start, lock.end);
    if (!conflict) break;
    if (!wait) return ErrnoError(EAGAIN, "the range is locked by another owner");
    if (graph != nullptr && graph->WouldDeadlock(lock.owner, conflict->owner)) {
      return ErrnoError(EDEADLK, "waiting for this lock would deadlock");
    }
    if (interrupted()) return ErrnoError(kErestartsys, "interrupted while waiting for a lock");
    if (graph != nullptr) graph->SetWaiting(lock.owner, conflict->owner);
    cv_.Wait(&mu_);
    if (graph != nullptr) graph->ClearWaiting(lock.owner);
  }
  SetLocked(lock);
  return absl::OkStatus();
}

void FileLockTable::SetLocked(const FileLock& lock) {
  // Clear the owner's range first (this is also how a read lock becomes a
  // write lock and back), then merge with the owner's touching locks of the
  // same type, as Linux coalesces them.
  UnlockLocked(lock.owner, lock.start, lock.end);
  FileLock merged = lock;
  for (auto it = locks_.begin(); it != locks_.end();) {
    const bool touches = it->start <= merged.end && merged.start <= it->end;
    if (it->owner == lock.owner && it->type == lock.type && touches) {
      merged.start = std::min(merged.start, it->start);
      merged.end = std::max(merged.end, it->end);
      it = locks_.erase(it);
    } else {
      ++it;
    }
  }
  auto pos = std::find_if(locks_.begin(), locks_.end(), [&](const FileLock& l) {
    return l.owner > merged.owner || (l.owner == merged.owner && l.start > merged.start);
  });
  locks_.insert(pos, merged);
  cv_.SignalAll();  // A write lock turned into a read lock may let readers in.
}

void FileLockTable::UnlockLocked(LockOwner owner, uint64_t start, uint64_t end) {
  std::vector<FileLock> kept;
  bool changed = false;
  for (const FileLock& l : locks_) {
    if (l.owner != owner || !Overlaps(l, start, end)) {
      kept.push_back(l);
      continue;
    }
    changed = true;
    if (l.start < start) {
      FileLock left = l;
      left.end = start;
      kept.push_back(left);
    }
    if (l.end > end) {
      FileLock right = l;
      right.start = end;
      kept.push_back(right);
    }
  }
  locks_ = std::move(kept);
  if (changed) cv_.SignalAll();
}

void FileLockTable::ReleaseOwner(LockOwner owner) {
  absl::MutexLock lock(&mu_);
  UnlockLocked(owner, 0, kToEof);
}

}  // namespace runsc::fs
