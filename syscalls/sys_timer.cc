// POSIX timers: timer_create, timer_settime, timer_gettime,
// timer_getoverrun, timer_delete.
//
// The bookkeeping (ids, notification, overruns) is the process's
// PosixTimerTable, under the kernel's lock. A timer on a wall clock
// (CLOCK_REALTIME, MONOTONIC, BOOTTIME, TAI) runs on the kernel's
// IntervalTimerService, owned by the thread group and named by the timer id;
// a timer on a CPU-time clock runs on a CpuTimer that samples the process's
// stub (process_cpu_clock.h). At expiry the timer's signal (SI_TIMER, its id
// and sigev_value) goes to the process or, for SIGEV_THREAD_ID, to one of
// its threads, unless it is still pending: then the expiry is an overrun.
#include "syscalls/sys_timer.h"

#include <sys/syscall.h>
#include <time.h>

#include <optional>

#include "sentry/kernel/kernel.h"
#include "syscalls/helpers.h"
#include "syscalls/process_cpu_clock.h"

namespace runsc::syscalls {
namespace {

using sentry::CpuTimer;
using sentry::IntervalTimerService;
using sentry::Kernel;
using sentry::PosixTimer;
using sentry::Task;
using sentry::ThreadGroup;

constexpr int kMaxSignal = 64;
constexpr int64_t kNanosPerSecond = 1000000000;

// What a clock id names, for a timer.
struct TimerClock {
  bool cpu = false;
  // For a CPU-time clock: whose CPU time and which kind.
  std::shared_ptr<Task> cpu_target;
  CpuClockKind kind = CpuClockKind::kSched;
};

// The clock of a new timer, or the errno Linux gives: clocks that exist but
// take no timers (the raw and coarse ones, and the alarm clocks, which need
// an RTC the sandbox does not have) are EOPNOTSUPP.
absl::StatusOr<TimerClock> ResolveClock(Task& t, clockid_t id) {
  switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_MONOTONIC:
    case CLOCK_BOOTTIME:
    case CLOCK_TAI:
      return TimerClock{};
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_REALTIME_ALARM:
    case CLOCK_BOOTTIME_ALARM:
      return ErrnoError(EOPNOTSUPP, "this clock takes no timers");
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
      break;
    default:
      if (id >= 0) return ErrnoError(EINVAL, "unknown clock");
  }
  TimerClock clock;
  clock.cpu = true;
  int pid = 0;
  bool per_thread = id == CLOCK_THREAD_CPUTIME_ID;
  if (id < 0) {
    const int kind = id & 3;
    if (kind == 3) return ErrnoError(EINVAL, "unknown CPU clock kind");
    clock.kind = static_cast<CpuClockKind>(kind);
    per_thread = (id & 4) != 0;
    pid = ~(id >> 3);
  }
  Kernel& k = t.kernel();
  absl::MutexLock lock(&k.mu);
  clock.cpu_target = pid == 0 ? k.FindTaskShared(t.tid()) : k.FindTaskShared(pid);
  if (clock.cpu_target == nullptr || clock.cpu_target->zombie) return ErrnoError(EINVAL, "no such task");
  // Linux lets a thread clock's timer watch only the caller's own threads,
  // and a process clock name a process, not a thread.
  if (per_thread && &clock.cpu_target->group() != &t.group()) return ErrnoError(EINVAL, "foreign thread");
  if (!per_thread && !clock.cpu_target->is_leader()) return ErrnoError(EINVAL, "not a process");
  return clock;
}

// Validates a sigevent as Linux's good_sigevent(); `t`'s threads are the
// only SIGEV_THREAD_ID targets.
absl::Status CheckSigevent(Task& t, const sigevent& sev) {
  switch (sev.sigev_notify) {
    case SIGEV_SIGNAL | SIGEV_THREAD_ID: {
      Kernel& k = t.kernel();
      absl::MutexLock lock(&k.mu);
      std::shared_ptr<Task> target = k.FindTaskShared(sev._sigev_un._tid);
      if (target == nullptr || &target->group() != &t.group() || target->zombie) {
        return ErrnoError(EINVAL, "SIGEV_THREAD_ID names no thread of this process");
      }
    }
      [[fallthrough]];
    case SIGEV_SIGNAL:
    case SIGEV_THREAD:
      if (sev.sigev_signo <= 0 || sev.sigev_signo > kMaxSignal) return ErrnoError(EINVAL, "bad signal");
      [[fallthrough]];
    case SIGEV_NONE:
      return absl::OkStatus();
    default:
      return ErrnoError(EINVAL, "unknown sigev_notify");
  }
}

// An expiry of timer `id` of `weak_group`'s process: `expirations` for a
// CPU timer, counted from the setting for a wall one (`serial` then names
// the setting the expiry belongs to). False once the timer or its process
// is gone.
bool FireTimer(Kernel& k, const std::weak_ptr<ThreadGroup>& weak_group, int id,
               std::optional<uint64_t> serial, int64_t cpu_expirations) {
  std::shared_ptr<ThreadGroup> group = weak_group.lock();
  if (group == nullptr) return false;
  absl::MutexLock lock(&k.mu);
  if (group->members.empty() || group->exiting) return false;
  PosixTimer* timer = group->posix_timers.Find(id);
  if (timer == nullptr || (serial.has_value() && timer->arm_serial != *serial)) return false;
  const int64_t expirations =
      serial.has_value() ? sentry::PosixTimerTable::WallExpirationsDue(*timer, absl::Now()) : cpu_expirations;
  Task* thread = nullptr;
  if (timer->notify == (SIGEV_SIGNAL | SIGEV_THREAD_ID)) {
    for (Task* member : group->members) {
      if (member->tid() == timer->target_tid) thread = member;
    }
    // Linux drops the signal of a timer whose thread is gone.
    if (thread == nullptr) return true;
  }
  const bool queued = sentry::PosixTimerTable::SignalQueued(id, thread != nullptr ? thread->pending : group->pending);
  if (!group->posix_timers.Expire(id, expirations, queued)) return true;
  const siginfo_t info = sentry::PosixTimerTable::SignalInfo(id, *timer);
  if (thread != nullptr) {
    k.SendSignalLocked(*thread, info);
  } else {
    k.SendGroupSignalLocked(*group->leader, info);
  }
  return true;
}

bool ValidTimespec(const timespec& ts) {
  return ts.tv_sec >= 0 && ts.tv_nsec >= 0 && ts.tv_nsec < kNanosPerSecond;
}

// Time left is never reported as zero for an armed timer (the settings
// already guarantee that).
itimerspec ToItimerspec(const IntervalTimerService::Setting& s) {
  itimerspec its{};
  its.it_value = absl::ToTimespec(s.value);
  its.it_interval = absl::ToTimespec(s.interval);
  return its;
}

// A snapshot of what settime/gettime need, taken under the kernel's lock.
struct TimerRef {
  std::shared_ptr<CpuTimer> cpu_timer;  // Null for a wall-clock timer.
  clockid_t clock = CLOCK_MONOTONIC;
};

absl::StatusOr<TimerRef> LookUp(Task& t, int id) {
  absl::MutexLock lock(&t.kernel().mu);
  PosixTimer* timer = t.group().posix_timers.Find(id);
  if (timer == nullptr) return ErrnoError(EINVAL, "no such timer");
  return TimerRef{timer->cpu_timer, timer->clock};
}

SyscallResult TimerCreate(Task& t, const SyscallArgs& a) {
  const clockid_t clock_id = static_cast<clockid_t>(a[0]);
  sigevent sev{};
  const bool default_event = a[1] == 0;
  if (!default_event) RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[1], sev));
  absl::StatusOr<TimerClock> clock = ResolveClock(t, clock_id);
  if (!clock.ok()) return FromStatus(clock.status());
  if (!default_event) RUNSC_RETURN_IF_ERROR(CheckSigevent(t, sev));

  PosixTimer timer;
  timer.clock = clock_id;
  if (default_event) {
    timer.notify = SIGEV_SIGNAL;
    timer.signo = SIGALRM;
  } else {
    timer.notify = sev.sigev_notify == SIGEV_THREAD ? SIGEV_SIGNAL : sev.sigev_notify;
    timer.signo = sev.sigev_signo;
    timer.value = sev.sigev_value;
    timer.target_tid = sev._sigev_un._tid;
  }
  Kernel& k = t.kernel();
  int id;
  {
    absl::MutexLock lock(&k.mu);
    absl::StatusOr<int> created = t.group().posix_timers.Create(timer);
    if (!created.ok()) return FromStatus(created.status());
    id = *created;
    PosixTimer* made = t.group().posix_timers.Find(id);
    if (default_event) made->value.sival_int = id;
    if (clock->cpu) {
      std::weak_ptr<ThreadGroup> owner = t.group_shared();
      made->cpu_timer = CpuTimer::Create(k.interval_timers(), ProcessCpuSampler(*clock->cpu_target, clock->kind),
                                         [&k, owner, id](int64_t expirations) {
                                           return FireTimer(k, owner, id, std::nullopt, expirations);
                                         });
    }
  }
  if (absl::Status s = t.mm->CopyOutObject(a[2], id); !s.ok()) {
    absl::MutexLock lock(&k.mu);
    t.group().posix_timers.Delete(id);
    return FromStatus(s);
  }
  return SyscallResult::Value(0);
}

