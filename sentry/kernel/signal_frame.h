// Signal delivery: building the x86-64 rt_sigframe on the application's
// stack and restoring from it in rt_sigreturn (DESIGN §4: signals are virtual).
#ifndef RUNSC_SENTRY_KERNEL_SIGNAL_FRAME_H_
#define RUNSC_SENTRY_KERNEL_SIGNAL_FRAME_H_

#include <cstddef>
#include <cstdint>

#include "sentry/kernel/task.h"

namespace runsc::sentry {

// struct sigcontext (x86-64), as the kernel writes it.
struct SigContext {
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
  uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
  uint16_t cs, gs, fs, ss;
  uint64_t err, trapno, oldmask, cr2;
  uint64_t fpstate;  // Address of the FXSAVE area.
  uint64_t reserved1[8];
};
static_assert(sizeof(SigContext) == 256);

struct UContext {
  uint64_t flags;
  uint64_t link;
  uint64_t ss_sp;
  int32_t ss_flags;
  int32_t ss_pad;
  uint64_t ss_size;
  SigContext mcontext;
  uint64_t sigmask;
};
static_assert(offsetof(UContext, mcontext) == 40);
static_assert(sizeof(UContext) == 304);

struct RtSigframe {
  uint64_t pretcode;  // sa_restorer: the handler's return address.
  UContext uc;
  siginfo_t info;
};
static_assert(offsetof(RtSigframe, uc) == 8);
static_assert(offsetof(RtSigframe, info) == 312);

// Delivers at most one pending, unblocked signal to `task` (which runs this
// on its own thread, before returning to the application): runs the
// default action or sets up the handler's frame. Also applies syscall
// restart rules for a syscall that returned one of the kErrRestart* codes.
// Returns whether the thread goes on running (false once it is exiting),
// read under the same lock, so that the run loop takes the kernel's lock
// once between two stops, not twice.
bool DeliverPendingSignal(Task& task);

// rt_sigreturn(2): restores registers, FP state and mask from the frame at
// the stack pointer. A bad frame kills the task with SIGSEGV, as Linux does.
void SigReturn(Task& task);

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_KERNEL_SIGNAL_FRAME_H_
