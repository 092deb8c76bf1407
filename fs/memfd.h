// memfd_create(2): an unnamed tmpfs regular file (fs/tmpfs_regular.h), its
// bytes in a host memfd of the sentry, so MAP_SHARED works as for any tmpfs
// file, and sealable (F_ADD_SEALS) when MFD_ALLOW_SEALING is given.
#ifndef RUNSC_FS_MEMFD_H_
#define RUNSC_FS_MEMFD_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "fs/file.h"

namespace runsc::fs {

// MFD_NAME_MAX_LEN: the longest name, without its NUL.
inline constexpr size_t kMemfdMaxNameLength = 249;

// The flags memfd_create(2) knows. MFD_HUGETLB is refused (EINVAL) as Linux
// refuses it on a machine without huge pages; MFD_EXEC with MFD_NOEXEC_SEAL
// is EINVAL, as in Linux.
inline constexpr unsigned kMfdCloexec = 0x1, kMfdAllowSealing = 0x2, kMfdHugetlb = 0x4,
                          kMfdNoexecSeal = 0x8, kMfdExec = 0x10;

// A new memfd named `name` (its /proc/self/fd link reads "/memfd:NAME
// (deleted)"), open O_RDWR, owned by `uid`/`gid`. `flags` are checked here
// (EINVAL for unknown or conflicting ones, or a name too long); MFD_CLOEXEC
// is the caller's, for the fd table.
[[nodiscard]] absl::StatusOr<std::shared_ptr<File>> NewMemfd(const std::string& name,
                                                             unsigned flags, uid_t uid, gid_t gid);

}  // namespace runsc::fs

#endif  // RUNSC_FS_MEMFD_H_
