// Scheduling: affinity, policy and priority, getcpu. The sandbox has a
// virtual CPU set, CPUs 0..n-1 for the n the sentry may run on; a task's
// affinity mask and scheduling policy are recorded and reported back, but
// the sentry does not pass them on to the host scheduler (the stub runs
// where the host puts it). getcpu answers the lowest CPU of the task's mask,
// so a task pinned to one CPU sees that CPU.
#include <linux/capability.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <map>

#include "fs/machine_info.h"
#include "syscalls/helpers.h"

namespace runsc::syscalls {
namespace {

using sentry::Task;

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

constexpr int kMaxCpus = CPU_SETSIZE;
constexpr int kMaxRtPriority = 99;  // MAX_RT_PRIO - 1.
using CpuMask = std::array<uint64_t, kMaxCpus / 64>;

// The same CPUs /proc/cpuinfo and /sys/devices/system/cpu show (captured
// at boot: the confined sentry cannot read the host's /sys).
int NumCpus() {
  static const int n = std::clamp(fs::MachineInfo::Get().cpus(), 1, kMaxCpus);
  return n;
}

// Bytes of a mask the kernel copies out: whole longs covering every CPU.
size_t MaskBytes() { return (NumCpus() + 63) / 64 * sizeof(uint64_t); }

CpuMask AllCpus() {
  CpuMask m{};
  for (int cpu = 0; cpu < NumCpus(); ++cpu) m[cpu / 64] |= uint64_t{1} << (cpu % 64);
  return m;
}

struct SchedAttributes {
  int policy = SCHED_OTHER;
  int priority = 0;
  CpuMask affinity = AllCpus();
};

// The tasks' scheduling attributes. They live here rather than in Task
// until Task grows a place for them; an entry whose task is gone (or whose
// address a new task reuses) is discarded. Simplified: a forked child starts
// from the defaults instead of inheriting its parent's attributes.
class SchedRegistry {
 public:
  static SchedRegistry& Get() {
    static SchedRegistry* registry = new SchedRegistry;
    return *registry;
  }

  SchedAttributes Lookup(const std::shared_ptr<Task>& task) {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(task.get());
    if (it == entries_.end() || it->second.owner.lock() != task) return SchedAttributes{};
    return it->second.attributes;
  }

  void Store(const std::shared_ptr<Task>& task, const SchedAttributes& attributes) {
    absl::MutexLock lock(&mu_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      it = it->second.owner.expired() ? entries_.erase(it) : std::next(it);
    }
    entries_[task.get()] = {task, attributes};
  }

