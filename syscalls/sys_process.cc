// Processes: fork/vfork/clone, execve, exit, wait4, ids, sessions, limits.
#include <fcntl.h>
#include <sched.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <asm/prctl.h>
#include <linux/capability.h>

#include <climits>
#include <cstring>
#include <optional>

#include "base/logging.h"
#include "syscalls/exec.h"
#include "syscalls/helpers.h"

namespace runsc::syscalls {
namespace {

using sentry::Kernel;
using sentry::Task;

// What clone(2) and clone3(2) ask for.
struct CloneRequest {
  uint64_t flags = 0;  // CLONE_*, without the exit signal.
  int exit_signal = SIGCHLD;  // What the parent hears when a new process ends; 0: nothing.
  uint64_t stack = 0;  // The child's stack pointer; 0: the parent's.
  uint64_t parent_tid = 0, child_tid = 0, tls = 0;
};

// Linux's copy_process checks, in its order.
SyscallResult CheckCloneFlags(uint64_t flags) {
  if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS)) return SyscallResult::Error(EINVAL);
  if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) return SyscallResult::Error(EINVAL);
  if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)) return SyscallResult::Error(EINVAL);
  if (flags & (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWUTS |
               CLONE_NEWIPC | CLONE_NEWCGROUP)) {
    LogWarning("clone into new namespaces is not supported");
    return SyscallResult::Error(EPERM);
  }
  // A process that shares memory runs on a new thread of the parent's stub
  // (see NewProcess), which is safe while the parent waits (vfork). Without
  // CLONE_VFORK both would run in one stub process, whose host CPU clock
  // and fate they would share: not supported.
  if ((flags & CLONE_VM) && !(flags & CLONE_THREAD) && !(flags & CLONE_VFORK)) {
    LogWarning("clone with flags 0x", absl::Hex(flags),
               " (shared memory, neither a thread nor vfork) is not supported");
    return SyscallResult::Error(ENOSYS);
  }
  if (flags & CLONE_PIDFD) {
    LogWarning("clone with CLONE_PIDFD is not supported");
    return SyscallResult::Error(ENOSYS);
  }
  return SyscallResult::Value(0);
}

// What a new task inherits from `t`, thread or process alike.
void InheritFrom(Task& t, Task& child, const CloneRequest& req) {
  child.context = t.kernel().platform().NewContext();
  platform::FpRegisters fp;
  if (absl::Status s = t.context->GetFpRegisters(t.mm->address_space(), fp); s.ok()) {
    child.inherited_fp = fp;
  } else {
    LogWarning("clone: the child starts with the initial FP state: ", s.message());
  }
  child.creds = t.creds;
  child.no_new_privs = t.no_new_privs;  // Unlike pdeath_signal and child_subreaper.
  child.keep_caps = t.keep_caps;
  child.timer_slack_ns = child.default_timer_slack_ns = t.timer_slack_ns;
  child.rlimits = t.rlimits;
  child.uts = t.uts;
  child.comm = t.comm;
  child.exe_path = t.exe_path;
  child.exe = t.exe;
  child.regs = t.regs;
  child.regs.rax = 0;
  if (req.stack != 0) child.regs.rsp = req.stack;
  if (req.flags & CLONE_SETTLS) child.regs.fs_base = req.tls;
  if (req.flags & CLONE_CHILD_CLEARTID) child.clear_child_tid = req.child_tid;
}

// Starts a new task's host thread; EAGAIN if the host has none to give.
SyscallResult StartOrAbandon(Task& child) {
  if (child.Start()) return SyscallResult::Value(child.tid());
  absl::MutexLock lock(&child.kernel().mu);
  child.AbandonUnstartedLocked();
  return SyscallResult::Error(EAGAIN);
}

