// eventfd(2) and eventfd2(2): the counter itself is fs::EventfdFile.
#include <sys/eventfd.h>
#include <sys/syscall.h>

#include "fs/eventfd_file.h"
#include "syscalls/helpers.h"

namespace runsc::syscalls {
namespace {

using sentry::Task;

SyscallResult DoEventfd(Task& t, uint64_t initial, uint64_t flags) {
  if (flags & ~static_cast<uint64_t>(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC)) {
    return SyscallResult::Error(EINVAL);
  }
  // The initial value is an unsigned int, as in Linux.
  auto file = std::make_shared<fs::EventfdFile>(t.kernel(), static_cast<uint32_t>(initial),
                                                flags & EFD_NONBLOCK, flags & EFD_SEMAPHORE);
  absl::StatusOr<int> fd = Fds(t).Install(std::move(file), flags & EFD_CLOEXEC, 0, NofileLimit(t));
  if (!fd.ok()) return FromStatus(fd.status());
  return SyscallResult::Value(*fd);
}

SyscallResult Eventfd2(Task& t, const SyscallArgs& a) { return DoEventfd(t, a[0], a[1]); }
SyscallResult Eventfd(Task& t, const SyscallArgs& a) { return DoEventfd(t, a[0], 0); }

}  // namespace

void RegisterEventfd(SyscallTable& t) {
  t[SYS_eventfd] = {"eventfd", Eventfd, Support::kFull, ""};
  t[SYS_eventfd2] = {"eventfd2", Eventfd2, Support::kFull, ""};
}

}  // namespace runsc::syscalls
