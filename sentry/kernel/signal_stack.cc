#include "sentry/kernel/signal_stack.h"

#include <errno.h>

#include "base/errno_status.h"

namespace runsc::sentry {
namespace {

// The kernel's MINSIGSTKSZ (<asm/signal.h>). glibc's macro is now
// sysconf(_SC_MINSIGSTKSZ), the sentry host's, which is not the rule.
constexpr size_t kMinStackSize = 2048;

}  // namespace

bool SignalStack::Contains(uint64_t sp) const {
  if (flags_ & kAutoDisarm) return false;
  // As Linux: the top itself counts (a frame built there is below it).
  return sp > base_ && sp - base_ <= size_;
}

stack_t SignalStack::Report(uint64_t sp) const {
  stack_t out{};
  out.ss_sp = reinterpret_cast<void*>(base_);
  out.ss_size = size_;
  const int mode = size_ == 0 ? SS_DISABLE : Contains(sp) ? SS_ONSTACK : 0;
  out.ss_flags = mode | (flags_ & kAutoDisarm);
  return out;
}

absl::Status SignalStack::Set(const stack_t& ss, uint64_t sp) {
  if (Contains(sp)) return ErrnoError(EPERM, "sigaltstack: running on the alternate stack");
  const int mode = ss.ss_flags & ~kAutoDisarm;
  if (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE) {
    return ErrnoError(EINVAL, "sigaltstack: unknown flags");
  }
  if (mode == SS_DISABLE) {
    base_ = size_ = 0;
  } else {
    if (ss.ss_size < kMinStackSize) {
      return ErrnoError(ENOMEM, "sigaltstack: smaller than MINSIGSTKSZ");
    }
    base_ = reinterpret_cast<uint64_t>(ss.ss_sp);
    size_ = ss.ss_size;
  }
  flags_ = ss.ss_flags;
  return absl::OkStatus();
}

std::optional<uint64_t> SignalStack::FrameTopFor(uint64_t sp) const {
  if (size_ == 0 || Contains(sp)) return std::nullopt;
  return base_ + size_;
}

stack_t SignalStack::Saved() const {
  stack_t out{};
  out.ss_sp = reinterpret_cast<void*>(base_);
  out.ss_size = size_;
  out.ss_flags = flags_;
  return out;
}

void SignalStack::OnHandlerEntered() {
  if (flags_ & kAutoDisarm) *this = SignalStack();
}

}  // namespace runsc::sentry
