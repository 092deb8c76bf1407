#include "syscalls/process_cpu_clock.h"

#include <time.h>

#include "base/errno_status.h"
#include "sentry/kernel/kernel.h"

namespace runsc::syscalls {
namespace {

using sentry::Task;
using sentry::ThreadGroup;

// MAKE_PROCESS_CPUCLOCK from the kernel's posix-timers.h.
clockid_t HostProcessClock(pid_t host_pid, CpuClockKind kind) {
  return static_cast<clockid_t>((~static_cast<unsigned>(host_pid) << 3) | static_cast<unsigned>(kind));
}

// Reads the stub's clock; `host_pid` is 0 for a process with no stub.
absl::Duration StubCpu(pid_t host_pid, CpuClockKind kind) {
  if (host_pid <= 0) return absl::ZeroDuration();
  struct timespec ts {};
  // A stub that is just gone (its process is exiting) has used what it used:
  // the account is then only the earlier images'.
  if (::clock_gettime(HostProcessClock(host_pid, kind), &ts) != 0) return absl::ZeroDuration();
  return absl::DurationFromTimespec(ts);
}

struct ProcessView {
  pid_t host_pid = 0;
  int threads = 0;
  absl::Duration before_exec;
};

absl::StatusOr<ProcessView> ViewLocked(ThreadGroup& group, CpuClockKind kind) {
  if (group.members.empty()) return absl::NotFoundError("the process has exited");
  ProcessView v;
  v.threads = static_cast<int>(group.members.size());
  v.before_exec = group.cpu_before_exec[static_cast<int>(kind)];
  for (Task* member : group.members) {
    if (member->mm != nullptr) {
      v.host_pid = member->mm->address_space().HostPid();
      break;
    }
  }
  return v;
}

absl::StatusOr<sentry::CpuTimer::Sample> Sample(sentry::Kernel& k, ThreadGroup& group, CpuClockKind kind) {
  absl::StatusOr<ProcessView> view;
  {
    absl::MutexLock lock(&k.mu);
    view = ViewLocked(group, kind);
  }
  if (!view.ok()) return view.status();
  return sentry::CpuTimer::Sample{view->before_exec + StubCpu(view->host_pid, kind), view->threads};
}

}  // namespace

absl::StatusOr<sentry::CpuTimer::Sample> SampleProcessCpu(Task& member, CpuClockKind kind) {
  return Sample(member.kernel(), member.group(), kind);
}

sentry::CpuTimer::Sampler ProcessCpuSampler(Task& member, CpuClockKind kind) {
  return [&k = member.kernel(), weak = std::weak_ptr<ThreadGroup>(member.group_shared()),
          kind]() -> absl::StatusOr<sentry::CpuTimer::Sample> {
    std::shared_ptr<ThreadGroup> group = weak.lock();
    if (group == nullptr) return absl::NotFoundError("the process is gone");
    return Sample(k, *group, kind);
  };
}

void AccountCpuOfReplacedImage(Task& t) {
  if (t.mm == nullptr) return;
  const pid_t host_pid = t.mm->address_space().HostPid();
  std::array<absl::Duration, 3> used;
  for (CpuClockKind kind : {CpuClockKind::kProf, CpuClockKind::kVirtual, CpuClockKind::kSched}) {
    used[static_cast<int>(kind)] = StubCpu(host_pid, kind);
  }
  absl::MutexLock lock(&t.kernel().mu);
  for (size_t i = 0; i < used.size(); ++i) t.group().cpu_before_exec[i] += used[i];
}

}  // namespace runsc::syscalls
