// signalfd(2) and signalfd4(2): the file itself is fs::SignalfdFile.
#include <sys/signalfd.h>
#include <sys/syscall.h>

#include "fs/signalfd_file.h"
#include "syscalls/helpers.h"

namespace runsc::syscalls {
namespace {

using sentry::SignalSet;
using sentry::Task;

// fd -1 makes a signalfd; a signalfd's fd gets the new mask.
SyscallResult DoSignalfd(Task& t, int fd, uint64_t mask_addr, uint64_t size, uint64_t flags) {
  if (flags & ~static_cast<uint64_t>(SFD_CLOEXEC | SFD_NONBLOCK)) return SyscallResult::Error(EINVAL);
  if (size != sizeof(SignalSet)) return SyscallResult::Error(EINVAL);
  SignalSet mask = 0;
  RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(mask_addr, mask));
  if (fd != -1) {
    std::shared_ptr<fs::File> file = Fds(t).Get(fd);
    if (file == nullptr) return SyscallResult::Error(EBADF);
    auto* sfd = dynamic_cast<fs::SignalfdFile*>(file.get());
    if (sfd == nullptr) return SyscallResult::Error(EINVAL);
    sfd->SetMask(mask);
    return SyscallResult::Value(fd);
  }
  auto file = std::make_shared<fs::SignalfdFile>(t.kernel(), mask, flags & SFD_NONBLOCK);
  absl::StatusOr<int> new_fd =
      Fds(t).Install(std::move(file), flags & SFD_CLOEXEC, 0, NofileLimit(t));
  if (!new_fd.ok()) return FromStatus(new_fd.status());
  return SyscallResult::Value(*new_fd);
}

SyscallResult Signalfd4(Task& t, const SyscallArgs& a) {
  return DoSignalfd(t, static_cast<int>(a[0]), a[1], a[2], a[3]);
}
SyscallResult Signalfd(Task& t, const SyscallArgs& a) {
  return DoSignalfd(t, static_cast<int>(a[0]), a[1], a[2], 0);
}

}  // namespace

void RegisterSignalfd(SyscallTable& t) {
  t[SYS_signalfd] = {"signalfd", Signalfd, Support::kFull, ""};
  t[SYS_signalfd4] = {"signalfd4", Signalfd4, Support::kFull, ""};
}

}  // namespace runsc::syscalls
