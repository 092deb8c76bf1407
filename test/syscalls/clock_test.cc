// Family: clock_gettime, clock_getres, clock_settime (refusals only),
// gettimeofday and time. Error cases use the raw syscalls: glibc answers
// these from the vDSO, which would crash on a bad pointer instead of
// returning EFAULT.
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

int64_t Nanos(const timespec& ts) { return ts.tv_sec * 1000000000LL + ts.tv_nsec; }

int64_t Now(clockid_t clock) {
  timespec ts;
  if (syscall(SYS_clock_gettime, clock, &ts) != 0) {
    ADD_FAILURE() << "clock_gettime(" << clock << "): " << strerror(errno);
    return -1;
  }
  return Nanos(ts);
}

// A CPU clock id for `pid` as the kernel encodes it (see clock_getcpuclockid).
clockid_t ProcessCpuClock(pid_t pid) { return (~static_cast<clockid_t>(pid) << 3) | 2; }

TEST(ClockTest, EveryStandardClockCanBeRead) {
  for (clockid_t clock : {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                          CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
                          CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_TAI}) {
    timespec ts = {-1, -1};
    EXPECT_EQ(syscall(SYS_clock_gettime, clock, &ts), 0) << "clock " << clock;
    EXPECT_GE(ts.tv_sec, 0) << "clock " << clock;
    EXPECT_GE(ts.tv_nsec, 0) << "clock " << clock;
    EXPECT_LT(ts.tv_nsec, 1000000000) << "clock " << clock;
  }
}

TEST(ClockTest, MonotonicNeverGoesBackwards) {
  int64_t last = Now(CLOCK_MONOTONIC);
  for (int i = 0; i < 1000; ++i) {
    int64_t now = Now(CLOCK_MONOTONIC);
    ASSERT_GE(now, last);
    last = now;
  }
}

TEST(ClockTest, VdsoAndSyscallMonotonicAgree) {
  timespec a, b;
  ASSERT_SYSCALL_OK(clock_gettime(CLOCK_MONOTONIC, &a));
  int64_t raw = Now(CLOCK_MONOTONIC);
  ASSERT_SYSCALL_OK(clock_gettime(CLOCK_MONOTONIC, &b));
  EXPECT_LE(Nanos(a), raw);
  EXPECT_LE(raw, Nanos(b));
}

TEST(ClockTest, BoottimeIsNeverBehindMonotonic) {
  int64_t monotonic = Now(CLOCK_MONOTONIC);
  int64_t boottime = Now(CLOCK_BOOTTIME);
  EXPECT_GE(boottime, monotonic);
}

TEST(ClockTest, CoarseMonotonicIsNotAheadOfAFineReadingTakenAfter) {
  int64_t coarse = Now(CLOCK_MONOTONIC_COARSE);
  int64_t fine = Now(CLOCK_MONOTONIC);
  EXPECT_LE(coarse, fine);
}

TEST(ClockTest, RealtimeAgreesWithTimeAndGettimeofday) {
  const time_t before = time(nullptr);
  const int64_t realtime = Now(CLOCK_REALTIME);
  timeval tv;
  ASSERT_SYSCALL_OK(syscall(SYS_gettimeofday, &tv, nullptr));
  const time_t after = time(nullptr);
  EXPECT_GE(realtime / 1000000000LL, before);
  EXPECT_LE(realtime / 1000000000LL, after);
  EXPECT_GE(tv.tv_sec * 1000000LL + tv.tv_usec, realtime / 1000);
  EXPECT_LE(tv.tv_sec, after);
  EXPECT_GE(tv.tv_usec, 0);
  EXPECT_LT(tv.tv_usec, 1000000);
}

TEST(ClockTest, ProcessCpuTimeAdvancesWithWork) {
  const int64_t start = Now(CLOCK_PROCESS_CPUTIME_ID);
  volatile uint64_t sink = 0;
  while (Now(CLOCK_PROCESS_CPUTIME_ID) - start < 5 * 1000000LL) {
    for (int i = 0; i < 10000; ++i) sink = sink + i;
  }
  EXPECT_GE(Now(CLOCK_PROCESS_CPUTIME_ID) - start, 5 * 1000000LL);
  EXPECT_GT(Now(CLOCK_THREAD_CPUTIME_ID), 0);
}

TEST(ClockTest, CpuClockOfThisProcessIsReadable) {
  clockid_t clock;
  ASSERT_EQ(clock_getcpuclockid(getpid(), &clock), 0);
  EXPECT_EQ(clock, ProcessCpuClock(getpid()));
  EXPECT_GT(Now(clock), 0);
}

TEST(ClockTest, UnknownClockIsEINVAL) {
  timespec ts;
  EXPECT_SYSCALL_ERRNO(syscall(SYS_clock_gettime, 12345, &ts), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_clock_getres, 12345, &ts), EINVAL);
}

TEST(ClockTest, CpuClockOfAMissingProcessIsEINVAL) {
  timespec ts;
  EXPECT_SYSCALL_ERRNO(syscall(SYS_clock_gettime, ProcessCpuClock(0x3ffffff0), &ts), EINVAL);
}

TEST(ClockTest, BadPointersAreEFAULT) {
  EXPECT_SYSCALL_ERRNO(syscall(SYS_clock_gettime, CLOCK_REALTIME, 1), EFAULT);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, 1), EFAULT);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_clock_getres, CLOCK_MONOTONIC, 1), EFAULT);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_gettimeofday, 1, nullptr), EFAULT);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_time, 1), EFAULT);
}

TEST(ClockTest, HighResolutionClocksReportANanosecondScaleResolution) {
  for (clockid_t clock : {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME}) {
    timespec res = {-1, -1};
    ASSERT_EQ(syscall(SYS_clock_getres, clock, &res), 0);
    EXPECT_EQ(res.tv_sec, 0) << "clock " << clock;
    EXPECT_GT(res.tv_nsec, 0) << "clock " << clock;
    EXPECT_LE(res.tv_nsec, 1000000) << "clock " << clock;
  }
}

TEST(ClockTest, CoarseClocksAreNoFinerThanTheirFineCounterparts) {
  timespec fine, coarse;
  ASSERT_SYSCALL_OK(syscall(SYS_clock_getres, CLOCK_MONOTONIC, &fine));
  ASSERT_SYSCALL_OK(syscall(SYS_clock_getres, CLOCK_MONOTONIC_COARSE, &coarse));
  EXPECT_GE(Nanos(coarse), Nanos(fine));
  EXPECT_GT(Nanos(coarse), 0);
}

TEST(ClockTest, GetresAcceptsANullPointer) {
  EXPECT_EQ(syscall(SYS_clock_getres, CLOCK_MONOTONIC, nullptr), 0);
}

TEST(ClockTest, TimeReturnsAndStoresTheSameSeconds) {
  time_t stored = 0;
  const long returned = syscall(SYS_time, &stored);
  EXPECT_EQ(returned, stored);
  EXPECT_GT(returned, 1600000000);  // After September 2020.
}

TEST(ClockTest, SettingANonSettableClockIsEINVAL) {
  timespec ts;
  ASSERT_SYSCALL_OK(clock_gettime(CLOCK_MONOTONIC, &ts));
  EXPECT_SYSCALL_ERRNO(clock_settime(CLOCK_MONOTONIC, &ts), EINVAL);
  EXPECT_SYSCALL_ERRNO(clock_settime(CLOCK_BOOTTIME, &ts), EINVAL);
}

}  // namespace
}  // namespace runsc::syscall_test
