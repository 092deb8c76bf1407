// Processes: fork/vfork/clone, execve, exit, wait4, ids, sessions, limits.
#include <sched.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <asm/prctl.h>

#include <climits>
#include <cstring>

#include "base/logging.h"
#include "syscalls/exec.h"
#include "syscalls/helpers.h"

namespace runsc::syscalls {
namespace {

using sentry::Kernel;
using sentry::Task;

SyscallResult DoFork(Task& t, uint64_t flags, uint64_t child_tid_addr, uint64_t tls) {
  // vfork is a fork: the child gets a copy rather than a loan of the memory,
  // which every correct vfork user (exec or _exit in the child) accepts.
  if (flags & (CLONE_VM | CLONE_THREAD | CLONE_SIGHAND)) {
    if (!((flags & CLONE_VFORK) && (flags & CLONE_VM) && !(flags & CLONE_THREAD))) {
      LogWarning("clone with flags 0x", absl::Hex(flags), " (threads) is not supported yet");
      return SyscallResult::Error(ENOSYS);
    }
  }
  if (flags & (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWUTS |
               CLONE_NEWIPC | CLONE_NEWCGROUP)) {
    LogWarning("clone into new namespaces is not supported");
    return SyscallResult::Error(EPERM);
  }
  absl::StatusOr<std::unique_ptr<sentry::MemoryManager>> mm = t.mm->Fork();
  if (!mm.ok()) return FromStatus(mm.status());
  Kernel& k = t.kernel();
  std::shared_ptr<Task> child;
  {
    absl::MutexLock lock(&k.mu);
    child = k.NewTask();
    child->parent = &t;
    t.children.push_back(child.get());
    child->pgid = t.pgid;
    child->sid = t.sid;
    child->handlers = std::make_shared<sentry::SignalHandlers>(*t.handlers);
    child->blocked = t.blocked;
  }
  child->mm = std::shared_ptr<sentry::MemoryManager>(std::move(*mm));
  child->context = k.platform().NewContext();
  child->fds = Fds(t).Fork();
  child->fs = std::make_shared<fs::FsContext>(FsCtx(t));
  child->creds = t.creds;
  child->no_new_privs = t.no_new_privs;  // Unlike pdeath_signal and child_subreaper.
  child->keep_caps = t.keep_caps;
  child->timer_slack_ns = child->default_timer_slack_ns = t.timer_slack_ns;
  child->rlimits = t.rlimits;
  child->alt_stack = t.alt_stack;
  child->comm = t.comm;
  child->exe_path = t.exe_path;
  child->regs = t.regs;
  child->regs.rax = 0;
  if (flags & CLONE_SETTLS) child->regs.fs_base = tls;
  if (flags & CLONE_CHILD_CLEARTID) child->clear_child_tid = child_tid_addr;
  if (flags & CLONE_CHILD_SETTID) {
    int32_t tid = child->tid();
    (void)child->mm->CopyOutObject(child_tid_addr, tid);
  }
  child->Start();
  return SyscallResult::Value(child->tid());
}

SyscallResult Fork(Task& t, const SyscallArgs&) { return DoFork(t, SIGCHLD, 0, 0); }
SyscallResult Vfork(Task& t, const SyscallArgs&) {
  return DoFork(t, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0);
}
SyscallResult Clone(Task& t, const SyscallArgs& a) {
  // clone(flags, stack, parent_tid, child_tid, tls)
  SyscallResult r = DoFork(t, a[0], a[3], a[4]);
  if (r.value > 0 && (a[0] & CLONE_PARENT_SETTID)) {
    int32_t tid = static_cast<int32_t>(r.value);
    (void)t.mm->CopyOutObject(a[2], tid);
  }
  return r;
}

SyscallResult Execve(Task& t, const SyscallArgs& a) {
  absl::StatusOr<std::string> path = CopyInPath(t, a[0]);
  if (!path.ok()) return FromStatus(path.status());
  constexpr size_t kArgMax = 2 << 20;
  absl::StatusOr<std::vector<std::string>> argv = t.mm->CopyInStringArray(a[1], kArgMax);
  if (!argv.ok()) return FromStatus(argv.status());
  absl::StatusOr<std::vector<std::string>> envv = t.mm->CopyInStringArray(a[2], kArgMax);
  if (!envv.ok()) return FromStatus(envv.status());
  absl::Status s = ExecInto(t, *path, *argv, *envv);
  if (!s.ok()) return FromStatus(s);
  return SyscallResult::KeepRegisters();
}

SyscallResult Exit(Task& t, const SyscallArgs& a) {
  absl::MutexLock lock(&t.kernel().mu);
  t.BeginExitLocked(sentry::ExitedStatus(static_cast<int>(a[0])));
  return SyscallResult::KeepRegisters();
}

// True if `child` matches wait4's pid argument for `parent`.
bool Matches(const Task& parent, const Task& child, int pid) {
  if (pid > 0) return child.tid() == pid;
  if (pid == -1) return true;
  if (pid == 0) return child.pgid == parent.pgid;
  return child.pgid == -pid;
}

SyscallResult Wait4(Task& t, const SyscallArgs& a) {
  const int pid = static_cast<int>(a[0]);
  const int options = static_cast<int>(a[2]);
  if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE | __WNOTHREAD)) {
    return SyscallResult::Error(EINVAL);
  }
  // -INT_MIN has no int value: Linux refuses it before matching anything.
  if (pid == INT_MIN) return SyscallResult::Error(ESRCH);
  Kernel& k = t.kernel();
  int status = 0, reaped = 0;
  {
    absl::MutexLock lock(&k.mu);
    for (;;) {
      bool any = false;
      Task* zombie = nullptr;
      for (Task* c : t.children) {
        if (!Matches(t, *c, pid)) continue;
        any = true;
        if (c->zombie) {
          zombie = c;
          break;
        }
      }
      if (!any) return SyscallResult::Error(ECHILD);
      if (zombie != nullptr) {
        status = zombie->exit_status;
        reaped = zombie->tid();
        t.children.erase(std::find(t.children.begin(), t.children.end(), zombie));
        k.RemoveTask(reaped);
        break;
      }
      if (options & WNOHANG) return SyscallResult::Value(0);
      if (t.InterruptedLocked()) return SyscallResult::Value(sentry::kErrRestartSys);
      k.cv.Wait(&k.mu);
    }
  }
  if (a[1] != 0) {
    int32_t s32 = status;
    RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[1], s32));
  }
  if (a[3] != 0) {
    struct rusage ru {};
    RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[3], ru));
  }
  return SyscallResult::Value(reaped);
}

