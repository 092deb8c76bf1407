#include "platform/ptrace/ptrace_stub.h"

#include <errno.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "platform/stub/stub.h"

namespace runsc::platform {
namespace {

// Signals the CPU raises for the instruction the thread ran.
bool IsFault(int sig) {
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP;
}

}  // namespace

void KillAndReapStubProcess(pid_t tgid) {
  ::kill(tgid, SIGKILL);
  // Reap it: stubs are children of the sentry (CLONE_PARENT) and their exit
  // must be collected, or they linger as zombies.
  int status;
  for (;;) {
    pid_t r = ::waitpid(tgid, &status, __WALL);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 || WIFEXITED(status) || WIFSIGNALED(status)) break;
  }
}

namespace {

// EXITKILL: if the sentry dies, so do its stubs. TRACESYSGOOD: syscall
// stops are SIGTRAP|0x80, distinct from a real SIGTRAP.
constexpr long kSeizeOptions = PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL;

}  // namespace

absl::Status PtraceStub::AttachStopped() {
  if (::ptrace(PTRACE_SEIZE, tid_, 0, kSeizeOptions) != 0) {
    return HostError(absl::StrCat("PTRACE_SEIZE of stub ", tid_));
  }
  // The stub stops itself with SIGSTOP; we see either that signal's delivery
  // stop or, if it was already stopped, a PTRACE_EVENT_STOP. Both leave it in
  // a ptrace-stop we control.
  absl::StatusOr<int> status = WaitStop();
  if (!status.ok()) return status.status();
  if (WSTOPSIG(*status) != SIGSTOP) {
    return absl::InternalError(
        absl::StrCat("stub ", tid_, " stopped with signal ", WSTOPSIG(*status), " on attach"));
  }
  return absl::OkStatus();
}

absl::Status PtraceStub::AttachParked() {
  if (::ptrace(PTRACE_SEIZE, tid_, 0, kSeizeOptions) != 0) {
    return HostError(absl::StrCat("PTRACE_SEIZE of stub thread ", tid_));
  }
  if (::ptrace(PTRACE_INTERRUPT, tid_, 0, 0) != 0) {
    return HostError(absl::StrCat("PTRACE_INTERRUPT of stub thread ", tid_));
  }
  // The interrupt's PTRACE_EVENT_STOP ends pause(2) in the Park code; the
  // registers of that syscall are overwritten before the thread runs again.
  absl::StatusOr<int> status = WaitStop();
  if (!status.ok()) return status.status();
  return absl::OkStatus();
}

void PtraceStub::Exit() {
  if (exited_) return;
  const uint64_t args[] = {0};
  absl::StatusOr<int64_t> r = Inject(stub::EntryAt(kStubBase, runsc_stub_syscall), SYS_exit, args);
  // exit(2) does not return: Inject's wait sees the thread go.
  (void)r;
  while (!exited_ && WaitStop().ok()) {
    // A stop that raced with the exit (an Interrupt()'s SIGSTOP): let it go.
    ::ptrace(PTRACE_CONT, tid_, 0, 0);
  }
}

void PtraceStub::ParkAndDetach() {
  if (exited_) return;
  Registers regs;
  if (::ptrace(PTRACE_GETREGS, tid_, 0, &regs) == 0) {
    regs.rip = stub::EntryAt(kStubBase, runsc_stub_park);
    regs.orig_rax = static_cast<uint64_t>(-1);
    if (::ptrace(PTRACE_SETREGS, tid_, 0, &regs) == 0) {
      ::ptrace(PTRACE_DETACH, tid_, 0, 0);
      return;
    }
  }
  // It cannot be parked: it must not run application code untraced.
  ::kill(tgid_, SIGKILL);
}

absl::StatusOr<int> PtraceStub::WaitStop() {
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(tid_, &status, __WALL);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return HostError(absl::StrCat("waitpid on stub ", tid_));
    break;
  }
  if (WIFEXITED(status) || WIFSIGNALED(status)) {
    exited_ = true;
    return absl::UnavailableError(absl::StrCat("stub ", tid_, " exited"));
  }
  return status;
}

absl::StatusOr<int64_t> PtraceStub::Inject(uint64_t entry, int nr,
                                           absl::Span<const uint64_t> args) {
  Registers saved;
  if (::ptrace(PTRACE_GETREGS, tid_, 0, &saved) != 0) return HostError("PTRACE_GETREGS");
  Registers regs = saved;
  regs.rip = entry;
  regs.rax = static_cast<uint64_t>(nr);
  regs.orig_rax = static_cast<uint64_t>(-1);  // Not in a syscall: no restart logic.
  unsigned long long* const arg_regs[] = {&regs.rdi, &regs.rsi, &regs.rdx, &regs.r10, &regs.r8, &regs.r9};
  for (size_t i = 0; i < 6; ++i) *arg_regs[i] = i < args.size() ? args[i] : 0;
  if (::ptrace(PTRACE_SETREGS, tid_, 0, &regs) != 0) return HostError("PTRACE_SETREGS");

  for (;;) {
    if (::ptrace(PTRACE_CONT, tid_, 0, 0) != 0) return HostError("PTRACE_CONT");
    absl::StatusOr<int> status = WaitStop();
    if (!status.ok()) return status.status();
    int sig = WSTOPSIG(*status);
    if ((*status >> 16) == 0 && IsFault(sig)) {
      siginfo_t info;
      if (::ptrace(PTRACE_GETSIGINFO, tid_, 0, &info) != 0) return HostError("PTRACE_GETSIGINFO");
      if (sig == SIGTRAP && info.si_code == SI_KERNEL) break;  // The int3 after the syscall.
      if (info.si_code > 0) {
        // The stub's own code faulted: its pages are not what they should be.
        // Resuming would only run the faulting instruction again, forever.
        return absl::InternalError(absl::StrCat("stub ", tid_, " faulted with signal ", sig,
                                                " at 0x", absl::Hex(info.si_addr),
                                                " during an injected syscall ", nr));
      }
    }
    // Anything else (an Interrupt()'s SIGSTOP, a group-stop) is not for us:
    // suppress it and let the injected syscall go on.
  }
  if (::ptrace(PTRACE_GETREGS, tid_, 0, &regs) != 0) return HostError("PTRACE_GETREGS");
  saved.orig_rax = static_cast<uint64_t>(-1);
  if (::ptrace(PTRACE_SETREGS, tid_, 0, &saved) != 0) return HostError("PTRACE_SETREGS");
  return static_cast<int64_t>(regs.rax);
}

}  // namespace runsc::platform
