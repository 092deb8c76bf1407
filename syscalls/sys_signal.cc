// Signals: dispositions, masks, sending, waiting and returning from handlers.
#include <linux/capability.h>
#include <sys/syscall.h>

#include "sentry/kernel/dequeue_signal.h"
#include "sentry/kernel/signal_frame.h"
#include "syscalls/helpers.h"
#include "syscalls/readiness.h"

namespace runsc::syscalls {
namespace {

using sentry::Kernel;
using sentry::KernelSigaction;
using sentry::SignalSet;
using sentry::Task;

SyscallResult RtSigaction(Task& t, const SyscallArgs& a) {
  const int sig = static_cast<int>(a[0]);
  if (!sentry::ValidSignal(sig) || a[3] != sizeof(SignalSet)) return SyscallResult::Error(EINVAL);
  KernelSigaction act;
  if (a[1] != 0) {
    if (sig == SIGKILL || sig == SIGSTOP) return SyscallResult::Error(EINVAL);
    RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[1], act));
  }
  KernelSigaction old;
  {
    absl::MutexLock lock(&t.kernel().mu);
    old = t.handlers->at(sig);
    if (a[1] != 0) {
      act.mask &= ~sentry::kUnblockableSignals;
      t.handlers->at(sig) = act;
      // Setting SIG_IGN (or default-ignore, which SIGCONT's default is once
      // it has been sent) discards pending instances.
      const sentry::DefaultAction default_action = sentry::DefaultActionOf(sig);
      const bool ignored = act.handler == reinterpret_cast<uint64_t>(SIG_IGN) ||
                           (act.handler == reinterpret_cast<uint64_t>(SIG_DFL) &&
                            (default_action == sentry::DefaultAction::kIgnore ||
                             default_action == sentry::DefaultAction::kContinue));
      if (ignored) {
        auto discard = [sig](std::deque<siginfo_t>& queue) {
          queue.erase(std::remove_if(queue.begin(), queue.end(),
                                     [sig](const siginfo_t& i) { return i.si_signo == sig; }),
                      queue.end());
        };
        discard(t.group().pending);
        for (Task* member : t.group().members) discard(member->pending);
      }
    }
  }
  if (a[2] != 0) RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[2], old));
  return SyscallResult::Value(0);
}

SyscallResult RtSigprocmask(Task& t, const SyscallArgs& a) {
  if (a[3] != sizeof(SignalSet)) return SyscallResult::Error(EINVAL);
  SignalSet set = 0;
  if (a[1] != 0) RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[1], set));
  SignalSet old;
  {
    absl::MutexLock lock(&t.kernel().mu);
    old = t.blocked;
    if (a[1] != 0) {
      switch (static_cast<int>(a[0])) {
        case SIG_BLOCK: t.blocked |= set; break;
        case SIG_UNBLOCK: t.blocked &= ~set; break;
        case SIG_SETMASK: t.blocked = set; break;
        default: return SyscallResult::Error(EINVAL);
      }
      t.blocked &= ~sentry::kUnblockableSignals;
    }
  }
  if (a[2] != 0) RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[2], old));
  return SyscallResult::Value(0);
}

SyscallResult RtSigreturn(Task& t, const SyscallArgs&) {
  sentry::SigReturn(t);
  return SyscallResult::KeepRegisters();
}

// Linux's check_kill_permission: without CAP_KILL, a sender may signal
// only a task whose real or saved uid is its real or effective uid; and
// SIGCONT within its session. Requires kernel().mu.
bool MaySignalLocked(const Task& sender, const Task& target, int sig) {
  const sentry::Credentials& s = sender.creds;
  const sentry::Credentials& tc = target.creds;
  if (s.HasCapability(CAP_KILL)) return true;
  if (s.euid == tc.suid || s.euid == tc.uid || s.uid == tc.suid || s.uid == tc.uid) return true;
  return sig == SIGCONT && sender.leader().sid == target.leader().sid;
}