SyscallResult Getpid(Task& t, const SyscallArgs&) { return SyscallResult::Value(t.tgid()); }
SyscallResult Gettid(Task& t, const SyscallArgs&) { return SyscallResult::Value(t.tid()); }
SyscallResult Getppid(Task& t, const SyscallArgs&) {
  absl::MutexLock lock(&t.kernel().mu);
  return SyscallResult::Value(t.parent ? t.parent->tgid() : 0);
}
SyscallResult Getuid(Task& t, const SyscallArgs&) { return SyscallResult::Value(t.creds.uid); }
SyscallResult Geteuid(Task& t, const SyscallArgs&) { return SyscallResult::Value(t.creds.euid); }
SyscallResult Getgid(Task& t, const SyscallArgs&) { return SyscallResult::Value(t.creds.gid); }
SyscallResult Getegid(Task& t, const SyscallArgs&) { return SyscallResult::Value(t.creds.egid); }
SyscallResult Setpgid(Task& t, const SyscallArgs& a) {
  Kernel& k = t.kernel();
  absl::MutexLock lock(&k.mu);
  // As Linux: pgid 0 means the target's own pid, and a negative result is
  // EINVAL before any lookup.
  const int pid = static_cast<int>(a[0]) == 0 ? t.tid() : static_cast<int>(a[0]);
  const int pgid_arg = static_cast<int>(a[1]);
  if ((pgid_arg == 0 ? pid : pgid_arg) < 0) return SyscallResult::Error(EINVAL);
  Task* target = k.FindTask(pid);
  if (target == nullptr || (target != &t && target->parent != &t)) return SyscallResult::Error(ESRCH);
  if (target->sid == target->tid()) return SyscallResult::Error(EPERM);
  target->pgid = pgid_arg == 0 ? target->tid() : pgid_arg;
  return SyscallResult::Value(0);
}
SyscallResult Getpgid(Task& t, const SyscallArgs& a) {
  absl::MutexLock lock(&t.kernel().mu);
  Task* target = a[0] == 0 ? &t : t.kernel().FindTask(static_cast<int>(a[0]));
  if (target == nullptr) return SyscallResult::Error(ESRCH);
  return SyscallResult::Value(target->pgid);
}
SyscallResult Getpgrp(Task& t, const SyscallArgs&) {
  absl::MutexLock lock(&t.kernel().mu);
  return SyscallResult::Value(t.pgid);
}
SyscallResult Setsid(Task& t, const SyscallArgs&) {
  absl::MutexLock lock(&t.kernel().mu);
  if (t.pgid == t.tid()) return SyscallResult::Error(EPERM);
  t.sid = t.pgid = t.tid();
  return SyscallResult::Value(t.sid);
}
SyscallResult Getsid(Task& t, const SyscallArgs& a) {
  absl::MutexLock lock(&t.kernel().mu);
  Task* target = a[0] == 0 ? &t : t.kernel().FindTask(static_cast<int>(a[0]));
  if (target == nullptr) return SyscallResult::Error(ESRCH);
  return SyscallResult::Value(target->sid);
}

