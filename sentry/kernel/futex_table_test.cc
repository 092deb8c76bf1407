// The futex wait queues on their own: the value check and the queueing are
// one step, wakes take the oldest matching waiters and count them as Linux
// does, bitsets select, keys separate address spaces and addresses, and a
// waiter leaves the queue on a timeout or an interruption. Threads stand
// in for tasks; a plain word in this process stands in for application
// memory. Then the keys of words in real address spaces: private memory by
// address space, MAP_SHARED memory by object and offset.
#include "sentry/kernel/futex_table.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "base/errno_status.h"
#include "gtest/gtest.h"
#include "platform/platform.h"

namespace runsc::sentry {
namespace {

// Generous: a deadline for things that must happen, never a measured time.
constexpr absl::Duration kDeadline = absl::Seconds(20);

class FutexTableTest : public ::testing::Test {
 protected:
  // Waits on `key` while `word` is `expected` (EAGAIN otherwise), until
  // woken, `deadline` or `interrupted_` is set.
  absl::StatusOr<FutexWaitResult> Wait(const FutexKey& key, uint32_t bitset,
                                       absl::Time deadline = absl::InfiniteFuture(),
                                       uint32_t expected = 0) {
    return table_.Wait(
        key, bitset, deadline,
        [&]() -> absl::Status {
          if (word_.load() != expected) return ErrnoError(EAGAIN, "word changed");
          return absl::OkStatus();
        },
        [&] { return interrupted_; });
  }

  // Starts a thread that waits on `key` and records its outcome.
  void StartWaiter(const FutexKey& key, uint32_t bitset, int index) {
    threads_.emplace_back([this, key, bitset, index] {
      absl::StatusOr<FutexWaitResult> r = Wait(key, bitset);
      absl::MutexLock lock(&mu_);
      results_[index] = r.ok() ? static_cast<int>(*r) : -ErrnoOf(r.status());
      ++finished_;
      cv_.SignalAll();
    });
  }

  // Blocks until `n` tasks wait on `key`.
  bool WaitForWaiters(const FutexKey& key, int n) {
    const absl::Time end = absl::Now() + kDeadline;
    while (table_.WaitersOf(key) != n) {
      if (absl::Now() > end) return false;
      absl::SleepFor(absl::Milliseconds(1));
    }
    return true;
  }

  // Blocks until `n` waiter threads have returned.
  bool WaitForFinished(int n) {
    absl::MutexLock lock(&mu_);
    const absl::Time end = absl::Now() + kDeadline;
    while (finished_ < n) {
      if (cv_.WaitWithDeadline(&mu_, end) && finished_ < n) return false;
    }
    return true;
  }

  int Result(int index) {
    absl::MutexLock lock(&mu_);
    return results_[index];
  }

  void TearDown() override {
    {
      absl::MutexLock lock(&mu_);
      interrupted_ = true;
      cv_.SignalAll();
    }
    for (std::thread& t : threads_) t.join();
  }

  absl::Mutex mu_;
  absl::CondVar cv_;
  FutexTable table_{mu_, cv_};
  std::atomic<uint32_t> word_{0};
  bool interrupted_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
  int results_[8] ABSL_GUARDED_BY(mu_) = {-1, -1, -1, -1, -1, -1, -1, -1};
  int finished_ ABSL_GUARDED_BY(mu_) = 0;

