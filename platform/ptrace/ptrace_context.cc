#include "platform/ptrace/ptrace_context.h"

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/wait.h>

#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "platform/ptrace/ptrace_address_space.h"

namespace runsc::platform {
namespace {

// Signals the CPU raises for the instruction the thread ran.
bool IsSynchronousFault(int sig) {
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP;
}

}  // namespace

absl::StatusOr<SwitchResult> PtraceContext::Switch(AddressSpace& as, Registers& regs) {
  auto& ptrace_as = static_cast<PtraceAddressSpace&>(as);
  if (stub_ == nullptr || stub_as_id_ != ptrace_as.id()) {
    // A new address space (first run, fork child, execve): look our
    // thread up once. It stays ours until ReleaseThread, after which this
    // context never runs in that address space again.
    stub_ = ptrace_as.StubOfCaller();
    stub_as_id_ = ptrace_as.id();
    if (stub_ == nullptr) {
      return absl::FailedPreconditionError("Switch from a thread that controls no stub thread");
    }
  }
  PtraceStub& stub = *stub_;
  const pid_t pid = stub.tid();
  stub_tgid_.store(stub.tgid(), std::memory_order_relaxed);
  stub_pid_.store(pid, std::memory_order_release);
  if (interrupt_pending_.exchange(false)) return SwitchResult{StopReason::kInterrupted, {}};

  if (::ptrace(PTRACE_SETREGS, pid, 0, &regs) != 0) {
    if (errno == ESRCH) return SwitchResult{StopReason::kExited, {}};
    return HostError("PTRACE_SETREGS");
  }
  if (::ptrace(PTRACE_SYSEMU, pid, 0, 0) != 0) {
    if (errno == ESRCH) return SwitchResult{StopReason::kExited, {}};
    return HostError("PTRACE_SYSEMU");
  }
  absl::StatusOr<int> status = stub.WaitStop();
  if (!status.ok()) {
    if (stub.exited()) return SwitchResult{StopReason::kExited, {}};
    return status.status();
  }
  if (::ptrace(PTRACE_GETREGS, pid, 0, &regs) != 0) return HostError("PTRACE_GETREGS");

  const int sig = WSTOPSIG(*status);
  if (sig == (SIGTRAP | 0x80)) return SwitchResult{StopReason::kSyscall, {}};
  if ((*status >> 16) == 0) {
    // Signal-delivery-stop. Faults the thread caused become virtual signals;
    // the rest (Interrupt()'s SIGSTOP, strays) are suppressed by simply not
    // passing them on when we resume.
    SwitchResult result{StopReason::kInterrupted, {}};
    if (IsSynchronousFault(sig) && ::ptrace(PTRACE_GETSIGINFO, pid, 0, &result.info) == 0 &&
        result.info.si_code > 0) {
      result.reason = StopReason::kFault;
    }
    interrupt_pending_.store(false);
    return result;
  }
  // A group-stop or other ptrace event: nothing for the application.
  interrupt_pending_.store(false);
  return SwitchResult{StopReason::kInterrupted, {}};
}

void PtraceContext::Interrupt() {
  interrupt_pending_.store(true);
  pid_t pid = stub_pid_.load(std::memory_order_acquire);
  pid_t tgid = stub_tgid_.load(std::memory_order_relaxed);
  // A stop signal to the one thread: while it runs it turns into a
  // signal-delivery-stop that Switch reports as kInterrupted (and the
  // tracer discards, so no group stop follows); when it is already stopped
  // it stays pending until the next resume, which then stops at once.
  if (pid > 0) ::syscall(SYS_tgkill, tgid, pid, SIGSTOP);
}

absl::Status PtraceContext::GetFpRegisters(AddressSpace& as, FpRegisters& fp) {
  PtraceStub* stub = static_cast<PtraceAddressSpace&>(as).StubOfCaller();
  if (stub == nullptr) return absl::FailedPreconditionError("no stub thread for FP registers");
  if (::ptrace(PTRACE_GETFPREGS, stub->tid(), 0, &fp) != 0) return HostError("PTRACE_GETFPREGS");
  return absl::OkStatus();
}

absl::Status PtraceContext::SetFpRegisters(AddressSpace& as, const FpRegisters& fp) {
  PtraceStub* stub = static_cast<PtraceAddressSpace&>(as).StubOfCaller();
  if (stub == nullptr) return absl::FailedPreconditionError("no stub thread for FP registers");
  if (::ptrace(PTRACE_SETFPREGS, stub->tid(), 0, &fp) != 0) return HostError("PTRACE_SETFPREGS");
  return absl::OkStatus();
}

}  // namespace runsc::platform