// clone(CLONE_THREAD): a new task in the caller's process and address
// space, on a new stub thread.
SyscallResult NewThread(Task& t, const CloneRequest& req) {
  absl::StatusOr<pid_t> stub_thread = t.mm->address_space().NewThread();
  if (!stub_thread.ok()) {
    LogWarning("clone of a thread: ", stub_thread.status().message());
    return SyscallResult::Error(EAGAIN);
  }
  Kernel& k = t.kernel();
  std::shared_ptr<Task> child;
  {
    absl::MutexLock lock(&k.mu);
    child = k.NewThreadOf(t);
    child->handlers = t.handlers;  // CLONE_SIGHAND, which CLONE_THREAD requires.
    child->blocked = t.blocked;
    child->mm = t.mm;
  }
  InheritFrom(t, *child, req);
  child->stub_thread = *stub_thread;
  child->fds = (req.flags & CLONE_FILES) ? t.fds : Fds(t).Fork();
  child->fs = (req.flags & CLONE_FS) ? t.fs : std::make_shared<fs::FsContext>(FsCtx(t));
  // A thread starts without an alternate stack (clone(2): CLONE_VM without
  // CLONE_VFORK clears it).
  if (req.flags & CLONE_CHILD_SETTID) (void)t.mm->CopyOutObject(req.child_tid, int32_t{child->tid()});
  // (A stub thread nobody attached to stays parked until the process goes.)
  return StartOrAbandon(*child);
}

// The address space of a new process: a copy-on-write fork of the
// parent's, or with CLONE_VM (vfork) the parent's own, entered through a new
// stub thread that the child's host thread attaches to (returned in
// `stub_thread`).
absl::StatusOr<std::shared_ptr<sentry::MemoryManager>> MemoryForNewProcess(
    Task& t, const CloneRequest& req, pid_t& stub_thread) {
  if (req.flags & CLONE_VM) {
    absl::StatusOr<pid_t> thread = t.mm->address_space().NewThread();
    if (!thread.ok()) {
      LogWarning("vfork: no stub thread for the child: ", thread.status().message());
      return ErrnoError(EAGAIN, "vfork: no stub thread");
    }
    stub_thread = *thread;
    return t.mm;
  }
  absl::StatusOr<std::unique_ptr<sentry::MemoryManager>> mm = t.mm->Fork();
  if (!mm.ok()) return mm.status();
  return std::shared_ptr<sentry::MemoryManager>(std::move(*mm));
}

// vfork: the parent's thread sleeps until the child has execed or exited
// (it borrows the parent's memory, stack included, until then). Like
// Linux's killable wait, only the parent's own exit ends it early.
void WaitForVforkChild(Task& t, Task& child) {
  Kernel& k = t.kernel();
  absl::MutexLock lock(&k.mu);
  while (child.vfork_parent_waits && !t.exiting) k.cv.Wait(&k.mu);
}

// fork, vfork and clone without CLONE_THREAD: a new process, with a copy of
// the caller's memory or, for vfork, the caller's memory itself.
SyscallResult NewProcess(Task& t, const CloneRequest& req) {
  pid_t stub_thread = 0;
  absl::StatusOr<std::shared_ptr<sentry::MemoryManager>> mm =
      MemoryForNewProcess(t, req, stub_thread);
  if (!mm.ok()) return FromStatus(mm.status());
  Kernel& k = t.kernel();
  std::shared_ptr<Task> child;
  {
    absl::MutexLock lock(&k.mu);
    Task& parent = t.leader();
    child = k.NewTask();
    child->parent = &parent;
    parent.children.push_back(child.get());
    child->pgid = parent.pgid;
    child->sid = parent.sid;
    child->exit_signal = req.exit_signal;
    child->handlers = std::make_shared<sentry::SignalHandlers>(*t.handlers);
    child->blocked = t.blocked;
    child->vfork_parent_waits = (req.flags & CLONE_VFORK) != 0;
  }
  child->mm = std::move(*mm);
  child->stub_thread = stub_thread;
  InheritFrom(t, *child, req);
  child->fds = Fds(t).Fork();
  child->fs = std::make_shared<fs::FsContext>(FsCtx(t));
  child->alt_stack = t.alt_stack;
  if (req.flags & CLONE_CHILD_SETTID) {
    (void)child->mm->CopyOutObject(req.child_tid, int32_t{child->tid()});
  }
  SyscallResult started = StartOrAbandon(*child);
  if (started.value > 0 && (req.flags & CLONE_VFORK)) WaitForVforkChild(t, *child);
  return started;
}

