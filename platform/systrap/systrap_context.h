// An application thread on the systrap platform: Switch hands the
// registers to the thread's stub slot and waits for the next stop, which
// the stub's signal handler reports through the slot (DESIGN §3).
#ifndef RUNSC_PLATFORM_SYSTRAP_SYSTRAP_CONTEXT_H_
#define RUNSC_PLATFORM_SYSTRAP_SYSTRAP_CONTEXT_H_

#include <atomic>

#include "platform/platform.h"
#include "platform/stub/systrap_layout.h"

namespace runsc::platform::systrap {

struct StubThread;
class SystrapAddressSpace;

// The host signal Interrupt() sends to a running stub thread.
inline constexpr int kInterruptSignal = SIGUSR2;

class SystrapContext : public Context {
 public:
  absl::StatusOr<SwitchResult> Switch(AddressSpace& as, Registers& regs) override;
  void Interrupt() override;
  absl::Status GetFpRegisters(AddressSpace& as, FpRegisters& fp) override;
  absl::Status SetFpRegisters(AddressSpace& as, const FpRegisters& fp) override;

 private:
  // The caller's thread in `as`, cached by address-space id.
  StubThread* ThreadIn(SystrapAddressSpace& as);
  // The thread's current frame and FP area, checked to lie in its slot;
  // null if the application broke them.
  KernelUcontext* Frame(SystrapAddressSpace& as, StubThread& thread);
  uint8_t* FpArea(SystrapAddressSpace& as, StubThread& thread);
  // A patched stop leaves the FP state in the thread's registers
  // (StubThread::fp_in_registers): has the stopped thread save it into its
  // patch frame, for what reads, writes or rt_sigreturns from it.
  absl::Status EnsureFpSaved(SystrapAddressSpace& as, StubThread& thread);
  // A signal stopped the thread in its resume code after a patched stop
  // whose FP state was never saved: that state is now in the frame of the
  // signal (the thread's frame when this is called), which is abandoned.
  // Moves it into the patch frame, which the thread resumes from instead.
  absl::Status MoveFpToPatchFrame(SystrapAddressSpace& as, StubThread& thread);

  std::atomic<pid_t> stub_tid_{0};
  std::atomic<pid_t> stub_tgid_{0};
  uint64_t thread_as_id_ = 0;
  StubThread* thread_ = nullptr;
  std::atomic<bool> interrupt_pending_{false};
  // The registers of the last resume: a signal that stops the thread in
  // the stub's resume code makes it that resume's stop again.
  Registers resumed_regs_{};
};

}  // namespace runsc::platform::systrap

#endif  // RUNSC_PLATFORM_SYSTRAP_SYSTRAP_CONTEXT_H_