  const int as1_ = 0, as2_ = 0;  // Two address spaces, by their addresses.
  const FutexKey key_ = FutexKey::Private(&as1_, 0x1000);
};

constexpr int kWoken = static_cast<int>(FutexWaitResult::kWoken);
constexpr int kInterrupted = static_cast<int>(FutexWaitResult::kInterrupted);

TEST_F(FutexTableTest, AChangedValueFailsWithoutQueueing) {
  word_ = 1;
  absl::StatusOr<FutexWaitResult> r = Wait(key_, kFutexBitsetAny);
  EXPECT_EQ(ErrnoOf(r.status()), EAGAIN);
  EXPECT_EQ(table_.WaitersOf(key_), 0);
}

TEST_F(FutexTableTest, WakeWithoutWaitersWakesNobody) {
  EXPECT_EQ(table_.Wake(key_, kFutexBitsetAny, 1), 0);
  EXPECT_EQ(table_.Wake(key_, kFutexBitsetAny, 100), 0);
}

TEST_F(FutexTableTest, AWakeEndsAWait) {
  StartWaiter(key_, kFutexBitsetAny, 0);
  ASSERT_TRUE(WaitForWaiters(key_, 1));
  EXPECT_EQ(table_.Wake(key_, kFutexBitsetAny, 1), 1);
  ASSERT_TRUE(WaitForFinished(1));
  EXPECT_EQ(Result(0), kWoken);
  EXPECT_EQ(table_.WaitersOf(key_), 0);
}

TEST_F(FutexTableTest, RequeueWakesSomeAndMovesTheNextOnes) {
  const FutexKey other = FutexKey::Private(&as1_, 0x2000);
  for (int i = 0; i < 3; ++i) {
    StartWaiter(key_, kFutexBitsetAny, i);
    ASSERT_TRUE(WaitForWaiters(key_, i + 1));
  }
  absl::StatusOr<int> n = table_.Requeue(key_, other, 1, 1, [] { return absl::OkStatus(); });
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 2);  // One woken, one moved.
  ASSERT_TRUE(WaitForFinished(1));
  EXPECT_EQ(Result(0), kWoken);
  EXPECT_EQ(table_.WaitersOf(key_), 1);
  EXPECT_EQ(table_.WaitersOf(other), 1);
  // The moved waiter now answers to the other word.
  EXPECT_EQ(table_.Wake(other, kFutexBitsetAny, 1), 1);
  ASSERT_TRUE(WaitForFinished(2));
  EXPECT_EQ(Result(1), kWoken);
  EXPECT_EQ(Result(2), -1);
}

TEST_F(FutexTableTest, AFailedRequeueCheckMovesNobody) {
  const FutexKey other = FutexKey::Private(&as1_, 0x2000);
  StartWaiter(key_, kFutexBitsetAny, 0);
  ASSERT_TRUE(WaitForWaiters(key_, 1));
  absl::StatusOr<int> n = table_.Requeue(key_, other, 1, 1,
                                         [] { return ErrnoError(EAGAIN, "word changed"); });
  EXPECT_EQ(ErrnoOf(n.status()), EAGAIN);
  EXPECT_EQ(table_.WaitersOf(key_), 1);
  EXPECT_EQ(table_.WaitersOf(other), 0);
}

TEST_F(FutexTableTest, AMovedWaiterThatIsInterruptedLeavesItsNewQueue) {
  const FutexKey other = FutexKey::Private(&as1_, 0x2000);
  StartWaiter(key_, kFutexBitsetAny, 0);
  ASSERT_TRUE(WaitForWaiters(key_, 1));
  ASSERT_EQ(*table_.Requeue(key_, other, 0, 1, [] { return absl::OkStatus(); }), 1);
  {
    absl::MutexLock lock(&mu_);
    interrupted_ = true;
    cv_.SignalAll();
  }
  ASSERT_TRUE(WaitForFinished(1));
  EXPECT_EQ(Result(0), kInterrupted);
  EXPECT_EQ(table_.WaitersOf(other), 0);
}

TEST_F(FutexTableTest, WakeTakesAtMostMaxOldestFirst) {
  for (int i = 0; i < 3; ++i) {
    StartWaiter(key_, kFutexBitsetAny, i);
    ASSERT_TRUE(WaitForWaiters(key_, i + 1));  // So the order is known.
  }
  EXPECT_EQ(table_.Wake(key_, kFutexBitsetAny, 2), 2);
  ASSERT_TRUE(WaitForFinished(2));
  EXPECT_EQ(Result(0), kWoken);
  EXPECT_EQ(Result(1), kWoken);
  EXPECT_EQ(Result(2), -1);  // Still waiting.
  EXPECT_EQ(table_.WaitersOf(key_), 1);
  EXPECT_EQ(table_.Wake(key_, kFutexBitsetAny, 100), 1);
  ASSERT_TRUE(WaitForFinished(3));
}

TEST_F(FutexTableTest, ACountOfZeroOrLessStillWakesOne) {
  // Linux's futex_wake counts before it compares: nr_wake <= 0 wakes one.
  for (int i = 0; i < 3; ++i) StartWaiter(key_, kFutexBitsetAny, i);
  ASSERT_TRUE(WaitForWaiters(key_, 3));
  EXPECT_EQ(table_.Wake(key_, kFutexBitsetAny, 0), 1);
  EXPECT_EQ(table_.Wake(key_, kFutexBitsetAny, -1), 1);
  EXPECT_EQ(table_.WaitersOf(key_), 1);
}

TEST_F(FutexTableTest, BitsetsSelectWaiters) {
  StartWaiter(key_, 0x1, 0);
  ASSERT_TRUE(WaitForWaiters(key_, 1));
  StartWaiter(key_, 0x2, 1);
  ASSERT_TRUE(WaitForWaiters(key_, 2));
  EXPECT_EQ(table_.Wake(key_, 0x4, 10), 0);
  EXPECT_EQ(table_.Wake(key_, 0x2, 10), 1);  // Skips the older waiter on bit 0.
  ASSERT_TRUE(WaitForFinished(1));
  EXPECT_EQ(Result(1), kWoken);
  EXPECT_EQ(Result(0), -1);
  EXPECT_EQ(table_.Wake(key_, 0x3, 10), 1);
  ASSERT_TRUE(WaitForFinished(2));
  EXPECT_EQ(Result(0), kWoken);
}

TEST_F(FutexTableTest, KeysSeparateAddressSpacesAndAddresses) {
  const FutexKey other_address = FutexKey::Private(&as1_, key_.offset + 4);
  const FutexKey other_space = FutexKey::Private(&as2_, key_.offset);
  const FutexKey shared = FutexKey::Shared(SharedObject{1, 2}, key_.offset);
  StartWaiter(key_, kFutexBitsetAny, 0);
  ASSERT_TRUE(WaitForWaiters(key_, 1));
  EXPECT_EQ(table_.Wake(other_address, kFutexBitsetAny, 1), 0);
  EXPECT_EQ(table_.Wake(other_space, kFutexBitsetAny, 1), 0);
  EXPECT_EQ(table_.Wake(shared, kFutexBitsetAny, 1), 0);
  EXPECT_EQ(table_.WaitersOf(key_), 1);
  EXPECT_EQ(table_.Wake(key_, kFutexBitsetAny, 1), 1);
  ASSERT_TRUE(WaitForFinished(1));
}

TEST_F(FutexTableTest, ADeadlineEndsTheWaitAndDequeues) {
  absl::StatusOr<FutexWaitResult> r =
      Wait(key_, kFutexBitsetAny, absl::Now() + absl::Milliseconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, FutexWaitResult::kTimedOut);
  EXPECT_EQ(table_.WaitersOf(key_), 0);
}

TEST_F(FutexTableTest, APastDeadlineStillChecksTheValueFirst) {
  word_ = 1;
  EXPECT_EQ(ErrnoOf(Wait(key_, kFutexBitsetAny, absl::InfinitePast()).status()), EAGAIN);
  word_ = 0;
  absl::StatusOr<FutexWaitResult> r = Wait(key_, kFutexBitsetAny, absl::InfinitePast());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, FutexWaitResult::kTimedOut);
}

