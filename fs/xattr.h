// The VFS half of extended attributes (xattr(7)), what Linux's fs/xattr.c
// does for every filesystem before its own handlers run: xattr_permission()
// against the task's credentials (FileAccess::CheckXattr), the trusted.*
// filter of a list, and the inotify event of a change. The filesystem's
// half (which namespaces it has, where values live) is Node::GetXattr and
// friends: tmpfs keeps user.* and trusted.* in memory (XattrMap), the gofer
// fs serves user.* from the host rootfs, everything else has none.
//
// The syscall layer has already checked the name (1..XATTR_NAME_MAX bytes,
// else ERANGE), the flags and the value size (E2BIG), as Linux does before
// the path is walked. `node` is null for a file of no filesystem (a pipe or
// socket from pipe(2)/socket(2)): that answers as pipefs, which keeps none.
#ifndef RUNSC_FS_XATTR_H_
#define RUNSC_FS_XATTR_H_

#include <sys/stat.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fs/file.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {

// Linux's limits (<linux/limits.h>).
inline constexpr size_t kXattrNameMax = 255;    // XATTR_NAME_MAX
inline constexpr size_t kXattrSizeMax = 65536;  // XATTR_SIZE_MAX
inline constexpr size_t kXattrListMax = 65536;  // XATTR_LIST_MAX

// The file an xattr call acts on: its node (null: none, see above) and its
// stat, from which the permission is decided.
struct XattrTarget {
  std::shared_ptr<Node> node;
  struct stat st {};
  std::shared_ptr<Dentry> dentry;  // For inotify; may be null.
};

// getxattr(2): the whole value (the caller compares it with the buffer).
[[nodiscard]] absl::StatusOr<std::string> GetXattr(sentry::Task& task, const XattrTarget& target,
                                                   const std::string& name);
// setxattr(2); `flags` is 0, XATTR_CREATE or XATTR_REPLACE (checked).
[[nodiscard]] absl::Status SetXattr(sentry::Task& task, const XattrTarget& target,
                                    const std::string& name, const std::string& value, int flags);
// listxattr(2): the names `task` may see (trusted.* only with
// CAP_SYS_ADMIN), each followed by its NUL, as the syscall returns them.
[[nodiscard]] absl::StatusOr<std::string> ListXattr(sentry::Task& task, const XattrTarget& target);
// removexattr(2).
[[nodiscard]] absl::Status RemoveXattr(sentry::Task& task, const XattrTarget& target,
                                       const std::string& name);

}  // namespace runsc::fs

#endif  // RUNSC_FS_XATTR_H_
