// Clocks and sleeping.
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

#include "sentry/vdso/vdso.h"
#include "syscalls/helpers.h"
#include "syscalls/process_cpu_clock.h"

namespace runsc::syscalls {
namespace {

using sentry::Task;

// The clocks the vDSO serves are read from its vvar page here too, so an
// application that mixes vDSO calls and syscalls never sees time go back.
void ReadClock(Task& t, clockid_t id, timespec* ts) {
  const sentry::Vdso* vdso = t.kernel().vdso;
  if (vdso != nullptr && vdso->clock().Now(id, ts)) return;
  ::clock_gettime(id, ts);
}

// A CPU-time clock id (clock_getcpuclockid, pthread_getcpuclockid) is
// negative: ~pid << 3, a per-thread bit (4) and a type (0..2).
bool IsCpuClock(clockid_t id) { return id < 0; }
constexpr int kCpuClockTypeMask = 3, kCpuClockMaxType = 3;

// EINVAL unless `id` names a clock that exists in this sandbox.
bool ClockExists(Task& t, clockid_t id) {
  if (!IsCpuClock(id)) {
    return id == CLOCK_REALTIME || id == CLOCK_MONOTONIC || id == CLOCK_MONOTONIC_RAW ||
           id == CLOCK_REALTIME_COARSE || id == CLOCK_MONOTONIC_COARSE || id == CLOCK_BOOTTIME ||
           id == CLOCK_TAI || id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID;
  }
  if ((id & kCpuClockTypeMask) == kCpuClockMaxType) return false;
  const int pid = ~(id >> 3);
  return pid == 0 || t.kernel().FindTaskSharedUnlocked(pid) != nullptr;
}

// A CPU-time clock's reading: the CPU time of the process's stub (a thread
// clock reads its whole process's, an approximation that is exact for a
// single thread). The kind in a clock id from clock_getcpuclockid is
// CPUCLOCK_SCHED, PROF or VIRT.
absl::StatusOr<absl::Duration> CpuClockNow(Task& t, clockid_t id) {
  if (!IsCpuClock(id)) return SampleProcessCpuTime(t, CpuClockKind::kSched);
  const int pid = ~(id >> 3);
  const auto kind = static_cast<CpuClockKind>(id & kCpuClockTypeMask);
  if (pid == 0) return SampleProcessCpuTime(t, kind);
  std::shared_ptr<Task> target = t.kernel().FindTaskSharedUnlocked(pid);
  if (target == nullptr) return absl::NotFoundError("no such task");
  return SampleProcessCpuTime(*target, kind);
}

SyscallResult ClockGettime(Task& t, const SyscallArgs& a) {
  const clockid_t id = static_cast<clockid_t>(a[0]);
  if (!ClockExists(t, id)) return SyscallResult::Error(EINVAL);
  struct timespec ts;
  const bool cpu = IsCpuClock(id) || id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID;
  if (cpu) {
    absl::StatusOr<absl::Duration> used = CpuClockNow(t, id);
    if (!used.ok()) return SyscallResult::Error(EINVAL);
    ts = absl::ToTimespec(*used);
  } else {
    ReadClock(t, id, &ts);
  }
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[1], ts));
  return SyscallResult::Value(0);
}

SyscallResult ClockGetres(Task& t, const SyscallArgs& a) {
  const clockid_t id = static_cast<clockid_t>(a[0]);
  if (!ClockExists(t, id)) return SyscallResult::Error(EINVAL);
  if (a[1] == 0) return SyscallResult::Value(0);
  // The host's resolution for its clocks (a tick for the coarse ones).
  struct timespec ts = {0, 1};
  if (!IsCpuClock(id)) ::clock_getres(id, &ts);
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[1], ts));
  return SyscallResult::Value(0);
}

// The sandbox never sets the host's clocks: CLOCK_REALTIME needs
// CAP_SYS_TIME, which no task has; the others cannot be set at all.
SyscallResult ClockSettime(Task& t, const SyscallArgs& a) {
  struct timespec ts;
  RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[1], ts));
  const clockid_t id = static_cast<clockid_t>(a[0]);
  if (!ClockExists(t, id) || id != CLOCK_REALTIME) return SyscallResult::Error(EINVAL);
  return SyscallResult::Error(EPERM);
}

