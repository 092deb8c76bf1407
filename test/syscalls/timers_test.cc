// Family: POSIX interval timers (timer_create/settime/gettime/getoverrun/
// delete), alarm, and setitimer/getitimer. The timer syscalls are used raw:
// glibc's timer_t wraps the kernel's integer id. Every test that arms a timer
// that delivers a signal runs in a child, with the signal blocked and
// collected by sigtimedwait.
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

constexpr long kMillisecond = 1000000;

// The kernel's timer id (kernel_timer_t).
using KernelTimer = int;

long TimerCreate(clockid_t clock, sigevent* sev, KernelTimer* id) {
  return syscall(SYS_timer_create, clock, sev, id);
}
long TimerSettime(KernelTimer id, int flags, const itimerspec* value, itimerspec* old) {
  return syscall(SYS_timer_settime, id, flags, value, old);
}
long TimerGettime(KernelTimer id, itimerspec* value) {
  return syscall(SYS_timer_gettime, id, value);
}
long TimerDelete(KernelTimer id) { return syscall(SYS_timer_delete, id); }

sigevent SignalEvent(int signo, int value) {
  sigevent sev = {};
  sev.sigev_notify = SIGEV_SIGNAL;
  sev.sigev_signo = signo;
  sev.sigev_value.sival_int = value;
  return sev;
}

// For timers that must not disturb the test if they fire: SIGWINCH is
// ignored by default. (SIGEV_NONE would do, but Linux reports a disarmed
// SIGEV_NONE timer's stale expiry from timer_gettime.)
sigevent QuietEvent() { return SignalEvent(SIGWINCH, 0); }

itimerspec Spec(long value_ns, long interval_ns = 0) {
  itimerspec its = {};
  its.it_value = {value_ns / 1000000000, value_ns % 1000000000};
  its.it_interval = {interval_ns / 1000000000, interval_ns % 1000000000};
  return its;
}

int64_t Nanos(const timespec& ts) { return ts.tv_sec * 1000000000LL + ts.tv_nsec; }

bool BlockSignal(int signo) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signo);
  return sigprocmask(SIG_BLOCK, &set, nullptr) == 0;
}

// Waits up to five seconds for `signo` (which must be blocked).
bool WaitForSignal(int signo, siginfo_t* info) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signo);
  timespec timeout = {5, 0};
  return sigtimedwait(&set, info, &timeout) == signo;
}

TEST(TimersTest, SigevSignalTimerDeliversItsSignalWithSiTimer) {
  int status = RunInChild([] {
    if (!BlockSignal(SIGUSR1)) return 2;
    sigevent sev = SignalEvent(SIGUSR1, 1234);
    KernelTimer id = -1;
    if (TimerCreate(CLOCK_MONOTONIC, &sev, &id) != 0) return 3;
    itimerspec its = Spec(kMillisecond);
    if (TimerSettime(id, 0, &its, nullptr) != 0) return 4;
    siginfo_t info = {};
    if (!WaitForSignal(SIGUSR1, &info)) return 5;
    if (info.si_code != SI_TIMER) return 6;
    if (info.si_value.sival_int != 1234) return 7;
    if (info.si_timerid != id) return 8;
    return TimerDelete(id) == 0 ? 0 : 9;
  });
  EXPECT_EQ(status, 0);
}

TEST(TimersTest, NewTimerIsDisarmedAndIdsAreDistinct) {
  sigevent sev = QuietEvent();
  KernelTimer a = -1, b = -1;
  ASSERT_SYSCALL_OK(TimerCreate(CLOCK_MONOTONIC, &sev, &a));
  ASSERT_SYSCALL_OK(TimerCreate(CLOCK_MONOTONIC, &sev, &b));
  EXPECT_NE(a, b);
  itimerspec its = Spec(1, 1);
  ASSERT_SYSCALL_OK(TimerGettime(a, &its));
  EXPECT_EQ(Nanos(its.it_value), 0);
  EXPECT_EQ(Nanos(its.it_interval), 0);
  EXPECT_SYSCALL_OK(TimerDelete(a));
  EXPECT_SYSCALL_OK(TimerDelete(b));
}