// The current time of a wall clock, for TIMER_ABSTIME.
absl::Time WallNow(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return absl::TimeFromTimespec(ts);
}

SyscallResult TimerSettime(Task& t, const SyscallArgs& a) {
  const int id = static_cast<int>(a[0]);
  const int flags = static_cast<int>(a[1]);
  itimerspec its{};
  RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[2], its));
  if (!ValidTimespec(its.it_value) || !ValidTimespec(its.it_interval)) return SyscallResult::Error(EINVAL);
  absl::StatusOr<TimerRef> ref = LookUp(t, id);
  if (!ref.ok()) return FromStatus(ref.status());

  IntervalTimerService::Setting setting{absl::DurationFromTimespec(its.it_value),
                                        absl::DurationFromTimespec(its.it_interval)};
  const bool absolute = (flags & TIMER_ABSTIME) != 0 && setting.value > absl::ZeroDuration();
  IntervalTimerService::Setting old;
  if (ref->cpu_timer != nullptr) {
    if (absolute) {
      // A deadline already passed fires at the timer's first sample.
      absl::StatusOr<CpuTimer::Sample> now = ref->cpu_timer->SampleNow();
      if (!now.ok()) return SyscallResult::Error(EINVAL);
      setting.value = std::max(setting.value - now->cpu, absl::Nanoseconds(1));
    }
    absl::StatusOr<CpuTimer::Setting> previous = ref->cpu_timer->Set(setting);
    if (!previous.ok()) return SyscallResult::Error(EINVAL);
    old = *previous;
  } else {
    Kernel& k = t.kernel();
    const absl::Time now = absl::Now();
    if (absolute) setting.value = std::max(absl::UnixEpoch() + setting.value - WallNow(ref->clock),
                                           absl::Nanoseconds(1));
    absl::MutexLock lock(&k.mu);
    PosixTimer* timer = t.group().posix_timers.Find(id);
    if (timer == nullptr) return SyscallResult::Error(EINVAL);  // Deleted meanwhile.
    const uint64_t serial = ++timer->arm_serial;
    timer->first_expiry = now + setting.value;
    timer->interval = setting.interval;
    timer->expirations_counted = 0;
    std::weak_ptr<ThreadGroup> owner = t.group_shared();
    old = k.interval_timers().Set(owner, id, setting, [&k, owner, id, serial] {
      return FireTimer(k, owner, id, serial, 0);
    });
  }
  if (a[3] != 0) RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[3], ToItimerspec(old)));
  return SyscallResult::Value(0);
}

