#include "fs/file_access.h"

#include <fcntl.h>
#include <linux/capability.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "base/errno_status.h"

namespace runsc::fs {

bool FileAccess::InGroup(const sentry::Credentials& c, gid_t gid) {
  return c.fsgid == gid || std::binary_search(c.groups.begin(), c.groups.end(), gid);
}

bool FileAccess::Permitted(const sentry::Credentials& c, int want) const {
  int bits;
  if (c.fsuid == uid_) {
    bits = (mode_ >> 6) & 7;
  } else if (InGroup(c, gid_)) {
    bits = (mode_ >> 3) & 7;
  } else {
    bits = mode_ & 7;
  }
  if ((bits & want) == want) return true;
  const bool dir = S_ISDIR(mode_);
  if (c.HasCapability(CAP_DAC_OVERRIDE) && (!(want & kMayExec) || dir || (mode_ & 0111))) {
    return true;
  }
  return c.HasCapability(CAP_DAC_READ_SEARCH) &&
         (want == kMayRead || (dir && !(want & kMayWrite)));
}

absl::Status FileAccess::Check(const sentry::Credentials& c, int want) const {
  if (!Permitted(c, want)) return ErrnoError(EACCES, "permission denied");
  return absl::OkStatus();
}

int FileAccess::WantForOpen(int flags) {
  const int access = flags & O_ACCMODE;
  int want = 0;
  if (access != O_WRONLY) want |= kMayRead;
  if (access != O_RDONLY || (flags & O_TRUNC)) want |= kMayWrite;
  return want;
}

bool FileAccess::OwnerOrCapable(const sentry::Credentials& c) const {
  return c.fsuid == uid_ || c.HasCapability(CAP_FOWNER);
}

absl::Status FileAccess::CheckSticky(const sentry::Credentials& c, const FileAccess& child) const {
  if (!(mode_ & S_ISVTX)) return absl::OkStatus();
  if (c.fsuid == uid_ || c.fsuid == child.uid_ || c.HasCapability(CAP_FOWNER)) {
    return absl::OkStatus();
  }
  return ErrnoError(EPERM, "sticky directory: not the owner");
}

absl::Status FileAccess::CheckXattr(const sentry::Credentials& c, absl::string_view name,
                                    int want) const {
  const bool write = (want & kMayWrite) != 0;
  if (absl::StartsWith(name, "security.") || absl::StartsWith(name, "system.")) {
    return absl::OkStatus();
  }
  if (absl::StartsWith(name, "trusted.")) {
    if (!c.HasCapability(CAP_SYS_ADMIN)) {
      return write ? ErrnoError(EPERM, "trusted.* attributes need CAP_SYS_ADMIN")
                   : ErrnoError(ENODATA, "trusted.* attributes are hidden without CAP_SYS_ADMIN");
    }
    return absl::OkStatus();
  }
  if (absl::StartsWith(name, "user.")) {
    if (!S_ISREG(mode_) && !S_ISDIR(mode_)) {
      return write ? ErrnoError(EPERM, "user.* attributes only on regular files and directories")
                   : ErrnoError(ENODATA, "user.* attributes only on regular files and directories");
    }
    if (write && S_ISDIR(mode_) && (mode_ & S_ISVTX) && !OwnerOrCapable(c)) {
      return ErrnoError(EPERM, "user.* attributes of a sticky directory: not its owner");
    }
  }
  return Check(c, want);
}

absl::Status FileAccess::CheckHardLink(const sentry::Credentials& c) const {
  if (OwnerOrCapable(c)) return absl::OkStatus();
  const bool setid = (mode_ & S_ISUID) || ((mode_ & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP));
  if (!S_ISREG(mode_) || setid || !Permitted(c, kMayRead | kMayWrite)) {
    return ErrnoError(EPERM, "protected_hardlinks: not the owner of the target");
  }
  return absl::OkStatus();
}

FileAccess::NewOwner FileAccess::NewChild(const sentry::Credentials& c, mode_t type,
                                          mode_t perm) const {
  gid_t gid = c.fsgid;
  if (mode_ & S_ISGID) {
    gid = gid_;
    if (type == S_IFDIR) perm |= S_ISGID;
  }
  return {c.fsuid, gid, perm & 07777};
}

absl::StatusOr<SetAttrs> FileAccess::PrepareSetAttr(const sentry::Credentials& c,
                                                    const SetAttrs& attrs) const {
  SetAttrs out = attrs;
  if (attrs.size && !Permitted(c, kMayWrite)) return ErrnoError(EACCES, "truncate: not writable");
  mode_t perm = mode_ & 07777;
  if (attrs.mode) {
    if (S_ISLNK(mode_)) return ErrnoError(EOPNOTSUPP, "chmod of a symlink");
    if (!OwnerOrCapable(c)) return ErrnoError(EPERM, "chmod: not the owner");
    perm = *attrs.mode & 07777;
    // Who is not in the file's group cannot set its set-gid bit.
    if ((perm & S_ISGID) && !InGroup(c, gid_) && !c.HasCapability(CAP_FSETID)) perm &= ~S_ISGID;
    out.mode = perm;
  }
  if (attrs.owner) {
    const uid_t uid = attrs.owner->first;
    const gid_t gid = attrs.owner->second;
    const bool uid_changes = uid != static_cast<uid_t>(-1) && uid != uid_;
    const bool gid_changes = gid != static_cast<gid_t>(-1) && gid != gid_;
    if (uid_changes && !c.HasCapability(CAP_CHOWN)) {
      return ErrnoError(EPERM, "chown: changing the owner needs CAP_CHOWN");
    }
    if (gid_changes && !c.HasCapability(CAP_CHOWN) && !(c.fsuid == uid_ && InGroup(c, gid))) {
      return ErrnoError(EPERM, "chown: not the owner, or not in the new group");
    }
    // chown(2) clears set-uid, and set-gid with group execute, of what is
    // not a directory (the host does the same for the gofer, but only when
    // the mode is not being set in the same call).
    if (!S_ISDIR(mode_) && !S_ISLNK(mode_) && (perm & (S_ISUID | S_ISGID))) {
      mode_t cleared = perm & ~S_ISUID;
      if ((cleared & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) cleared &= ~S_ISGID;
      if (cleared != perm) out.mode = cleared;
    }
  }
  if (attrs.times) {
    auto explicit_time = [](const struct timespec& t) {
      return t.tv_nsec != UTIME_NOW && t.tv_nsec != UTIME_OMIT;
    };
    if (explicit_time(attrs.times->first) || explicit_time(attrs.times->second)) {
      if (!OwnerOrCapable(c)) return ErrnoError(EPERM, "utimensat: not the owner");
    } else if (!OwnerOrCapable(c) && !Permitted(c, kMayWrite)) {
      return ErrnoError(EACCES, "utimensat: neither owner nor writer");
    }
  }
  return out;
}

absl::Status Node::CheckSearch(sentry::Task& task) {
  absl::StatusOr<struct stat> st = Stat();
  if (!st.ok()) return st.status();
  return FileAccess::Of(*st).Check(task.creds, kMayExec);
}

}  // namespace runsc::fs