SyscallResult ArchPrctl(Task& t, const SyscallArgs& a) {
  switch (static_cast<int>(a[0])) {
    case ARCH_SET_FS:
      if (a[1] >= platform::kMaxUserAddress) return SyscallResult::Error(EPERM);
      t.regs.fs_base = a[1];
      return SyscallResult::Value(0);
    case ARCH_GET_FS:
      RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[1], static_cast<uint64_t>(t.regs.fs_base)));
      return SyscallResult::Value(0);
    case ARCH_SET_GS:
      if (a[1] >= platform::kMaxUserAddress) return SyscallResult::Error(EPERM);
      t.regs.gs_base = a[1];
      return SyscallResult::Value(0);
    case ARCH_GET_GS:
      RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[1], static_cast<uint64_t>(t.regs.gs_base)));
      return SyscallResult::Value(0);
    default:
      return SyscallResult::Error(EINVAL);
  }
}

SyscallResult SetTidAddress(Task& t, const SyscallArgs& a) {
  t.clear_child_tid = a[0];
  return SyscallResult::Value(t.tid());
}

SyscallResult Uname(Task& t, const SyscallArgs& a) {
  struct utsname u {};
  std::strncpy(u.sysname, "Linux", sizeof(u.sysname) - 1);
  {
    absl::MutexLock lock(&t.kernel().mu);
    std::strncpy(u.nodename, t.kernel().hostname.c_str(), sizeof(u.nodename) - 1);
  }
  std::strncpy(u.release, Kernel::kRelease, sizeof(u.release) - 1);
  std::strncpy(u.version, Kernel::kVersion, sizeof(u.version) - 1);
  std::strncpy(u.machine, "x86_64", sizeof(u.machine) - 1);
  std::strncpy(u.domainname, "(none)", sizeof(u.domainname) - 1);
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[0], u));
  return SyscallResult::Value(0);
}

SyscallResult DoPrlimit(Task& t, int resource, uint64_t new_addr, uint64_t old_addr) {
  if (resource < 0 || resource >= RLIM_NLIMITS) return SyscallResult::Error(EINVAL);
  struct rlimit old = t.rlimits[resource];
  if (new_addr != 0) {
    struct rlimit nl;
    RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(new_addr, nl));
    if (nl.rlim_cur > nl.rlim_max) return SyscallResult::Error(EINVAL);
    // Raising the hard limit takes CAP_SYS_RESOURCE (setrlimit(2)), as
    // <linux/capability.h> numbers it.
    constexpr int kCapSysResource = 24;
    if (nl.rlim_max > old.rlim_max && !t.creds.HasCapability(kCapSysResource)) {
      return SyscallResult::Error(EPERM);
    }
    t.rlimits[resource] = nl;
  }
  if (old_addr != 0) RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(old_addr, old));
  return SyscallResult::Value(0);
}