 private:
  struct Entry {
    std::weak_ptr<Task> owner;
    SchedAttributes attributes;
  };
  absl::Mutex mu_;
  std::map<const Task*, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

// The task `pid` names (0: the caller), or null (ESRCH).
std::shared_ptr<Task> FindTarget(Task& t, int64_t pid) {
  absl::MutexLock lock(&t.kernel().mu);
  return t.kernel().FindTaskShared(pid == 0 ? t.tid() : static_cast<int>(pid));
}

// Linux's check_same_owner, or CAP_SYS_NICE.
bool MayChange(const Task& t, const Task& target) {
  return &t == &target || t.creds.HasCapability(CAP_SYS_NICE) ||
         t.creds.euid == target.creds.euid || t.creds.euid == target.creds.uid;
}

bool IsRealTime(int policy) { return policy == SCHED_FIFO || policy == SCHED_RR; }
bool IsKnownPolicy(int policy) {
  return policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE || IsRealTime(policy) ||
         policy == SCHED_DEADLINE;
}

SyscallResult SchedGetaffinity(Task& t, const SyscallArgs& a) {
  const uint32_t len = static_cast<uint32_t>(a[1]);
  if (uint64_t{len} * 8 < static_cast<uint64_t>(NumCpus()) || len % sizeof(uint64_t) != 0) {
    return SyscallResult::Error(EINVAL);
  }
  std::shared_ptr<Task> target = FindTarget(t, static_cast<int>(a[0]));
  if (target == nullptr) return SyscallResult::Error(ESRCH);
  const CpuMask mask = SchedRegistry::Get().Lookup(target).affinity;
  const size_t n = std::min<size_t>(len, MaskBytes());
  RUNSC_RETURN_IF_ERROR(
      t.mm->CopyOut(a[2], absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(mask.data()), n)));
  return SyscallResult::Value(static_cast<int64_t>(n));
}

SyscallResult SchedSetaffinity(Task& t, const SyscallArgs& a) {
  const uint32_t len = static_cast<uint32_t>(a[1]);
  CpuMask mask{};
  // A shorter mask leaves the other CPUs out; a longer one is cut.
  const size_t n = std::min<size_t>(len, MaskBytes());
  RUNSC_RETURN_IF_ERROR(t.mm->CopyIn(a[2], absl::MakeSpan(reinterpret_cast<uint8_t*>(mask.data()), n)));
  std::shared_ptr<Task> target = FindTarget(t, static_cast<int>(a[0]));
  if (target == nullptr) return SyscallResult::Error(ESRCH);
  if (!MayChange(t, *target)) return SyscallResult::Error(EPERM);
  const CpuMask all = AllCpus();
  bool empty = true;
  for (size_t i = 0; i < mask.size(); ++i) {
    mask[i] &= all[i];
    if (mask[i] != 0) empty = false;
  }
  if (empty) return SyscallResult::Error(EINVAL);
  SchedAttributes attributes = SchedRegistry::Get().Lookup(target);
  attributes.affinity = mask;
  SchedRegistry::Get().Store(target, attributes);
  return SyscallResult::Value(0);
}

SyscallResult SchedGetscheduler(Task& t, const SyscallArgs& a) {
  const int pid = static_cast<int>(a[0]);
  if (pid < 0) return SyscallResult::Error(EINVAL);
  std::shared_ptr<Task> target = FindTarget(t, pid);
  if (target == nullptr) return SyscallResult::Error(ESRCH);
  return SyscallResult::Value(SchedRegistry::Get().Lookup(target).policy);
}

SyscallResult SchedGetparam(Task& t, const SyscallArgs& a) {
  const int pid = static_cast<int>(a[0]);
  if (pid < 0 || a[1] == 0) return SyscallResult::Error(EINVAL);
  std::shared_ptr<Task> target = FindTarget(t, pid);
  if (target == nullptr) return SyscallResult::Error(ESRCH);
  struct sched_param param = {SchedRegistry::Get().Lookup(target).priority};
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[1], param));
  return SyscallResult::Value(0);
}

// sched_setscheduler and sched_setparam (policy -1: keep the current one),
// as Linux's do_sched_setscheduler and __sched_setscheduler.
SyscallResult SetScheduler(Task& t, int pid, int policy, uint64_t param_addr) {
  if (pid < 0 || param_addr == 0) return SyscallResult::Error(EINVAL);
  struct sched_param param;
  RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(param_addr, param));
  std::shared_ptr<Task> target = FindTarget(t, pid);
  if (target == nullptr) return SyscallResult::Error(ESRCH);
  SchedAttributes attributes = SchedRegistry::Get().Lookup(target);
  if (policy == -1) policy = attributes.policy;
  policy &= ~SCHED_RESET_ON_FORK;  // Accepted; fork does not inherit yet anyway.
  if (!IsKnownPolicy(policy)) return SyscallResult::Error(EINVAL);
  const uint32_t priority = static_cast<uint32_t>(param.sched_priority);
  // SCHED_DEADLINE needs sched_setattr's parameters: never valid here.
  if (priority > kMaxRtPriority || policy == SCHED_DEADLINE ||
      IsRealTime(policy) != (priority != 0)) {
    return SyscallResult::Error(EINVAL);
  }
  if (!t.creds.HasCapability(CAP_SYS_NICE)) {
    if (!MayChange(t, *target)) return SyscallResult::Error(EPERM);
    if (IsRealTime(policy)) {
      const uint64_t rtprio = t.rlimits[RLIMIT_RTPRIO].rlim_cur;
      if (policy != attributes.policy && rtprio == 0) return SyscallResult::Error(EPERM);
      if (priority > static_cast<uint32_t>(attributes.priority) && priority > rtprio) {
        return SyscallResult::Error(EPERM);
      }
    }
    // Leaving SCHED_IDLE needs the right to raise the nice value.
    if (attributes.policy == SCHED_IDLE && policy != SCHED_IDLE) return SyscallResult::Error(EPERM);
  }
  attributes.policy = policy;
  attributes.priority = static_cast<int>(priority);
  SchedRegistry::Get().Store(target, attributes);
  return SyscallResult::Value(0);
}

