#include "fs/host_file.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "fs/file_size_limit.h"
#include "sentry/kernel/kernel.h"

namespace runsc::fs {
namespace {

// The kernel's struct termios, what TCGETS and TCSETS* read and write
// (glibc's own struct termios is larger: tcgetattr translates).
struct KernelTermios {
  tcflag_t c_iflag, c_oflag, c_cflag, c_lflag;
  cc_t c_line;
  cc_t c_cc[19];
};
static_assert(sizeof(KernelTermios) == 36);

}  // namespace

HostFile::HostFile(int flags, UniqueFd fd, bool seekable)
    : File(flags),
      fd_(std::move(fd)),
      seekable_(seekable),
      reader_(seekable ? std::make_unique<MappedFileReader>(fd_.get()) : nullptr) {}

bool HostFile::FileSizeLimitApplies(sentry::Task& task) const {
  // The limit first: most tasks have none, and then no fstat is needed.
  if (!seekable_ || task.rlimits[RLIMIT_FSIZE].rlim_cur == RLIM_INFINITY) return false;
  struct stat st;
  return ::fstat(fd_.get(), &st) == 0 && S_ISREG(st.st_mode);
}

absl::Status HostFile::WaitReady(sentry::Task& task, short events) {
  for (;;) {
    {
      absl::MutexLock lock(&task.kernel().mu);
      if (task.InterruptedLocked()) return ErrnoError(512 /*ERESTARTSYS*/, "interrupted");
    }
    pollfd fds[2] = {{fd_.get(), events, 0}, {task.wake_fd(), POLLIN, 0}};
    int n = ::poll(fds, 2, -1);
    if (n < 0 && errno != EINTR) return HostError("poll");
    if (fds[1].revents & POLLIN) task.DrainWakeFd();
    if (fds[0].revents != 0) return absl::OkStatus();
  }
}

short HostFile::PollLocked(sentry::Task& task, short events) {
  if (seekable_) return File::PollLocked(task, events);
  // A zero-timeout host poll: cheap, and it never blocks under the lock.
  pollfd p{fd_.get(), events, 0};
  if (::poll(&p, 1, 0) < 0) return POLLERR;
  return p.revents;
}

absl::StatusOr<size_t> HostFile::Read(sentry::Task& task, absl::Span<uint8_t> buf) {
  if (seekable_) {
    ssize_t n = ::read(fd_.get(), buf.data(), buf.size());
    if (n < 0) return HostError("read");
    return static_cast<size_t>(n);
  }
  // Streams: wait in the sentry, interruptibly, then read what is there.
  // The host fd's own flags are left alone: its open file description may
  // be shared with whoever started the container (a shell's tty).
  if (!(flags() & O_NONBLOCK)) {
    if (absl::Status s = WaitReady(task, POLLIN); !s.ok()) return s;
  }
  ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), MSG_DONTWAIT);
  if (n < 0 && errno == ENOTSOCK) n = ::read(fd_.get(), buf.data(), buf.size());
  if (n < 0) return HostError("read");
  return static_cast<size_t>(n);
}

absl::StatusOr<size_t> HostFile::Write(sentry::Task& task, absl::Span<const uint8_t> buf) {
  if (seekable_) {
    absl::MutexLock lock(&append_mu_);
    // O_APPEND of the application's open, whatever the host fd's own flags.
    if ((flags() & O_APPEND) && ::lseek(fd_.get(), 0, SEEK_END) < 0) return HostError("lseek");
    if (FileSizeLimitApplies(task)) {
      const off_t at = ::lseek(fd_.get(), 0, SEEK_CUR);
      if (at < 0) return HostError("lseek");
      absl::StatusOr<size_t> allowed = LengthWithinFileSizeLimit(task, at, buf.size());
      if (!allowed.ok()) return allowed.status();
      buf = buf.first(*allowed);
    }
    ssize_t n = ::write(fd_.get(), buf.data(), buf.size());
    if (n < 0) return HostError("write");
    return static_cast<size_t>(n);
  }
  size_t done = 0;
  while (done < buf.size()) {
    if (!(flags() & O_NONBLOCK)) {
      if (absl::Status s = WaitReady(task, POLLOUT); !s.ok()) {
        if (done > 0) return done;
        return s;
      }
    }
    ssize_t n = ::write(fd_.get(), buf.data() + done, buf.size() - done);
    if (n < 0) {
      if (done > 0) return done;
      return HostError("write");
    }
    done += static_cast<size_t>(n);
  }
  return done;
}