// RLIMIT_NPROC, as Linux's copy_process counts it: every task (thread or
// process, zombies until reaped) of the caller's real uid; at the limit a
// new one is EAGAIN, unless the caller is root or holds CAP_SYS_RESOURCE or
// CAP_SYS_ADMIN. The count is the sandbox's own: its tasks are all the
// uid's tasks this kernel knows.
bool AtProcessLimit(Task& t) {
  Kernel& k = t.kernel();
  absl::MutexLock lock(&k.mu);
  const rlim_t limit = t.rlimits[RLIMIT_NPROC].rlim_cur;
  if (limit == RLIM_INFINITY || t.creds.uid == 0 || t.creds.HasCapability(CAP_SYS_RESOURCE) ||
      t.creds.HasCapability(CAP_SYS_ADMIN)) {
    return false;
  }
  rlim_t tasks = 0;
  k.ForEachTask([&](Task& task) { tasks += task.creds.uid == t.creds.uid; });
  return tasks >= limit;
}

SyscallResult DoClone(Task& t, const CloneRequest& req) {
  SyscallResult checked = CheckCloneFlags(req.flags);
  if (checked.value != 0) return checked;
  if (AtProcessLimit(t)) return SyscallResult::Error(EAGAIN);
  SyscallResult r = (req.flags & CLONE_THREAD) ? NewThread(t, req) : NewProcess(t, req);
  if (r.value > 0 && (req.flags & CLONE_PARENT_SETTID)) {
    (void)t.mm->CopyOutObject(req.parent_tid, static_cast<int32_t>(r.value));
  }
  return r;
}

SyscallResult Fork(Task& t, const SyscallArgs&) { return DoClone(t, {0, SIGCHLD}); }
SyscallResult Vfork(Task& t, const SyscallArgs&) {
  return DoClone(t, {CLONE_VM | CLONE_VFORK, SIGCHLD});
}
SyscallResult Clone(Task& t, const SyscallArgs& a) {
  // clone(flags, stack, parent_tid, child_tid, tls) on x86-64.
  const int exit_signal = static_cast<int>(a[0] & 0xff);
  if (exit_signal > sentry::kMaxSignal) return SyscallResult::Error(EINVAL);
  return DoClone(t, {a[0] & ~uint64_t{0xff}, exit_signal, a[1], a[2], a[3], a[4]});
}

// struct clone_args of clone3(2), the first version (64 bytes); later
// versions only add fields.
struct CloneArgs {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};
static_assert(sizeof(CloneArgs) == 64);

SyscallResult Clone3(Task& t, const SyscallArgs& a) {
  const uint64_t size = a[1];
  if (size < sizeof(CloneArgs) || size > 4096) return SyscallResult::Error(EINVAL);
  CloneArgs args;
  RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[0], args));
  // Fields this sentry does not know (set_tid, cgroup…) must be zero.
  if (size > sizeof(CloneArgs)) {
    std::vector<uint8_t> rest(size - sizeof(CloneArgs));
    RUNSC_RETURN_IF_ERROR(t.mm->CopyIn(a[0] + sizeof(CloneArgs), absl::MakeSpan(rest)));
    for (uint8_t b : rest) {
      if (b != 0) {
        LogWarning("clone3 with set_tid or cgroup is not supported");
        return SyscallResult::Error(E2BIG);
      }
    }
  }
  if (args.exit_signal > sentry::kMaxSignal || (args.flags & 0xff)) return SyscallResult::Error(EINVAL);
  if ((args.stack == 0) != (args.stack_size == 0)) return SyscallResult::Error(EINVAL);
  // clone3's stack is the lowest address of the area; the stack grows down.
  const uint64_t sp = args.stack == 0 ? 0 : args.stack + args.stack_size;
  return DoClone(t, {args.flags, static_cast<int>(args.exit_signal), sp, args.parent_tid,
                     args.child_tid, args.tls});
}

