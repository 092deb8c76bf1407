// Family: timerfd_create, timerfd_settime, timerfd_gettime and reading the
// expiration count.
#include <fcntl.h>
#include <poll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

constexpr long kMillisecond = 1000000;

itimerspec Timer(time_t value_sec, long value_nsec, time_t interval_sec = 0,
                 long interval_nsec = 0) {
  itimerspec its = {};
  its.it_value = {value_sec, value_nsec};
  its.it_interval = {interval_sec, interval_nsec};
  return its;
}

int64_t Nanos(const timespec& ts) { return ts.tv_sec * 1000000000LL + ts.tv_nsec; }

TEST(TimerfdTest, UnknownOrUnsupportedClockIsEINVAL) {
  EXPECT_SYSCALL_ERRNO(timerfd_create(12345, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(timerfd_create(CLOCK_MONOTONIC_COARSE, 0), EINVAL);
}

TEST(TimerfdTest, UnknownCreateFlagIsEINVAL) {
  EXPECT_SYSCALL_ERRNO(timerfd_create(CLOCK_MONOTONIC, O_APPEND), EINVAL);
}

TEST(TimerfdTest, CreateFlagsSetNonblockAndCloexec) {
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
  EXPECT_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  close(fd);
}

TEST(TimerfdTest, RealtimeAndBoottimeClocksAreSupported) {
  for (clockid_t clock : {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME}) {
    int fd = timerfd_create(clock, TFD_CLOEXEC);
    EXPECT_GE(fd, 0) << "clock " << clock << ": " << strerror(errno);
    if (fd >= 0) close(fd);
  }
}

TEST(TimerfdTest, NewTimerIsDisarmed) {
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  itimerspec its = Timer(1, 1, 1, 1);
  ASSERT_SYSCALL_OK(timerfd_gettime(fd, &its));
  EXPECT_EQ(Nanos(its.it_value), 0);
  EXPECT_EQ(Nanos(its.it_interval), 0);
  close(fd);
}

TEST(TimerfdTest, GettimeShowsTheTimeLeftAndTheInterval) {
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  itimerspec its = Timer(10, 0, 3, 500);
  ASSERT_SYSCALL_OK(timerfd_settime(fd, 0, &its, nullptr));
  itimerspec now;
  ASSERT_SYSCALL_OK(timerfd_gettime(fd, &now));
  EXPECT_GT(Nanos(now.it_value), 0);
  EXPECT_LE(Nanos(now.it_value), 10000000000LL);
  EXPECT_EQ(now.it_interval.tv_sec, 3);
  EXPECT_EQ(now.it_interval.tv_nsec, 500);
  close(fd);
}

TEST(TimerfdTest, SettimeReturnsTheOldSetting) {
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  itimerspec first = Timer(100, 0, 7, 0);
  ASSERT_SYSCALL_OK(timerfd_settime(fd, 0, &first, nullptr));
  itimerspec disarm = Timer(0, 0);
  itimerspec old;
  ASSERT_SYSCALL_OK(timerfd_settime(fd, 0, &disarm, &old));
  EXPECT_GT(Nanos(old.it_value), 90000000000LL);
  EXPECT_LE(Nanos(old.it_value), 100000000000LL);
  EXPECT_EQ(old.it_interval.tv_sec, 7);
  itimerspec now;
  ASSERT_SYSCALL_OK(timerfd_gettime(fd, &now));
  EXPECT_EQ(Nanos(now.it_value), 0);
  close(fd);
}

TEST(TimerfdTest, ReadReturnsTheExpirationCount) {
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  itimerspec its = Timer(0, kMillisecond);
  ASSERT_SYSCALL_OK(timerfd_settime(fd, 0, &its, nullptr));
  uint64_t expirations = 0;
  {
    ScopedAlarm guard(10);
    ASSERT_EQ(read(fd, &expirations, sizeof(expirations)), 8);  // Blocks until it fires.
  }
  EXPECT_EQ(expirations, 1u);
  // A one-shot timer is disarmed once it has fired.
  itimerspec now;
  ASSERT_SYSCALL_OK(timerfd_gettime(fd, &now));
  EXPECT_EQ(Nanos(now.it_value), 0);
  close(fd);
}

TEST(TimerfdTest, PeriodicTimerCountsEveryExpiration) {
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  itimerspec its = Timer(0, kMillisecond, 0, kMillisecond);
  ASSERT_SYSCALL_OK(timerfd_settime(fd, 0, &its, nullptr));
  timespec nap = {0, 20 * kMillisecond};
  ASSERT_SYSCALL_OK(nanosleep(&nap, nullptr));
  uint64_t expirations = 0;
  {
    ScopedAlarm guard(10);
    ASSERT_EQ(read(fd, &expirations, sizeof(expirations)), 8);
  }
  // At least 20ms have passed, so at least 20 expirations are due; allow slack.
  EXPECT_GE(expirations, 10u);
  close(fd);
}

TEST(TimerfdTest, NonblockingReadBeforeExpiryIsEAGAIN) {
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  uint64_t expirations;
  EXPECT_SYSCALL_ERRNO(read(fd, &expirations, sizeof(expirations)), EAGAIN);
  itimerspec its = Timer(100, 0);
  ASSERT_SYSCALL_OK(timerfd_settime(fd, 0, &its, nullptr));
  EXPECT_SYSCALL_ERRNO(read(fd, &expirations, sizeof(expirations)), EAGAIN);
  close(fd);
}

TEST(TimerfdTest, AbsoluteTimeInThePastFiresAtOnce) {
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  itimerspec its = Timer(now.tv_sec - 1, now.tv_nsec);
  ASSERT_SYSCALL_OK(timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, nullptr));
  uint64_t expirations = 0;
  EXPECT_EQ(read(fd, &expirations, sizeof(expirations)), 8);
  EXPECT_EQ(expirations, 1u);
  close(fd);
}

TEST(TimerfdTest, AbsoluteTimeIsReportedAsTimeLeft) {
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  itimerspec its = Timer(now.tv_sec + 50, now.tv_nsec);
  ASSERT_SYSCALL_OK(timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, nullptr));
  itimerspec left;
  ASSERT_SYSCALL_OK(timerfd_gettime(fd, &left));
  EXPECT_GT(Nanos(left.it_value), 40000000000LL);
  EXPECT_LE(Nanos(left.it_value), 50000000000LL);
  close(fd);
}

