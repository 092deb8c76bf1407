// eventfd(2)'s counter: reads take it all (or one, EFD_SEMAPHORE), writes
// add, 8 bytes only, EAGAIN instead of waiting with O_NONBLOCK, waits that
// a writer or a signal ends, and poll readiness.
#include "fs/eventfd_file.h"

#include <fcntl.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "base/errno_status.h"
#include "gtest/gtest.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/no_dispatch.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {
namespace {

constexpr int kErestartsys = 512;

using sentry::NoDispatch;

class EventfdFileTest : public ::testing::Test {
 protected:
  EventfdFileTest() : kernel_(nullptr, dispatcher_), task_(kernel_, 1) {}

  absl::StatusOr<uint64_t> Read(EventfdFile& f) {
    uint64_t v = 0;
    absl::StatusOr<size_t> n = f.Read(task_, absl::MakeSpan(reinterpret_cast<uint8_t*>(&v), 8));
    if (!n.ok()) return n.status();
    EXPECT_EQ(*n, 8u);
    return v;
  }
  absl::Status Write(EventfdFile& f, uint64_t v, sentry::Task* task = nullptr) {
    absl::StatusOr<size_t> n = f.Write(task ? *task : task_,
                                       absl::MakeConstSpan(reinterpret_cast<uint8_t*>(&v), 8));
    if (!n.ok()) return n.status();
    EXPECT_EQ(*n, 8u);
    return absl::OkStatus();
  }
  short Poll(EventfdFile& f) {
    absl::MutexLock lock(&kernel_.mu);
    return f.PollLocked(task_, POLLIN | POLLOUT);
  }

  NoDispatch dispatcher_;
  sentry::Kernel kernel_;
  sentry::Task task_;
};

TEST_F(EventfdFileTest, ReadTakesTheWholeCounter) {
  EventfdFile f(kernel_, 5, true, false);
  ASSERT_TRUE(Write(f, 2).ok());
  EXPECT_EQ(*Read(f), 7u);
  EXPECT_EQ(ErrnoOf(Read(f).status()), EAGAIN);
}

TEST_F(EventfdFileTest, SemaphoreReadsOneAtATime) {
  EventfdFile f(kernel_, 2, true, true);
  EXPECT_EQ(*Read(f), 1u);
  EXPECT_EQ(*Read(f), 1u);
  EXPECT_EQ(ErrnoOf(Read(f).status()), EAGAIN);
}

TEST_F(EventfdFileTest, ShortBuffersAndAllOnesAreEinval) {
  EventfdFile f(kernel_, 1, true, false);
  uint8_t small[7];
  EXPECT_EQ(ErrnoOf(f.Read(task_, absl::MakeSpan(small)).status()), EINVAL);
  EXPECT_EQ(ErrnoOf(f.Write(task_, absl::MakeConstSpan(small)).status()), EINVAL);
  EXPECT_EQ(ErrnoOf(Write(f, ~uint64_t{0})), EINVAL);
  EXPECT_EQ(f.CountForTest(), 1u);
}

TEST_F(EventfdFileTest, OverflowIsEagainWhenNonblocking) {
  EventfdFile f(kernel_, 0, true, false);
  ASSERT_TRUE(Write(f, EventfdFile::kMaxCounter).ok());
  EXPECT_EQ(ErrnoOf(Write(f, 1)), EAGAIN);
  EXPECT_TRUE(Write(f, 0).ok());
  EXPECT_EQ(f.CountForTest(), EventfdFile::kMaxCounter);
}

TEST_F(EventfdFileTest, PollFollowsTheCounter) {
  EventfdFile f(kernel_, 0, true, false);
  EXPECT_EQ(Poll(f), POLLOUT);
  ASSERT_TRUE(Write(f, 1).ok());
  EXPECT_EQ(Poll(f), POLLIN | POLLOUT);
  ASSERT_TRUE(Write(f, EventfdFile::kMaxCounter - 1).ok());
  EXPECT_EQ(Poll(f), POLLIN);
}

TEST_F(EventfdFileTest, WritesMoveTheEventSequence) {
  EventfdFile f(kernel_, 0, true, false);
  uint64_t before;
  {
    absl::MutexLock lock(&kernel_.mu);
    before = f.EventSeqLocked();
  }
  ASSERT_TRUE(Write(f, 1).ok());
  absl::MutexLock lock(&kernel_.mu);
  EXPECT_NE(f.EventSeqLocked(), before);
}

TEST_F(EventfdFileTest, BlockedReadWakesForAWrite) {
  EventfdFile f(kernel_, 0, false, false);
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    sentry::Task other(kernel_, 2);
    ASSERT_TRUE(Write(f, 42, &other).ok());
  });
  EXPECT_EQ(*Read(f), 42u);
  writer.join();
}

TEST_F(EventfdFileTest, BlockedWriteWakesForARead) {
  EventfdFile f(kernel_, EventfdFile::kMaxCounter, false, false);
  std::thread reader([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    sentry::Task other(kernel_, 2);
    uint64_t v;
    ASSERT_TRUE(f.Read(other, absl::MakeSpan(reinterpret_cast<uint8_t*>(&v), 8)).ok());
  });
  EXPECT_TRUE(Write(f, 3).ok());
  reader.join();
  EXPECT_EQ(f.CountForTest(), 3u);
}

TEST_F(EventfdFileTest, PendingSignalInterruptsABlockedRead) {
  EventfdFile f(kernel_, 0, false, false);
  siginfo_t info{};
  info.si_signo = SIGUSR1;
  {
    absl::MutexLock lock(&kernel_.mu);
    task_.pending.push_back(info);
  }
  EXPECT_EQ(ErrnoOf(Read(f).status()), kErestartsys);
}

TEST_F(EventfdFileTest, FlagsAreReadWriteAndNonblock) {
  EventfdFile blocking(kernel_, 0, false, false), nonblocking(kernel_, 0, true, false);
  EXPECT_EQ(blocking.flags(), O_RDWR);
  EXPECT_EQ(nonblocking.flags(), O_RDWR | O_NONBLOCK);
}

}  // namespace
}  // namespace runsc::fs