TEST_F(FutexTableTest, AnInterruptionEndsTheWaitAndDequeues) {
  StartWaiter(key_, kFutexBitsetAny, 0);
  ASSERT_TRUE(WaitForWaiters(key_, 1));
  {
    // What a signal does: under the mutex, then a broadcast.
    absl::MutexLock lock(&mu_);
    interrupted_ = true;
    cv_.SignalAll();
  }
  ASSERT_TRUE(WaitForFinished(1));
  EXPECT_EQ(Result(0), kInterrupted);
  EXPECT_EQ(table_.WaitersOf(key_), 0);
  EXPECT_EQ(table_.Wake(key_, kFutexBitsetAny, 1), 0);
}

// The lost-wakeup race futexes exist to close: a waker that changes the
// word and then wakes can never leave a waiter that saw the old value
// asleep. Many rounds of a ping-pong between two threads; a lost wake
// would hang (and fail the deadline).
TEST_F(FutexTableTest, NoWakeIsLostBetweenTheCheckAndTheSleep) {
  constexpr int kRounds = 2000;
  std::atomic<bool> failed{false};
  // word_ holds whose turn it is: even for the main thread, odd for the other.
  std::thread other([&] {
    for (int i = 0; i < kRounds; ++i) {
      const uint32_t mine = 2 * i + 1;
      while (word_.load() != mine) {
        absl::StatusOr<FutexWaitResult> r =
            Wait(key_, kFutexBitsetAny, absl::Now() + kDeadline, mine - 1);
        if (r.ok() && *r == FutexWaitResult::kTimedOut) {
          failed = true;
          return;
        }
      }
      word_.store(mine + 1);
      table_.Wake(key_, kFutexBitsetAny, 1);
    }
  });
  for (int i = 0; i < kRounds && !failed; ++i) {
    const uint32_t mine = 2 * i;
    while (word_.load() != mine && !failed) {
      absl::StatusOr<FutexWaitResult> r =
          Wait(key_, kFutexBitsetAny, absl::Now() + kDeadline, mine - 1);
      if (r.ok() && *r == FutexWaitResult::kTimedOut) failed = true;
    }
    word_.store(mine + 1);
    table_.Wake(key_, kFutexBitsetAny, 1);
  }
  other.join();
  EXPECT_FALSE(failed);
  EXPECT_EQ(table_.WaitersOf(key_), 0);
}