TEST(TimerfdTest, ReadsShorterThanEightBytesAreEINVAL) {
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  char small[4];
  EXPECT_SYSCALL_ERRNO(read(fd, small, sizeof(small)), EINVAL);
  close(fd);
}

TEST(TimerfdTest, InvalidTimeValuesAreEINVAL) {
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  itimerspec bad_value = Timer(0, 1000000000);
  EXPECT_SYSCALL_ERRNO(timerfd_settime(fd, 0, &bad_value, nullptr), EINVAL);
  itimerspec bad_interval = Timer(1, 0, 0, -1);
  EXPECT_SYSCALL_ERRNO(timerfd_settime(fd, 0, &bad_interval, nullptr), EINVAL);
  itimerspec negative = Timer(-1, 0);
  EXPECT_SYSCALL_ERRNO(timerfd_settime(fd, 0, &negative, nullptr), EINVAL);
  close(fd);
}

TEST(TimerfdTest, UnknownSettimeFlagIsEINVAL) {
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  itimerspec its = Timer(1, 0);
  EXPECT_SYSCALL_ERRNO(timerfd_settime(fd, 0x100, &its, nullptr), EINVAL);
  close(fd);
}

TEST(TimerfdTest, NonTimerfdIsEINVALAndBadFdIsEBADF) {
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  itimerspec its = Timer(1, 0);
  EXPECT_SYSCALL_ERRNO(timerfd_settime(fd, 0, &its, nullptr), EINVAL);
  EXPECT_SYSCALL_ERRNO(timerfd_gettime(fd, &its), EINVAL);
  close(fd);
  EXPECT_SYSCALL_ERRNO(timerfd_settime(-1, 0, &its, nullptr), EBADF);
  EXPECT_SYSCALL_ERRNO(timerfd_gettime(-1, &its), EBADF);
}

TEST(TimerfdTest, BadPointersAreEFAULT) {
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_SYSCALL_ERRNO(timerfd_settime(fd, 0, reinterpret_cast<itimerspec*>(1), nullptr),
                       EFAULT);
  EXPECT_SYSCALL_ERRNO(timerfd_gettime(fd, reinterpret_cast<itimerspec*>(1)), EFAULT);
  close(fd);
}

TEST(TimerfdTest, ExpiredTimerIsPOLLIN) {
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  pollfd pfd = {fd, POLLIN, 0};
  EXPECT_EQ(poll(&pfd, 1, 0), 0);
  itimerspec its = Timer(0, kMillisecond);
  ASSERT_SYSCALL_OK(timerfd_settime(fd, 0, &its, nullptr));
  EXPECT_EQ(poll(&pfd, 1, 5000), 1);
  EXPECT_EQ(pfd.revents, POLLIN);
  close(fd);
}

}  // namespace
}  // namespace runsc::syscall_test
