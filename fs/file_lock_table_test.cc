// The lock table alone: ranges (split, merge, to EOF), owners, read/write
// conflicts, conversion, blocking, interruption and deadlock detection.
#include "fs/file_lock_table.h"

#include <thread>

#include "absl/status/status.h"
#include "base/errno_status.h"
#include "gtest/gtest.h"

namespace runsc::fs {
namespace {

constexpr uint64_t kEof = FileLockTable::kToEof;
const int kA = 0, kB = 0;
LockOwner const A = &kA;
LockOwner const B = &kB;

FileLock L(LockOwner o, LockType t, uint64_t s, uint64_t e) {
  return FileLock{.owner = o, .pid = o == A ? 1 : 2, .type = t, .start = s, .end = e};
}

class FileLockTableTest : public ::testing::Test {
 protected:
  absl::Status Try(const FileLock& l) {
    absl::MutexLock lock(&mu_);
    return table_.LockLocked(l, false, &graph_, [] { return false; });
  }
  std::vector<FileLock> Locks() {
    absl::MutexLock lock(&mu_);
    return table_.LocksLocked();
  }
  std::optional<FileLock> Conflict(LockOwner o, LockType t, uint64_t s, uint64_t e) {
    absl::MutexLock lock(&mu_);
    return table_.ConflictLocked(o, t, s, e);
  }
  void Unlock(LockOwner o, uint64_t s, uint64_t e) {
    absl::MutexLock lock(&mu_);
    table_.UnlockLocked(o, s, e);
  }

  absl::Mutex mu_;
  absl::CondVar cv_;
  LockWaitGraph graph_;
  FileLockTable table_{mu_, cv_};
};

TEST_F(FileLockTableTest, ReadLocksShareAndWriteLocksExclude) {
  ASSERT_TRUE(Try(L(A, LockType::kRead, 0, 10)).ok());
  EXPECT_TRUE(Try(L(B, LockType::kRead, 5, 15)).ok());
  EXPECT_EQ(ErrnoOf(Try(L(B, LockType::kWrite, 9, 10))), EAGAIN);
  // Outside A's range B may write-lock.
  EXPECT_TRUE(Try(L(B, LockType::kWrite, 10, 20)).ok());
  std::optional<FileLock> c = Conflict(A, LockType::kWrite, 12, 13);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->owner, B);
  EXPECT_EQ(c->pid, 2);
  EXPECT_FALSE(Conflict(A, LockType::kWrite, 0, 5).has_value());
}

TEST_F(FileLockTableTest, AnOwnerNeverConflictsWithItselfAndConverts) {
  ASSERT_TRUE(Try(L(A, LockType::kWrite, 0, kEof)).ok());
  ASSERT_TRUE(Try(L(A, LockType::kRead, 4, 6)).ok());
  std::vector<FileLock> locks = Locks();
  ASSERT_EQ(locks.size(), 3u);
  EXPECT_EQ(locks[0].type, LockType::kWrite);
  EXPECT_EQ(locks[0].end, 4u);
  EXPECT_EQ(locks[1].type, LockType::kRead);
  EXPECT_EQ(locks[2].start, 6u);
  EXPECT_EQ(locks[2].end, kEof);
  // B can read-lock the converted bytes only.
  EXPECT_TRUE(Try(L(B, LockType::kRead, 4, 6)).ok());
  EXPECT_EQ(ErrnoOf(Try(L(B, LockType::kRead, 3, 5))), EAGAIN);
}

TEST_F(FileLockTableTest, AdjacentLocksOfOneTypeMerge) {
  ASSERT_TRUE(Try(L(A, LockType::kRead, 0, 5)).ok());
  ASSERT_TRUE(Try(L(A, LockType::kRead, 5, 10)).ok());
  ASSERT_TRUE(Try(L(A, LockType::kRead, 8, 20)).ok());
  std::vector<FileLock> locks = Locks();
  ASSERT_EQ(locks.size(), 1u);
  EXPECT_EQ(locks[0].start, 0u);
  EXPECT_EQ(locks[0].end, 20u);
}

TEST_F(FileLockTableTest, UnlockSplitsAndReleaseOwnerDropsAll) {
  ASSERT_TRUE(Try(L(A, LockType::kWrite, 0, 100)).ok());
  Unlock(A, 40, 60);
  std::vector<FileLock> locks = Locks();
  ASSERT_EQ(locks.size(), 2u);
  EXPECT_EQ(locks[0].end, 40u);
  EXPECT_EQ(locks[1].start, 60u);
  EXPECT_TRUE(Try(L(B, LockType::kWrite, 40, 60)).ok());
  table_.ReleaseOwner(A);
  EXPECT_TRUE(Try(L(B, LockType::kWrite, 0, kEof)).ok());
  table_.ReleaseOwner(B);
  EXPECT_TRUE(Locks().empty());
}

TEST_F(FileLockTableTest, AWaiterWakesWhenTheHolderUnlocks) {
  ASSERT_TRUE(Try(L(A, LockType::kWrite, 0, kEof)).ok());
  absl::Status waited = absl::UnknownError("not run");
  std::thread waiter([&] {
    absl::MutexLock lock(&mu_);
    waited = table_.LockLocked(L(B, LockType::kWrite, 0, 1), true, &graph_, [] { return false; });
  });
  table_.ReleaseOwner(A);
  waiter.join();
  EXPECT_TRUE(waited.ok()) << waited;
  EXPECT_EQ(Locks().size(), 1u);
}

TEST_F(FileLockTableTest, AnInterruptedWaitIsErestartsys) {
  ASSERT_TRUE(Try(L(A, LockType::kWrite, 0, kEof)).ok());
  bool interrupted = false;
  absl::Status waited;
  std::thread waiter([&] {
    absl::MutexLock lock(&mu_);
    waited = table_.LockLocked(L(B, LockType::kRead, 0, 1), true, &graph_,
                               [&] { return interrupted; });
  });
  {
    absl::MutexLock lock(&mu_);
    interrupted = true;
    cv_.SignalAll();
  }
  waiter.join();
  EXPECT_EQ(ErrnoOf(waited), 512);
  EXPECT_EQ(Locks().size(), 1u);
}

TEST_F(FileLockTableTest, ACycleOfWaitersIsEdeadlk) {
  ASSERT_TRUE(Try(L(A, LockType::kWrite, 0, 10)).ok());
  ASSERT_TRUE(Try(L(B, LockType::kWrite, 10, 20)).ok());
  absl::Status waited;
  bool stop = false;
  std::thread waiter([&] {  // A waits for B's bytes.
    absl::MutexLock lock(&mu_);
    waited = table_.LockLocked(L(A, LockType::kWrite, 15, 16), true, &graph_, [&] { return stop; });
  });
  // Wait until A is recorded as waiting, then B asking for A's bytes closes the cycle.
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (graph_.WouldDeadlock(B, A)) break;
    }
    std::this_thread::yield();
  }
  {
    absl::MutexLock lock(&mu_);
    EXPECT_EQ(ErrnoOf(table_.LockLocked(L(B, LockType::kWrite, 5, 6), true, &graph_,
                                        [] { return false; })),
              EDEADLK);
    // Without deadlock detection (OFD locks) the same request would just wait;
    // unlocking B's range lets A through instead.
    table_.UnlockLocked(B, 10, 20);
  }
  waiter.join();
  EXPECT_TRUE(waited.ok()) << waited;
}

}  // namespace
}  // namespace runsc::fs
