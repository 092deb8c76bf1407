// An application thread on the ptrace platform: PTRACE_SYSEMU until the next
// syscall, fault or signal.
#ifndef RUNSC_PLATFORM_PTRACE_PTRACE_CONTEXT_H_
#define RUNSC_PLATFORM_PTRACE_PTRACE_CONTEXT_H_

#include <atomic>

#include "platform/platform.h"

namespace runsc::platform {

class PtraceStub;

class PtraceContext : public Context {
 public:
  absl::StatusOr<SwitchResult> Switch(AddressSpace& as, Registers& regs) override;
  void Interrupt() override;
  absl::Status GetFpRegisters(AddressSpace& as, FpRegisters& fp) override;
  absl::Status SetFpRegisters(AddressSpace& as, const FpRegisters& fp) override;

 private:
  // Stub currently (or last) run by Switch; where Interrupt() aims.
  std::atomic<pid_t> stub_pid_{0};
  std::atomic<pid_t> stub_tgid_{0};
  // The stub thread this context runs in the address space with id
  // stub_as_id_ (PtraceAddressSpace::id): asked of the address space once,
  // not on every Switch. Only the context's own host thread touches them.
  uint64_t stub_as_id_ = 0;
  PtraceStub* stub_ = nullptr;
  // Set by Interrupt(), cleared when Switch reports it.
  std::atomic<bool> interrupt_pending_{false};
};

}  // namespace runsc::platform

#endif  // RUNSC_PLATFORM_PTRACE_PTRACE_CONTEXT_H_