// Keys of real words: address spaces of the ptrace platform, with the
// mappings the application would make.
class FutexKeyOfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<platform::Platform>> p = platform::CreatePlatform("ptrace");
    ASSERT_TRUE(p.ok()) << p.status();
    platform_ = *std::move(p);
    for (std::unique_ptr<MemoryManager>* mm : {&mm1_, &mm2_}) {
      absl::StatusOr<std::unique_ptr<platform::AddressSpace>> as = platform_->NewAddressSpace();
      ASSERT_TRUE(as.ok()) << as.status();
      ASSERT_TRUE((*as)->Attach().ok());
      *mm = std::make_unique<MemoryManager>(*std::move(as));
    }
  }

  uint64_t MapIn(MemoryManager& mm, uint64_t addr, int flags, int fd = -1, uint64_t offset = 0) {
    absl::StatusOr<uint64_t> at = mm.Map(addr, 2 * kPageSize, PROT_READ | PROT_WRITE,
                                         flags | MAP_FIXED | (fd < 0 ? MAP_ANONYMOUS : 0), fd,
                                         offset, "");
    EXPECT_TRUE(at.ok()) << at.status();
    return at.ok() ? *at : 0;
  }

  std::unique_ptr<platform::Platform> platform_;
  std::unique_ptr<MemoryManager> mm1_, mm2_;
};

constexpr uint64_t kAt = 0x10000000, kElsewhere = 0x20000000;

TEST_F(FutexKeyOfTest, PrivateMemoryAndPrivateFutexesAreKeyedByAddressSpace) {
  MapIn(*mm1_, kAt, MAP_PRIVATE);
  EXPECT_EQ(FutexKeyOf(*mm1_, kAt + 8, false), FutexKey::Private(mm1_.get(), kAt + 8));
  EXPECT_EQ(FutexKeyOf(*mm1_, kAt + 8, true), FutexKey::Private(mm1_.get(), kAt + 8));
  // Unmapped (the syscall layer checks what it must): still a private key.
  EXPECT_EQ(FutexKeyOf(*mm1_, kElsewhere, false), FutexKey::Private(mm1_.get(), kElsewhere));
  MapIn(*mm1_, kElsewhere, MAP_SHARED);
  EXPECT_EQ(FutexKeyOf(*mm1_, kElsewhere, true), FutexKey::Private(mm1_.get(), kElsewhere));
}

TEST_F(FutexKeyOfTest, SharedAnonymousMemoryIsOneObjectAcrossFork) {
  MapIn(*mm1_, kAt, MAP_SHARED);
  const FutexKey parent = FutexKeyOf(*mm1_, kAt + kPageSize + 8, false);
  EXPECT_EQ(parent.address_space, nullptr);
  EXPECT_EQ(parent.offset, kPageSize + 8);
  absl::StatusOr<std::unique_ptr<MemoryManager>> child = mm1_->Fork();
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ(FutexKeyOf(**child, kAt + kPageSize + 8, false), parent);
  // Splitting the mapping keeps what the rest of it maps.
  ASSERT_TRUE(mm1_->Unmap(kAt, kPageSize).ok());
  EXPECT_EQ(FutexKeyOf(*mm1_, kAt + kPageSize + 8, false), parent);
  // Another process's shared memory is another object.
  MapIn(*mm2_, kAt, MAP_SHARED);
  EXPECT_NE(FutexKeyOf(*mm2_, kAt + kPageSize + 8, false), parent);
}

TEST_F(FutexKeyOfTest, ASharedFileIsKeyedByFileAndOffsetWhereverItIsMapped) {
  int fd = memfd_create("futex-key-test", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, 4 * kPageSize), 0);
  MapIn(*mm1_, kAt, MAP_SHARED, fd, 0);
  MapIn(*mm2_, kElsewhere, MAP_SHARED, fd, kPageSize);
  // Page 1 of the file: mm1's second page, mm2's first.
  EXPECT_EQ(FutexKeyOf(*mm1_, kAt + kPageSize + 12, false),
            FutexKeyOf(*mm2_, kElsewhere + 12, false));
  EXPECT_NE(FutexKeyOf(*mm1_, kAt + 12, false), FutexKeyOf(*mm2_, kElsewhere + 12, false));
  // Mapped privately, the same file gives private keys.
  MapIn(*mm2_, kAt, MAP_PRIVATE, fd, 0);
  EXPECT_EQ(FutexKeyOf(*mm2_, kAt + 12, false), FutexKey::Private(mm2_.get(), kAt + 12));
  close(fd);
}

}  // namespace
}  // namespace runsc::sentry
