// Interval timers: alarm(2), setitimer(2), getitimer(2).
//
// ITIMER_REAL runs on the kernel's IntervalTimerService: at expiry SIGALRM
// (si_code SI_KERNEL, as Linux's it_real_fn) is queued for the process
// through Kernel::SendSignalLocked, which kicks the task out of its stub or
// out of a blocking wait. Timers are per process, kept across execve and
// not inherited by fork (the child is a new owner). ITIMER_PROF and
// ITIMER_VIRTUAL count the process's CPU time (user+system, and user only,
// of its stub) on a CpuTimer of the thread group, and send SIGPROF or
// SIGVTALRM to the process.
#include <sys/syscall.h>
#include <sys/time.h>

#include "sentry/kernel/kernel.h"
#include "syscalls/helpers.h"
#include "syscalls/process_cpu_clock.h"

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

// The process's CPU timer for ITIMER_PROF or ITIMER_VIRTUAL, made at
// first use.
std::shared_ptr<sentry::CpuTimer> CpuItimer(Task& t, int which) {
  sentry::Kernel& k = t.kernel();
  absl::MutexLock lock(&k.mu);
  sentry::ThreadGroup& group = t.group();
  std::shared_ptr<sentry::CpuTimer>& timer = which == ITIMER_PROF ? group.itimer_prof : group.itimer_virtual;
  if (timer == nullptr) {
    const CpuClockKind kind = which == ITIMER_PROF ? CpuClockKind::kProf : CpuClockKind::kVirtual;
    const int signo = which == ITIMER_PROF ? SIGPROF : SIGVTALRM;
    std::weak_ptr<sentry::ThreadGroup> weak = t.group_shared();
    timer = sentry::CpuTimer::Create(k.interval_timers(), ProcessCpuSampler(t, kind),
                                     [&k, weak, signo](int64_t) {
                                       std::shared_ptr<sentry::ThreadGroup> g = weak.lock();
                                       if (g == nullptr) return false;
                                       absl::MutexLock lock(&k.mu);
                                       if (g->members.empty() || g->leader->zombie) return false;
                                       siginfo_t info{};
                                       info.si_signo = signo;
                                       info.si_code = SI_KERNEL;
                                       k.SendGroupSignalLocked(*g->leader, info);
                                       return true;
                                     });
  }
  return timer;
}

IntervalTimerService::Setting SetTimer(Task& t, const std::shared_ptr<Task>& self, int which,
                                       IntervalTimerService::Setting setting) {
  if (which == ITIMER_REAL) return t.kernel().interval_timers().Set(self, which, setting, SendSigalrm(self));
  absl::StatusOr<IntervalTimerService::Setting> old = CpuItimer(t, which)->Set(setting);
  return old.ok() ? *old : IntervalTimerService::Setting{};
}

IntervalTimerService::Setting GetTimer(Task& t, const std::shared_ptr<Task>& self, int which) {
  if (which == ITIMER_REAL) return t.kernel().interval_timers().Get(self, which);
  absl::StatusOr<IntervalTimerService::Setting> s = CpuItimer(t, which)->Get();
  return s.ok() ? *s : IntervalTimerService::Setting{};
}

SyscallResult Getitimer(Task& t, const SyscallArgs& a) {
  const int which = static_cast<int>(a[0]);
  if (!KnownTimer(which)) return SyscallResult::Error(EINVAL);
  std::shared_ptr<Task> self = Self(t);
  if (self == nullptr) return SyscallResult::Error(ESRCH);
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[1], ToItimerval(GetTimer(t, self, which))));
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
                      "ITIMER_PROF/VIRTUAL sample the stub's CPU time (100 us at best) and count no sentry time"};
  t[SYS_getitimer] = {"getitimer", Getitimer, Support::kFull, ""};
}

}  // namespace runsc::syscalls