SyscallResult SchedSetscheduler(Task& t, const SyscallArgs& a) {
  const int policy = static_cast<int>(a[1]);
  if (policy < 0) return SyscallResult::Error(EINVAL);
  return SetScheduler(t, static_cast<int>(a[0]), policy, a[2]);
}

SyscallResult SchedSetparam(Task& t, const SyscallArgs& a) {
  return SetScheduler(t, static_cast<int>(a[0]), -1, a[1]);
}

SyscallResult SchedGetPriorityMax(Task&, const SyscallArgs& a) {
  const int policy = static_cast<int>(a[0]);
  if (!IsKnownPolicy(policy)) return SyscallResult::Error(EINVAL);
  return SyscallResult::Value(IsRealTime(policy) ? kMaxRtPriority : 0);
}

SyscallResult SchedGetPriorityMin(Task&, const SyscallArgs& a) {
  const int policy = static_cast<int>(a[0]);
  if (!IsKnownPolicy(policy)) return SyscallResult::Error(EINVAL);
  return SyscallResult::Value(IsRealTime(policy) ? 1 : 0);
}

SyscallResult SchedRrGetInterval(Task& t, const SyscallArgs& a) {
  const int pid = static_cast<int>(a[0]);
  if (pid < 0) return SyscallResult::Error(EINVAL);
  std::shared_ptr<Task> target = FindTarget(t, pid);
  if (target == nullptr) return SyscallResult::Error(ESRCH);
  // As Linux: FIFO has no time slice, RR the default 100ms; the fair
  // classes report what the host's scheduler gives the sentry thread.
  struct timespec ts = {0, 0};
  const int policy = SchedRegistry::Get().Lookup(target).policy;
  if (policy == SCHED_RR) {
    ts.tv_nsec = 100 * 1000 * 1000;
  } else if (policy != SCHED_FIFO && ::sched_rr_get_interval(0, &ts) != 0) {
    ts = {0, 0};
  }
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[1], ts));
  return SyscallResult::Value(0);
}

SyscallResult Getcpu(Task& t, const SyscallArgs& a) {
  std::shared_ptr<Task> self = FindTarget(t, 0);
  if (self == nullptr) return SyscallResult::Error(ESRCH);
  const CpuMask mask = SchedRegistry::Get().Lookup(self).affinity;
  uint32_t cpu = 0;
  for (int i = 0; i < NumCpus(); ++i) {
    if ((mask[i / 64] >> (i % 64)) & 1) {
      cpu = static_cast<uint32_t>(i);
      break;
    }
  }
  if (a[0] != 0) RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[0], cpu));
  if (a[1] != 0) RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[1], uint32_t{0}));
  return SyscallResult::Value(0);
}

}  // namespace

void RegisterSched(SyscallTable& t) {
  t[SYS_sched_getaffinity] = {"sched_getaffinity", SchedGetaffinity, Support::kFull,
                              "virtual CPUs 0..n-1 (the host's online CPUs)"};
  t[SYS_sched_setaffinity] = {"sched_setaffinity", SchedSetaffinity, Support::kPartial,
                              "recorded and reported, not applied on the host; not inherited by fork"};
  t[SYS_sched_getscheduler] = {"sched_getscheduler", SchedGetscheduler, Support::kFull, ""};
  t[SYS_sched_setscheduler] = {"sched_setscheduler", SchedSetscheduler, Support::kPartial,
                               "Linux's checks; recorded, not applied on the host; not inherited by fork"};
  t[SYS_sched_getparam] = {"sched_getparam", SchedGetparam, Support::kFull, ""};
  t[SYS_sched_setparam] = {"sched_setparam", SchedSetparam, Support::kPartial,
                           "recorded, not applied on the host"};
  t[SYS_sched_get_priority_max] = {"sched_get_priority_max", SchedGetPriorityMax, Support::kFull, ""};
  t[SYS_sched_get_priority_min] = {"sched_get_priority_min", SchedGetPriorityMin, Support::kFull, ""};
  t[SYS_sched_rr_get_interval] = {"sched_rr_get_interval", SchedRrGetInterval, Support::kFull, ""};
  t[SYS_getcpu] = {"getcpu", Getcpu, Support::kPartial, "the lowest CPU of the task's affinity mask; node 0"};
}

}  // namespace runsc::syscalls