// execve(2) and execveat(2): the path (which AT_EMPTY_PATH lets be
// empty), argv and envp are copied in, then the exec replaces the image.
SyscallResult DoExecveat(Task& t, int dirfd, uint64_t path_addr, uint64_t argv_addr,
                         uint64_t envp_addr, int flags) {
  absl::StatusOr<std::string> path = CopyInPath(t, path_addr);
  if (!path.ok()) return FromStatus(path.status());
  constexpr size_t kArgMax = 2 << 20;
  absl::StatusOr<std::vector<std::string>> argv = t.mm->CopyInStringArray(argv_addr, kArgMax);
  if (!argv.ok()) return FromStatus(argv.status());
  absl::StatusOr<std::vector<std::string>> envv = t.mm->CopyInStringArray(envp_addr, kArgMax);
  if (!envv.ok()) return FromStatus(envv.status());
  absl::Status s = ExecAtInto(t, dirfd, *path, flags, *argv, *envv);
  if (!s.ok()) return FromStatus(s);
  return SyscallResult::KeepRegisters();
}

SyscallResult Execve(Task& t, const SyscallArgs& a) {
  return DoExecveat(t, AT_FDCWD, a[0], a[1], a[2], 0);
}
SyscallResult Execveat(Task& t, const SyscallArgs& a) {
  return DoExecveat(t, static_cast<int>(a[0]), a[1], a[2], a[3], static_cast<int>(a[4]));
}

SyscallResult Exit(Task& t, const SyscallArgs& a) {
  absl::MutexLock lock(&t.kernel().mu);
  t.BeginExitLocked(sentry::ExitedStatus(static_cast<int>(a[0])));
  return SyscallResult::KeepRegisters();
}

SyscallResult ExitGroup(Task& t, const SyscallArgs& a) {
  absl::MutexLock lock(&t.kernel().mu);
  t.BeginGroupExitLocked(sentry::ExitedStatus(static_cast<int>(a[0])));
  return SyscallResult::KeepRegisters();
}

SyscallResult Getpid(Task& t, const SyscallArgs&) { return SyscallResult::Value(t.tgid()); }
SyscallResult Gettid(Task& t, const SyscallArgs&) { return SyscallResult::Value(t.tid()); }
SyscallResult Getppid(Task& t, const SyscallArgs&) {
  absl::MutexLock lock(&t.kernel().mu);
  Task* parent = t.leader().parent;
  return SyscallResult::Value(parent ? parent->tgid() : 0);
}
SyscallResult Getuid(Task& t, const SyscallArgs&) { return SyscallResult::Value(t.creds.uid); }
SyscallResult Geteuid(Task& t, const SyscallArgs&) { return SyscallResult::Value(t.creds.euid); }
SyscallResult Getgid(Task& t, const SyscallArgs&) { return SyscallResult::Value(t.creds.gid); }
SyscallResult Getegid(Task& t, const SyscallArgs&) { return SyscallResult::Value(t.creds.egid); }
// The process a pid names for the process-group calls: 0 is the caller's.
Task* ProcessLocked(Task& t, int pid) {
  if (pid == 0) return &t.leader();
  Task* target = t.kernel().FindTask(pid);
  return target == nullptr ? nullptr : &target->leader();
}