SyscallResult TimerGettime(Task& t, const SyscallArgs& a) {
  const int id = static_cast<int>(a[0]);
  absl::StatusOr<TimerRef> ref = LookUp(t, id);
  if (!ref.ok()) return FromStatus(ref.status());
  IntervalTimerService::Setting s;
  if (ref->cpu_timer != nullptr) {
    absl::StatusOr<CpuTimer::Setting> got = ref->cpu_timer->Get();
    if (got.ok()) s = *got;
  } else {
    s = t.kernel().interval_timers().Get(std::weak_ptr<ThreadGroup>(t.group_shared()), id);
  }
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[1], ToItimerspec(s)));
  return SyscallResult::Value(0);
}

SyscallResult TimerGetoverrun(Task& t, const SyscallArgs& a) {
  absl::MutexLock lock(&t.kernel().mu);
  PosixTimer* timer = t.group().posix_timers.Find(static_cast<int>(a[0]));
  if (timer == nullptr) return SyscallResult::Error(EINVAL);
  return SyscallResult::Value(timer->overrun_last);
}

// Stops a timer taken out of the table (a queued signal stays queued).
void Disarm(Task& t, int id, const std::shared_ptr<CpuTimer>& cpu_timer) {
  if (cpu_timer != nullptr) {
    (void)cpu_timer->Set({});
  } else {
    t.kernel().interval_timers().Set(std::weak_ptr<ThreadGroup>(t.group_shared()), id, {}, nullptr);
  }
}

SyscallResult TimerDelete(Task& t, const SyscallArgs& a) {
  const int id = static_cast<int>(a[0]);
  std::shared_ptr<CpuTimer> cpu_timer;
  {
    absl::MutexLock lock(&t.kernel().mu);
    PosixTimer* timer = t.group().posix_timers.Find(id);
    if (timer == nullptr) return SyscallResult::Error(EINVAL);
    cpu_timer = timer->cpu_timer;
    t.group().posix_timers.Delete(id);
  }
  Disarm(t, id, cpu_timer);
  return SyscallResult::Value(0);
}

}  // namespace

void DeletePosixTimers(Task& t) {
  std::vector<std::pair<int, std::shared_ptr<CpuTimer>>> gone;
  {
    absl::MutexLock lock(&t.kernel().mu);
    sentry::PosixTimerTable& table = t.group().posix_timers;
    for (int id : table.Ids()) gone.emplace_back(id, table.Find(id)->cpu_timer);
    table.Clear();
  }
  for (const auto& [id, cpu_timer] : gone) Disarm(t, id, cpu_timer);
}

void RegisterPosixTimers(SyscallTable& t) {
  t[SYS_timer_create] = {"timer_create", TimerCreate, Support::kPartial,
                         "CPU-time clocks are sampled (100 us at best) and count no sentry time; "
                         "thread CPU clocks count the whole process"};
  t[SYS_timer_settime] = {"timer_settime", TimerSettime, Support::kFull, ""};
  t[SYS_timer_gettime] = {"timer_gettime", TimerGettime, Support::kFull, ""};
  t[SYS_timer_getoverrun] = {"timer_getoverrun", TimerGetoverrun, Support::kFull, ""};
  t[SYS_timer_delete] = {"timer_delete", TimerDelete, Support::kFull, ""};
}

}  // namespace runsc::syscalls
