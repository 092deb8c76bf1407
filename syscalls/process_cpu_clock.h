// The CPU time of a process in the sandbox. Its threads run in its stub
// process, so the host already accounts their time there: the stub's host
// CPU-time clock (MAKE_PROCESS_CPUCLOCK of its host pid), plus what the
// process's earlier images used before execve replaced their stubs. Time
// the sentry spends serving the process is not counted (as if every
// syscall were free), which Linux would count as system time.
#ifndef RUNSC_SYSCALLS_PROCESS_CPU_CLOCK_H_
#define RUNSC_SYSCALLS_PROCESS_CPU_CLOCK_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sentry/kernel/cpu_timer.h"
#include "sentry/kernel/task.h"

namespace runsc::syscalls {

// The host's CPU clock kinds (CPUCLOCK_PROF, _VIRT, _SCHED in the clock id).
enum class CpuClockKind { kProf = 0, kVirtual = 1, kSched = 2 };

// The CPU time of the process `member` belongs to, and its thread count;
// NotFound once the process has no threads. Takes the kernel's lock.
absl::StatusOr<sentry::CpuTimer::Sample> SampleProcessCpu(sentry::Task& member, CpuClockKind kind)
    ABSL_LOCKS_EXCLUDED(member.kernel().mu);

// Just the CPU time.
inline absl::StatusOr<absl::Duration> SampleProcessCpuTime(sentry::Task& member, CpuClockKind kind) {
  absl::StatusOr<sentry::CpuTimer::Sample> s = SampleProcessCpu(member, kind);
  if (!s.ok()) return s.status();
  return s->cpu;
}

// A CpuTimer sampler for `member`'s process that outlives neither it nor
// its thread group.
sentry::CpuTimer::Sampler ProcessCpuSampler(sentry::Task& member, CpuClockKind kind);

// Before execve drops the process's stub: adds its CPU time to the
// process's account, so the clocks do not go back with the new stub.
void AccountCpuOfReplacedImage(sentry::Task& t) ABSL_LOCKS_EXCLUDED(t.kernel().mu);

}  // namespace runsc::syscalls

#endif  // RUNSC_SYSCALLS_PROCESS_CPU_CLOCK_H_