SyscallResult Setpgid(Task& t, const SyscallArgs& a) {
  Kernel& k = t.kernel();
  absl::MutexLock lock(&k.mu);
  // As Linux: pgid 0 means the target's own pid, and a negative result is
  // EINVAL before any lookup.
  Task& self = t.leader();
  const int pid = static_cast<int>(a[0]) == 0 ? self.tid() : static_cast<int>(a[0]);
  const int pgid_arg = static_cast<int>(a[1]);
  if ((pgid_arg == 0 ? pid : pgid_arg) < 0) return SyscallResult::Error(EINVAL);
  Task* target = k.FindTask(pid);
  if (target == nullptr || (target != &self && target->parent != &self)) return SyscallResult::Error(ESRCH);
  if (!target->is_leader()) return SyscallResult::Error(EINVAL);
  if (target->sid == target->tid()) return SyscallResult::Error(EPERM);
  target->pgid = pgid_arg == 0 ? target->tid() : pgid_arg;
  return SyscallResult::Value(0);
}
SyscallResult Getpgid(Task& t, const SyscallArgs& a) {
  absl::MutexLock lock(&t.kernel().mu);
  Task* target = ProcessLocked(t, static_cast<int>(a[0]));
  if (target == nullptr) return SyscallResult::Error(ESRCH);
  return SyscallResult::Value(target->pgid);
}
SyscallResult Getpgrp(Task& t, const SyscallArgs&) {
  absl::MutexLock lock(&t.kernel().mu);
  return SyscallResult::Value(t.leader().pgid);
}
SyscallResult Setsid(Task& t, const SyscallArgs&) {
  absl::MutexLock lock(&t.kernel().mu);
  Task& self = t.leader();
  if (self.pgid == self.tid()) return SyscallResult::Error(EPERM);
  self.sid = self.pgid = self.tid();
  return SyscallResult::Value(self.sid);
}
SyscallResult Getsid(Task& t, const SyscallArgs& a) {
  absl::MutexLock lock(&t.kernel().mu);
  Task* target = ProcessLocked(t, static_cast<int>(a[0]));
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
  const std::string hostname = t.uts->hostname(), domainname = t.uts->domainname();
  // Both fit: UtsNamespace keeps names of at most 64 bytes.
  std::memcpy(u.nodename, hostname.data(), hostname.size());
  std::memcpy(u.domainname, domainname.data(), domainname.size());
  std::strncpy(u.release, Kernel::kRelease, sizeof(u.release) - 1);
  std::strncpy(u.version, Kernel::kVersion, sizeof(u.version) - 1);
  std::strncpy(u.machine, "x86_64", sizeof(u.machine) - 1);
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[0], u));
  return SyscallResult::Value(0);
}

// sethostname(2) and setdomainname(2): Linux's order of checks (EPERM,
// then EINVAL for a bad length, then EFAULT); the name is taken as `len`
// bytes, NUL or not.
SyscallResult SetUtsName(Task& t, const SyscallArgs& a,
                         absl::Status (sentry::UtsNamespace::*set)(absl::string_view)) {
  if (!t.creds.HasCapability(CAP_SYS_ADMIN)) return SyscallResult::Error(EPERM);
  const int len = static_cast<int>(a[1]);
  if (len < 0 || static_cast<size_t>(len) > sentry::UtsNamespace::kMaxNameLength) {
    return SyscallResult::Error(EINVAL);
  }
  std::string name(len, '\0');
  RUNSC_RETURN_IF_ERROR(
      t.mm->CopyIn(a[0], absl::MakeSpan(reinterpret_cast<uint8_t*>(name.data()), name.size())));
  RUNSC_RETURN_IF_ERROR(((*t.uts).*set)(name));
  return SyscallResult::Value(0);
}

SyscallResult Sethostname(Task& t, const SyscallArgs& a) {
  return SetUtsName(t, a, &sentry::UtsNamespace::SetHostname);
}

SyscallResult Setdomainname(Task& t, const SyscallArgs& a) {
  return SetUtsName(t, a, &sentry::UtsNamespace::SetDomainname);
}