TEST(TimersTest, GettimeShowsTheTimeLeftAndSettimeReturnsTheOldValue) {
  sigevent sev = QuietEvent();
  KernelTimer id = -1;
  ASSERT_SYSCALL_OK(TimerCreate(CLOCK_MONOTONIC, &sev, &id));
  itimerspec its = Spec(100000 * kMillisecond, 3000 * kMillisecond);
  ASSERT_SYSCALL_OK(TimerSettime(id, 0, &its, nullptr));
  itimerspec left;
  ASSERT_SYSCALL_OK(TimerGettime(id, &left));
  EXPECT_GT(Nanos(left.it_value), 90000 * kMillisecond);
  EXPECT_LE(Nanos(left.it_value), 100000 * kMillisecond);
  EXPECT_EQ(Nanos(left.it_interval), 3000 * kMillisecond);
  itimerspec disarm = Spec(0), old;
  ASSERT_SYSCALL_OK(TimerSettime(id, 0, &disarm, &old));
  EXPECT_GT(Nanos(old.it_value), 0);
  EXPECT_EQ(Nanos(old.it_interval), 3000 * kMillisecond);
  ASSERT_SYSCALL_OK(TimerGettime(id, &left));
  EXPECT_EQ(Nanos(left.it_value), 0);
  EXPECT_SYSCALL_OK(TimerDelete(id));
}

TEST(TimersTest, SigevNoneTimerCountsDown) {
  sigevent sev = {};
  sev.sigev_notify = SIGEV_NONE;
  KernelTimer id = -1;
  ASSERT_SYSCALL_OK(TimerCreate(CLOCK_MONOTONIC, &sev, &id));
  itimerspec its = Spec(100000 * kMillisecond);
  ASSERT_SYSCALL_OK(TimerSettime(id, 0, &its, nullptr));
  itimerspec left;
  ASSERT_SYSCALL_OK(TimerGettime(id, &left));
  EXPECT_GT(Nanos(left.it_value), 90000 * kMillisecond);
  EXPECT_LE(Nanos(left.it_value), 100000 * kMillisecond);
  EXPECT_SYSCALL_OK(TimerDelete(id));
}

TEST(TimersTest, AbsoluteTimeIsReportedAsTimeLeft) {
  sigevent sev = QuietEvent();
  KernelTimer id = -1;
  ASSERT_SYSCALL_OK(TimerCreate(CLOCK_MONOTONIC, &sev, &id));
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  itimerspec its = {};
  its.it_value = {now.tv_sec + 50, now.tv_nsec};
  ASSERT_SYSCALL_OK(TimerSettime(id, TIMER_ABSTIME, &its, nullptr));
  itimerspec left;
  ASSERT_SYSCALL_OK(TimerGettime(id, &left));
  EXPECT_GT(Nanos(left.it_value), 40000 * kMillisecond);
  EXPECT_LE(Nanos(left.it_value), 50000 * kMillisecond);
  EXPECT_SYSCALL_OK(TimerDelete(id));
}

TEST(TimersTest, DeletedTimerIsEINVAL) {
  sigevent sev = QuietEvent();
  KernelTimer id = -1;
  ASSERT_SYSCALL_OK(TimerCreate(CLOCK_MONOTONIC, &sev, &id));
  ASSERT_SYSCALL_OK(TimerDelete(id));
  itimerspec its;
  EXPECT_SYSCALL_ERRNO(TimerGettime(id, &its), EINVAL);
  EXPECT_SYSCALL_ERRNO(TimerDelete(id), EINVAL);
}

TEST(TimersTest, UnknownTimerIdIsEINVAL) {
  itimerspec its = Spec(kMillisecond);
  EXPECT_SYSCALL_ERRNO(TimerSettime(123456, 0, &its, nullptr), EINVAL);
  EXPECT_SYSCALL_ERRNO(TimerGettime(123456, &its), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_timer_getoverrun, 123456), EINVAL);
}