// Sends `sig` to every task `pid` names (kill(2) semantics). One target
// the sender may not signal is EPERM; of several (a process group), EPERM
// only if it may signal none of them, and kill(-1) is never EPERM, as in
// Linux.
// `queued`: the siginfo of rt_sigqueueinfo/rt_tgsigqueueinfo, already
// checked, sent as it is (with si_signo = sig); else kill's own.
SyscallResult DoKill(Task& t, int pid, int sig, int tid_only, const siginfo_t* queued = nullptr) {
  if (sig < 0 || sig > sentry::kMaxSignal) return SyscallResult::Error(EINVAL);
  Kernel& k = t.kernel();
  absl::MutexLock lock(&k.mu);
  siginfo_t info{};
  if (queued != nullptr) {
    info = *queued;
  } else {
    info.si_code = tid_only ? SI_TKILL : SI_USER;
    info.si_pid = t.tgid();
    info.si_uid = t.creds.uid;
  }
  info.si_signo = sig;
  const int own_pgid = t.leader().pgid;
  int matched = 0, permitted = 0;
  k.ForEachTask([&](Task& target) {
    // tkill/tgkill name a thread (of process `pid`, if given); the others
    // name processes, which their leaders stand for.
    bool match;
    if (tid_only) {
      // A thread on its way out is gone for tkill (its signals would be
      // lost); a process is not gone until it is reaped.
      match = target.tid() == tid_only && (pid == 0 || target.tgid() == pid) &&
              !(target.exiting && !target.is_leader());
    } else {
      match = target.is_leader() &&
              (pid > 0    ? target.tgid() == pid
               : pid == 0 ? target.pgid == own_pgid
               : pid == -1 ? target.tid() != 1 && target.tgid() != t.tgid()
                           : target.pgid == -pid);
    }
    if (!match) return;
    ++matched;
    // A zombie still exists for kill (probing it with 0 succeeds, as in
    // Linux); a signal to it is simply lost.
    if (!MaySignalLocked(t, target, sig)) return;
    ++permitted;
    if (sig == 0 || target.zombie) return;
    if (tid_only) {
      k.SendSignalLocked(target, info);
    } else {
      k.SendGroupSignalLocked(target, info);
    }
  });
  if (matched == 0) return SyscallResult::Error(ESRCH);
  if (permitted == 0 && pid != -1) return SyscallResult::Error(EPERM);
  return SyscallResult::Value(0);
}

SyscallResult Kill(Task& t, const SyscallArgs& a) {
  return DoKill(t, static_cast<int>(a[0]), static_cast<int>(a[1]), 0);
}
SyscallResult Tkill(Task& t, const SyscallArgs& a) {
  if (static_cast<int>(a[0]) <= 0) return SyscallResult::Error(EINVAL);
  return DoKill(t, 0, static_cast<int>(a[1]), static_cast<int>(a[0]));
}
SyscallResult Tgkill(Task& t, const SyscallArgs& a) {
  if (static_cast<int>(a[0]) <= 0 || static_cast<int>(a[1]) <= 0) return SyscallResult::Error(EINVAL);
  return DoKill(t, static_cast<int>(a[0]), static_cast<int>(a[2]), static_cast<int>(a[1]));
}

// rt_sigqueueinfo(tgid, sig, info) and rt_tgsigqueueinfo(tgid, tid, sig,
// info): the caller's siginfo is delivered, but, as in Linux, only to
// itself may it claim a kernel-generated code (si_code >= 0) or SI_TKILL.
SyscallResult DoSigqueue(Task& t, int tgid, int tid, int sig, uint64_t info_addr) {
  siginfo_t info;
  if (absl::Status s = t.mm->CopyInObject(info_addr, info); !s.ok()) return FromStatus(s);
  const bool to_self = tgid == t.tgid() && (tid == 0 || tid == t.tid());
  if ((info.si_code >= 0 || info.si_code == SI_TKILL) && !to_self) {
    return SyscallResult::Error(EPERM);
  }
  if (tgid <= 0) return SyscallResult::Error(tid == 0 ? ESRCH : EINVAL);
  return DoKill(t, tgid, sig, tid, &info);
}
SyscallResult RtSigqueueinfo(Task& t, const SyscallArgs& a) {
  return DoSigqueue(t, static_cast<int>(a[0]), 0, static_cast<int>(a[1]), a[2]);
}
SyscallResult RtTgsigqueueinfo(Task& t, const SyscallArgs& a) {
  if (static_cast<int>(a[1]) <= 0) return SyscallResult::Error(EINVAL);
  return DoSigqueue(t, static_cast<int>(a[0]), static_cast<int>(a[1]), static_cast<int>(a[2]),
                    a[3]);
}

// In Linux's order: the new stack is read first, the old one reported
// only if setting succeeded.
SyscallResult Sigaltstack(Task& t, const SyscallArgs& a) {
  const uint64_t sp = t.regs.rsp;
  const stack_t old = t.alt_stack.Report(sp);
  if (a[0] != 0) {
    stack_t ss;
    RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[0], ss));
    RUNSC_RETURN_IF_ERROR(t.alt_stack.Set(ss, sp));
  }
  if (a[1] != 0) RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[1], old));
  return SyscallResult::Value(0);
}

// Waits until a signal is delivered; the syscall then fails with EINTR.
SyscallResult WaitForSignal(Task& t) {
  Kernel& k = t.kernel();
  absl::MutexLock lock(&k.mu);
  sentry::Task::SleepingScope sleeping(t);
  while (!t.InterruptedLocked()) k.cv.Wait(&k.mu);
  return SyscallResult::Value(sentry::kErrRestartNoHand);
}

SyscallResult Pause(Task& t, const SyscallArgs&) { return WaitForSignal(t); }

