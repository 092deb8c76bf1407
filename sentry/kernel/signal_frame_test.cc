// Signal delivery and rt_sigreturn as the x86-64 Linux ABI defines them:
// where the frame goes and what it holds, what the handler is called with,
// masks, SA_* flags, restart rules, default actions, and a frame the handler
// changed. The task is not started: its registers are set here, and its
// memory and FP state live in a real (stopped) ptrace stub.
#include "sentry/kernel/signal_frame.h"

#include <errno.h>
#include <signal.h>
#include <sys/mman.h>

#include <cstring>
#include <thread>

#include "gtest/gtest.h"
#include "platform/platform.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/no_dispatch.h"

namespace runsc::sentry {
namespace {

constexpr uint64_t kStackBase = 0x7f0000000000;
constexpr uint64_t kStackSize = 64 * 1024;
constexpr uint64_t kAltStack = 0x7f0000100000;
constexpr uint64_t kAltStackSize = 16 * 1024;
constexpr uint64_t kHandler = 0x401000;
constexpr uint64_t kRestorer = 0x402000;
constexpr uint64_t kSaRestorer = 0x04000000;
constexpr uint64_t kRedZone = 128;
constexpr uint64_t kIopl = 0x3000;  // Privileged: rt_sigreturn must not set it.
constexpr uint64_t kCarry = 0x1;

class SignalFrameTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<platform::Platform>> p = platform::CreatePlatform("ptrace");
    ASSERT_TRUE(p.ok()) << p.status();
    kernel_ = std::make_unique<Kernel>(*std::move(p), dispatcher_);
    absl::StatusOr<std::unique_ptr<platform::AddressSpace>> as =
        kernel_->platform().NewAddressSpace();
    ASSERT_TRUE(as.ok()) << as.status();
    ASSERT_TRUE((*as)->Attach().ok());
    task_ = std::make_unique<Task>(*kernel_, 1);
    task_->mm = std::make_shared<MemoryManager>(*std::move(as));
    task_->context = kernel_->platform().NewContext();
    task_->handlers = std::make_shared<SignalHandlers>();
    for (uint64_t base : {kStackBase, kAltStack}) {
      ASSERT_TRUE(task_->mm->Map(base, kStackSize, PROT_READ | PROT_WRITE,
                                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0, "")
                      .ok());
    }
    // Every register distinct, the stack pointer deliberately misaligned.
    platform::Registers& r = task_->regs;
    uint64_t v = 0x1111;
    for (unsigned long long* reg : {&r.r8, &r.r9, &r.r10, &r.r11, &r.r12, &r.r13, &r.r14, &r.r15, &r.rdi,
                          &r.rsi, &r.rbp, &r.rbx, &r.rdx, &r.rax, &r.rcx}) {
      *reg = v;
      v += 0x1111;
    }
    r.rsp = kStackBase + kStackSize - 0x1003;
    r.rip = 0x400123;
    r.orig_rax = 0;  // read(2), for the restart tests.
    r.eflags = 0x202;
    r.cs = 0x33;
    r.ss = 0x2b;
    original_ = r;
    original_mask_ = SignalBit(SIGHUP);
    task_->blocked = original_mask_;
  }

  void Handle(int sig, uint64_t flags, SignalSet mask = 0) {
    task_->handlers->at(sig) = {kHandler, flags | kSaRestorer, kRestorer, mask};
  }
  void Queue(int sig) {
    siginfo_t info{};
    info.si_signo = sig;
    info.si_code = SI_USER;
    info.si_pid = 77;
    absl::MutexLock lock(&kernel_->mu);
    task_->pending.push_back(info);
  }
  RtSigframe Frame() {
    RtSigframe frame;
    EXPECT_TRUE(task_->mm->CopyInObject(task_->regs.rsp, frame).ok());
    return frame;
  }
  // What the handler's final `ret` does before rt_sigreturn runs.
  void ReturnFromHandler() { task_->regs.rsp += 8; }
  bool ExitedWith(int status) {
    absl::MutexLock lock(&kernel_->mu);
    return task_->exiting && task_->exit_status == status;
  }
  bool Exiting() {
    absl::MutexLock lock(&kernel_->mu);
    return task_->exiting;
  }

  NoDispatch dispatcher_;
  std::unique_ptr<Kernel> kernel_;
  std::unique_ptr<Task> task_;
  platform::Registers original_{};
  SignalSet original_mask_ = 0;
};