absl::StatusOr<size_t> HostFile::PRead(sentry::Task& task, absl::Span<uint8_t> buf,
                                       int64_t offset) {
  if (!seekable_) return ErrnoError(ESPIPE, "pread on a stream");
  ssize_t n = ::pread(fd_.get(), buf.data(), buf.size(), offset);
  if (n < 0) return HostError("pread");
  return static_cast<size_t>(n);
}

std::optional<absl::StatusOr<size_t>> HostFile::ReadToApplication(sentry::Task& task,
                                                                   uint64_t addr, size_t count,
                                                                   int64_t offset) {
  // O_DIRECT reads bypass the page cache a mapping reads, and have the
  // alignment rules only pread checks.
  if (reader_ == nullptr || offset < 0 || count < MappedFileReader::kMinReadSize ||
      (flags() & O_DIRECT)) {
    return std::nullopt;
  }
  return reader_->PRead(*task.mm, addr, count, offset);
}

absl::StatusOr<size_t> HostFile::PWrite(sentry::Task& task, absl::Span<const uint8_t> buf,
                                        int64_t offset) {
  if (!seekable_) return ErrnoError(ESPIPE, "pwrite on a stream");
  if (FileSizeLimitApplies(task)) {
    absl::StatusOr<size_t> allowed = LengthWithinFileSizeLimit(task, offset, buf.size());
    if (!allowed.ok()) return allowed.status();
    buf = buf.first(*allowed);
  }
  ssize_t n = ::pwrite(fd_.get(), buf.data(), buf.size(), offset);
  if (n < 0) return HostError("pwrite");
  return static_cast<size_t>(n);
}

absl::StatusOr<int64_t> HostFile::Seek(int64_t offset, int whence) {
  if (!seekable_) return ErrnoError(ESPIPE, "seek on a stream");
  // SEEK_DATA/SEEK_HOLE too: the host's filesystem knows where the holes
  // of a donated file are (ENXIO at or past the end, as in Linux).
  if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END && whence != SEEK_DATA &&
      whence != SEEK_HOLE) {
    return ErrnoError(EINVAL, "bad whence");
  }
  off_t result = ::lseek(fd_.get(), offset, whence);
  if (result < 0) return HostError("lseek");
  return static_cast<int64_t>(result);
}

absl::StatusOr<struct stat> HostFile::Stat() {
  struct stat st;
  if (::fstat(fd_.get(), &st) != 0) return HostError("fstat");
  return st;
}