// unshare(2) of what the sentry keeps per task: the fd table, the fs
// context (root, cwd, umask) and the UTS namespace. Other namespaces are
// refused as clone refuses them; unsharing memory or signal handlers is
// not done (EINVAL, logged).
SyscallResult Unshare(Task& t, const SyscallArgs& a) {
  const uint64_t flags = a[0];
  constexpr uint64_t kNamespaces = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUSER | CLONE_NEWNET |
                                   CLONE_NEWIPC | CLONE_NEWCGROUP;
  constexpr uint64_t kKnown = kNamespaces | CLONE_NEWUTS | CLONE_FILES | CLONE_FS | CLONE_SYSVSEM |
                              CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
  if (flags & ~kKnown) return SyscallResult::Error(EINVAL);
  if (flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) {
    LogWarning("unshare of memory, threads or signal handlers (flags 0x", absl::Hex(flags),
               ") is not supported");
    return SyscallResult::Error(EINVAL);
  }
  if ((flags & (kNamespaces | CLONE_NEWUTS)) && !t.creds.HasCapability(CAP_SYS_ADMIN)) {
    return SyscallResult::Error(EPERM);
  }
  if (flags & kNamespaces) {
    LogWarning("unshare into new namespaces other than UTS is not supported");
    return SyscallResult::Error(EPERM);
  }
  if (flags & CLONE_FILES) t.fds = Fds(t).Fork();
  if (flags & CLONE_FS) t.fs = std::make_shared<fs::FsContext>(FsCtx(t));
  if (flags & CLONE_NEWUTS) t.uts = t.uts->Clone();
  // CLONE_SYSVSEM: there are no semaphore undo lists to unshare.
  return SyscallResult::Value(0);
}

// Linux's check_prlimit_permission: the limits of another task take the
// caller's real ids matching every uid and gid of the target, or
// CAP_SYS_RESOURCE. Requires kernel().mu.
bool MayPrlimitLocked(const Task& t, const Task& target) {
  if (&t == &target) return true;
  const sentry::Credentials& c = t.creds;
  const sentry::Credentials& tc = target.creds;
  const bool ids_match = c.uid == tc.uid && c.uid == tc.euid && c.uid == tc.suid &&
                         c.gid == tc.gid && c.gid == tc.egid && c.gid == tc.sgid;
  return ids_match || c.HasCapability(CAP_SYS_RESOURCE);
}

// prlimit64(2) and its older forms, in Linux's order: the new limit is
// read, the target found (ESRCH) and checked (EPERM), the limit set, and
// only then the old one written out. Limits belong to the process, so a
// new one goes to every thread of the target's.
SyscallResult DoPrlimit(Task& t, int pid, uint64_t resource, uint64_t new_addr, uint64_t old_addr) {
  std::optional<struct rlimit> wanted;
  if (new_addr != 0) {
    struct rlimit nl;
    RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(new_addr, nl));
    wanted = nl;
  }
  if (pid < 0) return SyscallResult::Error(ESRCH);
  struct rlimit old;
  {
    Kernel& k = t.kernel();
    absl::MutexLock lock(&k.mu);
    Task* target = pid == 0 ? &t : k.FindTask(pid);
    if (target == nullptr) return SyscallResult::Error(ESRCH);
    if (!MayPrlimitLocked(t, *target)) return SyscallResult::Error(EPERM);
    if (resource >= RLIM_NLIMITS) return SyscallResult::Error(EINVAL);
    old = target->rlimits[resource];
    if (wanted.has_value()) {
      if (wanted->rlim_cur > wanted->rlim_max) return SyscallResult::Error(EINVAL);
      // Not even root may pass fs.nr_open (which /proc/sys/fs/nr_open shows).
      if (resource == RLIMIT_NOFILE && wanted->rlim_max > fs::FdTable::kMaxFds) {
        return SyscallResult::Error(EPERM);
      }
      if (wanted->rlim_max > old.rlim_max && !t.creds.HasCapability(CAP_SYS_RESOURCE)) {
        return SyscallResult::Error(EPERM);
      }
      for (Task* member : target->group().members) member->rlimits[resource] = *wanted;
    }
  }
  if (old_addr != 0) RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(old_addr, old));
  return SyscallResult::Value(0);
}

