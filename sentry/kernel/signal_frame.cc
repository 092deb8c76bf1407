#include "sentry/kernel/signal_frame.h"

#include <errno.h>

#include <cstring>
#include <optional>

#include "base/logging.h"
#include "sentry/kernel/kernel.h"

namespace runsc::sentry {
namespace {

constexpr uint64_t kRedZone = 128;
constexpr uint64_t kFpStateSize = sizeof(platform::FpRegisters);  // FXSAVE: 512 bytes.
constexpr uint64_t kUcSigcontextSs = 2, kUcStrictRestoreSs = 4;
constexpr uint64_t kSaRestorer = 0x04000000;  // SA_RESTORER, which glibc hides.
// Flags rt_sigreturn lets the application set (CF PF AF ZF SF TF DF OF RF AC ID NT).
constexpr uint64_t kUserEflags = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 |
                                 0x4000 | 0x10000 | 0x40000 | 0x200000;

void RewindSyscall(platform::Registers& regs) {
  regs.rax = regs.orig_rax;
  regs.rip -= 2;  // Back over the `syscall` instruction.
}

constexpr uint64_t kSysRestartSyscall = 219;  // restart_syscall(2) on x86-64.

// A syscall that asked for a restart, and no handler runs: it restarts,
// through restart_syscall(2) if it left a restart block.
void RestartSyscall(Task& task) {
  const int64_t code = static_cast<int64_t>(task.regs.rax);
  RewindSyscall(task.regs);
  if (code == kErrRestartRestartBlock) task.regs.rax = kSysRestartSyscall;
}

// Picks the signal to deliver: SIGKILL first, then the lowest unblocked;
// the thread's own queue before the process's, as Linux's dequeue_signal.
bool TakeSignalLocked(Task& task, siginfo_t& out) {
  for (std::deque<siginfo_t>* queue : {&task.pending, &task.group().pending}) {
    auto best = queue->end();
    for (auto it = queue->begin(); it != queue->end(); ++it) {
      if (task.blocked & SignalBit(it->si_signo) & ~kUnblockableSignals) continue;
      if (it->si_signo == SIGKILL) {
        best = it;
        break;
      }
      if (best == queue->end() || it->si_signo < best->si_signo) best = it;
    }
    if (best == queue->end()) continue;
    out = *best;
    queue->erase(best);
    task.group().posix_timers.OnSignalTaken(out);
    return true;
  }
  return false;
}

// Builds the frame and points the thread at the handler. False on a bad
// stack (the caller then kills the task with SIGSEGV).
bool SetUpFrame(Task& task, const siginfo_t& info, const KernelSigaction& act,
                SignalSet old_mask) {
  platform::Registers& regs = task.regs;
  uint64_t sp = regs.rsp - kRedZone;
  if (act.flags & SA_ONSTACK) {
    if (std::optional<uint64_t> top = task.alt_stack.FrameTopFor(sp)) sp = *top;
  }
  const uint64_t fp_addr = (sp - kFpStateSize) & ~uint64_t{63};
  const uint64_t frame_addr = ((fp_addr - sizeof(RtSigframe)) & ~uint64_t{15}) - 8;

  platform::FpRegisters fp{};
  if (!task.context->GetFpRegisters(task.mm->address_space(), fp).ok()) return false;

  RtSigframe frame{};
  frame.pretcode = act.restorer;
  frame.uc.flags = kUcSigcontextSs | kUcStrictRestoreSs;
  // As Linux's __save_altstack: the stack as set, which rt_sigreturn
  // restores (SS_ONSTACK is never recorded; it is computed when asked).
  const stack_t saved_stack = task.alt_stack.Saved();
  frame.uc.ss_sp = reinterpret_cast<uint64_t>(saved_stack.ss_sp);
  frame.uc.ss_flags = saved_stack.ss_flags;
  frame.uc.ss_size = saved_stack.ss_size;
  SigContext& sc = frame.uc.mcontext;
  sc.r8 = regs.r8; sc.r9 = regs.r9; sc.r10 = regs.r10; sc.r11 = regs.r11;
  sc.r12 = regs.r12; sc.r13 = regs.r13; sc.r14 = regs.r14; sc.r15 = regs.r15;
  sc.rdi = regs.rdi; sc.rsi = regs.rsi; sc.rbp = regs.rbp; sc.rbx = regs.rbx;
  sc.rdx = regs.rdx; sc.rax = regs.rax; sc.rcx = regs.rcx; sc.rsp = regs.rsp;
  sc.rip = regs.rip; sc.eflags = regs.eflags;
  sc.cs = static_cast<uint16_t>(regs.cs);
  sc.ss = static_cast<uint16_t>(regs.ss);
  sc.oldmask = old_mask;
  sc.fpstate = fp_addr;
  if (info.si_signo == SIGSEGV || info.si_signo == SIGBUS) {
    sc.cr2 = reinterpret_cast<uint64_t>(info.si_addr);
  }
  frame.uc.sigmask = old_mask;
  frame.info = info;

  MemoryManager& mm = *task.mm;
  if (!mm.CopyOutObject(fp_addr, fp).ok() || !mm.CopyOutObject(frame_addr, frame).ok()) {
    return false;
  }
  regs.rsp = frame_addr;
  regs.rip = act.handler;
  regs.rdi = static_cast<uint64_t>(info.si_signo);
  regs.rsi = frame_addr + offsetof(RtSigframe, info);
  regs.rdx = frame_addr + offsetof(RtSigframe, uc);
  regs.rax = 0;
  regs.eflags &= ~uint64_t{0x100 | 0x400};  // Clear TF and DF, as Linux does.
  task.alt_stack.OnHandlerEntered();
  return true;
}

// The group stops: the thread parks here, between two stretches of
// application code, until SIGCONT or SIGKILL (or an exit) lets it go. It
// waits on the kernel's condition variable like any blocked call, using no
// CPU; its stub stays where the last switch left it. Signals sent
// meanwhile stay pending (Linux's do_signal_stop).
void ParkForGroupStopLocked(Task& task) {
  Kernel& kernel = task.kernel();
  kernel.ParticipateInGroupStopLocked(task);
  while (task.group_stopped && !task.exiting) kernel.cv.Wait(&kernel.mu);
  task.group_stopped = false;
}

void DeliverPendingSignalLocked(Task& task) ABSL_EXCLUSIVE_LOCKS_REQUIRED(task.kernel().mu) {
  Kernel& kernel = task.kernel();
  for (;;) {
    // An exiting thread neither stops nor takes signals: its run loop ends.
    if (task.exiting) return;
    // A stop comes before any signal, as in Linux's get_signal: the
    // thread's part in its group's stop, whoever took the stop signal.
    if (task.group_stop_pending) {
      ParkForGroupStopLocked(task);
      continue;
    }
    siginfo_t info;
    if (!TakeSignalLocked(task, info)) {
      // Nothing to deliver: a syscall that asked for a restart restarts,
      // and a temporary mask (sigsuspend, ppoll) that no handler frame
      // will restore goes now (Linux's restore_saved_sigmask); a restarted
      // call sets it again.
      if (task.syscall_restart_pending) {
        task.syscall_restart_pending = false;
        RestartSyscall(task);
      }
      if (task.restore_mask_after_signal) {
        task.blocked = task.saved_mask_for_sigsuspend;
        task.restore_mask_after_signal = false;
      }
      return;
    }
    const int sig = info.si_signo;
    KernelSigaction act = task.handlers->at(sig);
    if (sig == SIGKILL) act.handler = reinterpret_cast<uint64_t>(SIG_DFL);
    if (act.handler == reinterpret_cast<uint64_t>(SIG_IGN)) continue;
    if (act.handler == reinterpret_cast<uint64_t>(SIG_DFL)) {
      switch (DefaultActionOf(sig)) {
        case DefaultAction::kIgnore:
        case DefaultAction::kContinue:
          continue;
        case DefaultAction::kStop:
          // SIGTSTP, SIGTTIN and SIGTTOU do nothing to an orphaned process
          // group (nobody is left to continue it); SIGSTOP always stops.
          if (sig != SIGSTOP && kernel.IsOrphanedProcessGroupLocked(task.leader().pgid)) {
            continue;
          }
          kernel.BeginGroupStopLocked(task, sig);
          continue;
        case DefaultAction::kTerminate:
        case DefaultAction::kCoreDump:
          task.BeginGroupExitLocked(
              SignaledStatus(sig, DefaultActionOf(sig) == DefaultAction::kCoreDump));
          return;
      }
    }
    // A handler runs. Decide what the interrupted syscall returns.
    if (task.syscall_restart_pending) {
      task.syscall_restart_pending = false;
      const int64_t code = static_cast<int64_t>(task.regs.rax);
      if (code == kErrRestartNoIntr || (code == kErrRestartSys && (act.flags & SA_RESTART))) {
        RewindSyscall(task.regs);
      } else {
        task.regs.rax = static_cast<uint64_t>(-EINTR);
      }
      // What is left of an interrupted call dies with it once a handler
      // runs (Linux's do_no_restart_syscall).
      task.restart_block = nullptr;
    }
    SignalSet old_mask = task.blocked;
    if (task.restore_mask_after_signal) {
      old_mask = task.saved_mask_for_sigsuspend;
      task.restore_mask_after_signal = false;
    }
    if (!(act.flags & kSaRestorer) || !SetUpFrame(task, info, act, old_mask)) {
      // No way back from the handler, or a stack we cannot write: SIGSEGV.
      task.BeginGroupExitLocked(SignaledStatus(SIGSEGV, true));
      return;
    }
    task.blocked |= act.mask | ((act.flags & SA_NODEFER) ? 0 : SignalBit(sig));
    task.blocked &= ~kUnblockableSignals;
    if (act.flags & SA_RESETHAND) task.handlers->at(sig) = KernelSigaction{};
    return;
  }
}

}  // namespace

bool DeliverPendingSignal(Task& task) {
  absl::MutexLock lock(&task.kernel().mu);
  DeliverPendingSignalLocked(task);
  return !task.exiting;
}

void SigReturn(Task& task) {
  platform::Registers& regs = task.regs;
  const uint64_t frame_addr = regs.rsp - 8;  // The handler's `ret` popped pretcode.
  RtSigframe frame;
  platform::FpRegisters fp;
  MemoryManager& mm = *task.mm;
  bool ok = mm.CopyInObject(frame_addr, frame).ok();
  const SigContext& sc = frame.uc.mcontext;
  if (ok && sc.fpstate != 0) {
    ok = mm.CopyInObject(sc.fpstate, fp).ok() &&
         task.context->SetFpRegisters(mm.address_space(), fp).ok();
  }
  absl::MutexLock lock(&task.kernel().mu);
  if (!ok) {
    task.BeginGroupExitLocked(SignaledStatus(SIGSEGV, true));
    return;
  }
  regs.r8 = sc.r8; regs.r9 = sc.r9; regs.r10 = sc.r10; regs.r11 = sc.r11;
  regs.r12 = sc.r12; regs.r13 = sc.r13; regs.r14 = sc.r14; regs.r15 = sc.r15;
  regs.rdi = sc.rdi; regs.rsi = sc.rsi; regs.rbp = sc.rbp; regs.rbx = sc.rbx;
  regs.rdx = sc.rdx; regs.rax = sc.rax; regs.rcx = sc.rcx; regs.rsp = sc.rsp;
  regs.rip = sc.rip;
  // Only user-controllable flags; segment registers stay the kernel's.
  regs.eflags = (regs.eflags & ~kUserEflags) | (sc.eflags & kUserEflags);
  regs.orig_rax = static_cast<uint64_t>(-1);
  task.restart_block = nullptr;  // As Linux's restore_sigcontext.
  // Linux's restore_altstack: the frame's stack comes back (what
  // SS_AUTODISARM took away); an error (EPERM on the stack, a bad stack
  // the handler wrote there) keeps the current one, as Linux squashes it.
  stack_t restored{};
  restored.ss_sp = reinterpret_cast<void*>(frame.uc.ss_sp);
  restored.ss_flags = frame.uc.ss_flags;
  restored.ss_size = frame.uc.ss_size;
  (void)task.alt_stack.Set(restored, regs.rsp);
  task.blocked = frame.uc.sigmask & ~kUnblockableSignals;
  task.kernel().cv.SignalAll();
}

}  // namespace runsc::sentry