TEST_F(SignalFrameTest, TheHandlerIsCalledWithAFrameBelowTheRedZone) {
  Handle(SIGUSR1, SA_SIGINFO, SignalBit(SIGUSR2));
  Queue(SIGUSR1);
  DeliverPendingSignal(*task_);
  const platform::Registers& r = task_->regs;
  EXPECT_EQ(r.rip, kHandler);
  EXPECT_EQ(r.rdi, static_cast<uint64_t>(SIGUSR1));
  EXPECT_EQ(r.rsi, r.rsp + offsetof(RtSigframe, info));
  EXPECT_EQ(r.rdx, r.rsp + offsetof(RtSigframe, uc));
  // As after a `call`: rsp + 8 is 16-byte aligned at the handler's entry.
  EXPECT_EQ((r.rsp + 8) % 16, 0u);
  EXPECT_LE(r.rsp + sizeof(RtSigframe), original_.rsp - kRedZone);

  RtSigframe frame = Frame();
  EXPECT_EQ(frame.pretcode, kRestorer);  // The handler returns into sa_restorer.
  EXPECT_EQ(frame.info.si_signo, SIGUSR1);
  EXPECT_EQ(frame.info.si_code, SI_USER);
  EXPECT_EQ(frame.info.si_pid, 77);
  EXPECT_EQ(frame.uc.sigmask, original_mask_);
  EXPECT_EQ(frame.uc.ss_flags, SS_DISABLE);
  const SigContext& sc = frame.uc.mcontext;
  EXPECT_EQ(sc.rip, original_.rip);
  EXPECT_EQ(sc.rsp, original_.rsp);
  EXPECT_EQ(sc.rax, original_.rax);
  EXPECT_EQ(sc.r8, original_.r8);
  EXPECT_EQ(sc.r15, original_.r15);
  EXPECT_EQ(sc.rdi, original_.rdi);
  EXPECT_EQ(sc.rcx, original_.rcx);
  EXPECT_EQ(sc.eflags, original_.eflags);
  EXPECT_EQ(sc.cs, 0x33);
  EXPECT_EQ(sc.oldmask, original_mask_);
  // The FXSAVE area: 64-byte aligned, between the frame and the red zone.
  EXPECT_EQ(sc.fpstate % 64, 0u);
  EXPECT_GE(sc.fpstate, r.rsp + sizeof(RtSigframe));
  EXPECT_LE(sc.fpstate + sizeof(platform::FpRegisters), original_.rsp - kRedZone);

  absl::MutexLock lock(&kernel_->mu);
  EXPECT_TRUE(task_->pending.empty());
  // The signal itself and sa_mask are blocked while the handler runs.
  EXPECT_EQ(task_->blocked, original_mask_ | SignalBit(SIGUSR1) | SignalBit(SIGUSR2));
}

TEST_F(SignalFrameTest, SigreturnRestoresTheInterruptedState) {
  Handle(SIGUSR1, 0);
  Queue(SIGUSR1);
  DeliverPendingSignal(*task_);
  ASSERT_FALSE(Exiting());
  ReturnFromHandler();
  SigReturn(*task_);
  ASSERT_FALSE(Exiting());
  const platform::Registers& r = task_->regs;
  EXPECT_EQ(r.rip, original_.rip);
  EXPECT_EQ(r.rsp, original_.rsp);
  EXPECT_EQ(r.rax, original_.rax);
  EXPECT_EQ(r.rbx, original_.rbx);
  EXPECT_EQ(r.rcx, original_.rcx);
  EXPECT_EQ(r.rdx, original_.rdx);
  EXPECT_EQ(r.rsi, original_.rsi);
  EXPECT_EQ(r.rdi, original_.rdi);
  EXPECT_EQ(r.rbp, original_.rbp);
  EXPECT_EQ(r.r8, original_.r8);
  EXPECT_EQ(r.r11, original_.r11);
  EXPECT_EQ(r.r15, original_.r15);
  EXPECT_EQ(r.eflags, original_.eflags);
  // Not a syscall to restart: rt_sigreturn's own result must not be taken
  // for one.
  EXPECT_EQ(r.orig_rax, static_cast<uint64_t>(-1));
  absl::MutexLock lock(&kernel_->mu);
  EXPECT_EQ(task_->blocked, original_mask_);
}

