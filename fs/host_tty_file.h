// An open file description of the container's console (HostTty): a host
// stream file whose reads, writes and termios ioctls first pass the
// terminal's job-control checks (a background group gets SIGTTIN/SIGTTOU),
// and whose session/foreground ioctls are answered by the sentry.
#ifndef RUNSC_FS_HOST_TTY_FILE_H_
#define RUNSC_FS_HOST_TTY_FILE_H_

#include <memory>

#include "fs/host_file.h"
#include "fs/host_tty.h"

namespace runsc::fs {

class HostTtyFile : public HostFile {
 public:
  // `fd`: this description's own duplicate of the console's host fd.
  HostTtyFile(int flags, UniqueFd fd, std::shared_ptr<HostTty> tty);

  absl::StatusOr<size_t> Read(sentry::Task& task, absl::Span<uint8_t> buf) override;
  absl::StatusOr<size_t> Write(sentry::Task& task, absl::Span<const uint8_t> buf) override;
  absl::StatusOr<struct stat> Stat() override { return tty_->Stat(); }
  absl::StatusOr<int64_t> Ioctl(sentry::Task& task, uint64_t cmd, uint64_t arg) override;

 private:
  std::shared_ptr<HostTty> tty_;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_HOST_TTY_FILE_H_
