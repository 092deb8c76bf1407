#include "fs/timerfd_file.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "fs/anon_inode.h"
#include "sentry/kernel/kernel.h"

namespace runsc::fs {

absl::StatusOr<std::shared_ptr<TimerfdFile>> TimerfdFile::Create(clockid_t clock, bool nonblock) {
  if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME) {
    return ErrnoError(EINVAL, "timerfd clock not supported");
  }
  int fd = ::timerfd_create(clock, TFD_NONBLOCK | TFD_CLOEXEC);
  if (fd < 0) return HostError("timerfd_create");
  return std::make_shared<TimerfdFile>(UniqueFd(fd), nonblock);
}

TimerfdFile::TimerfdFile(UniqueFd host_fd, bool nonblock)
    : File(O_RDWR | (nonblock ? O_NONBLOCK : 0)), host_fd_(std::move(host_fd)) {
  set_path("anon_inode:[timerfd]");
}

absl::StatusOr<struct itimerspec> TimerfdFile::SetTime(int flags,
                                                       const struct itimerspec& value) {
  if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) {
    return ErrnoError(EINVAL, "unknown timerfd_settime flag");
  }
  // The host checks the values (EINVAL) exactly as Linux does: it is Linux.
  struct itimerspec old {};
  if (::timerfd_settime(host_fd_.get(), flags, &value, &old) != 0) {
    return HostError("timerfd_settime");
  }
  return old;
}

absl::StatusOr<struct itimerspec> TimerfdFile::GetTime() {
  struct itimerspec now {};
  if (::timerfd_gettime(host_fd_.get(), &now) != 0) return HostError("timerfd_gettime");
  return now;
}

absl::StatusOr<size_t> TimerfdFile::Read(sentry::Task& task, absl::Span<uint8_t> buf) {
  if (buf.size() < sizeof(uint64_t)) return ErrnoError(EINVAL, "timerfd read of less than 8 bytes");
  for (;;) {
    ssize_t n = ::read(host_fd_.get(), buf.data(), sizeof(uint64_t));
    if (n == sizeof(uint64_t)) return sizeof(uint64_t);
    // ECANCELED (TFD_TIMER_CANCEL_ON_SET after a clock change) is the
    // application's answer too.
    if (n >= 0 || errno != EAGAIN) return HostError("read timerfd");
    if (flags() & O_NONBLOCK) return ErrnoError(EAGAIN, "timer has not expired");
    {
      absl::MutexLock lock(&task.kernel().mu);
      if (task.InterruptedLocked()) return ErrnoError(512 /*ERESTARTSYS*/, "interrupted");
    }
    // Kick() makes the wake fd readable: a signal ends this wait.
    pollfd fds[2] = {{host_fd_.get(), POLLIN, 0}, {task.wake_fd(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) return HostError("poll timerfd");
    if (fds[1].revents & POLLIN) task.DrainWakeFd();
  }
}

short TimerfdFile::PollLocked(sentry::Task& task, short events) {
  // A zero-timeout host poll: it never blocks under the lock.
  pollfd p{host_fd_.get(), events, 0};
  if (::poll(&p, 1, 0) < 0) return POLLERR;
  return p.revents;
}

absl::StatusOr<struct stat> TimerfdFile::Stat() { return AnonymousInodeStat(this); }

}  // namespace runsc::fs
