// Extended attributes: not kept by any of the sentry's file systems yet
// (the gofer protocol has no xattr messages in use). Rather than ENOSYS,
// which programs report as an error (coreutils' `ls -l` prints
// "ls: f: Function not implemented" for every argument), every file
// answers as it would on a Linux file system mounted without xattr
// support: get/set/remove are EOPNOTSUPP and the list is empty. The path or
// fd is still checked first, so a missing file is ENOENT, a bad pointer
// EFAULT and a bad fd EBADF, as natively.
#include <sys/syscall.h>
#include <sys/xattr.h>

#include <mutex>

#include "base/logging.h"
#include "fs/fd_table.h"
#include "syscalls/helpers.h"

namespace runsc::syscalls {
namespace {

using sentry::Task;

enum class Follow { kYes, kNo };

// Checks the attribute's name as Linux's import_xattr_name does: EFAULT
// for a bad pointer, ERANGE for an empty name or one over XATTR_NAME_MAX.
absl::Status CheckName(Task& t, uint64_t name_addr) {
  absl::StatusOr<std::string> name = t.mm->CopyInString(name_addr, XATTR_NAME_MAX + 1);
  if (!name.ok()) {
    if (ErrnoOf(name.status()) == ENAMETOOLONG) return ErrnoError(ERANGE, "xattr name too long");
    return name.status();
  }
  if (name->empty()) return ErrnoError(ERANGE, "empty xattr name");
  return absl::OkStatus();
}

// The file a path names (the link itself for the l* calls), for its errors.
absl::Status CheckPath(Task& t, uint64_t path_addr, Follow follow) {
  absl::StatusOr<std::string> path = CopyInPath(t, path_addr);
  if (!path.ok()) return path.status();
  absl::StatusOr<std::shared_ptr<fs::Dentry>> d =
      VfsOf(t).ResolveAt(t, AT_FDCWD, *path, follow == Follow::kYes);
  return d.status();
}

// O_PATH fds are EBADF for the f* calls, as natively.
absl::Status CheckFd(Task& t, uint64_t fd) {
  if (Fds(t).Get(static_cast<int>(fd)) == nullptr) return ErrnoError(EBADF, "bad fd");
  return absl::OkStatus();
}

SyscallResult Unsupported(const char* call) {
  static std::once_flag logged;
  std::call_once(logged, [call] {
    LogInfo(call, ": extended attributes are not supported by the sentry's file systems; ",
            "every file answers EOPNOTSUPP and an empty list (logged once)");
  });
  return SyscallResult::Error(EOPNOTSUPP);
}

SyscallResult PathCall(Task& t, const SyscallArgs& a, Follow follow, const char* call) {
  RUNSC_RETURN_IF_ERROR(CheckName(t, a[1]));
  RUNSC_RETURN_IF_ERROR(CheckPath(t, a[0], follow));
  return Unsupported(call);
}

SyscallResult FdCall(Task& t, const SyscallArgs& a, const char* call) {
  RUNSC_RETURN_IF_ERROR(CheckName(t, a[1]));
  RUNSC_RETURN_IF_ERROR(CheckFd(t, a[0]));
  return Unsupported(call);
}

// get, set and remove share their first two arguments (file, name).
SyscallResult Getxattr(Task& t, const SyscallArgs& a) { return PathCall(t, a, Follow::kYes, "getxattr"); }
SyscallResult Lgetxattr(Task& t, const SyscallArgs& a) { return PathCall(t, a, Follow::kNo, "lgetxattr"); }
SyscallResult Fgetxattr(Task& t, const SyscallArgs& a) { return FdCall(t, a, "fgetxattr"); }
SyscallResult Setxattr(Task& t, const SyscallArgs& a) { return PathCall(t, a, Follow::kYes, "setxattr"); }
SyscallResult Lsetxattr(Task& t, const SyscallArgs& a) { return PathCall(t, a, Follow::kNo, "lsetxattr"); }
SyscallResult Fsetxattr(Task& t, const SyscallArgs& a) { return FdCall(t, a, "fsetxattr"); }
SyscallResult Removexattr(Task& t, const SyscallArgs& a) {
  return PathCall(t, a, Follow::kYes, "removexattr");
}
SyscallResult Lremovexattr(Task& t, const SyscallArgs& a) {
  return PathCall(t, a, Follow::kNo, "lremovexattr");
}
SyscallResult Fremovexattr(Task& t, const SyscallArgs& a) { return FdCall(t, a, "fremovexattr"); }

// No attributes: the list is empty whatever the buffer (size 0 asks for
// the size needed, which is 0 too).
SyscallResult Listxattr(Task& t, const SyscallArgs& a) {
  RUNSC_RETURN_IF_ERROR(CheckPath(t, a[0], Follow::kYes));
  return SyscallResult::Value(0);
}
SyscallResult Llistxattr(Task& t, const SyscallArgs& a) {
  RUNSC_RETURN_IF_ERROR(CheckPath(t, a[0], Follow::kNo));
  return SyscallResult::Value(0);
}
SyscallResult Flistxattr(Task& t, const SyscallArgs& a) {
  RUNSC_RETURN_IF_ERROR(CheckFd(t, a[0]));
  return SyscallResult::Value(0);
}

}  // namespace

void RegisterXattr(SyscallTable& t) {
  constexpr const char* kNone =
      "no file system keeps extended attributes: EOPNOTSUPP, as one mounted without them";
  constexpr const char* kEmpty = "no file system keeps extended attributes: the list is empty";
  t[SYS_getxattr] = {"getxattr", Getxattr, Support::kPartial, kNone};
  t[SYS_lgetxattr] = {"lgetxattr", Lgetxattr, Support::kPartial, kNone};
  t[SYS_fgetxattr] = {"fgetxattr", Fgetxattr, Support::kPartial, kNone};
  t[SYS_setxattr] = {"setxattr", Setxattr, Support::kPartial, kNone};
  t[SYS_lsetxattr] = {"lsetxattr", Lsetxattr, Support::kPartial, kNone};
  t[SYS_fsetxattr] = {"fsetxattr", Fsetxattr, Support::kPartial, kNone};
  t[SYS_removexattr] = {"removexattr", Removexattr, Support::kPartial, kNone};
  t[SYS_lremovexattr] = {"lremovexattr", Lremovexattr, Support::kPartial, kNone};
  t[SYS_fremovexattr] = {"fremovexattr", Fremovexattr, Support::kPartial, kNone};
  t[SYS_listxattr] = {"listxattr", Listxattr, Support::kPartial, kEmpty};
  t[SYS_llistxattr] = {"llistxattr", Llistxattr, Support::kPartial, kEmpty};
  t[SYS_flistxattr] = {"flistxattr", Flistxattr, Support::kPartial, kEmpty};
}

}  // namespace runsc::syscalls
