// Family: nanosleep and clock_nanosleep. Sleeps are checked only as "at
// least this long"; interruptions use an ITIMER_REAL signal in a child.
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

constexpr long kMillisecond = 1000000;

// glibc's nanosleep() is clock_nanosleep underneath; this is the nanosleep syscall itself.
long RawNanosleep(const timespec* req, timespec* rem) { return syscall(SYS_nanosleep, req, rem); }

int64_t Nanos(const timespec& ts) { return ts.tv_sec * 1000000000LL + ts.tv_nsec; }

int64_t Now(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return Nanos(ts);
}

timespec FromNanos(int64_t nanos) {
  return timespec{static_cast<time_t>(nanos / 1000000000LL), static_cast<long>(nanos % 1000000000LL)};
}

// In a child: installs a SIGALRM handler without SA_RESTART and arms
// ITIMER_REAL to fire after `delay_ms`.
bool InterruptAfter(long delay_ms) {
  struct sigaction sa = {};
  sa.sa_handler = [](int) {};
  if (sigaction(SIGALRM, &sa, nullptr) != 0) return false;
  itimerval it = {};
  it.it_value.tv_usec = delay_ms * 1000;
  return setitimer(ITIMER_REAL, &it, nullptr) == 0;
}

TEST(NanosleepTest, SleepsAtLeastTheRequestedTime) {
  const int64_t start = Now(CLOCK_MONOTONIC);
  timespec req = {0, 10 * kMillisecond};
  EXPECT_EQ(RawNanosleep(&req, nullptr), 0);
  EXPECT_GE(Now(CLOCK_MONOTONIC) - start, 10 * kMillisecond);
}

TEST(NanosleepTest, ZeroDurationReturnsZero) {
  timespec req = {0, 0};
  timespec rem = {7, 7};
  EXPECT_EQ(RawNanosleep(&req, &rem), 0);
}

TEST(NanosleepTest, OutOfRangeNanosecondsAreEINVAL) {
  timespec too_big = {0, 1000000000};
  EXPECT_SYSCALL_ERRNO(RawNanosleep(&too_big, nullptr), EINVAL);
  timespec negative_nsec = {0, -1};
  EXPECT_SYSCALL_ERRNO(RawNanosleep(&negative_nsec, nullptr), EINVAL);
}

TEST(NanosleepTest, NegativeSecondsAreEINVAL) {
  timespec negative = {-1, 0};
  EXPECT_SYSCALL_ERRNO(RawNanosleep(&negative, nullptr), EINVAL);
}

TEST(NanosleepTest, BadRequestPointerIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(syscall(SYS_nanosleep, 1, nullptr), EFAULT);
}

TEST(NanosleepTest, SignalInterruptsWithEINTRAndWritesTheTimeLeft) {
  int status = RunInChild([] {
    if (!InterruptAfter(20)) return 2;
    timespec req = {5, 0};
    timespec rem = {-1, -1};
    if (RawNanosleep(&req, &rem) != -1 || errno != EINTR) return 1;
    // Woken after about 20ms: most of the five seconds are left.
    if (Nanos(rem) <= 0 || Nanos(rem) > Nanos(req)) return 3;
    if (rem.tv_nsec < 0 || rem.tv_nsec >= 1000000000) return 4;
    return 0;
  });
  EXPECT_EQ(status, 0);
}

TEST(NanosleepTest, InterruptedWithABadRemainderPointerIsEFAULT) {
  int status = RunInChild([] {
    if (!InterruptAfter(20)) return 2;
    timespec req = {5, 0};
    long rc = syscall(SYS_nanosleep, &req, 1);
    return rc == -1 && errno == EFAULT ? 0 : 1;
  });
  EXPECT_EQ(status, 0);
}

TEST(ClockNanosleepTest, RelativeSleepLastsAtLeastTheRequestedTime) {
  for (clockid_t clock : {CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME}) {
    const int64_t start = Now(clock);
    timespec req = {0, 5 * kMillisecond};
    EXPECT_EQ(clock_nanosleep(clock, 0, &req, nullptr), 0) << "clock " << clock;
    EXPECT_GE(Now(clock) - start, 5 * kMillisecond) << "clock " << clock;
  }
}

TEST(ClockNanosleepTest, AbsoluteSleepEndsNoEarlierThanTheDeadline) {
  const timespec deadline = FromNanos(Now(CLOCK_MONOTONIC) + 10 * kMillisecond);
  EXPECT_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr), 0);
  EXPECT_GE(Now(CLOCK_MONOTONIC), Nanos(deadline));
}

TEST(ClockNanosleepTest, AbsoluteDeadlineInThePastReturnsAtOnce) {
  const timespec past = FromNanos(Now(CLOCK_MONOTONIC) - 1000 * kMillisecond);
  EXPECT_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, nullptr), 0);
  const timespec zero = {0, 0};
  EXPECT_EQ(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &zero, nullptr), 0);
}

TEST(ClockNanosleepTest, ErrorsAreReturnedNotSetInErrno) {
  timespec bad = {0, 1000000000};
  errno = 0;
  EXPECT_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, nullptr), EINVAL);
  EXPECT_EQ(errno, 0);
}

TEST(ClockNanosleepTest, UnknownOrThreadCpuClockIsEINVAL) {
  timespec req = {0, 1};
  EXPECT_EQ(clock_nanosleep(12345, 0, &req, nullptr), EINVAL);
  EXPECT_EQ(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, nullptr), EINVAL);
}

TEST(ClockNanosleepTest, BadRequestPointerIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, 1, nullptr), EFAULT);
}

TEST(ClockNanosleepTest, InterruptedRelativeSleepWritesTheTimeLeft) {
  int status = RunInChild([] {
    if (!InterruptAfter(20)) return 2;
    timespec req = {5, 0};
    timespec rem = {-1, -1};
    if (clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem) != EINTR) return 1;
    return Nanos(rem) > 0 && Nanos(rem) <= Nanos(req) ? 0 : 3;
  });
  EXPECT_EQ(status, 0);
}

TEST(ClockNanosleepTest, InterruptedAbsoluteSleepLeavesTheRemainderAlone) {
  int status = RunInChild([] {
    if (!InterruptAfter(20)) return 2;
    const timespec deadline = FromNanos(Now(CLOCK_MONOTONIC) + 5000 * kMillisecond);
    timespec rem = {-1, -1};
    if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, &rem) != EINTR) return 1;
    return rem.tv_sec == -1 && rem.tv_nsec == -1 ? 0 : 3;
  });
  EXPECT_EQ(status, 0);
}

}  // namespace
}  // namespace runsc::syscall_test