TEST_F(SignalFrameTest, SigreturnTakesWhatTheHandlerChangedButNoPrivilege) {
  Handle(SIGUSR1, 0);
  Queue(SIGUSR1);
  DeliverPendingSignal(*task_);
  const uint64_t frame_addr = task_->regs.rsp;
  RtSigframe frame = Frame();
  frame.uc.mcontext.rip = 0x400500;  // As a handler that longjmps by editing its context.
  frame.uc.mcontext.rax = 0xabcdef;
  frame.uc.mcontext.eflags |= kCarry | kIopl;
  frame.uc.sigmask = SignalBit(SIGINT) | SignalBit(SIGKILL) | SignalBit(SIGSTOP);
  ASSERT_TRUE(task_->mm->CopyOutObject(frame_addr, frame).ok());
  platform::FpRegisters fp;
  ASSERT_TRUE(task_->mm->CopyInObject(frame.uc.mcontext.fpstate, fp).ok());
  fp.mxcsr = 0x7f80;  // Round toward zero instead of to nearest.
  ASSERT_TRUE(task_->mm->CopyOutObject(frame.uc.mcontext.fpstate, fp).ok());

  ReturnFromHandler();
  SigReturn(*task_);
  ASSERT_FALSE(Exiting());
  EXPECT_EQ(task_->regs.rip, 0x400500u);
  EXPECT_EQ(task_->regs.rax, 0xabcdefu);
  EXPECT_TRUE(task_->regs.eflags & kCarry);
  EXPECT_EQ(task_->regs.eflags & kIopl, 0u);
  EXPECT_EQ(task_->regs.cs, 0x33u);
  platform::FpRegisters now;
  ASSERT_TRUE(task_->context->GetFpRegisters(task_->mm->address_space(), now).ok());
  EXPECT_EQ(now.mxcsr, 0x7f80u);
  absl::MutexLock lock(&kernel_->mu);
  EXPECT_EQ(task_->blocked, SignalBit(SIGINT));  // SIGKILL and SIGSTOP cannot be blocked.
}

TEST_F(SignalFrameTest, NodeferAndResethand) {
  Handle(SIGUSR1, SA_NODEFER | SA_RESETHAND);
  Queue(SIGUSR1);
  DeliverPendingSignal(*task_);
  EXPECT_EQ(task_->regs.rip, kHandler);
  absl::MutexLock lock(&kernel_->mu);
  EXPECT_EQ(task_->blocked, original_mask_);  // SA_NODEFER: the signal stays unblocked.
  EXPECT_EQ(task_->handlers->at(SIGUSR1).handler, reinterpret_cast<uint64_t>(SIG_DFL));
}

TEST_F(SignalFrameTest, TheAlternateStackIsUsedWithSaOnstack) {
  ASSERT_TRUE(
      task_->alt_stack.Set({reinterpret_cast<void*>(kAltStack), 0, kAltStackSize}, original_.rsp)
          .ok());
  Handle(SIGUSR1, SA_ONSTACK);
  Queue(SIGUSR1);
  DeliverPendingSignal(*task_);
  EXPECT_GE(task_->regs.rsp, kAltStack);
  EXPECT_LT(task_->regs.rsp, kAltStack + kAltStackSize);
  RtSigframe frame = Frame();
  EXPECT_EQ(frame.uc.ss_sp, kAltStack);
  EXPECT_EQ(frame.uc.ss_size, kAltStackSize);
  EXPECT_EQ(frame.uc.ss_flags, 0);
  EXPECT_EQ(frame.uc.mcontext.rsp, original_.rsp);

  // A second signal while on the alternate stack nests below the first.
  const uint64_t first_frame = task_->regs.rsp;
  Handle(SIGUSR2, SA_ONSTACK);
  Queue(SIGUSR2);
  DeliverPendingSignal(*task_);
  EXPECT_LT(task_->regs.rsp, first_frame);
  EXPECT_GE(task_->regs.rsp, kAltStack);
  // The frame records the stack as set, as Linux's __save_altstack does;
  // SS_ONSTACK is what sigaltstack(2) computes from the stack pointer.
  EXPECT_EQ(Frame().uc.ss_flags, 0);
  EXPECT_EQ(task_->alt_stack.Report(task_->regs.rsp).ss_flags, SS_ONSTACK);
}

