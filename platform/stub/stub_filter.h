// The stub's own seccomp filter (DESIGN §1): a host syscall is allowed only
// when its instruction pointer lies in the stub's code; any other kills the
// whole stub process (ptrace) or traps to the stub's SIGSYS handler
// (systrap, which then hands it to the sentry).
//
// On the ptrace platform the application's syscalls stop at PTRACE_SYSEMU and
// are never executed, so the filter never sees them while the sentry traces
// the stub. It is the second wall: if the tracer goes away without the stub
// dying (a sentry bug, a detach), or the kernel emulates a syscall outside the
// ptrace path (vsyscall), the application still cannot reach the host kernel.
//
// The check is on seccomp_data.instruction_pointer, which libseccomp cannot
// express: this is the one place where raw BPF is right.
#ifndef RUNSC_PLATFORM_STUB_STUB_FILTER_H_
#define RUNSC_PLATFORM_STUB_STUB_FILTER_H_

#include <linux/filter.h>

#include <linux/seccomp.h>

#include <array>
#include <cstdint>
#include <vector>

namespace runsc::platform::stub {

class StubFilter {
 public:
  // Allows syscalls whose instruction pointer (the address after the
  // `syscall` instruction) is in [code_start, code_end]. The range must not
  // cross a 4 GiB boundary: the filter compares the high 32 bits for equality.
  // Check valid() before installing. Syscalls from elsewhere get
  // `outside_action` (SECCOMP_RET_KILL_PROCESS or SECCOMP_RET_TRAP); a
  // foreign architecture is always killed.
  StubFilter(uint64_t code_start, uint64_t code_end,
             uint32_t outside_action = SECCOMP_RET_KILL_PROCESS);

  bool valid() const { return valid_; }

  // Installs the filter on the calling thread (no_new_privs first, so no
  // capability is needed). Makes raw syscalls only and allocates nothing, so
  // it is safe in the child of a fork of a multithreaded process. Returns 0
  // or -errno.
  long InstallInChild() const;

 private:
  static constexpr int kLength = 10;
  std::array<sock_filter, kLength> program_{};
  bool valid_ = false;
};

// The second filter of a systrap application thread, stacked on StubFilter
// (whose ALLOW from stub code it narrows; the strictest result wins):
// syscalls from outside [code_start, code_end] trap (SIGSYS to the stub's
// handler, which hands them to the sentry). From stub code only what the
// handler and the patch entry need passes: futex(FUTEX_WAIT|FUTEX_WAKE),
// rt_sigreturn and exit. Anything else from stub code kills the process:
// the application can jump to a `syscall` of the stub with registers of
// its choice, so this list is exactly what it could do that way, and each
// of those only acts on the caller itself (its own thread, its own memory;
// a forged rt_sigreturn frame can set its own signal mask). Empty if the
// range crosses a 4 GiB boundary.
std::vector<sock_filter> SystrapThreadFilter(uint64_t code_start, uint64_t code_end);

}  // namespace runsc::platform::stub

#endif  // RUNSC_PLATFORM_STUB_STUB_FILTER_H_
