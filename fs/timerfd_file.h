// timerfd_create(2): a timer read as a count of expirations. The sentry's
// clocks are the host's (sys_time.cc), so each TimerfdFile is backed by a
// host timerfd on the same clock: the host keeps the time, counts the
// expirations and makes the fd readable, which poll, select and epoll wait
// for with the host's poll (PollHostFd).
#ifndef RUNSC_FS_TIMERFD_FILE_H_
#define RUNSC_FS_TIMERFD_FILE_H_

#include <time.h>

#include "base/unique_fd.h"
#include "fs/file.h"

namespace runsc::fs {

class TimerfdFile : public File {
 public:
  // CLOCK_REALTIME, CLOCK_MONOTONIC or CLOCK_BOOTTIME (else EINVAL);
  // `nonblock` is TFD_NONBLOCK. The timer starts disarmed.
  static absl::StatusOr<std::shared_ptr<TimerfdFile>> Create(clockid_t clock, bool nonblock);

  // timerfd_settime: `flags` may hold TFD_TIMER_ABSTIME and
  // TFD_TIMER_CANCEL_ON_SET (else EINVAL); a value or interval out of
  // range is EINVAL. Returns the old setting, as timerfd_gettime would.
  absl::StatusOr<struct itimerspec> SetTime(int flags, const struct itimerspec& value);
  // timerfd_gettime: the time left (0: disarmed) and the interval.
  absl::StatusOr<struct itimerspec> GetTime();

  // The expirations since the last read, as 8 bytes (a smaller buffer is
  // EINVAL). With none yet: waits, interruptibly, or EAGAIN (O_NONBLOCK).
  absl::StatusOr<size_t> Read(sentry::Task& task, absl::Span<uint8_t> buf) override;
  // POLLIN once the timer has expired.
  short PollLocked(sentry::Task& task, short events) override;
  int PollHostFd() const override { return host_fd_.get(); }
  absl::StatusOr<struct stat> Stat() override;

  explicit TimerfdFile(UniqueFd host_fd, bool nonblock);

 private:
  const UniqueFd host_fd_;  // A host timerfd, itself always non-blocking.
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_TIMERFD_FILE_H_
