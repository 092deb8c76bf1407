#include "fs/host_tty_file.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "base/errno_status.h"
#include "sentry/kernel/kernel.h"

namespace runsc::fs {
namespace {

// Calls that change the terminal: a background group may not make them
// without passing the SIGTTOU check (Linux's tty_check_change callers).
bool ChangesTheTerminal(uint64_t cmd) {
  return cmd == TCSETS || cmd == TCSETSW || cmd == TCSETSF || cmd == TCFLSH || cmd == TCXONC;
}

}  // namespace

HostTtyFile::HostTtyFile(int flags, UniqueFd fd, std::shared_ptr<HostTty> tty)
    : HostFile(flags, std::move(fd), /*seekable=*/false), tty_(std::move(tty)) {}

absl::StatusOr<size_t> HostTtyFile::Read(sentry::Task& task, absl::Span<uint8_t> buf) {
  if (absl::Status s = tty_->job_control().CheckRead(task); !s.ok()) return s;
  return HostFile::Read(task, buf);
}

absl::StatusOr<size_t> HostTtyFile::Write(sentry::Task& task, absl::Span<const uint8_t> buf) {
  // TOSTOP is the host tty's setting, where the application's tcsetattr put it.
  struct termios t;  // tcgetattr: glibc's struct, translated.
  if (::tcgetattr(HostFd(), &t) == 0 && (t.c_lflag & TOSTOP)) {
    if (absl::Status s = tty_->job_control().CheckChange(task); !s.ok()) return s;
  }
  return HostFile::Write(task, buf);
}

absl::StatusOr<int64_t> HostTtyFile::Ioctl(sentry::Task& task, uint64_t cmd, uint64_t arg) {
  if (TtyJobControl::IsJobControlIoctl(cmd)) {
    return tty_->job_control().Ioctl(task, cmd, arg, (flags() & O_ACCMODE) != O_WRONLY);
  }
  if (ChangesTheTerminal(cmd)) {
    if (absl::Status s = tty_->job_control().CheckChange(task); !s.ok()) return s;
  }
  return HostFile::Ioctl(task, cmd, arg);
}

}  // namespace runsc::fs