SyscallResult RtSigsuspend(Task& t, const SyscallArgs& a) {
  if (a[1] != sizeof(SignalSet)) return SyscallResult::Error(EINVAL);
  SignalSet set;
  RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[0], set));
  {
    absl::MutexLock lock(&t.kernel().mu);
    t.saved_mask_for_sigsuspend = t.blocked;
    t.restore_mask_after_signal = true;
    t.blocked = set & ~sentry::kUnblockableSignals;
  }
  // EINTR once a handler runs, whose frame carries the old mask back; a
  // wake-up that runs none (a stop and SIGCONT, a signal another thread
  // took) restores the mask and restarts the call, as in Linux.
  return WaitForSignal(t);
}

SyscallResult RtSigpending(Task& t, const SyscallArgs& a) {
  if (a[1] > sizeof(SignalSet)) return SyscallResult::Error(EINVAL);
  SignalSet set = 0;
  {
    absl::MutexLock lock(&t.kernel().mu);
    for (const std::deque<siginfo_t>* queue : {&t.pending, &t.group().pending}) {
      for (const siginfo_t& i : *queue) set |= sentry::SignalBit(i.si_signo);
    }
    set &= t.blocked;
  }
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[0], set));
  return SyscallResult::Value(0);
}

// rt_sigtimedwait(2) (sigwaitinfo, sigtimedwait): takes a signal of the set
// off the queue, blocked or not. EAGAIN once the timeout passes, EINTR if a
// signal outside the set is delivered meanwhile.
SyscallResult RtSigtimedwait(Task& t, const SyscallArgs& a) {
  if (a[3] != sizeof(SignalSet)) return SyscallResult::Error(EINVAL);
  SignalSet set = 0;
  RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[0], set));
  set &= ~sentry::kUnblockableSignals;
  absl::StatusOr<absl::Time> deadline = DeadlineFromTimespec(t, a[2]);
  if (!deadline.ok()) return FromStatus(deadline.status());
  Kernel& k = t.kernel();
  siginfo_t info{};
  {
    absl::MutexLock lock(&k.mu);
    sentry::Task::SleepingScope sleeping(t);
    for (;;) {
      if (sentry::DequeueSignalLocked(t, set, info)) break;
      if (t.InterruptedLocked()) return SyscallResult::Error(EINTR);
      if (absl::Now() >= *deadline) return SyscallResult::Error(EAGAIN);
      // SendSignalLocked signals k.cv: no wake-up is missed.
      k.cv.WaitWithDeadline(&k.mu, *deadline);
    }
  }
  // As Linux, the signal stays consumed if the copy-out faults.
  if (a[1] != 0) RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[1], info));
  return SyscallResult::Value(info.si_signo);
}

// restart_syscall(2): the application re-enters here after a call that
// returned kErrRestartRestartBlock was interrupted by a signal that ran no
// handler; the call's restart block finishes it. Without one, EINTR (as
// Linux's do_no_restart_syscall).
SyscallResult RestartSyscall(Task& t, const SyscallArgs&) {
  std::function<int64_t(Task&)> restart = std::move(t.restart_block);
  t.restart_block = nullptr;
  if (!restart) return SyscallResult::Error(EINTR);
  return SyscallResult::Value(restart(t));
}

}  // namespace

void RegisterSignal(SyscallTable& t) {
  t[SYS_rt_sigaction] = {"rt_sigaction", RtSigaction, Support::kFull, ""};
  t[SYS_rt_sigprocmask] = {"rt_sigprocmask", RtSigprocmask, Support::kFull, ""};
  t[SYS_rt_sigreturn] = {"rt_sigreturn", RtSigreturn, Support::kFull, "FXSAVE state only"};
  t[SYS_kill] = {"kill", Kill, Support::kFull, ""};
  t[SYS_tkill] = {"tkill", Tkill, Support::kFull, ""};
  t[SYS_tgkill] = {"tgkill", Tgkill, Support::kFull, ""};
  t[SYS_rt_sigqueueinfo] = {"rt_sigqueueinfo", RtSigqueueinfo, Support::kFull, ""};
  t[SYS_rt_tgsigqueueinfo] = {"rt_tgsigqueueinfo", RtTgsigqueueinfo, Support::kPartial,
                              "one thread per process: tid must be the process's own"};
  t[SYS_sigaltstack] = {"sigaltstack", Sigaltstack, Support::kFull, ""};
  t[SYS_pause] = {"pause", Pause, Support::kFull, ""};
  t[SYS_rt_sigsuspend] = {"rt_sigsuspend", RtSigsuspend, Support::kFull, ""};
  t[SYS_rt_sigpending] = {"rt_sigpending", RtSigpending, Support::kFull, ""};
  t[SYS_rt_sigtimedwait] = {"rt_sigtimedwait", RtSigtimedwait, Support::kFull, ""};
  t[SYS_restart_syscall] = {"restart_syscall", RestartSyscall, Support::kFull,
                            "finishes an interrupted futex wait with a timeout"};
}

}  // namespace runsc::syscalls
