#include "platform/stub/stub_process.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "platform/platform.h"
#include "platform/stub/stub.h"

namespace runsc::platform::stub {

absl::Status InstallStubCode() {
  static absl::Status status = [] {
    void* at = ::mmap(reinterpret_cast<void*>(kStubBase), CodeSize(), PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (at == MAP_FAILED) return HostError("mapping the stub code at its fixed address");
    if (at != reinterpret_cast<void*>(kStubBase)) {
      return absl::InternalError("kernel ignored MAP_FIXED_NOREPLACE for the stub");
    }
    ::memcpy(at, runsc_stub_start, CodeSize());
    if (::mprotect(at, CodeSize(), PROT_READ | PROT_EXEC) != 0) {
      return HostError("mprotect of the stub code");
    }
    return absl::OkStatus();
  }();
  return status;
}

void ResetInheritedStateInChild() {
  struct KernelSigaction {
    void* handler;
    unsigned long flags;
    void* restorer;
    uint64_t mask;
  } dfl{reinterpret_cast<void*>(SIG_DFL), 0, nullptr, 0};
  for (int sig = 1; sig <= 64; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::syscall(SYS_rt_sigaction, sig, &dfl, nullptr, 8);
  }
  // glibc 2.36 registers 32 bytes.
  if (__rseq_size > 0) {
    void* area = static_cast<char*>(__builtin_thread_pointer()) + __rseq_offset;
    if (::syscall(SYS_rseq, area, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) != 0) {
      ::syscall(SYS_rseq, area, __rseq_size, RSEQ_FLAG_UNREGISTER, RSEQ_SIG);
    }
  }
}

absl::StatusOr<size_t> ReadStubMemory(pid_t pid, uint64_t addr, absl::Span<uint8_t> dst) {
  if (dst.empty()) return 0;
  iovec local{dst.data(), dst.size()};
  iovec remote{reinterpret_cast<void*>(addr), dst.size()};
  ssize_t n = ::process_vm_readv(pid, &local, 1, &remote, 1, 0);
  if (n <= 0) return ErrnoError(EFAULT, "read of application memory");
  return static_cast<size_t>(n);
}

absl::StatusOr<size_t> WriteStubMemory(pid_t pid, uint64_t addr, absl::Span<const uint8_t> src) {
  if (src.empty()) return 0;
  iovec local{const_cast<uint8_t*>(src.data()), src.size()};
  iovec remote{reinterpret_cast<void*>(addr), src.size()};
  ssize_t n = ::process_vm_writev(pid, &local, 1, &remote, 1, 0);
  if (n <= 0) return ErrnoError(EFAULT, "write of application memory");
  return static_cast<size_t>(n);
}

bool StubRange::Overlaps(uint64_t addr, uint64_t length) const {
  // A range that wraps around covers the stub too.
  if (addr + length < addr) return true;
  return addr < end_ && addr + length > kStubBase;
}

absl::Status StubRange::CheckMap(uint64_t addr, uint64_t length, int flags) const {
  if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && Overlaps(addr, length)) {
    return ErrnoError(EINVAL, "mapping over the stub's pages");
  }
  return absl::OkStatus();
}

absl::Status StubRange::CheckRange(const char* what, uint64_t addr, uint64_t length) const {
  if (Overlaps(addr, length)) return ErrnoError(EINVAL, absl::StrCat(what, " of the stub's pages"));
  return absl::OkStatus();
}

absl::Status StubRange::CheckMemorySyscall(int nr, absl::Span<const uint64_t> args) const {
  // madvise(MADV_DONTNEED) would zero the stub's code, mremap move it.
  auto arg = [&](size_t i) { return i < args.size() ? args[i] : 0; };
  switch (nr) {
    case SYS_madvise:
      return CheckRange("madvise", arg(0), arg(1));
    case SYS_mremap:
      if (Overlaps(arg(0), arg(1)) || ((arg(3) & MREMAP_FIXED) && Overlaps(arg(4), arg(2)))) {
        return ErrnoError(EINVAL, "mremap of or over the stub's pages");
      }
      return absl::OkStatus();
    case SYS_msync:
      return CheckRange("msync", arg(0), arg(1));
    case SYS_mincore:
      // The host writes the vector: one byte per page of the range.
      if (Overlaps(arg(0), arg(1)) || Overlaps(arg(2), (arg(1) + 4095) / 4096)) {
        return ErrnoError(EINVAL, "mincore of or into the stub's pages");
      }
      return absl::OkStatus();
    default:
      return ErrnoError(ENOSYS, absl::StrCat("syscall ", nr, " is not a known memory syscall"));
  }
}

absl::StatusOr<uint64_t> RawResult(int64_t raw, const char* what) {
  if (raw < 0 && raw > -4096) {
    return ErrnoError(static_cast<int>(-raw), absl::StrCat(what, " in stub failed"));
  }
  return static_cast<uint64_t>(raw);
}

}  // namespace runsc::platform::stub
