// timerfd_create(2), timerfd_settime(2), timerfd_gettime(2): the timer is
// fs::TimerfdFile (a host timerfd on the same clock).
#include <sys/syscall.h>
#include <sys/timerfd.h>

#include "fs/timerfd_file.h"
#include "syscalls/helpers.h"

namespace runsc::syscalls {
namespace {

using sentry::Task;

// The timerfd behind `fd`: EBADF if none is open there, EINVAL if it is
// another kind of file.
absl::StatusOr<std::shared_ptr<fs::TimerfdFile>> TimerfdOf(Task& t, uint64_t fd) {
  std::shared_ptr<fs::File> file = Fds(t).Get(static_cast<int>(fd));
  if (file == nullptr) return ErrnoError(EBADF, "bad fd");
  auto timer = std::dynamic_pointer_cast<fs::TimerfdFile>(file);
  if (timer == nullptr) return ErrnoError(EINVAL, "not a timerfd");
  return timer;
}

SyscallResult TimerfdCreate(Task& t, const SyscallArgs& a) {
  const int flags = static_cast<int>(a[1]);
  if (flags & ~(TFD_NONBLOCK | TFD_CLOEXEC)) return SyscallResult::Error(EINVAL);
  absl::StatusOr<std::shared_ptr<fs::TimerfdFile>> timer =
      fs::TimerfdFile::Create(static_cast<clockid_t>(a[0]), flags & TFD_NONBLOCK);
  if (!timer.ok()) return FromStatus(timer.status());
  absl::StatusOr<int> fd = Fds(t).Install(*std::move(timer), flags & TFD_CLOEXEC, 0, NofileLimit(t));
  if (!fd.ok()) return FromStatus(fd.status());
  return SyscallResult::Value(*fd);
}

// timerfd_settime(fd, flags, new_value, old_value).
SyscallResult TimerfdSettime(Task& t, const SyscallArgs& a) {
  struct itimerspec value;
  RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[2], value));
  absl::StatusOr<std::shared_ptr<fs::TimerfdFile>> timer = TimerfdOf(t, a[0]);
  if (!timer.ok()) return FromStatus(timer.status());
  absl::StatusOr<struct itimerspec> old = (*timer)->SetTime(static_cast<int>(a[1]), value);
  if (!old.ok()) return FromStatus(old.status());
  if (a[3] != 0) RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[3], *old));
  return SyscallResult::Value(0);
}

SyscallResult TimerfdGettime(Task& t, const SyscallArgs& a) {
  absl::StatusOr<std::shared_ptr<fs::TimerfdFile>> timer = TimerfdOf(t, a[0]);
  if (!timer.ok()) return FromStatus(timer.status());
  absl::StatusOr<struct itimerspec> now = (*timer)->GetTime();
  if (!now.ok()) return FromStatus(now.status());
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[1], *now));
  return SyscallResult::Value(0);
}

}  // namespace

void RegisterTimerfd(SyscallTable& t) {
  t[SYS_timerfd_create] = {"timerfd_create", TimerfdCreate, Support::kFull,
                           "REALTIME, MONOTONIC, BOOTTIME; backed by a host timerfd"};
  t[SYS_timerfd_settime] = {"timerfd_settime", TimerfdSettime, Support::kFull, ""};
  t[SYS_timerfd_gettime] = {"timerfd_gettime", TimerfdGettime, Support::kFull, ""};
}

}  // namespace runsc::syscalls