TEST_F(SignalFrameTest, WithoutSaOnstackTheAlternateStackIsNotUsed) {
  ASSERT_TRUE(
      task_->alt_stack.Set({reinterpret_cast<void*>(kAltStack), 0, kAltStackSize}, original_.rsp)
          .ok());
  Handle(SIGUSR1, 0);
  Queue(SIGUSR1);
  DeliverPendingSignal(*task_);
  EXPECT_LT(task_->regs.rsp, original_.rsp);
  EXPECT_GT(task_->regs.rsp, kStackBase);
}

TEST_F(SignalFrameTest, AHandlerWithoutRestorerKillsWithSigsegv) {
  task_->handlers->at(SIGUSR1) = {kHandler, 0, 0, 0};  // No SA_RESTORER.
  Queue(SIGUSR1);
  DeliverPendingSignal(*task_);
  EXPECT_TRUE(ExitedWith(SignaledStatus(SIGSEGV, true)));
}

TEST_F(SignalFrameTest, AnUnwritableStackKillsWithSigsegv) {
  task_->regs.rsp = 0x200000;  // Nothing mapped there.
  Handle(SIGUSR1, 0);
  Queue(SIGUSR1);
  DeliverPendingSignal(*task_);
  EXPECT_TRUE(ExitedWith(SignaledStatus(SIGSEGV, true)));
}

TEST_F(SignalFrameTest, SigreturnWithABadFrameKillsWithSigsegv) {
  task_->regs.rsp = 0x200000;
  SigReturn(*task_);
  EXPECT_TRUE(ExitedWith(SignaledStatus(SIGSEGV, true)));
}

// A syscall that returned a restart code, then a signal: what the handler's
// frame holds is what the application resumes with after rt_sigreturn.
class RestartTest : public SignalFrameTest {
 protected:
  SigContext DeliverAfterSyscallReturned(int64_t code, uint64_t sa_flags) {
    task_->regs.rax = static_cast<uint64_t>(code);
    task_->syscall_restart_pending = true;
    Handle(SIGUSR1, sa_flags);
    Queue(SIGUSR1);
    DeliverPendingSignal(*task_);
    EXPECT_FALSE(task_->syscall_restart_pending);
    return Frame().uc.mcontext;
  }
};

TEST_F(RestartTest, ErestartsysRestartsWithSaRestart) {
  SigContext sc = DeliverAfterSyscallReturned(kErrRestartSys, SA_RESTART);
  EXPECT_EQ(sc.rip, original_.rip - 2);  // Back on the `syscall` instruction,
  EXPECT_EQ(sc.rax, original_.orig_rax);  // with its number in rax again.
}

TEST_F(RestartTest, ErestartsysIsEintrWithoutSaRestart) {
  SigContext sc = DeliverAfterSyscallReturned(kErrRestartSys, 0);
  EXPECT_EQ(sc.rip, original_.rip);
  EXPECT_EQ(static_cast<int64_t>(sc.rax), -EINTR);
}

TEST_F(RestartTest, ErestartnointrAlwaysRestarts) {
  SigContext sc = DeliverAfterSyscallReturned(kErrRestartNoIntr, 0);
  EXPECT_EQ(sc.rip, original_.rip - 2);
  EXPECT_EQ(sc.rax, original_.orig_rax);
}

TEST_F(RestartTest, ErestartnohandIsEintrWhenAHandlerRuns) {
  SigContext sc = DeliverAfterSyscallReturned(kErrRestartNoHand, SA_RESTART);
  EXPECT_EQ(static_cast<int64_t>(sc.rax), -EINTR);
}

TEST_F(RestartTest, NoHandlerMeansTheSyscallRestarts) {
  // Woken by a signal that is then ignored (SIGCHLD's default): restart.
  task_->regs.rax = static_cast<uint64_t>(kErrRestartNoHand);
  task_->syscall_restart_pending = true;
  Queue(SIGCHLD);
  DeliverPendingSignal(*task_);
  EXPECT_FALSE(Exiting());
  EXPECT_FALSE(task_->syscall_restart_pending);
  EXPECT_EQ(task_->regs.rip, original_.rip - 2);
  EXPECT_EQ(task_->regs.rax, original_.orig_rax);
}

