#include "fs/file_size_limit.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>

#include "base/errno_status.h"
#include "sentry/kernel/kernel.h"

namespace runsc::fs {
namespace {

// send_sig(SIGXFSZ, current, 0): thread-directed, from the process itself.
absl::Status FileTooLarge(sentry::Task& task) {
  {
    absl::MutexLock lock(&task.kernel().mu);
    siginfo_t info{};
    info.si_signo = SIGXFSZ;
    info.si_code = SI_USER;
    info.si_pid = task.tgid();
    info.si_uid = task.creds.uid;
    task.kernel().SendSignalLocked(task, info);
  }
  return ErrnoError(EFBIG, "past RLIMIT_FSIZE");
}

}  // namespace

absl::StatusOr<size_t> LengthWithinFileSizeLimit(sentry::Task& task, int64_t offset,
                                                 size_t length) {
  const rlim_t limit = task.rlimits[RLIMIT_FSIZE].rlim_cur;
  if (limit == RLIM_INFINITY || length == 0 || offset < 0) return length;
  if (static_cast<uint64_t>(offset) >= limit) return FileTooLarge(task);
  return static_cast<size_t>(std::min<uint64_t>(length, limit - static_cast<uint64_t>(offset)));
}

absl::Status CheckSizeWithinFileSizeLimit(sentry::Task& task, int64_t size) {
  const rlim_t limit = task.rlimits[RLIMIT_FSIZE].rlim_cur;
  if (limit == RLIM_INFINITY || size < 0 || static_cast<uint64_t>(size) <= limit) {
    return absl::OkStatus();
  }
  return FileTooLarge(task);
}

}  // namespace runsc::fs
