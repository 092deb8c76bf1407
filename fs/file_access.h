// Linux's discretionary access rules for one inode (inode_permission(),
// inode_owner_or_capable(), the sticky-bit rule, setattr_prepare() and the
// ownership of new files), checked against a task's virtual credentials.
// Every filesystem whose files carry a mode, owner and group shares these:
// tmpfs keeps the attributes itself, the gofer fs gets them from the gofer
// (which runs with CAP_DAC_OVERRIDE on the host, so the sentry is the only
// place where the application's credentials are enforced).
#ifndef RUNSC_FS_FILE_ACCESS_H_
#define RUNSC_FS_FILE_ACCESS_H_

#include <sys/stat.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "fs/file.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {

// MAY_* of Linux's inode_permission().
inline constexpr int kMayExec = 1, kMayWrite = 2, kMayRead = 4;

// The attributes access depends on: type and permission bits, owner, group.
class FileAccess {
 public:
  FileAccess(mode_t mode, uid_t uid, gid_t gid) : mode_(mode), uid_(uid), gid_(gid) {}
  static FileAccess Of(const struct stat& st) { return {st.st_mode, st.st_uid, st.st_gid}; }

  // fsgid or a supplementary group is `gid`.
  static bool InGroup(const sentry::Credentials& c, gid_t gid);

  // inode_permission(): `want` is a mask of kMay*. CAP_DAC_OVERRIDE passes
  // everything but exec of a file with no x bit; CAP_DAC_READ_SEARCH passes
  // reads and directory searches.
  bool Permitted(const sentry::Credentials& c, int want) const;
  // Permitted, or EACCES.
  absl::Status Check(const sentry::Credentials& c, int want) const;
  // The want mask open(2) with `flags` needs (O_TRUNC writes).
  static int WantForOpen(int flags);
  // inode_owner_or_capable(): the fs uid owns the file, or CAP_FOWNER.
  bool OwnerOrCapable(const sentry::Credentials& c) const;
  // For this directory: may `c` remove or rename its entry `child`? In a
  // S_ISVTX directory only the owner of the entry or of the directory (or
  // CAP_FOWNER) may; EPERM otherwise.
  absl::Status CheckSticky(const sentry::Credentials& c, const FileAccess& child) const;
  // xattr_permission() for the extended attribute `name` of this file:
  // `want` is kMayRead (get) or kMayWrite (set, remove). trusted.* needs
  // CAP_SYS_ADMIN (ENODATA to read, EPERM to change); user.* exists only on
  // regular files and directories (likewise) and, on a sticky directory,
  // is changed only by its owner or CAP_FOWNER (EPERM); then the file's
  // permission bits (EACCES). security.* and system.* are left to the
  // filesystem. (listxattr(2) checks no permission at all.)
  absl::Status CheckXattr(const sentry::Credentials& c, absl::string_view name, int want) const;
  // fs.protected_hardlinks (on by default): who does not own this file may
  // link only a regular, non-set-id file they can read and write; EPERM.
  absl::Status CheckHardLink(const sentry::Credentials& c) const;

  // Owner and permission bits of a file of type `type` that `c` makes in
  // this directory: the fs ids, or this directory's group under S_ISGID
  // (which new directories inherit).
  struct NewOwner {
    uid_t uid;
    gid_t gid;
    mode_t perm;
  };
  NewOwner NewChild(const sentry::Credentials& c, mode_t type, mode_t perm) const;

  // setattr_prepare(): may `c` make the changes `attrs` asks for? Returns
  // them as the filesystem must carry them out: chmod by who is not in the
  // group drops S_ISGID; chown of a non-directory also clears S_ISUID and
  // (with group exec) S_ISGID, so that comes back as a mode change.
  // Size changes need write permission (the caller checks open files).
  absl::StatusOr<SetAttrs> PrepareSetAttr(const sentry::Credentials& c,
                                          const SetAttrs& attrs) const;

  mode_t mode() const { return mode_; }
  uid_t uid() const { return uid_; }
  gid_t gid() const { return gid_; }

 private:
  mode_t mode_;  // Type bits included.
  uid_t uid_;
  gid_t gid_;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_FILE_ACCESS_H_
