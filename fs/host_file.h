// A file backed by a host fd the sentry holds: a regular file donated by the
// gofer, or the container's stdio/console given to runsc create.
#ifndef RUNSC_FS_HOST_FILE_H_
#define RUNSC_FS_HOST_FILE_H_

#include "base/unique_fd.h"
#include "fs/file.h"

namespace runsc::fs {

class HostFile : public File {
 public:
  // seekable: a regular file (offset kept here and used with pread/pwrite);
  // otherwise a stream (pipe, tty, socket), read and written as it is.
  HostFile(int flags, UniqueFd fd, bool seekable);

  absl::StatusOr<size_t> Read(sentry::Task& task, absl::Span<uint8_t> buf) override;
  absl::StatusOr<size_t> Write(sentry::Task& task, absl::Span<const uint8_t> buf) override;
  absl::StatusOr<size_t> PRead(sentry::Task& task, absl::Span<uint8_t> buf,
                               int64_t offset) override;
  absl::StatusOr<size_t> PWrite(sentry::Task& task, absl::Span<const uint8_t> buf,
                                int64_t offset) override;
  absl::StatusOr<int64_t> Seek(int64_t offset, int whence) override;
  absl::StatusOr<struct stat> Stat() override;
  absl::StatusOr<int64_t> Ioctl(sentry::Task& task, uint64_t cmd, uint64_t arg) override;
  int HostFd() const override { return fd_.get(); }

 private:
  // Waits until the host fd is ready for `events` or the task is
  // interrupted (kErrRestartSys).
  absl::Status WaitReady(sentry::Task& task, short events);

  UniqueFd fd_;
  const bool seekable_;
  absl::Mutex offset_mu_;
  int64_t offset_ ABSL_GUARDED_BY(offset_mu_) = 0;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_HOST_FILE_H_