TEST_F(RestartTest, ErestartRestartblockIsEintrWhenAHandlerRuns) {
  task_->restart_block = [](Task&) -> int64_t { return 0; };
  SigContext sc = DeliverAfterSyscallReturned(kErrRestartRestartBlock, SA_RESTART);
  EXPECT_EQ(sc.rip, original_.rip);
  EXPECT_EQ(static_cast<int64_t>(sc.rax), -EINTR);
  EXPECT_FALSE(task_->restart_block);  // Nothing left to finish.
}

TEST_F(RestartTest, ErestartRestartblockWithoutAHandlerGoesThroughRestartSyscall) {
  task_->restart_block = [](Task&) -> int64_t { return 0; };
  task_->regs.rax = static_cast<uint64_t>(kErrRestartRestartBlock);
  task_->syscall_restart_pending = true;
  Queue(SIGCHLD);
  DeliverPendingSignal(*task_);
  EXPECT_FALSE(Exiting());
  EXPECT_EQ(task_->regs.rip, original_.rip - 2);
  EXPECT_EQ(task_->regs.rax, 219u);  // restart_syscall(2), which runs the block.
  EXPECT_TRUE(task_->restart_block);
}

TEST_F(SignalFrameTest, DefaultActions) {
  Queue(SIGCHLD);  // Ignored by default.
  Queue(SIGCONT);  // Continues (nothing to do): not fatal.
  DeliverPendingSignal(*task_);
  EXPECT_FALSE(Exiting());
  EXPECT_EQ(task_->regs.rip, original_.rip);
  {
    absl::MutexLock lock(&kernel_->mu);
    EXPECT_TRUE(task_->pending.empty());
  }
  task_->handlers->at(SIGTERM).handler = reinterpret_cast<uint64_t>(SIG_IGN);
  Queue(SIGTERM);
  DeliverPendingSignal(*task_);
  EXPECT_FALSE(Exiting());

  Queue(SIGUSR1);  // Terminates, no core.
  DeliverPendingSignal(*task_);
  EXPECT_TRUE(ExitedWith(SignaledStatus(SIGUSR1, false)));
}

// The task is its group's only thread, has no parent and so is in an
// orphaned process group (pgid 0, of which it is the only member).
TEST_F(SignalFrameTest, TerminalStopSignalsToAnOrphanedGroupAreDiscarded) {
  for (int sig : {SIGTSTP, SIGTTIN, SIGTTOU}) {
    Queue(sig);
    DeliverPendingSignal(*task_);
    absl::MutexLock lock(&kernel_->mu);
    EXPECT_FALSE(task_->group_stop_pending) << sig;
    EXPECT_FALSE(task_->group().stop.stopping() || task_->group().stop.stopped()) << sig;
    EXPECT_TRUE(task_->pending.empty()) << sig;
  }
  EXPECT_FALSE(Exiting());
}

TEST_F(SignalFrameTest, DefaultSigstopParksTheThreadUntilSigcont) {
  Handle(SIGUSR1, 0);
  Queue(SIGSTOP);
  std::thread continuer([this] {
    absl::MutexLock lock(&kernel_->mu);
    kernel_->mu.Await(absl::Condition(+[](Task* t) { return t->group_stopped; }, task_.get()));
    // Parked: the stop is complete, and a signal sent now waits.
    EXPECT_TRUE(task_->group().stop.stopped());
    EXPECT_EQ(task_->group().stop.stop_report(), SIGSTOP);
    siginfo_t info{};
    info.si_code = SI_USER;
    info.si_signo = SIGUSR1;
    kernel_->SendGroupSignalLocked(*task_, info);
    EXPECT_FALSE(task_->group().pending.empty());
    info.si_signo = SIGCONT;
    kernel_->SendGroupSignalLocked(*task_, info);
  });
  EXPECT_TRUE(DeliverPendingSignal(*task_));
  continuer.join();
  absl::MutexLock lock(&kernel_->mu);
  EXPECT_FALSE(task_->group_stopped);
  EXPECT_FALSE(task_->group().stop.stopped());
  EXPECT_TRUE(task_->group().stop.continued_report());
  EXPECT_FALSE(task_->exiting);
  // Back from the stop, the signal that waited is delivered.
  EXPECT_EQ(task_->regs.rip, kHandler);
  EXPECT_EQ(task_->regs.rdi, static_cast<uint64_t>(SIGUSR1));
}