TEST(TimersTest, UnknownClockIsEINVAL) {
  sigevent sev = QuietEvent();
  KernelTimer id;
  EXPECT_SYSCALL_ERRNO(TimerCreate(12345, &sev, &id), EINVAL);
}

TEST(TimersTest, InvalidSigeventIsEINVAL) {
  KernelTimer id;
  sigevent bad_notify = {};
  bad_notify.sigev_notify = 12345;
  EXPECT_SYSCALL_ERRNO(TimerCreate(CLOCK_MONOTONIC, &bad_notify, &id), EINVAL);
  sigevent bad_signal = SignalEvent(0, 0);
  EXPECT_SYSCALL_ERRNO(TimerCreate(CLOCK_MONOTONIC, &bad_signal, &id), EINVAL);
  sigevent big_signal = SignalEvent(_NSIG + 1, 0);
  EXPECT_SYSCALL_ERRNO(TimerCreate(CLOCK_MONOTONIC, &big_signal, &id), EINVAL);
}

TEST(TimersTest, BadPointersAreEFAULT) {
  KernelTimer id;
  EXPECT_SYSCALL_ERRNO(TimerCreate(CLOCK_MONOTONIC, reinterpret_cast<sigevent*>(1), &id), EFAULT);
  sigevent sev = QuietEvent();
  ASSERT_SYSCALL_OK(TimerCreate(CLOCK_MONOTONIC, &sev, &id));
  EXPECT_SYSCALL_ERRNO(TimerSettime(id, 0, reinterpret_cast<itimerspec*>(1), nullptr), EFAULT);
  EXPECT_SYSCALL_ERRNO(TimerGettime(id, reinterpret_cast<itimerspec*>(1)), EFAULT);
  EXPECT_SYSCALL_OK(TimerDelete(id));
}

TEST(TimersTest, InvalidTimeValueIsEINVAL) {
  sigevent sev = QuietEvent();
  KernelTimer id;
  ASSERT_SYSCALL_OK(TimerCreate(CLOCK_MONOTONIC, &sev, &id));
  itimerspec bad = {};
  bad.it_value.tv_nsec = 1000000000;
  EXPECT_SYSCALL_ERRNO(TimerSettime(id, 0, &bad, nullptr), EINVAL);
  EXPECT_SYSCALL_OK(TimerDelete(id));
}

TEST(TimersTest, PeriodicTimerWithTheSignalPendingCountsOverruns) {
  int status = RunInChild([] {
    if (!BlockSignal(SIGUSR2)) return 2;
    sigevent sev = SignalEvent(SIGUSR2, 0);
    KernelTimer id = -1;
    if (TimerCreate(CLOCK_MONOTONIC, &sev, &id) != 0) return 3;
    itimerspec its = Spec(kMillisecond, kMillisecond);
    if (TimerSettime(id, 0, &its, nullptr) != 0) return 4;
    timespec nap = {0, 30 * kMillisecond};
    nanosleep(&nap, nullptr);
    siginfo_t info = {};
    if (!WaitForSignal(SIGUSR2, &info)) return 5;
    // Only one signal is queued; the expirations it stands for are overruns.
    if (info.si_overrun < 1) return 6;
    if (syscall(SYS_timer_getoverrun, id) != info.si_overrun) return 7;
    return 0;
  });
  EXPECT_EQ(status, 0);
}

TEST(TimersTest, TimersAreNotInheritedAcrossFork) {
  int status = RunInChild([] {
    sigevent sev = QuietEvent();
    KernelTimer id = -1;
    if (TimerCreate(CLOCK_MONOTONIC, &sev, &id) != 0) return 2;
    pid_t grandchild = fork();
    if (grandchild < 0) return 3;
    if (grandchild == 0) {
      itimerspec its;
      _exit(TimerGettime(id, &its) == -1 && errno == EINVAL ? 0 : 1);
    }
    int st = 0;
    if (waitpid(grandchild, &st, 0) != grandchild) return 4;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 5;
  });
  EXPECT_EQ(status, 0);
}

