// What every platform does to bring a stub to life, shared by ptrace and
// systrap: the stub code at its fixed address in the sentry, and the clean
// state a freshly forked stub child needs before it jumps into stub code.
#ifndef RUNSC_PLATFORM_STUB_STUB_PROCESS_H_
#define RUNSC_PLATFORM_STUB_STUB_PROCESS_H_

#include <sys/types.h>

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace runsc::platform::stub {

// Copies the stub code to kStubBase in the sentry so that every process
// forked from the sentry has it there. Once per process; later calls
// return the first result.
[[nodiscard]] absl::Status InstallStubCode();

// In the child of a fork of the (multithreaded) sentry, raw syscalls only:
// every disposition back to SIG_DFL (the sentry's handlers point into
// memory about to disappear) and glibc's rseq area unregistered (it is about
// to be unmapped, and the kernel would fault the stub on a later return to
// user mode).
void ResetInheritedStateInChild();

// Copies between a stub's memory and the sentry's with process_vm_readv /
// writev. A short count when the range runs into unmapped memory;
// ErrnoError(EFAULT) when nothing could be copied. The sentry's side is
// touched only by the kernel's copy, so it may be a file mapping whose file
// was truncated (AddressSpace::WriteFromFileMapping): that ends the copy
// short too, with no SIGBUS.
[[nodiscard]] absl::StatusOr<size_t> ReadStubMemory(pid_t pid, uint64_t addr,
                                                    absl::Span<uint8_t> dst);
[[nodiscard]] absl::StatusOr<size_t> WriteStubMemory(pid_t pid, uint64_t addr,
                                                     absl::Span<const uint8_t> src);

// The stub's own pages, [kStubBase, end), must survive whatever the
// application asks for: these refuse (EINVAL) a request that would unmap,
// replace, remap or zero them.
class StubRange {
 public:
  explicit StubRange(uint64_t end) : end_(end) {}
  bool Overlaps(uint64_t addr, uint64_t length) const;
  // mmap with MAP_FIXED / MAP_FIXED_NOREPLACE over the stub.
  [[nodiscard]] absl::Status CheckMap(uint64_t addr, uint64_t length, int flags) const;
  // munmap, mprotect: `what` names the call in the error.
  [[nodiscard]] absl::Status CheckRange(const char* what, uint64_t addr, uint64_t length) const;
  // madvise and mremap (every range they name); any other `nr` is ENOSYS.
  [[nodiscard]] absl::Status CheckMemorySyscall(int nr, absl::Span<const uint64_t> args) const;

 private:
  uint64_t end_;
};

// A raw syscall result (-errno on failure) as a status: ErrnoError(errno,
// "<what> in stub failed") or the value.
[[nodiscard]] absl::StatusOr<uint64_t> RawResult(int64_t raw, const char* what);

}  // namespace runsc::platform::stub

#endif  // RUNSC_PLATFORM_STUB_STUB_PROCESS_H_
