// timerfd(2) files: clocks, arming and disarming, the expiration count,
// EAGAIN with O_NONBLOCK, waits ended by expiry, and poll readiness.
#include "fs/timerfd_file.h"

#include <fcntl.h>
#include <sys/timerfd.h>

#include "base/errno_status.h"
#include "gtest/gtest.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/no_dispatch.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {
namespace {

using sentry::NoDispatch;

itimerspec Timer(time_t sec, long nsec, time_t isec = 0, long insec = 0) {
  itimerspec its{};
  its.it_value = {sec, nsec};
  its.it_interval = {isec, insec};
  return its;
}

class TimerfdFileTest : public ::testing::Test {
 protected:
  TimerfdFileTest() : kernel_(nullptr, dispatcher_), task_(kernel_, 1) {}

  absl::StatusOr<uint64_t> Read(TimerfdFile& f) {
    uint64_t v = 0;
    absl::StatusOr<size_t> n = f.Read(task_, absl::MakeSpan(reinterpret_cast<uint8_t*>(&v), 8));
    if (!n.ok()) return n.status();
    return v;
  }

  NoDispatch dispatcher_;
  sentry::Kernel kernel_;
  sentry::Task task_;
};

TEST_F(TimerfdFileTest, OnlyRealtimeMonotonicAndBoottime) {
  EXPECT_TRUE(TimerfdFile::Create(CLOCK_REALTIME, false).ok());
  EXPECT_TRUE(TimerfdFile::Create(CLOCK_MONOTONIC, false).ok());
  EXPECT_TRUE(TimerfdFile::Create(CLOCK_BOOTTIME, false).ok());
  EXPECT_EQ(ErrnoOf(TimerfdFile::Create(CLOCK_PROCESS_CPUTIME_ID, false).status()), EINVAL);
  EXPECT_EQ(ErrnoOf(TimerfdFile::Create(12345, false).status()), EINVAL);
}

TEST_F(TimerfdFileTest, DisarmedUntilSetAndReportsTheOldSetting) {
  auto f = *TimerfdFile::Create(CLOCK_MONOTONIC, true);
  EXPECT_EQ(f->GetTime()->it_value.tv_sec, 0);
  EXPECT_EQ(f->GetTime()->it_value.tv_nsec, 0);
  ASSERT_TRUE(f->SetTime(0, Timer(100, 0, 7, 0)).ok());
  EXPECT_GT(f->GetTime()->it_value.tv_sec, 90);
  absl::StatusOr<itimerspec> old = f->SetTime(0, Timer(0, 0));
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->it_interval.tv_sec, 7);
  EXPECT_EQ(f->GetTime()->it_value.tv_sec, 0);
  EXPECT_EQ(ErrnoOf(Read(*f).status()), EAGAIN);
}

TEST_F(TimerfdFileTest, BadValuesAndFlagsAreEinval) {
  auto f = *TimerfdFile::Create(CLOCK_MONOTONIC, true);
  EXPECT_EQ(ErrnoOf(f->SetTime(0, Timer(0, 1000000000)).status()), EINVAL);
  EXPECT_EQ(ErrnoOf(f->SetTime(0, Timer(-1, 0)).status()), EINVAL);
  EXPECT_EQ(ErrnoOf(f->SetTime(0x100, Timer(1, 0)).status()), EINVAL);
  uint8_t small[4];
  EXPECT_EQ(ErrnoOf(f->Read(task_, absl::MakeSpan(small)).status()), EINVAL);
}

TEST_F(TimerfdFileTest, BlockingReadWaitsForTheExpiry) {
  auto f = *TimerfdFile::Create(CLOCK_MONOTONIC, false);
  ASSERT_TRUE(f->SetTime(0, Timer(0, 1000000)).ok());
  EXPECT_EQ(*Read(*f), 1u);
}

TEST_F(TimerfdFileTest, AbsoluteTimeInThePastFiresAtOnceAndPollSeesIt) {
  auto f = *TimerfdFile::Create(CLOCK_MONOTONIC, true);
  {
    absl::MutexLock lock(&kernel_.mu);
    EXPECT_EQ(f->PollLocked(task_, POLLIN), 0);
  }
  EXPECT_GE(f->PollHostFd(), 0);
  ASSERT_TRUE(f->SetTime(TFD_TIMER_ABSTIME, Timer(1, 0)).ok());
  {
    absl::MutexLock lock(&kernel_.mu);
    EXPECT_EQ(f->PollLocked(task_, POLLIN), POLLIN);
  }
  EXPECT_EQ(*Read(*f), 1u);
  EXPECT_EQ(f->flags(), O_RDWR | O_NONBLOCK);
}

}  // namespace
}  // namespace runsc::fs
