// An open regular file of a gofer filesystem: the host fd the gofer donated
// (HostFile), plus what the sentry's caches must know of it.
//
// While it lives, the file's stat is not cached (GoferFsCache::OpenFile):
// reads and writes on the host fd change size and times without the
// sentry hearing of it.
//
// Opened read-only from a kept fd (GoferNode::Open), the host fd is a dup
// whose open file description other opens of the file share, so the
// description's offset is nobody's: this file keeps its own, and reads with
// pread at it, as each Linux open has a position of its own.
#ifndef RUNSC_FS_GOFER_REGULAR_FILE_H_
#define RUNSC_FS_GOFER_REGULAR_FILE_H_

#include <memory>

#include "absl/synchronization/mutex.h"
#include "fs/gofer_fs_cache.h"
#include "fs/host_file.h"

namespace runsc::fs {

class GoferRegularFile : public HostFile {
 public:
  enum class Offset { kHostDescription, kOwn };
  // `open_file` is null on a filesystem that caches nothing.
  GoferRegularFile(int flags, UniqueFd fd, std::unique_ptr<GoferFsCache::OpenFile> open_file,
                   Offset offset);

  absl::StatusOr<size_t> Read(sentry::Task& task, absl::Span<uint8_t> buf) override;
  absl::StatusOr<size_t> Write(sentry::Task& task, absl::Span<const uint8_t> buf) override;
  // With an own offset, read(2) is a pread at it too.
  std::optional<absl::StatusOr<size_t>> ReadToApplication(sentry::Task& task, uint64_t addr,
                                                          size_t count, int64_t offset) override;
  absl::StatusOr<int64_t> Seek(int64_t offset, int whence) override;
  // What mmap maps: a read-write fd may be mapped shared and writable.
  int HostFd() const override;

 private:
  const std::unique_ptr<GoferFsCache::OpenFile> open_file_;
  const Offset offset_kind_;
  absl::Mutex offset_mu_;
  int64_t offset_ ABSL_GUARDED_BY(offset_mu_) = 0;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_GOFER_REGULAR_FILE_H_
