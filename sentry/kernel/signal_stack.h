// One thread's alternate signal stack (sigaltstack(2)) with Linux's rules:
// where a SA_ONSTACK handler's frame goes, what sigaltstack reports while a
// handler runs on the stack, why it may not be changed from there, and
// SS_AUTODISARM, which disarms the stack for the time of a handler so that
// the handler may swapcontext() away (and sigreturn arms it again).
#ifndef RUNSC_SENTRY_KERNEL_SIGNAL_STACK_H_
#define RUNSC_SENTRY_KERNEL_SIGNAL_STACK_H_

#include <signal.h>

#include <cstdint>
#include <optional>

#include "absl/status/status.h"

namespace runsc::sentry {

class SignalStack {
 public:
  // SS_AUTODISARM of <linux/signal.h>, which glibc's <signal.h> lacks.
  static constexpr int kAutoDisarm = static_cast<int>(1u << 31);

  // No stack (SS_DISABLE): what a new process and execve start with.
  SignalStack() = default;

  // Linux's on_sig_stack(): `sp` lies in the stack (never while
  // SS_AUTODISARM is set: such a handler may leave the stack for good).
  bool Contains(uint64_t sp) const;

  // sigaltstack(NULL, &old) with the stack pointer at `sp`: the stack, and
  // SS_DISABLE (none), SS_ONSTACK (sp is on it) or 0, plus SS_AUTODISARM.
  stack_t Report(uint64_t sp) const;

  // sigaltstack(&ss, NULL) with the stack pointer at `sp` (do_sigaltstack):
  // EPERM while running on the stack, EINVAL for a mode other than 0,
  // SS_ONSTACK or SS_DISABLE (SS_AUTODISARM may be added), ENOMEM for a
  // stack smaller than the kernel's MINSIGSTKSZ (2048). SS_DISABLE forgets address and size.
  [[nodiscard]] absl::Status Set(const stack_t& ss, uint64_t sp);

  // Where the frame of a SA_ONSTACK handler starts (the stack's top) when
  // the signal arrives with the stack pointer at `sp` (already below the
  // red zone): nullopt if there is no stack or `sp` is on it (the frame
  // then nests on the current stack).
  std::optional<uint64_t> FrameTopFor(uint64_t sp) const;

  // The signal frame's uc_stack: the stack as set, flags as set (Linux's
  // __save_altstack), which rt_sigreturn hands back to Set().
  stack_t Saved() const;

  // A handler was entered: SS_AUTODISARM drops the stack until sigreturn
  // restores it from the frame (Linux's signal_delivered).
  void OnHandlerEntered();

 private:
  uint64_t base_ = 0;
  uint64_t size_ = 0;
  int flags_ = SS_DISABLE;  // As set: SS_DISABLE, or 0/SS_ONSTACK with SS_AUTODISARM.
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_KERNEL_SIGNAL_STACK_H_
