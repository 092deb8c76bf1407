// Interval timers: alarm(2), setitimer(2), getitimer(2).
//
// ITIMER_REAL runs on the kernel's IntervalTimerService: at expiry SIGALRM
// (si_code SI_KERNEL, as Linux's it_real_fn) is queued for the process
// through Kernel::SendSignalLocked, which kicks the task out of its stub or
// out of a blocking wait. Timers are per process, kept across execve and
// not inherited by fork (the child is a new owner). ITIMER_VIRTUAL and
// ITIMER_PROF are accepted but stay disarmed (getitimer reads zero): the
// sentry does not account the application's CPU time yet.
#include <sys/syscall.h>
#include <sys/time.h>

#include "syscalls/helpers.h"

namespace runsc::syscalls {
namespace {

using sentry::IntervalTimerService;
using sentry::Task;

constexpr int64_t kMicrosPerSecond = 1000000;

bool ValidTimeval(const struct timeval& tv) {
  return tv.tv_sec >= 0 && tv.tv_usec >= 0 && tv.tv_usec < kMicrosPerSecond;
}

// Reported times are whole microseconds; an armed timer never reads zero.
struct timeval ToTimeval(absl::Duration d, bool armed) {
  if (armed && d < absl::Microseconds(1)) d = absl::Microseconds(1);
  return absl::ToTimeval(absl::Trunc(d, absl::Microseconds(1)));
}

struct itimerval ToItimerval(const IntervalTimerService::Setting& s) {
  struct itimerval it;
  it.it_value = ToTimeval(s.value, s.value > absl::ZeroDuration());
  it.it_interval = ToTimeval(s.interval, false);
  return it;
}

// The expiry of a process's ITIMER_REAL: SIGALRM for the task, if it is
// still there.
IntervalTimerService::ExpiryCallback SendSigalrm(const std::shared_ptr<Task>& task) {
  return [weak = std::weak_ptr<Task>(task)] {
    std::shared_ptr<Task> target = weak.lock();
    if (target == nullptr) return false;
    sentry::Kernel& k = target->kernel();
    absl::MutexLock lock(&k.mu);
    if (target->zombie || target->group().members.empty()) return false;
    siginfo_t info{};
    info.si_signo = SIGALRM;
    info.si_code = SI_KERNEL;
    k.SendGroupSignalLocked(*target, info);
    return true;
  };
}

std::shared_ptr<Task> Self(Task& t) {
  absl::MutexLock lock(&t.kernel().mu);
  return t.kernel().FindTaskShared(t.tgid());
}

bool KnownTimer(int which) { return which == ITIMER_REAL || which == ITIMER_VIRTUAL || which == ITIMER_PROF; }

// ITIMER_VIRTUAL and ITIMER_PROF are accepted and never armed: they read
// back as disarmed.
IntervalTimerService::Setting SetTimer(Task& t, const std::shared_ptr<Task>& self, int which,
                                       IntervalTimerService::Setting setting) {
  if (which != ITIMER_REAL) return {};
  return t.kernel().interval_timers().Set(self, which, setting, SendSigalrm(self));
}

SyscallResult Getitimer(Task& t, const SyscallArgs& a) {
  const int which = static_cast<int>(a[0]);
  if (!KnownTimer(which)) return SyscallResult::Error(EINVAL);
  std::shared_ptr<Task> self = Self(t);
  if (self == nullptr) return SyscallResult::Error(ESRCH);
  IntervalTimerService::Setting s;
  if (which == ITIMER_REAL) s = t.kernel().interval_timers().Get(self, which);
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[1], ToItimerval(s)));
  return SyscallResult::Value(0);
}

SyscallResult Setitimer(Task& t, const SyscallArgs& a) {
  const int which = static_cast<int>(a[0]);
  // As Linux, a null new value disarms.
  struct itimerval it {};
  if (a[1] != 0) RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[1], it));
  if (!KnownTimer(which)) return SyscallResult::Error(EINVAL);
  if (!ValidTimeval(it.it_value) || !ValidTimeval(it.it_interval)) return SyscallResult::Error(EINVAL);
  std::shared_ptr<Task> self = Self(t);
  if (self == nullptr) return SyscallResult::Error(ESRCH);
  const IntervalTimerService::Setting old =
      SetTimer(t, self, which, {absl::DurationFromTimeval(it.it_value), absl::DurationFromTimeval(it.it_interval)});
  if (a[2] != 0) RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[2], ToItimerval(old)));
  return SyscallResult::Value(0);
}

SyscallResult Alarm(Task& t, const SyscallArgs& a) {
  // alarm(2) is setitimer(ITIMER_REAL) in whole seconds; the seconds left
  // are rounded to the nearest, and a pending alarm never reads 0.
  const unsigned seconds = static_cast<unsigned>(a[0]);
  std::shared_ptr<Task> self = Self(t);
  if (self == nullptr) return SyscallResult::Error(ESRCH);
  const IntervalTimerService::Setting old =
      SetTimer(t, self, ITIMER_REAL, {absl::Seconds(seconds), absl::ZeroDuration()});
  const struct timeval left = ToTimeval(old.value, old.value > absl::ZeroDuration());
  int64_t result = left.tv_sec;
  if ((result == 0 && left.tv_usec != 0) || left.tv_usec >= kMicrosPerSecond / 2) ++result;
  return SyscallResult::Value(result);
}

}  // namespace

void RegisterItimer(SyscallTable& t) {
  t[SYS_alarm] = {"alarm", Alarm, Support::kFull, "SIGALRM from the kernel's timer thread"};
  t[SYS_setitimer] = {"setitimer", Setitimer, Support::kPartial,
                      "ITIMER_REAL delivers SIGALRM; ITIMER_VIRTUAL/PROF accepted but never armed"};
  t[SYS_getitimer] = {"getitimer", Getitimer, Support::kPartial,
                      "ITIMER_VIRTUAL/PROF always read disarmed"};
}

}  // namespace runsc::syscalls
