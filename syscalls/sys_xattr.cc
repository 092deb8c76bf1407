// Extended attributes (xattr(7)): thin handlers over fs/xattr.h.
//
// What Linux checks before it walks the path comes first, in its order: the
// flags (EINVAL), the name (EFAULT; ERANGE if empty or over XATTR_NAME_MAX),
// the value's size (E2BIG) and the value itself (EFAULT); then the file
// (ENOENT, EBADF: O_PATH fds are EBADF for the f* calls); then what the VFS
// and the filesystem answer (fs/xattr.h). Results are copied out as
// getxattr(2) and listxattr(2) do: size 0 asks for the size needed, a
// smaller buffer is ERANGE (E2BIG if even XATTR_*_MAX bytes would not do).
//
// Which filesystems keep what: the rootfs and bind mounts (gofer) user.*
// only, tmpfs user.* and trusted.*, others none (EOPNOTSUPP, as Linux's
// procfs). security.*, system.* and trusted.* never reach the host: see
// gofer/proto/gofer.proto.
#include <sys/syscall.h>
#include <sys/xattr.h>

#include <functional>
#include <memory>
#include <string>

#include "fs/fd_table.h"
#include "fs/xattr.h"
#include "syscalls/helpers.h"

namespace runsc::syscalls {
namespace {

using sentry::Task;

enum class Follow { kYes, kNo };

// The attribute's name as Linux's import_xattr_name takes it.
absl::StatusOr<std::string> CopyInName(Task& t, uint64_t name_addr) {
  absl::StatusOr<std::string> name = t.mm->CopyInString(name_addr, fs::kXattrNameMax + 1);
  if (!name.ok()) {
    if (ErrnoOf(name.status()) == ENAMETOOLONG) return ErrnoError(ERANGE, "xattr name too long");
    return name.status();
  }
  if (name->empty()) return ErrnoError(ERANGE, "empty xattr name");
  return name;
}

absl::StatusOr<fs::XattrTarget> TargetOf(std::shared_ptr<fs::Dentry> dentry) {
  absl::StatusOr<struct stat> st = dentry->node->Stat();
  if (!st.ok()) return st.status();
  return fs::XattrTarget{.node = dentry->node, .st = *st, .dentry = std::move(dentry)};
}

// The file a path names (the link itself for the l* calls).
absl::StatusOr<fs::XattrTarget> TargetOfPath(Task& t, uint64_t path_addr, Follow follow) {
  absl::StatusOr<std::string> path = CopyInPath(t, path_addr);
  if (!path.ok()) return path.status();
  absl::StatusOr<std::shared_ptr<fs::Dentry>> d =
      VfsOf(t).ResolveAt(t, AT_FDCWD, *path, follow == Follow::kYes);
  if (!d.ok()) return d.status();
  return TargetOf(std::move(*d));
}

// The file an fd is open on; a pipe or socket of no filesystem has no node.
absl::StatusOr<fs::XattrTarget> TargetOfFd(Task& t, uint64_t fd) {
  std::shared_ptr<fs::File> file = Fds(t).Get(static_cast<int>(fd));
  if (file == nullptr) return ErrnoError(EBADF, "bad fd");
  if (file->dentry != nullptr && file->dentry->node != nullptr) return TargetOf(file->dentry);
  absl::StatusOr<struct stat> st = file->Stat();
  if (!st.ok()) return st.status();
  return fs::XattrTarget{.st = *st};
}

// Copies `bytes` out to a buffer of `size` bytes at `addr` as getxattr(2)
// and listxattr(2) do; `limit` is XATTR_SIZE_MAX or XATTR_LIST_MAX.
SyscallResult CopyOutSized(Task& t, const std::string& bytes, uint64_t addr, uint64_t size,
                           size_t limit) {
  if (size == 0) return SyscallResult::Value(static_cast<int64_t>(bytes.size()));
  if (bytes.size() > size) {
    return SyscallResult::Error(size >= limit ? E2BIG : ERANGE);
  }
  if (!bytes.empty()) {
    RUNSC_RETURN_IF_ERROR(t.mm->CopyOut(
        addr, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size())));
  }
  return SyscallResult::Value(static_cast<int64_t>(bytes.size()));
}

// get: (file, name, value, size).
SyscallResult GetOn(Task& t, const SyscallArgs& a,
                    const std::function<absl::StatusOr<fs::XattrTarget>()>& target) {
  absl::StatusOr<std::string> name = CopyInName(t, a[1]);
  if (!name.ok()) return FromStatus(name.status());
  absl::StatusOr<fs::XattrTarget> file = target();
  if (!file.ok()) return FromStatus(file.status());
  absl::StatusOr<std::string> value = fs::GetXattr(t, *file, *name);
  if (!value.ok()) return FromStatus(value.status());
  return CopyOutSized(t, *value, a[2], a[3], fs::kXattrSizeMax);
}

// set: (file, name, value, size, flags).
SyscallResult SetOn(Task& t, const SyscallArgs& a,
                    const std::function<absl::StatusOr<fs::XattrTarget>()>& target) {
  const int flags = static_cast<int>(a[4]);
  if ((a[4] & ~static_cast<uint64_t>(XATTR_CREATE | XATTR_REPLACE)) != 0) {
    return SyscallResult::Error(EINVAL);
  }
  absl::StatusOr<std::string> name = CopyInName(t, a[1]);
  if (!name.ok()) return FromStatus(name.status());
  const uint64_t size = a[3];
  if (size > fs::kXattrSizeMax) return SyscallResult::Error(E2BIG);
  std::string value(size, '\0');
  if (size != 0) {
    RUNSC_RETURN_IF_ERROR(
        t.mm->CopyIn(a[2], absl::MakeSpan(reinterpret_cast<uint8_t*>(value.data()), size)));
  }
  absl::StatusOr<fs::XattrTarget> file = target();
  if (!file.ok()) return FromStatus(file.status());
  RUNSC_RETURN_IF_ERROR(fs::SetXattr(t, *file, *name, value, flags));
  return SyscallResult::Value(0);
}

// remove: (file, name).
SyscallResult RemoveOn(Task& t, const SyscallArgs& a,
                       const std::function<absl::StatusOr<fs::XattrTarget>()>& target) {
  absl::StatusOr<std::string> name = CopyInName(t, a[1]);
  if (!name.ok()) return FromStatus(name.status());
  absl::StatusOr<fs::XattrTarget> file = target();
  if (!file.ok()) return FromStatus(file.status());
  RUNSC_RETURN_IF_ERROR(fs::RemoveXattr(t, *file, *name));
  return SyscallResult::Value(0);
}

// list: (file, list, size).
SyscallResult ListOn(Task& t, const SyscallArgs& a,
                     const absl::StatusOr<fs::XattrTarget>& file) {
  if (!file.ok()) return FromStatus(file.status());
  absl::StatusOr<std::string> names = fs::ListXattr(t, *file);
  if (!names.ok()) return FromStatus(names.status());
  return CopyOutSized(t, *names, a[1], a[2], fs::kXattrListMax);
}

auto Path(Task& t, const SyscallArgs& a, Follow follow) {
  return [&t, &a, follow] { return TargetOfPath(t, a[0], follow); };
}
auto Fd(Task& t, const SyscallArgs& a) {
  return [&t, &a] { return TargetOfFd(t, a[0]); };
}

SyscallResult Getxattr(Task& t, const SyscallArgs& a) { return GetOn(t, a, Path(t, a, Follow::kYes)); }
SyscallResult Lgetxattr(Task& t, const SyscallArgs& a) { return GetOn(t, a, Path(t, a, Follow::kNo)); }
SyscallResult Fgetxattr(Task& t, const SyscallArgs& a) { return GetOn(t, a, Fd(t, a)); }
SyscallResult Setxattr(Task& t, const SyscallArgs& a) { return SetOn(t, a, Path(t, a, Follow::kYes)); }
SyscallResult Lsetxattr(Task& t, const SyscallArgs& a) { return SetOn(t, a, Path(t, a, Follow::kNo)); }
SyscallResult Fsetxattr(Task& t, const SyscallArgs& a) { return SetOn(t, a, Fd(t, a)); }
SyscallResult Removexattr(Task& t, const SyscallArgs& a) {
  return RemoveOn(t, a, Path(t, a, Follow::kYes));
}
SyscallResult Lremovexattr(Task& t, const SyscallArgs& a) {
  return RemoveOn(t, a, Path(t, a, Follow::kNo));
}
SyscallResult Fremovexattr(Task& t, const SyscallArgs& a) { return RemoveOn(t, a, Fd(t, a)); }
SyscallResult Listxattr(Task& t, const SyscallArgs& a) {
  return ListOn(t, a, TargetOfPath(t, a[0], Follow::kYes));
}
SyscallResult Llistxattr(Task& t, const SyscallArgs& a) {
  return ListOn(t, a, TargetOfPath(t, a[0], Follow::kNo));
}
SyscallResult Flistxattr(Task& t, const SyscallArgs& a) { return ListOn(t, a, TargetOfFd(t, a[0])); }

}  // namespace