SyscallResult Gettimeofday(Task& t, const SyscallArgs& a) {
  struct timespec now;
  ReadClock(t, CLOCK_REALTIME, &now);
  struct timeval tv = {now.tv_sec, now.tv_nsec / 1000};
  if (a[0] != 0) RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[0], tv));
  if (a[1] != 0) {
    struct timezone tz {};
    RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[1], tz));
  }
  return SyscallResult::Value(0);
}

SyscallResult Time(Task& t, const SyscallArgs& a) {
  struct timespec ts;
  ReadClock(t, CLOCK_REALTIME, &ts);
  int64_t now = ts.tv_sec;
  if (a[0] != 0) RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[0], now));
  return SyscallResult::Value(now);
}

// Sleeps until `deadline` or a signal; writes the time left to `rem_addr`.
// Interrupted, the call fails with EINTR if a handler runs; otherwise (a
// stop and SIGCONT) it goes on sleeping to the same deadline, through
// restart_syscall(2) for a relative sleep, as Linux's hrtimer_nanosleep.
SyscallResult SleepUntil(Task& t, absl::Time deadline, uint64_t rem_addr, bool absolute) {
  sentry::Kernel& k = t.kernel();
  bool interrupted = false;
  {
    absl::MutexLock lock(&k.mu);
    while (absl::Now() < deadline) {
      if (t.InterruptedLocked()) {
        interrupted = true;
        break;
      }
      sentry::Task::SleepingScope sleeping(t);
      k.cv.WaitWithDeadline(&k.mu, deadline);
    }
  }
  if (!interrupted) return SyscallResult::Value(0);
  if (rem_addr != 0) {
    absl::Duration left = std::max(deadline - absl::Now(), absl::ZeroDuration());
    struct timespec rem = absl::ToTimespec(left);
    RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(rem_addr, rem));
  }
  if (absolute) return SyscallResult::Value(sentry::kErrRestartNoHand);
  t.restart_block = [deadline, rem_addr](Task& task) {
    return SleepUntil(task, deadline, rem_addr, /*absolute=*/false).value;
  };
  return SyscallResult::Value(sentry::kErrRestartRestartBlock);
}

absl::StatusOr<absl::Duration> CopyInTimespec(Task& t, uint64_t addr) {
  struct timespec ts;
  if (absl::Status s = t.mm->CopyInObject(addr, ts); !s.ok()) return s;
  if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) {
    return ErrnoError(EINVAL, "bad timespec");
  }
  return absl::DurationFromTimespec(ts);
}

SyscallResult Nanosleep(Task& t, const SyscallArgs& a) {
  absl::StatusOr<absl::Duration> d = CopyInTimespec(t, a[0]);
  if (!d.ok()) return FromStatus(d.status());
  return SleepUntil(t, absl::Now() + *d, a[1], /*absolute=*/false);
}

SyscallResult ClockNanosleep(Task& t, const SyscallArgs& a) {
  absl::StatusOr<absl::Duration> d = CopyInTimespec(t, a[2]);
  if (!d.ok()) return FromStatus(d.status());
  const clockid_t id = static_cast<clockid_t>(a[0]);
  if (id != CLOCK_REALTIME && id != CLOCK_MONOTONIC && id != CLOCK_BOOTTIME) {
    return SyscallResult::Error(EINVAL);
  }
  absl::Time deadline;
  if (a[1] & TIMER_ABSTIME) {
    struct timespec now;
    ::clock_gettime(id, &now);
    deadline = absl::Now() + (*d - absl::DurationFromTimespec(now));
  } else {
    deadline = absl::Now() + *d;
  }
  const bool absolute = (a[1] & TIMER_ABSTIME) != 0;
  return SleepUntil(t, deadline, absolute ? 0 : a[3], absolute);
}

}  // namespace

void RegisterTime(SyscallTable& t) {
  t[SYS_clock_gettime] = {"clock_gettime", ClockGettime, Support::kPartial, "CPU clocks approximate"};
  t[SYS_clock_getres] = {"clock_getres", ClockGetres, Support::kFull, ""};
  t[SYS_clock_settime] = {"clock_settime", ClockSettime, Support::kPartial,
                          "EPERM for CLOCK_REALTIME: the sandbox never sets the host clock"};
  t[SYS_gettimeofday] = {"gettimeofday", Gettimeofday, Support::kFull, ""};
  t[SYS_time] = {"time", Time, Support::kFull, ""};
  t[SYS_nanosleep] = {"nanosleep", Nanosleep, Support::kFull, ""};
  t[SYS_clock_nanosleep] = {"clock_nanosleep", ClockNanosleep, Support::kFull, ""};
}

}  // namespace runsc::syscalls
