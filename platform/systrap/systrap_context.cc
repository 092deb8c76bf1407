#include "platform/systrap/systrap_context.h"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "platform/stub/stub.h"
#include "platform/systrap/syscall_patch.h"
#include "platform/systrap/systrap_address_space.h"
#include "platform/systrap/systrap_wait.h"

extern "C" {
extern const char runsc_systrap_resume[];
extern const char runsc_systrap_resume_end[];
}

namespace runsc::platform::systrap {
namespace {

constexpr int kSysSeccomp = 1;  // si_code of a SIGSYS from SECCOMP_RET_TRAP
constexpr uint64_t kUcFpXstate = SYSTRAP_UC_FP_XSTATE;
constexpr size_t kFxsaveSize = sizeof(FpRegisters);
constexpr size_t kXsaveHeaderSize = 64;
// Bytes 464..511 of the FXSAVE image: the kernel's software-reserved words
// describing the xsave layout of the frame. Kept as the kernel wrote them.
constexpr size_t kFxsaveSwReserved = 464;

constexpr uint64_t kTrapFlag = 0x100;

// Whether `rip` is in the stub's resume code, after the thread saw its
// resume and before it reached application code.
bool InResumeCode(uint64_t rip) {
  static const uint64_t begin = stub::EntryAt(kStubBase, runsc_systrap_resume);
  static const uint64_t end = stub::EntryAt(kStubBase, runsc_systrap_resume_end);
  return rip >= begin && rip < end;
}

bool IsSynchronousFault(int sig) {
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP;
}

// Stores `value` unless the field holds it already. The frame is shared
// with the stub thread, on the other CPU of a spinning pair, and a store
// takes the cache line from that CPU even when the value is the same,
// which then misses on it at its resume. The patch entry stores the same
// way (stub_amd64.S STORE_IF_CHANGED), so a frame line whose registers the
// syscall left alone (most of them: a syscall changes rax, rcx, r11, rip
// and the flags) stays in both CPUs' caches. Either side alone was
// measured no better: the other's stores moved the lines anyway.
template <typename T, typename V>
void StoreIfChanged(T& field, V value) {
  if (field != static_cast<T>(value)) field = static_cast<T>(value);
}

void RegistersToFrame(const Registers& regs, KernelSigcontext& sc) {
  StoreIfChanged(sc.r8, regs.r8), StoreIfChanged(sc.r9, regs.r9);
  StoreIfChanged(sc.r10, regs.r10), StoreIfChanged(sc.r11, regs.r11);
  StoreIfChanged(sc.r12, regs.r12), StoreIfChanged(sc.r13, regs.r13);
  StoreIfChanged(sc.r14, regs.r14), StoreIfChanged(sc.r15, regs.r15);
  StoreIfChanged(sc.rdi, regs.rdi), StoreIfChanged(sc.rsi, regs.rsi);
  StoreIfChanged(sc.rbp, regs.rbp), StoreIfChanged(sc.rbx, regs.rbx);
  StoreIfChanged(sc.rdx, regs.rdx), StoreIfChanged(sc.rax, regs.rax);
  StoreIfChanged(sc.rcx, regs.rcx), StoreIfChanged(sc.rsp, regs.rsp);
  StoreIfChanged(sc.rip, regs.rip), StoreIfChanged(sc.eflags, regs.eflags);
  // 64-bit user segments only: the sentry runs no other kind of code.
  StoreIfChanged(sc.cs, 0x33);
  StoreIfChanged(sc.ss, 0x2b);
}

void FrameToRegisters(const KernelSigcontext& sc, Registers& regs) {
  regs.r8 = sc.r8, regs.r9 = sc.r9, regs.r10 = sc.r10, regs.r11 = sc.r11;
  regs.r12 = sc.r12, regs.r13 = sc.r13, regs.r14 = sc.r14, regs.r15 = sc.r15;
  regs.rdi = sc.rdi, regs.rsi = sc.rsi, regs.rbp = sc.rbp, regs.rbx = sc.rbx;
  regs.rdx = sc.rdx, regs.rax = sc.rax, regs.rcx = sc.rcx, regs.rsp = sc.rsp;
  regs.rip = sc.rip, regs.eflags = sc.eflags;
  regs.cs = 0x33;
  regs.ss = 0x2b;
}

}  // namespace

StubThread* SystrapContext::ThreadIn(SystrapAddressSpace& as) {
  if (thread_ == nullptr || thread_as_id_ != as.id()) {
    thread_ = as.ThreadOfCaller();
    thread_as_id_ = as.id();
  }
  return thread_;
}

KernelUcontext* SystrapContext::Frame(SystrapAddressSpace& as, StubThread& thread) {
  const uint64_t offset = thread.frame_offset;
  if (offset < SYSTRAP_STACK_OFFSET + 8 || offset + kFrameBytesFromUcontext > kSlotSize ||
      offset % 8 != 0) {
    return nullptr;
  }
  return reinterpret_cast<KernelUcontext*>(as.area().SlotBytes(thread.slot) + offset);
}

uint8_t* SystrapContext::FpArea(SystrapAddressSpace& as, StubThread& thread) {
  KernelUcontext* uc = Frame(as, thread);
  if (uc == nullptr) return nullptr;
  const uint64_t slot = ControlArea::StubSlotAddress(thread.slot);
  const uint64_t fp = uc->mcontext.fpstate;
  // Anywhere in the slot (the initial FXSAVE area is in the context page),
  // aligned as fxrstor wants, with room for the xsave header.
  if (fp < slot + SYSTRAP_CTX_INITIAL_FP || fp % 16 != 0 ||
      fp + kFxsaveSize + kXsaveHeaderSize > slot + kSlotSize) {
    return nullptr;
  }
  return as.area().SlotBytes(thread.slot) + (fp - slot);
}

absl::StatusOr<SwitchResult> SystrapContext::Switch(AddressSpace& as_base, Registers& regs) {
  auto& as = static_cast<SystrapAddressSpace&>(as_base);
  StubThread* thread = ThreadIn(as);
  if (thread == nullptr) {
    return absl::FailedPreconditionError("Switch from a thread that controls no stub thread");
  }
  if (thread->gone) return SwitchResult{StopReason::kExited, {}};
  stub_tgid_.store(as.HostPid(), std::memory_order_relaxed);
  stub_tid_.store(thread->tid, std::memory_order_release);
  if (interrupt_pending_.exchange(false)) return SwitchResult{StopReason::kInterrupted, {}};
  if (as.syscall_patching()) {
    if (std::optional<uint64_t> site = as.PatchedSiteRewoundTo(regs.rip); site.has_value()) {
      // A restart rewound into a patched site, where the original code had
      // its `syscall`: that syscall (rax, which the sentry set) is what the
      // thread would make now, so it is reported without running it.
      regs.orig_rax = regs.rax;
      regs.rax = static_cast<uint64_t>(-ENOSYS);
      regs.rip = *site + kPatchLength;
      regs.rcx = regs.rip;
      regs.r11 = regs.eflags;
      SwitchResult result{StopReason::kSyscall, {}};
      result.info.si_signo = SIGSYS;
      result.info.si_code = kSysSeccomp;
      return result;
    }
    if (std::optional<int32_t> imm = as.CmpToRunAt(regs.rip); imm.has_value()) {
      // The thread would run the cmp after a second-form site's syscall:
      // it runs here, so that no thread is ever inside the site's bytes
      // in user space (syscall_patch.h).
      regs.eflags = FlagsAfterCmp(regs.eflags, regs.rax, *imm);
      regs.rip += kCmpLength;
    }
  }

  KernelUcontext* uc = Frame(as, *thread);
  if (uc == nullptr) return absl::InternalError("systrap thread frame out of its slot");
  const uint64_t stub_slot = ControlArea::StubSlotAddress(thread->slot);
  RegistersToFrame(regs, uc->mcontext);
  StoreIfChanged(uc->sigmask, 0);  // The application's mask is the sentry's business.
  StoreIfChanged(uc->ss_sp, stub_slot + SYSTRAP_STACK_OFFSET);
  StoreIfChanged(uc->ss_flags, 0);
  StoreIfChanged(uc->ss_size, kSlotSize - SYSTRAP_STACK_OFFSET);
  ThreadContext& ctx = as.area().Context(thread->slot);
  ctx.frame = stub_slot + thread->frame_offset;
  ctx.fs_base = regs.fs_base;
  ctx.gs_base = as.HostGsBase(thread->slot, regs.gs_base);
  // From a patched stop, untouched FP state and the patch table as gs
  // base (what its jump reads): back in user space, without rt_sigreturn.
  // A trap flag wants the kernel's sigreturn (popf would trap in stub code).
  const bool fast = thread->patched_stop && thread->frame_offset == SYSTRAP_CTX_PATCH_FRAME &&
                    ctx.gs_base == stub_slot + SYSTRAP_CTX_PATCH_TABLE &&
                    (regs.eflags & kTrapFlag) == 0;
  ctx.command = fast ? SYSTRAP_CMD_RESUME_FAST : SYSTRAP_CMD_RESUME;
  // rt_sigreturn takes the FP state from the frame: it must be there.
  if (!fast) {
    if (absl::Status s = EnsureFpSaved(as, *thread); !s.ok()) return s;
  }
  const uint64_t resumed_frame_offset = thread->frame_offset;
  const bool resumed_fp_in_registers = thread->fp_in_registers;
  resumed_regs_ = regs;
  const uint64_t spin = as.SpinCyclesFor(*thread);
  ctx.spin_cycles = spin;  // for the stub's wait at the next stop
  const bool stub_slept = Post(ctx.state, SYSTRAP_STATE_RUNNING, ctx.stub_sleeping);

  bool sentry_spin_served = false;
  absl::Status waited =
      WaitUntil(ctx.state, ctx.sentry_sleeping, spin, as.HostPid(),
                [](uint32_t v) { return v != SYSTRAP_STATE_RUNNING; }, &sentry_spin_served);
  if (!waited.ok() || ctx.state.load(std::memory_order_acquire) == SYSTRAP_STATE_GONE) {
    thread->gone = true;
    return SwitchResult{StopReason::kExited, {}};
  }
  as.AfterRoundTrip(*thread, sentry_spin_served, !stub_slept);
  // Everything below comes from memory the application can write: the
  // frame pointer is checked against the slot before it is followed.
  const uint64_t frame = ctx.frame;
  if (frame < stub_slot || frame - stub_slot >= kSlotSize) {
    return absl::InternalError("systrap stub reported a frame outside its slot");
  }
  thread->frame_offset = frame - stub_slot;
  thread->patched_stop = false;
  thread->fp_in_registers = false;
  uc = Frame(as, *thread);
  if (uc == nullptr) return absl::InternalError("systrap stub reported a misplaced frame");
  if (InResumeCode(uc->mcontext.rip) && resumed_frame_offset == SYSTRAP_CTX_PATCH_FRAME) {
    // A signal after the thread saw its resume from a patched stop and
    // before it was back (patched stops run unblocked; the handler drops
    // only what comes before the resume): nothing of the application ran.
    // The stop is the one before, its patch frame still as the sentry
    // wrote it; the handler's frame is abandoned, and with it the mask
    // the handler blocked, which the next rt_sigreturn from the patch
    // frame puts back (never the fast resume: patched_stop is false).
    LogDebug("systrap: stub thread ", thread->tid, " stopped in its resume code: resumed again");
    if (resumed_fp_in_registers) {
      if (absl::Status s = MoveFpToPatchFrame(as, *thread); !s.ok()) {
        return s;
      }
    }
    thread->frame_offset = resumed_frame_offset;
    regs = resumed_regs_;
    interrupt_pending_.store(false);
    return SwitchResult{StopReason::kInterrupted, {}};
  }
  FrameToRegisters(uc->mcontext, regs);
  regs.fs_base = ctx.fs_base;
  regs.gs_base = as.AppGsBase(thread->slot, ctx.gs_base);
  SwitchResult result{StopReason::kInterrupted, {}};
  std::memcpy(&result.info, reinterpret_cast<uint8_t*>(uc) + kSiginfoAfterUcontext,
              sizeof(siginfo_t));
  const int sig = result.info.si_signo;
  if (sig == SIGSYS && result.info.si_code == kSysSeccomp) {
    // The kernel rolled rax back to the syscall number; present it as
    // PTRACE_SYSEMU does.
    regs.orig_rax = regs.rax;
    regs.rax = static_cast<uint64_t>(-ENOSYS);
    result.reason = StopReason::kSyscall;
    // A stop from the patch entry (its frame is at SYSTRAP_CTX_PATCH_FRAME,
    // the kernel's at the top of the stack) is already patched.
    thread->patched_stop = thread->frame_offset == SYSTRAP_CTX_PATCH_FRAME;
    thread->fp_in_registers = thread->patched_stop && uc->mcontext.fpstate == 0;
    if (as.syscall_patching() && !thread->patched_stop) {
      if (uint8_t* fp = FpArea(as, *thread); fp != nullptr && (uc->flags & kUcFpXstate)) {
        as.LearnXstateLayout(fp + kFxsaveSwReserved);
      }
      as.MaybePatch(regs.rip, regs.orig_rax);
    }
    return result;
  }
  regs.orig_rax = static_cast<uint64_t>(-1);
  if (sig == SIGTRAP && as.syscall_patching() && as.IsPatchGuardTrap(regs.rip)) {
    // The int3 over a site being rewritten: back to the site, to run what
    // is there now (the patch, or the original if it is being restored).
    regs.rip -= 1;
    result.info = siginfo_t{};
    return result;
  }
  if (IsSynchronousFault(sig) && result.info.si_code > 0) {
    result.reason = StopReason::kFault;
    return result;
  }
  // The interrupt signal, or a host signal sent to the stub from outside:
  // nothing happened to the thread.
  interrupt_pending_.store(false);
  result.info = siginfo_t{};
  return result;
}

void SystrapContext::Interrupt() {
  interrupt_pending_.store(true);
  const pid_t tid = stub_tid_.load(std::memory_order_acquire);
  const pid_t tgid = stub_tgid_.load(std::memory_order_relaxed);
  // Running: the handler stops the thread and Switch reports kInterrupted.
  // Stopped in the handler: every signal is masked there, so it waits until
  // the next resume, which then stops at once. Stopped in a patched stop
  // (or on the way to one): the handler drops it, and the next Switch finds
  // interrupt_pending_ before it resumes.
  if (tid > 0) ::syscall(SYS_tgkill, tgid, tid, kInterruptSignal);
}

absl::Status SystrapContext::EnsureFpSaved(SystrapAddressSpace& as, StubThread& thread) {
  if (!thread.fp_in_registers) return absl::OkStatus();
  ThreadContext& ctx = as.area().Context(thread.slot);
  // The thread waits in .Lapp_spin (or sleeps on the state word): it saves
  // the state and reports STOPPED again, with the same frame.
  Post(ctx.state, SYSTRAP_STATE_SAVE_FP, ctx.stub_sleeping);
  absl::Status waited =
      WaitUntil(ctx.state, ctx.sentry_sleeping, as.SpinCyclesFor(thread), as.HostPid(),
                [](uint32_t v) { return v != SYSTRAP_STATE_SAVE_FP; });
  if (!waited.ok() || ctx.state.load(std::memory_order_acquire) != SYSTRAP_STATE_STOPPED) {
    thread.gone = true;
    return absl::UnavailableError("systrap stub thread went away while saving its FP state");
  }
  thread.fp_in_registers = false;
  KernelUcontext* uc = Frame(as, thread);
  if (uc == nullptr || uc->mcontext.fpstate == 0 || FpArea(as, thread) == nullptr) {
    return absl::InternalError("systrap stub saved no FP state in its patch frame");
  }
  return absl::OkStatus();
}

absl::Status SystrapContext::MoveFpToPatchFrame(SystrapAddressSpace& as, StubThread& thread) {
  thread.fp_in_registers = false;
  const KernelUcontext* handler_uc = Frame(as, thread);
  const uint8_t* from = FpArea(as, thread);
  if (handler_uc == nullptr || from == nullptr) {
    return absl::InternalError("systrap signal frame in the resume code has no FP state");
  }
  // An xsave image (its size in the software-reserved words, which the
  // kernel wrote but the application could have since), or FXSAVE alone.
  size_t size = kFxsaveSize;
  uint64_t flags = SYSTRAP_UC_SIGCONTEXT_SS_STRICT;
  if (handler_uc->flags & kUcFpXstate) {
    FpxSwBytes sw;
    std::memcpy(&sw, from + kFxsaveSwReserved, sizeof(sw));
    if (sw.magic1 != SYSTRAP_FP_XSTATE_MAGIC1 || sw.xstate_size > SYSTRAP_MAX_PATCH_XSTATE ||
        sw.extended_size != sw.xstate_size + 4) {
      return absl::InternalError("systrap signal frame with a bad xsave layout");
    }
    size = sw.extended_size;
    flags |= kUcFpXstate;
  }
  const uint64_t from_offset = from - as.area().SlotBytes(thread.slot);
  if (from_offset + size > kSlotSize || from_offset < SYSTRAP_CTX_PATCH_XSAVE + size) {
    return absl::InternalError("systrap signal frame's FP state overlaps the patch frame's");
  }
  uint8_t* slot = as.area().SlotBytes(thread.slot);
  std::memcpy(slot + SYSTRAP_CTX_PATCH_XSAVE, from, size);
  auto* patch_uc = reinterpret_cast<KernelUcontext*>(slot + SYSTRAP_CTX_PATCH_FRAME);
  patch_uc->mcontext.fpstate = ControlArea::StubSlotAddress(thread.slot) + SYSTRAP_CTX_PATCH_XSAVE;
  patch_uc->flags = flags;
  return absl::OkStatus();
}

absl::Status SystrapContext::GetFpRegisters(AddressSpace& as_base, FpRegisters& fp) {
  auto& as = static_cast<SystrapAddressSpace&>(as_base);
  StubThread* thread = as.ThreadOfCaller();
  if (thread == nullptr) return absl::FailedPreconditionError("no stub thread for FP registers");
  if (absl::Status s = EnsureFpSaved(as, *thread); !s.ok()) return s;
  uint8_t* area = FpArea(as, *thread);
  if (area == nullptr) return absl::InternalError("systrap FP state outside its slot");
  std::memcpy(&fp, area, kFxsaveSize);
  return absl::OkStatus();
}

absl::Status SystrapContext::SetFpRegisters(AddressSpace& as_base, const FpRegisters& fp) {
  auto& as = static_cast<SystrapAddressSpace&>(as_base);
  StubThread* thread = as.ThreadOfCaller();
  if (thread == nullptr) return absl::FailedPreconditionError("no stub thread for FP registers");
  if (absl::Status s = EnsureFpSaved(as, *thread); !s.ok()) return s;
  uint8_t* area = FpArea(as, *thread);
  if (area == nullptr) return absl::InternalError("systrap FP state outside its slot");
  thread->patched_stop = false;  // The new state must be loaded: rt_sigreturn.
  std::memcpy(area, &fp, kFxsaveSwReserved);
  KernelUcontext* uc = Frame(as, *thread);
  if (uc->flags & kUcFpXstate) {
    // An xsave frame: make sure x87 and SSE are taken from the image, not
    // reset to their initial state (XSTATE_BV, first word of the header).
    uint64_t xstate_bv;
    std::memcpy(&xstate_bv, area + kFxsaveSize, sizeof(xstate_bv));
    xstate_bv |= 0x3;
    std::memcpy(area + kFxsaveSize, &xstate_bv, sizeof(xstate_bv));
  }
  return absl::OkStatus();
}

}  // namespace runsc::platform::systrap