void RegisterXattr(SyscallTable& t) {
  constexpr const char* kNote =
      "rootfs and bind mounts: user.* (security/system/trusted EOPNOTSUPP, never stored on the "
      "host); tmpfs: user.* and trusted.*; /proc, /dev, pipes, sockets, memfds: none";
  t[SYS_getxattr] = {"getxattr", Getxattr, Support::kPartial, kNote};
  t[SYS_lgetxattr] = {"lgetxattr", Lgetxattr, Support::kPartial, kNote};
  t[SYS_fgetxattr] = {"fgetxattr", Fgetxattr, Support::kPartial, kNote};
  t[SYS_setxattr] = {"setxattr", Setxattr, Support::kPartial, kNote};
  t[SYS_lsetxattr] = {"lsetxattr", Lsetxattr, Support::kPartial, kNote};
  t[SYS_fsetxattr] = {"fsetxattr", Fsetxattr, Support::kPartial, kNote};
  t[SYS_removexattr] = {"removexattr", Removexattr, Support::kPartial, kNote};
  t[SYS_lremovexattr] = {"lremovexattr", Lremovexattr, Support::kPartial, kNote};
  t[SYS_fremovexattr] = {"fremovexattr", Fremovexattr, Support::kPartial, kNote};
  t[SYS_listxattr] = {"listxattr", Listxattr, Support::kPartial, kNote};
  t[SYS_llistxattr] = {"llistxattr", Llistxattr, Support::kPartial, kNote};
  t[SYS_flistxattr] = {"flistxattr", Flistxattr, Support::kPartial, kNote};
}

}  // namespace runsc::syscalls