TEST_F(SignalFrameTest, SigkillEndsAStop) {
  Queue(SIGSTOP);
  std::thread killer([this] {
    absl::MutexLock lock(&kernel_->mu);
    kernel_->mu.Await(absl::Condition(+[](Task* t) { return t->group_stopped; }, task_.get()));
    siginfo_t info{};
    info.si_code = SI_USER;
    info.si_signo = SIGKILL;
    kernel_->SendGroupSignalLocked(*task_, info);
  });
  EXPECT_FALSE(DeliverPendingSignal(*task_));  // The run loop ends.
  killer.join();
  EXPECT_TRUE(ExitedWith(SignaledStatus(SIGKILL, false)));
  absl::MutexLock lock(&kernel_->mu);
  EXPECT_FALSE(task_->group().stop.stopped());
  EXPECT_EQ(task_->group().stop.stop_report(), 0);  // Nothing left for wait(2).
}

TEST_F(SignalFrameTest, SigcontDiscardsPendingStopSignalsAndAStopSignalAPendingSigcont) {
  Handle(SIGCONT, 0);
  task_->blocked |= SignalBit(SIGCONT) | SignalBit(SIGTSTP);
  absl::MutexLock lock(&kernel_->mu);
  siginfo_t info{};
  info.si_code = SI_USER;
  info.si_signo = SIGCONT;
  kernel_->SendGroupSignalLocked(*task_, info);
  info.si_signo = SIGTSTP;
  kernel_->SendGroupSignalLocked(*task_, info);
  ASSERT_EQ(task_->group().pending.size(), 1u);
  EXPECT_EQ(task_->group().pending.front().si_signo, SIGTSTP);
  info.si_signo = SIGCONT;
  kernel_->SendGroupSignalLocked(*task_, info);
  ASSERT_EQ(task_->group().pending.size(), 1u);
  EXPECT_EQ(task_->group().pending.front().si_signo, SIGCONT);
}

TEST_F(SignalFrameTest, SigsegvByDefaultDumpsCore) {
  Queue(SIGSEGV);
  DeliverPendingSignal(*task_);
  EXPECT_TRUE(ExitedWith(SignaledStatus(SIGSEGV, true)));
}

TEST_F(SignalFrameTest, LowestSignalFirstAndBlockedOnesWait) {
  Handle(SIGINT, 0);
  Handle(SIGUSR2, 0);
  Handle(SIGHUP, 0);  // Blocked (see SetUp).
  Queue(SIGUSR2);
  Queue(SIGHUP);
  Queue(SIGINT);
  DeliverPendingSignal(*task_);
  EXPECT_EQ(task_->regs.rdi, static_cast<uint64_t>(SIGINT));
  absl::MutexLock lock(&kernel_->mu);
  ASSERT_EQ(task_->pending.size(), 2u);
}

TEST_F(SignalFrameTest, SigkillCannotBeBlockedOrCaught) {
  task_->handlers->at(SIGKILL) = {kHandler, kSaRestorer, kRestorer, 0};  // Refused by rt_sigaction; ignored here too.
  task_->blocked = ~SignalSet{0};
  Handle(SIGINT, 0);
  Queue(SIGINT);
  Queue(SIGKILL);
  DeliverPendingSignal(*task_);
  EXPECT_TRUE(ExitedWith(SignaledStatus(SIGKILL, false)));
  EXPECT_EQ(task_->regs.rip, original_.rip);
}

TEST_F(SignalFrameTest, AfterSigsuspendTheFrameRestoresTheOldMask) {
  const SignalSet before_sigsuspend = SignalBit(SIGUSR2) | SignalBit(SIGTERM);
  task_->saved_mask_for_sigsuspend = before_sigsuspend;
  task_->restore_mask_after_signal = true;
  Handle(SIGUSR1, 0);
  Queue(SIGUSR1);
  DeliverPendingSignal(*task_);
  EXPECT_EQ(Frame().uc.sigmask, before_sigsuspend);
  EXPECT_FALSE(task_->restore_mask_after_signal);
  ReturnFromHandler();
  SigReturn(*task_);
  absl::MutexLock lock(&kernel_->mu);
  EXPECT_EQ(task_->blocked, before_sigsuspend);
}

}  // namespace
}  // namespace runsc::sentry