SyscallResult Prlimit64(Task& t, const SyscallArgs& a) {
  if (a[0] != 0 && static_cast<int>(a[0]) != t.tgid()) {
    LogDebug("prlimit64 on another process is not supported");
    return SyscallResult::Error(EPERM);
  }
  return DoPrlimit(t, static_cast<int>(a[1]), a[2], a[3]);
}
SyscallResult Getrlimit(Task& t, const SyscallArgs& a) { return DoPrlimit(t, static_cast<int>(a[0]), 0, a[1]); }
SyscallResult Setrlimit(Task& t, const SyscallArgs& a) { return DoPrlimit(t, static_cast<int>(a[0]), a[1], 0); }

SyscallResult Getrandom(Task& t, const SyscallArgs& a) {
  if (a[2] & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) return SyscallResult::Error(EINVAL);
  std::vector<uint8_t> buf(std::min<uint64_t>(a[1], 1 << 20));
  ssize_t n = ::getrandom(buf.data(), buf.size(), 0);
  if (n < 0) return SyscallResult::Error(EIO);
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOut(a[0], absl::MakeConstSpan(buf.data(), n)));
  return SyscallResult::Value(n);
}

SyscallResult SchedYield(Task&, const SyscallArgs&) { return SyscallResult::Value(0); }
SyscallResult SetRobustList(Task&, const SyscallArgs&) { return SyscallResult::Value(0); }

}  // namespace

void RegisterProcess(SyscallTable& t) {
  t[SYS_fork] = {"fork", Fork, Support::kFull, ""};
  t[SYS_vfork] = {"vfork", Vfork, Support::kPartial, "implemented as fork"};
  t[SYS_clone] = {"clone", Clone, Support::kPartial, "processes only; threads not yet"};
  t[SYS_execve] = {"execve", Execve, Support::kFull, "ELF and #! scripts"};
  t[SYS_exit] = {"exit", Exit, Support::kFull, ""};
  t[SYS_exit_group] = {"exit_group", Exit, Support::kFull, ""};
  t[SYS_wait4] = {"wait4", Wait4, Support::kPartial, "no stopped/continued reports, empty rusage"};
  t[SYS_getpid] = {"getpid", Getpid, Support::kFull, ""};
  t[SYS_gettid] = {"gettid", Gettid, Support::kFull, ""};
  t[SYS_getppid] = {"getppid", Getppid, Support::kFull, ""};
  t[SYS_getuid] = {"getuid", Getuid, Support::kFull, ""};
  t[SYS_geteuid] = {"geteuid", Geteuid, Support::kFull, ""};
  t[SYS_getgid] = {"getgid", Getgid, Support::kFull, ""};
  t[SYS_getegid] = {"getegid", Getegid, Support::kFull, ""};
  t[SYS_setpgid] = {"setpgid", Setpgid, Support::kFull, ""};
  t[SYS_getpgid] = {"getpgid", Getpgid, Support::kFull, ""};
  t[SYS_getpgrp] = {"getpgrp", Getpgrp, Support::kFull, ""};
  t[SYS_setsid] = {"setsid", Setsid, Support::kFull, ""};
  t[SYS_getsid] = {"getsid", Getsid, Support::kFull, ""};
  t[SYS_arch_prctl] = {"arch_prctl", ArchPrctl, Support::kPartial, "FS/GS base only"};
  t[SYS_set_tid_address] = {"set_tid_address", SetTidAddress, Support::kFull, ""};
  t[SYS_uname] = {"uname", Uname, Support::kFull, "the sentry's own release"};
  t[SYS_prlimit64] = {"prlimit64", Prlimit64, Support::kPartial, "own process only"};
  t[SYS_getrlimit] = {"getrlimit", Getrlimit, Support::kFull, ""};
  t[SYS_setrlimit] = {"setrlimit", Setrlimit, Support::kFull, ""};
  t[SYS_getrandom] = {"getrandom", Getrandom, Support::kFull, ""};
  t[SYS_sched_yield] = {"sched_yield", SchedYield, Support::kFull, ""};
  t[SYS_set_robust_list] = {"set_robust_list", SetRobustList, Support::kPartial, "accepted; no robust futexes"};
}

}  // namespace runsc::syscalls
