// Advisory locks on one file: fcntl record locks (POSIX, owned by an fd
// table as Linux's fl_owner is; OFD, owned by an open file description) and
// flock(2) locks, which are a separate table of whole-file locks. Every open
// of a node shares its tables, so two opens of the same file conflict.
//
// Locking: each table is guarded by the mutex it was made with (the
// kernel's `mu`) and waiters sleep on its `cv`, so a signal to a waiting
// task wakes it like any other blocked syscall. Methods named *Locked
// require that mutex; the others take it.
#ifndef RUNSC_FS_FILE_LOCK_TABLE_H_
#define RUNSC_FS_FILE_LOCK_TABLE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace runsc::fs {

// Who holds a lock: an fd table (POSIX), an open file description (OFD and
// flock). Only compared, never dereferenced.
using LockOwner = const void*;

enum class LockType { kRead, kWrite };

struct FileLock {
  LockOwner owner = nullptr;
  int pid = 0;  // What F_GETLK reports: the locker's virtual pid, -1 for OFD.
  LockType type = LockType::kRead;
  uint64_t start = 0;
  uint64_t end = 0;  // Exclusive; kToEof for "to the end of the file, however long".
};

// Which owner waits for which, across every table of the sandbox: F_SETLKW
// between POSIX owners fails with EDEADLK instead of closing a cycle.
// Guarded by the tables' mutex.
class LockWaitGraph {
 public:
  // Whether `waiter` blocking on `holder` would close a cycle.
  bool WouldDeadlock(LockOwner waiter, LockOwner holder) const;
  void SetWaiting(LockOwner waiter, LockOwner holder) { waits_for_[waiter] = holder; }
  void ClearWaiting(LockOwner waiter) { waits_for_.erase(waiter); }

 private:
  std::map<LockOwner, LockOwner> waits_for_;
};

class FileLockTable {
 public:
  static constexpr uint64_t kToEof = UINT64_MAX;

  FileLockTable(absl::Mutex& mu, absl::CondVar& cv) : mu_(mu), cv_(cv) {}
  FileLockTable(const FileLockTable&) = delete;
  FileLockTable& operator=(const FileLockTable&) = delete;

  // The first lock of another owner that a `type` lock on [start, end) by
  // `owner` conflicts with (F_GETLK), if any.
  std::optional<FileLock> ConflictLocked(LockOwner owner, LockType type, uint64_t start,
                                         uint64_t end) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Sets `lock` (replacing what its owner held in the range: conversion,
  // splitting, merging with neighbours of the same type). If another owner
  // conflicts: EAGAIN unless `wait`; with `wait`, sleeps on cv until it is
  // free, EDEADLK if `graph` (non-null) says waiting would deadlock, and
  // ERESTARTSYS (512) once `interrupted` returns true.
  absl::Status LockLocked(const FileLock& lock, bool wait, LockWaitGraph* graph,
                          const std::function<bool()>& interrupted)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Drops what `owner` holds in [start, end) (F_UNLCK), splitting a lock
  // that extends past either side; wakes waiters.
  void UnlockLocked(LockOwner owner, uint64_t start, uint64_t end)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Drops everything `owner` holds (close, exit, last close of a description).
  void ReleaseOwner(LockOwner owner) ABSL_LOCKS_EXCLUDED(mu_);

  // Every lock, ordered by owner then start (tests, /proc/locks).
  std::vector<FileLock> LocksLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return locks_; }

  absl::Mutex& mu() const ABSL_LOCK_RETURNED(mu_) { return mu_; }

 private:
  void SetLocked(const FileLock& lock) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex& mu_;
  absl::CondVar& cv_;
  std::vector<FileLock> locks_ ABSL_GUARDED_BY(mu_);
};

// The two tables of one node.
struct FileLocks {
  FileLocks(absl::Mutex& mu, absl::CondVar& cv) : record(mu, cv), flock(mu, cv) {}
  FileLockTable record;  // fcntl POSIX and OFD locks, which conflict with each other.
  FileLockTable flock;   // flock(2): whole-file, independent of record locks as on Linux.
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_FILE_LOCK_TABLE_H_
