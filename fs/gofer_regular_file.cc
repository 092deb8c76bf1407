#include "fs/gofer_regular_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/errno_status.h"

namespace runsc::fs {

GoferRegularFile::GoferRegularFile(int flags, UniqueFd fd,
                                   std::unique_ptr<GoferFsCache::OpenFile> open_file,
                                   Offset offset)
    : HostFile(flags, std::move(fd), /*seekable=*/true),
      open_file_(std::move(open_file)),
      offset_kind_(offset) {}

int GoferRegularFile::HostFd() const {
  if (open_file_ != nullptr && (flags() & O_ACCMODE) == O_RDWR) open_file_->MayBeMappedWritable();
  return HostFile::HostFd();
}

absl::StatusOr<size_t> GoferRegularFile::Read(sentry::Task& task, absl::Span<uint8_t> buf) {
  if (offset_kind_ == Offset::kHostDescription) return HostFile::Read(task, buf);
  absl::MutexLock lock(&offset_mu_);
  absl::StatusOr<size_t> n = PRead(task, buf, offset_);
  if (n.ok()) offset_ += static_cast<int64_t>(*n);
  return n;
}

std::optional<absl::StatusOr<size_t>> GoferRegularFile::ReadToApplication(sentry::Task& task,
                                                                           uint64_t addr,
                                                                           size_t count,
                                                                           int64_t offset) {
  if (offset >= 0 || offset_kind_ == Offset::kHostDescription) {
    return HostFile::ReadToApplication(task, addr, count, offset);
  }
  absl::MutexLock lock(&offset_mu_);
  std::optional<absl::StatusOr<size_t>> n = HostFile::ReadToApplication(task, addr, count, offset_);
  if (n.has_value() && n->ok()) offset_ += static_cast<int64_t>(**n);
  return n;
}

absl::StatusOr<size_t> GoferRegularFile::Write(sentry::Task& task,
                                               absl::Span<const uint8_t> buf) {
  if (offset_kind_ == Offset::kHostDescription) return HostFile::Write(task, buf);
  // Only read-only opens share a kept fd.
  return ErrnoError(EBADF, "write to a file opened read-only");
}

absl::StatusOr<int64_t> GoferRegularFile::Seek(int64_t offset, int whence) {
  if (offset_kind_ == Offset::kHostDescription) return HostFile::Seek(offset, whence);
  absl::MutexLock lock(&offset_mu_);
  int64_t base = 0;
  switch (whence) {
    case SEEK_SET:
      break;
    case SEEK_CUR:
      base = offset_;
      break;
    case SEEK_END: {
      absl::StatusOr<struct stat> st = Stat();
      if (!st.ok()) return st.status();
      base = st->st_size;
      break;
    }
    case SEEK_DATA:
    case SEEK_HOLE: {
      // The host's filesystem knows where the holes are; the shared
      // description's offset it moves is nobody's.
      const off_t found = ::lseek(HostFile::HostFd(), offset, whence);
      if (found < 0) return HostError("lseek");
      offset_ = found;
      return offset_;
    }
    default:
      return ErrnoError(EINVAL, "bad whence");
  }
  int64_t target;
  if (__builtin_add_overflow(base, offset, &target) || target < 0) {
    return ErrnoError(EINVAL, "seek to a negative or overflowing offset");
  }
  offset_ = target;
  return offset_;
}

}  // namespace runsc::fs
