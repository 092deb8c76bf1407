#include "fs/tmpfs_node.h"

#include <limits.h>
#include <linux/capability.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>

namespace runsc::fs::tmpfs_internal {

dev_t NextDevice() {
  static std::atomic<unsigned> next{0x40};
  return makedev(0, next++);
}

absl::Status TmpfsNode::SetAttr(sentry::Task& task, const SetAttrs& attrs) {
  if (fs_->options().read_only) return ReadOnlyError();
  const sentry::Credentials& c = task.creds;
  if (attrs.size) {
    {
      absl::MutexLock lock(&fs_->mu);
      if (absl::Status s = CheckLocked(task, kMayWrite); !s.ok()) return s;
    }
    // Resize takes the file's own lock, then fs().mu: not under fs().mu.
    if (absl::Status s = Resize(*attrs.size); !s.ok()) return s;
  }
  absl::MutexLock lock(&fs_->mu);
  if (attrs.mode) {
    if (type_ == S_IFLNK) return ErrnoError(EOPNOTSUPP, "chmod of a symlink");
    if (!OwnerOrCapableLocked(c)) return ErrnoError(EPERM, "chmod: not the owner");
    mode_t mode = *attrs.mode & 07777;
    // Who is not in the file's group cannot set its set-gid bit.
    if ((mode & S_ISGID) && !InGroup(c, gid_) && !c.HasCapability(CAP_FSETID)) mode &= ~S_ISGID;
    perm_ = mode;
    TouchCtimeLocked();
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
    if (uid != static_cast<uid_t>(-1)) uid_ = uid;
    if (gid != static_cast<gid_t>(-1)) gid_ = gid;
    // chown(2) clears set-uid, and set-gid with group execute, of what is not a directory.
    if (type_ != S_IFDIR) {
      perm_ &= ~S_ISUID;
      if ((perm_ & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) perm_ &= ~S_ISGID;
    }
    TouchCtimeLocked();
  }
  if (attrs.times) {
    const struct timespec& atime = attrs.times->first;
    const struct timespec& mtime = attrs.times->second;
    auto explicit_time = [](const struct timespec& t) {
      return t.tv_nsec != UTIME_NOW && t.tv_nsec != UTIME_OMIT;
    };
    if (explicit_time(atime) || explicit_time(mtime)) {
      if (!OwnerOrCapableLocked(c)) return ErrnoError(EPERM, "utimensat: not the owner");
    } else if (!OwnerOrCapableLocked(c) && !PermittedLocked(c, kMayWrite)) {
      return ErrnoError(EACCES, "utimensat: neither owner nor writer");
    }
    const struct timespec now = Now();
    if (atime.tv_nsec != UTIME_OMIT) atime_ = atime.tv_nsec == UTIME_NOW ? now : atime;
    if (mtime.tv_nsec != UTIME_OMIT) mtime_ = mtime.tv_nsec == UTIME_NOW ? now : mtime;
    ctime_ = now;
  }
  return absl::OkStatus();
}

absl::StatusOr<struct statfs> TmpfsNode::StatFs(sentry::Task& task) {
  struct statfs st {};
  st.f_type = kTmpfsMagic;
  st.f_bsize = kPage;
  st.f_frsize = kPage;
  st.f_namelen = NAME_MAX;
  uint64_t total = fs_->options().size_bytes;
  if (total == 0) {
    // No size=: report the machine's memory, as an unlimited tmpfs has no
    // other bound.
    struct sysinfo info {};
    if (sysinfo(&info) == 0) total = static_cast<uint64_t>(info.totalram) * info.mem_unit;
  }
  const uint64_t used = std::min(fs_->Used(), total);
  st.f_blocks = total / kPage;
  st.f_bfree = st.f_bavail = (total - used) / kPage;
  st.f_files = st.f_blocks;
  st.f_ffree = st.f_bfree;
  st.f_flags = fs_->options().statfs_flags | (fs_->options().read_only ? ST_RDONLY : 0);
  return st;
}

absl::StatusOr<std::string> TmpfsNode::GetXattr(const std::string& name) {
  absl::MutexLock lock(&fs_->mu);
  return xattrs_.Get(name);
}

absl::Status TmpfsNode::SetXattr(const std::string& name, const std::string& value, int flags) {
  if (fs_->options().read_only) return ReadOnlyError();
  absl::MutexLock lock(&fs_->mu);
  if (absl::Status s = xattrs_.Set(name, value, flags); !s.ok()) return s;
  TouchCtimeLocked();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> TmpfsNode::ListXattr() {
  absl::MutexLock lock(&fs_->mu);
  return xattrs_.List();
}

absl::Status TmpfsNode::RemoveXattr(const std::string& name) {
  if (fs_->options().read_only) return ReadOnlyError();
  absl::MutexLock lock(&fs_->mu);
  if (absl::Status s = xattrs_.Remove(name); !s.ok()) return s;
  TouchCtimeLocked();
  return absl::OkStatus();
}

}  // namespace runsc::fs::tmpfs_internal
