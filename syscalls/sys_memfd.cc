// memfd_create(2). The file is fs/memfd.h's; seals are fcntl's (sys_file.cc).
#include <sys/syscall.h>

#include "fs/memfd.h"
#include "syscalls/helpers.h"

namespace runsc::syscalls {
namespace {

using sentry::Task;

SyscallResult MemfdCreate(Task& t, const SyscallArgs& a) {
  const unsigned flags = static_cast<unsigned>(a[1]);
  // Linux reads at most MFD_NAME_MAX_LEN + 1 bytes: a bad pointer is
  // EFAULT, a name without its NUL in them EINVAL.
  absl::StatusOr<std::string> name = t.mm->CopyInString(a[0], fs::kMemfdMaxNameLength + 1);
  if (!name.ok()) {
    return SyscallResult::Error(ErrnoOf(name.status()) == ENAMETOOLONG ? EINVAL : EFAULT);
  }
  absl::StatusOr<std::shared_ptr<fs::File>> file =
      fs::NewMemfd(*name, flags, t.creds.fsuid, t.creds.fsgid);
  if (!file.ok()) return FromStatus(file.status());
  absl::StatusOr<int> fd = Fds(t).Install(*file, flags & fs::kMfdCloexec, 0, NofileLimit(t));
  return fd.ok() ? SyscallResult::Value(*fd) : FromStatus(fd.status());
}

}  // namespace

void RegisterMemfd(SyscallTable& t) {
  t[SYS_memfd_create] = {"memfd_create", MemfdCreate, Support::kPartial,
                         "tmpfs file in a host memfd; seals enforced (mappings by the host); "
                         "MFD_HUGETLB is EINVAL"};
}

}  // namespace runsc::syscalls