absl::StatusOr<int64_t> HostFile::Ioctl(sentry::Task& task, uint64_t cmd, uint64_t arg) {
  // Terminal ioctls on a host tty given as stdio: only the ones that read or
  // set plain-data structures, with their arguments copied in and out.
  sentry::MemoryManager& mm = *task.mm;
  switch (cmd) {
    case TCGETS: {
      KernelTermios t;
      if (::ioctl(fd_.get(), TCGETS, &t) != 0) return HostError("TCGETS");
      if (absl::Status s = mm.CopyOutObject(arg, t); !s.ok()) return s;
      return 0;
    }
    case TCSETS: case TCSETSW: case TCSETSF: {
      KernelTermios t;
      if (absl::Status s = mm.CopyInObject(arg, t); !s.ok()) return s;
      if (::ioctl(fd_.get(), cmd, &t) != 0) return HostError("TCSETS");
      return 0;
    }
    case TIOCGWINSZ: {
      struct winsize w;
      if (::ioctl(fd_.get(), TIOCGWINSZ, &w) != 0) return HostError("TIOCGWINSZ");
      if (absl::Status s = mm.CopyOutObject(arg, w); !s.ok()) return s;
      return 0;
    }
    case TIOCSWINSZ: {
      struct winsize w;
      if (absl::Status s = mm.CopyInObject(arg, w); !s.ok()) return s;
      if (::ioctl(fd_.get(), TIOCSWINSZ, &w) != 0) return HostError("TIOCSWINSZ");
      return 0;
    }
    case TIOCGPGRP: {
      // Job control is virtual: the foreground group is the caller's.
      int32_t pgid;
      {
        absl::MutexLock lock(&task.kernel().mu);
        pgid = task.leader().pgid;
      }
      if (!isatty(fd_.get())) return ErrnoError(ENOTTY, "not a tty");
      if (absl::Status s = mm.CopyOutObject(arg, pgid); !s.ok()) return s;
      return 0;
    }
    case TIOCSPGRP:
      if (!isatty(fd_.get())) return ErrnoError(ENOTTY, "not a tty");
      return 0;
    case TCFLSH:
      // Arguments are checked here, so that only what Linux accepts
      // reaches the host (man 2 ioctl_tty).
      if (arg != TCIFLUSH && arg != TCOFLUSH && arg != TCIOFLUSH) {
        return ErrnoError(EINVAL, "TCFLSH: bad queue selector");
      }
      if (::ioctl(fd_.get(), TCFLSH, static_cast<int>(arg)) != 0) return HostError("TCFLSH");
      return 0;
    case TCXONC:
      if (arg != TCOOFF && arg != TCOON && arg != TCIOFF && arg != TCION) {
        return ErrnoError(EINVAL, "TCXONC: bad action");
      }
      if (::ioctl(fd_.get(), TCXONC, static_cast<int>(arg)) != 0) return HostError("TCXONC");
      return 0;
    case TCSBRK:
      // tcdrain(3) is TCSBRK 1; 0 sends a break. Waits for output to drain:
      // a host call that does not wait for the application's input.
      if (::ioctl(fd_.get(), TCSBRK, arg != 0 ? 1 : 0) != 0) return HostError("TCSBRK");
      return 0;
    case FIONREAD: {
      int32_t n = 0;
      if (::ioctl(fd_.get(), FIONREAD, &n) != 0) return HostError("FIONREAD");
      if (absl::Status s = mm.CopyOutObject(arg, n); !s.ok()) return s;
      return 0;
    }
    default:
      return ErrnoError(ENOTTY, "unsupported ioctl");
  }
}

absl::Status HostFile::Truncate(int64_t size) {
  // The host checks what Linux checks: a regular file, open for writing
  // (EINVAL otherwise), a size that fits (EFBIG).
  if (!seekable_) return ErrnoError(EINVAL, "ftruncate of a stream");
  if (::ftruncate(fd_.get(), size) != 0) return HostError("ftruncate");
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<File>> HostFile::ReopenStream(int flags) const {
  if (seekable_) return ErrnoError(EINVAL, "reopen of a host regular file is not supported");
  struct stat st;
  if (::fstat(fd_.get(), &st) != 0) return HostError("reopen: fstat");
  if (S_ISSOCK(st.st_mode)) return ErrnoError(ENXIO, "a socket cannot be opened");
  const int host_flags = ::fcntl(fd_.get(), F_GETFL);
  if (host_flags < 0) return HostError("reopen: F_GETFL");
  const int have = host_flags & O_ACCMODE, want = flags & O_ACCMODE;
  if (have != O_RDWR && want != have) {
    return ErrnoError(EACCES, "reopen of a host stream with an access mode it was not opened with");
  }
  const int fd = ::fcntl(fd_.get(), F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return HostError("reopen: F_DUPFD_CLOEXEC");
  auto file = std::make_shared<HostFile>(flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY),
                                         UniqueFd(fd), /*seekable=*/false);
  file->set_path(Path());
  return file;
}

absl::Status HostFile::Allocate(int mode, int64_t offset, int64_t len) {
  // A donated rootfs file: the host filesystem allocates, punches holes and
  // zeroes, and answers EOPNOTSUPP, ENOSPC or EFBIG as it would natively.
  if (!seekable_) return ErrnoError(ESPIPE, "fallocate of a stream");
  if (::fallocate(fd_.get(), mode, offset, len) != 0) return HostError("fallocate");
  return absl::OkStatus();
}

}  // namespace runsc::fs
