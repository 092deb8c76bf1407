#include "platform/ptrace/ptrace_stub.h"

#include <errno.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "absl/strings/str_cat.h"
#include "base/errno_status.h"

namespace runsc::platform {
namespace {

// Signals the CPU raises for the instruction the thread ran.
bool IsFault(int sig) {
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP;
}

}  // namespace

PtraceStub::~PtraceStub() {
  if (exited_) return;
  ::kill(pid_, SIGKILL);
  // Reap it: stubs are children of the sentry (CLONE_PARENT) and a tracer
  // must collect its tracee's exit, or it lingers as a zombie.
  int status;
  for (;;) {
    pid_t r = ::waitpid(pid_, &status, __WALL);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 || WIFEXITED(status) || WIFSIGNALED(status)) break;
  }
}

absl::Status PtraceStub::Attach() {
  // EXITKILL: if the sentry dies, so do its stubs. TRACESYSGOOD: syscall
  // stops are SIGTRAP|0x80, distinct from a real SIGTRAP.
  if (::ptrace(PTRACE_SEIZE, pid_, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL) != 0) {
    return HostError(absl::StrCat("PTRACE_SEIZE of stub ", pid_));
  }
  attached_ = true;
  // The stub stops itself with SIGSTOP; we see either that signal's delivery
  // stop or, if it was already stopped, a PTRACE_EVENT_STOP. Both leave it in
  // a ptrace-stop we control.
  absl::StatusOr<int> status = WaitStop();
  if (!status.ok()) return status.status();
  if (WSTOPSIG(*status) != SIGSTOP) {
    return absl::InternalError(
        absl::StrCat("stub ", pid_, " stopped with signal ", WSTOPSIG(*status), " on attach"));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> PtraceStub::WaitStop() {
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid_, &status, __WALL);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return HostError(absl::StrCat("waitpid on stub ", pid_));
    break;
  }
  if (WIFEXITED(status) || WIFSIGNALED(status)) {
    exited_ = true;
    return absl::UnavailableError(absl::StrCat("stub ", pid_, " exited"));
  }
  return status;
}

absl::StatusOr<int64_t> PtraceStub::Inject(uint64_t entry, int nr,
                                           absl::Span<const uint64_t> args) {
  Registers saved;
  if (::ptrace(PTRACE_GETREGS, pid_, 0, &saved) != 0) return HostError("PTRACE_GETREGS");
  Registers regs = saved;
  regs.rip = entry;
  regs.rax = static_cast<uint64_t>(nr);
  regs.orig_rax = static_cast<uint64_t>(-1);  // Not in a syscall: no restart logic.
  unsigned long long* const arg_regs[] = {&regs.rdi, &regs.rsi, &regs.rdx, &regs.r10, &regs.r8, &regs.r9};
  for (size_t i = 0; i < 6; ++i) *arg_regs[i] = i < args.size() ? args[i] : 0;
  if (::ptrace(PTRACE_SETREGS, pid_, 0, &regs) != 0) return HostError("PTRACE_SETREGS");

  for (;;) {
    if (::ptrace(PTRACE_CONT, pid_, 0, 0) != 0) return HostError("PTRACE_CONT");
    absl::StatusOr<int> status = WaitStop();
    if (!status.ok()) return status.status();
    int sig = WSTOPSIG(*status);
    if ((*status >> 16) == 0 && IsFault(sig)) {
      siginfo_t info;
      if (::ptrace(PTRACE_GETSIGINFO, pid_, 0, &info) != 0) return HostError("PTRACE_GETSIGINFO");
      if (sig == SIGTRAP && info.si_code == SI_KERNEL) break;  // The int3 after the syscall.
      if (info.si_code > 0) {
        // The stub's own code faulted: its pages are not what they should be.
        // Resuming would only run the faulting instruction again, forever.
        return absl::InternalError(absl::StrCat("stub ", pid_, " faulted with signal ", sig,
                                                " at 0x", absl::Hex(info.si_addr),
                                                " during an injected syscall ", nr));
      }
    }
    // Anything else (an Interrupt()'s SIGSTOP, a group-stop) is not for us:
    // suppress it and let the injected syscall go on.
  }
  if (::ptrace(PTRACE_GETREGS, pid_, 0, &regs) != 0) return HostError("PTRACE_GETREGS");
  saved.orig_rax = static_cast<uint64_t>(-1);
  if (::ptrace(PTRACE_SETREGS, pid_, 0, &saved) != 0) return HostError("PTRACE_SETREGS");
  return static_cast<int64_t>(regs.rax);
}

}  // namespace runsc::platform