SyscallResult Prlimit64(Task& t, const SyscallArgs& a) {
  return DoPrlimit(t, static_cast<int>(a[0]), static_cast<uint32_t>(a[1]), a[2], a[3]);
}
SyscallResult Getrlimit(Task& t, const SyscallArgs& a) {
  if (static_cast<uint32_t>(a[0]) >= RLIM_NLIMITS) return SyscallResult::Error(EINVAL);
  return DoPrlimit(t, 0, static_cast<uint32_t>(a[0]), 0, a[1]);
}
SyscallResult Setrlimit(Task& t, const SyscallArgs& a) {
  return DoPrlimit(t, 0, static_cast<uint32_t>(a[0]), a[1], 0);
}

SyscallResult Getrandom(Task& t, const SyscallArgs& a) {
  if (a[2] & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) return SyscallResult::Error(EINVAL);
  // The two pools exclude each other (Linux 5.6's GRND_INSECURE).
  if ((a[2] & GRND_INSECURE) && (a[2] & GRND_RANDOM)) return SyscallResult::Error(EINVAL);
  std::vector<uint8_t> buf(std::min<uint64_t>(a[1], 1 << 20));
  ssize_t n = ::getrandom(buf.data(), buf.size(), 0);
  if (n < 0) return SyscallResult::Error(EIO);
  if (n == 0) return SyscallResult::Value(0);
  // As Linux's copy_to_iter: what fits before a bad page is a short count;
  // only a buffer that takes nothing is EFAULT.
  absl::StatusOr<size_t> copied =
      t.mm->address_space().Write(a[0], absl::MakeConstSpan(buf.data(), n));
  if (!copied.ok() || *copied == 0) return SyscallResult::Error(EFAULT);
  return SyscallResult::Value(static_cast<int64_t>(*copied));
}

SyscallResult SchedYield(Task&, const SyscallArgs&) { return SyscallResult::Value(0); }
SyscallResult SetRobustList(Task&, const SyscallArgs&) { return SyscallResult::Value(0); }

}  // namespace

void RegisterProcess(SyscallTable& t) {
  t[SYS_fork] = {"fork", Fork, Support::kFull, ""};
  t[SYS_vfork] = {"vfork", Vfork, Support::kFull, "the child borrows the parent's memory"};
  t[SYS_clone] = {"clone", Clone, Support::kPartial,
                   "processes, threads and CLONE_VM|CLONE_VFORK; no namespaces, CLONE_PIDFD or "
                   "CLONE_VM without CLONE_THREAD or CLONE_VFORK"};
  t[SYS_clone3] = {"clone3", Clone3, Support::kPartial, "as clone; no set_tid or cgroup"};
  t[SYS_execve] = {"execve", Execve, Support::kFull, "ELF and #! scripts"};
  t[SYS_execveat] = {"execveat", Execveat, Support::kFull,
                     "as execve; dirfd-relative, AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW"};
  t[SYS_exit] = {"exit", Exit, Support::kFull, ""};
  t[SYS_exit_group] = {"exit_group", ExitGroup, Support::kFull, ""};
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
  t[SYS_sethostname] = {"sethostname", Sethostname, Support::kFull, "per UTS namespace"};
  t[SYS_setdomainname] = {"setdomainname", Setdomainname, Support::kFull, "per UTS namespace"};
  t[SYS_unshare] = {"unshare", Unshare, Support::kPartial,
                    "fd table, fs context and UTS namespace; no other namespaces, no VM"};
  t[SYS_prlimit64] = {"prlimit64", Prlimit64, Support::kPartial,
                      "any process it may; enforced: NOFILE, FSIZE, AS, DATA (brk only), NPROC (fork and clone)"};
  t[SYS_getrlimit] = {"getrlimit", Getrlimit, Support::kFull, ""};
  t[SYS_setrlimit] = {"setrlimit", Setrlimit, Support::kFull, ""};
  t[SYS_getrandom] = {"getrandom", Getrandom, Support::kFull, ""};
  t[SYS_sched_yield] = {"sched_yield", SchedYield, Support::kFull, ""};
  t[SYS_set_robust_list] = {"set_robust_list", SetRobustList, Support::kPartial, "accepted; no robust futexes"};
}

}  // namespace runsc::syscalls
