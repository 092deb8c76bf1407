// read(2), write(2) and their vector and positional forms.
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <vector>

#include "syscalls/helpers.h"

namespace runsc::syscalls {
namespace {

constexpr size_t kMaxIo = 4 << 20;  // One call moves at most this much (a short count).
constexpr int kIovMax = 1024;

using sentry::Task;

SyscallResult ErrorOf(Task& t, const absl::Status& s) {
  if (ErrnoOf(s) == EPIPE) {
    absl::MutexLock lock(&t.kernel().mu);
    siginfo_t info{};
    info.si_signo = SIGPIPE;
    info.si_pid = t.tgid();
    t.kernel().SendSignalLocked(t, info);
  }
  return FromStatus(s);
}

SyscallResult DoRead(Task& t, int fd, uint64_t addr, size_t count, int64_t offset) {
  std::shared_ptr<fs::File> file = Fds(t).Get(fd);
  if (!file) return SyscallResult::Error(EBADF);
  if ((file->flags() & O_ACCMODE) == O_WRONLY) return SyscallResult::Error(EBADF);
  if (!AccessOk(addr, count)) return SyscallResult::Error(EFAULT);
  std::vector<uint8_t> buf(std::min(count, kMaxIo));
  absl::StatusOr<size_t> n =
      offset < 0 ? file->Read(t, absl::MakeSpan(buf)) : file->PRead(t, absl::MakeSpan(buf), offset);
  if (!n.ok()) return ErrorOf(t, n.status());
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOut(addr, absl::MakeConstSpan(buf.data(), *n)));
  return SyscallResult::Value(static_cast<int64_t>(*n));
}

SyscallResult DoWrite(Task& t, int fd, uint64_t addr, size_t count, int64_t offset) {
  std::shared_ptr<fs::File> file = Fds(t).Get(fd);
  if (!file) return SyscallResult::Error(EBADF);
  if ((file->flags() & O_ACCMODE) == O_RDONLY) return SyscallResult::Error(EBADF);
  if (!AccessOk(addr, count)) return SyscallResult::Error(EFAULT);
  std::vector<uint8_t> buf(std::min(count, kMaxIo));
  RUNSC_RETURN_IF_ERROR(t.mm->CopyIn(addr, absl::MakeSpan(buf)));
  absl::StatusOr<size_t> n =
      offset < 0 ? file->Write(t, buf) : file->PWrite(t, buf, offset);
  if (!n.ok()) return ErrorOf(t, n.status());
  return SyscallResult::Value(static_cast<int64_t>(*n));
}

absl::StatusOr<std::vector<iovec>> CopyInIovecs(Task& t, uint64_t addr, int64_t count) {
  if (count < 0 || count > kIovMax) return ErrnoError(EINVAL, "bad iovec count");
  std::vector<iovec> iovs(count);
  if (absl::Status s = t.mm->CopyIn(addr, absl::MakeSpan(reinterpret_cast<uint8_t*>(iovs.data()),
                                                         iovs.size() * sizeof(iovec)));
      !s.ok()) {
    return s;
  }
  for (const iovec& v : iovs) {
    if (static_cast<int64_t>(v.iov_len) < 0) return ErrnoError(EINVAL, "bad iovec length");
  }
  return iovs;
}

// readv/writev as a loop over single transfers, stopping at the first short one.
SyscallResult DoVector(Task& t, const SyscallArgs& a, bool write, int64_t offset) {
  absl::StatusOr<std::vector<iovec>> iovs = CopyInIovecs(t, a[1], static_cast<int64_t>(a[2]));
  if (!iovs.ok()) return FromStatus(iovs.status());
  int64_t total = 0;
  for (const iovec& v : *iovs) {
    if (v.iov_len == 0) continue;
    const uint64_t base = reinterpret_cast<uint64_t>(v.iov_base);
    SyscallResult r = write ? DoWrite(t, static_cast<int>(a[0]), base, v.iov_len,
                                      offset < 0 ? -1 : offset + total)
                            : DoRead(t, static_cast<int>(a[0]), base, v.iov_len,
                                     offset < 0 ? -1 : offset + total);
    if (r.value < 0) return total > 0 ? SyscallResult::Value(total) : r;
    total += r.value;
    if (static_cast<size_t>(r.value) < v.iov_len) break;
  }
  if (iovs->empty() || total == 0) {
    // Still validate the fd, as Linux does for an all-empty vector.
    if (!Fds(t).Get(static_cast<int>(a[0]))) return SyscallResult::Error(EBADF);
  }
  return SyscallResult::Value(total);
}

SyscallResult Read(Task& t, const SyscallArgs& a) { return DoRead(t, static_cast<int>(a[0]), a[1], a[2], -1); }
SyscallResult Write(Task& t, const SyscallArgs& a) { return DoWrite(t, static_cast<int>(a[0]), a[1], a[2], -1); }
SyscallResult Pread64(Task& t, const SyscallArgs& a) {
  if (static_cast<int64_t>(a[3]) < 0) return SyscallResult::Error(EINVAL);
  return DoRead(t, static_cast<int>(a[0]), a[1], a[2], static_cast<int64_t>(a[3]));
}
SyscallResult Pwrite64(Task& t, const SyscallArgs& a) {
  if (static_cast<int64_t>(a[3]) < 0) return SyscallResult::Error(EINVAL);
  return DoWrite(t, static_cast<int>(a[0]), a[1], a[2], static_cast<int64_t>(a[3]));
}
SyscallResult Readv(Task& t, const SyscallArgs& a) { return DoVector(t, a, false, -1); }
SyscallResult Writev(Task& t, const SyscallArgs& a) { return DoVector(t, a, true, -1); }

SyscallResult Lseek(Task& t, const SyscallArgs& a) {
  std::shared_ptr<fs::File> file = Fds(t).Get(static_cast<int>(a[0]));
  if (!file) return SyscallResult::Error(EBADF);
  absl::StatusOr<int64_t> off = file->Seek(static_cast<int64_t>(a[1]), static_cast<int>(a[2]));
  if (!off.ok()) return FromStatus(off.status());
  return SyscallResult::Value(*off);
}

}  // namespace

void RegisterReadWrite(SyscallTable& t) {
  t[SYS_read] = {"read", Read, Support::kFull, ""};
  t[SYS_write] = {"write", Write, Support::kFull, ""};
  t[SYS_pread64] = {"pread64", Pread64, Support::kFull, ""};
  t[SYS_pwrite64] = {"pwrite64", Pwrite64, Support::kFull, ""};
  t[SYS_readv] = {"readv", Readv, Support::kFull, ""};
  t[SYS_writev] = {"writev", Writev, Support::kFull, ""};
  t[SYS_lseek] = {"lseek", Lseek, Support::kFull, ""};
}

}  // namespace runsc::syscalls
