// A file backed by a host fd the sentry holds: a regular file donated by the
// gofer, or the container's stdio/console given to runsc create.
#ifndef RUNSC_FS_HOST_FILE_H_
#define RUNSC_FS_HOST_FILE_H_

#include "base/unique_fd.h"
#include "fs/file.h"
#include "fs/mapped_file_reader.h"

namespace runsc::fs {

class HostFile : public File {
 public:
  // seekable: a regular file. Its offset is the host open file description's
  // own: stdio given to runsc create shares it with whoever opened it (a
  // shell's `>> log`), so the container's writes must move it, as under runc.
  // Otherwise a stream (pipe, tty, socket), read and written as it is.
  HostFile(int flags, UniqueFd fd, bool seekable);

  absl::StatusOr<size_t> Read(sentry::Task& task, absl::Span<uint8_t> buf) override;
  absl::StatusOr<size_t> Write(sentry::Task& task, absl::Span<const uint8_t> buf) override;
  absl::StatusOr<size_t> PRead(sentry::Task& task, absl::Span<uint8_t> buf,
                               int64_t offset) override;
  absl::StatusOr<size_t> PWrite(sentry::Task& task, absl::Span<const uint8_t> buf,
                                int64_t offset) override;
  // pread through a mapping of the fd (MappedFileReader) for a regular
  // file and a large enough read; read(2) at the host description's offset
  // is left to Read, which the host moves atomically.
  std::optional<absl::StatusOr<size_t>> ReadToApplication(sentry::Task& task, uint64_t addr,
                                                          size_t count, int64_t offset) override;
  absl::StatusOr<int64_t> Seek(int64_t offset, int whence) override;
  absl::StatusOr<struct stat> Stat() override;
  absl::Status Truncate(int64_t size) override;
  absl::Status Allocate(int mode, int64_t offset, int64_t len) override;
  absl::StatusOr<int64_t> Ioctl(sentry::Task& task, uint64_t cmd, uint64_t arg) override;
  short PollLocked(sentry::Task& task, short events) override;
  int PollHostFd() const override { return seekable_ ? -1 : fd_.get(); }
  int HostFd() const override { return fd_.get(); }

  // open(2) of /proc/<pid>/fd/N when N is a host stream (a pipe or tty
  // given as stdio: `cat /dev/stdin`): a new description of the same
  // stream, a dup of the host fd with `flags` of its own, which is enough
  // since the sentry implements blocking and O_NONBLOCK per description.
  // EACCES for an access mode the host fd does not have (Linux would open
  // the other end of a pipe), ENXIO for a socket (as Linux), EINVAL for a
  // regular file, whose offset a dup would share.
  absl::StatusOr<std::shared_ptr<File>> ReopenStream(int flags) const;

 private:
  // Waits until the host fd is ready for `events` or the task is
  // interrupted (kErrRestartSys).
  absl::Status WaitReady(sentry::Task& task, short events);
  // RLIMIT_FSIZE holds for writes here: the task has one and this is a
  // regular file (not a stream, tty or device given as stdio).
  bool FileSizeLimitApplies(sentry::Task& task) const;

  UniqueFd fd_;
  const bool seekable_;
  // For a seekable fd; destroyed before fd_ closes.
  std::unique_ptr<MappedFileReader> reader_;
  // Makes seek-to-end and write one step for O_APPEND writers.
  absl::Mutex append_mu_;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_HOST_FILE_H_