TEST(AlarmTest, AlarmReturnsTheSecondsLeftOnTheOldAlarm) {
  int status = RunInChild([] {
    alarm(0);  // Drop RunInChild's watchdog; this test cannot block.
    if (alarm(100) != 0) return 1;
    unsigned left = alarm(0);
    if (left < 99 || left > 100) return 2;
    return alarm(0) == 0 ? 0 : 3;
  });
  EXPECT_EQ(status, 0);
}

TEST(ItimerTest, ItimerRealDeliversSIGALRM) {
  int status = RunInChild([] {
    if (!BlockSignal(SIGALRM)) return 2;
    itimerval it = {};
    it.it_value.tv_usec = 5000;
    if (setitimer(ITIMER_REAL, &it, nullptr) != 0) return 3;
    siginfo_t info = {};
    if (!WaitForSignal(SIGALRM, &info)) return 4;
    return info.si_code == SI_KERNEL ? 0 : 5;
  });
  EXPECT_EQ(status, 0);
}

TEST(ItimerTest, GetitimerReportsTheTimeLeftAndTheInterval) {
  int status = RunInChild([] {
    itimerval it = {};
    it.it_value.tv_sec = 100;
    it.it_interval.tv_sec = 2;
    it.it_interval.tv_usec = 500;
    itimerval old;
    if (setitimer(ITIMER_REAL, &it, &old) != 0) return 2;
    // The old value is RunInChild's alarm.
    if (old.it_value.tv_sec > 10 || old.it_interval.tv_sec != 0) return 3;
    itimerval now;
    if (getitimer(ITIMER_REAL, &now) != 0) return 4;
    if (now.it_value.tv_sec < 90 || now.it_value.tv_sec > 100) return 5;
    if (now.it_interval.tv_sec != 2 || now.it_interval.tv_usec != 500) return 6;
    itimerval zero = {};
    if (setitimer(ITIMER_REAL, &zero, nullptr) != 0) return 7;
    if (getitimer(ITIMER_REAL, &now) != 0) return 8;
    return now.it_value.tv_sec == 0 && now.it_value.tv_usec == 0 ? 0 : 9;
  });
  EXPECT_EQ(status, 0);
}

TEST(ItimerTest, UnknownWhichIsEINVAL) {
  itimerval it = {};
  EXPECT_SYSCALL_ERRNO(syscall(SYS_getitimer, 12345, &it), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_setitimer, 12345, &it, nullptr), EINVAL);
}

TEST(ItimerTest, OutOfRangeMicrosecondsAreEINVAL) {
  int status = RunInChild([] {
    itimerval it = {};
    it.it_value.tv_usec = 1000000;
    if (setitimer(ITIMER_REAL, &it, nullptr) != -1 || errno != EINVAL) return 1;
    it.it_value.tv_usec = -1;
    if (setitimer(ITIMER_REAL, &it, nullptr) != -1 || errno != EINVAL) return 2;
    return 0;
  });
  EXPECT_EQ(status, 0);
}

TEST(ItimerTest, BadPointerIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(syscall(SYS_getitimer, ITIMER_REAL, 1), EFAULT);
}

TEST(ItimerTest, ItimerProfFiresOnCpuTime) {
  int status = RunInChild([] {
    if (!BlockSignal(SIGPROF)) return 2;
    itimerval it = {};
    it.it_value.tv_usec = 5000;
    if (setitimer(ITIMER_PROF, &it, nullptr) != 0) return 3;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPROF);
    volatile uint64_t sink = 0;
    for (long spins = 0; spins < 4000000000L; ++spins) {
      sink = sink + spins;
      if ((spins & 0xffff) == 0) {
        sigset_t pending;
        sigpending(&pending);
        if (sigismember(&pending, SIGPROF)) return 0;
      }
    }
    return 1;
  });
  EXPECT_EQ(status, 0);
}

}  // namespace
}  // namespace runsc::syscall_test
