// Internal to fs/tmpfs*.cc: the filesystem instance and what every tmpfs
// node shares (ids, owner, mode, times, permission checks). See fs/tmpfs.h.
#ifndef RUNSC_FS_TMPFS_NODE_H_
#define RUNSC_FS_TMPFS_NODE_H_

#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "fs/file.h"
#include "fs/tmpfs.h"
#include "fs/xattr_map.h"

namespace runsc::fs::tmpfs_internal {

inline constexpr uint64_t kPage = 4096;
inline constexpr long kTmpfsMagic = 0x01021994;
// Linux's tmpfs reports this much st_size per directory entry.
inline constexpr off_t kBogoDirentSize = 20;
// MAY_* of Linux's inode_permission().
inline constexpr int kMayExec = 1, kMayWrite = 2, kMayRead = 4;
// Largest file: what an off_t holds, in whole pages.
inline constexpr int64_t kMaxFileSize = std::numeric_limits<int64_t>::max() & ~int64_t{kPage - 1};

inline uint64_t PageRoundUp(uint64_t n) { return (n + kPage - 1) & ~(kPage - 1); }

inline struct timespec Now() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts;
}

inline bool InGroup(const sentry::Credentials& c, gid_t gid) {
  return c.fsgid == gid || std::binary_search(c.groups.begin(), c.groups.end(), gid);
}

// Each tmpfs instance is its own device, as Linux gives each an anonymous one.
dev_t NextDevice();

inline absl::Status ReadOnlyError() { return ErrnoError(EROFS, "read-only tmpfs"); }

// The filesystem: its lock, its limits and what is used of them.
class Tmpfs {
 public:
  explicit Tmpfs(const TmpfsOptions& options) : options_(options), dev_(NextDevice()) {}

  const TmpfsOptions& options() const { return options_; }
  dev_t dev() const { return dev_; }
  uint64_t NextIno() { return next_ino_++; }

  // Takes `bytes` more of size=; ENOSPC if they do not fit.
  absl::Status Charge(uint64_t bytes) {
    absl::MutexLock lock(&space_mu_);
    if (options_.size_bytes != 0 && used_ + bytes > options_.size_bytes) {
      return ErrnoError(ENOSPC, "tmpfs size limit reached");
    }
    used_ += bytes;
    return absl::OkStatus();
  }
  void Uncharge(uint64_t bytes) {
    absl::MutexLock lock(&space_mu_);
    used_ -= std::min(used_, bytes);
  }
  // Bytes still free under size= (the maximum when there is no limit).
  uint64_t Available() {
    absl::MutexLock lock(&space_mu_);
    if (options_.size_bytes == 0) return std::numeric_limits<int64_t>::max();
    return options_.size_bytes - std::min(used_, options_.size_bytes);
  }
  uint64_t Used() {
    absl::MutexLock lock(&space_mu_);
    return used_;
  }

  // Guards the tree (directory entries, parents) and every node's metadata.
  // Never held while a file's io_mu_ is taken (lock order: io_mu_, then mu).
  absl::Mutex mu;

 private:
  const TmpfsOptions options_;
  const dev_t dev_;
  std::atomic<uint64_t> next_ino_{1};
  // Leaf lock: taken under mu and io_mu_, and by destructors of nodes that
  // may run under either.
  absl::Mutex space_mu_;
  uint64_t used_ ABSL_GUARDED_BY(space_mu_) = 0;
};

// What every tmpfs inode has. Metadata members are guarded by fs_->mu.
class TmpfsNode : public Node {
 public:
  TmpfsNode(std::shared_ptr<Tmpfs> fs, mode_t mode, uid_t uid, gid_t gid)
      : fs_(std::move(fs)), ino_(fs_->NextIno()), type_(mode & S_IFMT), perm_(mode & 07777),
        uid_(uid), gid_(gid) {
    atime_ = mtime_ = ctime_ = Now();
  }

  mode_t Type() override { return type_; }
  absl::StatusOr<struct stat> Stat() override {
    absl::MutexLock lock(&fs_->mu);
    return StatLocked();
  }
  absl::Status SetAttr(sentry::Task& task, const SetAttrs& attrs) override;
  absl::StatusOr<struct statfs> StatFs(sentry::Task& task) override;
  // user.* and trusted.* kept per inode (XattrMap); a change moves the ctime.
  absl::StatusOr<std::string> GetXattr(const std::string& name) override;
  absl::Status SetXattr(const std::string& name, const std::string& value, int flags) override;
  absl::StatusOr<std::vector<std::string>> ListXattr() override;
  absl::Status RemoveXattr(const std::string& name) override;
  // Each lookup asks the directory (a map lookup), so the search
  // permission of every directory on the way is checked each time.
  bool Cacheable() const override { return false; }

  Tmpfs& fs() const { return *fs_; }
  const std::shared_ptr<Tmpfs>& fs_ptr() const { return fs_; }

  // Requires fs().mu.
  struct stat StatLocked() {
    struct stat st {};
    st.st_dev = fs_->dev();
    st.st_ino = ino_;
    st.st_mode = type_ | perm_;
    st.st_nlink = nlink_;
    st.st_uid = uid_;
    st.st_gid = gid_;
    st.st_blksize = kPage;
    st.st_atim = atime_;
    st.st_mtim = mtime_;
    st.st_ctim = ctime_;
    FillSizeLocked(st);
    return st;
  }
  // inode_permission(): `want` is a mask of kMay*. Requires fs().mu.
  bool PermittedLocked(const sentry::Credentials& c, int want) const {
    int bits;
    if (c.fsuid == uid_) {
      bits = (perm_ >> 6) & 7;
    } else if (InGroup(c, gid_)) {
      bits = (perm_ >> 3) & 7;
    } else {
      bits = perm_ & 7;
    }
    if ((bits & want) == want) return true;
    const bool dir = type_ == S_IFDIR;
    if (c.HasCapability(CAP_DAC_OVERRIDE) && (!(want & kMayExec) || dir || (perm_ & 0111))) {
      return true;
    }
    return c.HasCapability(CAP_DAC_READ_SEARCH) &&
           (want == kMayRead || (dir && !(want & kMayWrite)));
  }
  // inode_owner_or_capable(). Requires fs().mu.
  bool OwnerOrCapableLocked(const sentry::Credentials& c) const {
    return c.fsuid == uid_ || c.HasCapability(CAP_FOWNER);
  }
  absl::Status CheckLocked(const sentry::Task& task, int want) const {
    if (!PermittedLocked(task.creds, want)) return ErrnoError(EACCES, "permission denied");
    return absl::OkStatus();
  }

  // Link count and ctime, kept by the directories. Require fs().mu.
  nlink_t nlink_ = 1;
  // An O_TMPFILE file made without O_EXCL, not linked yet: linkat may name it.
  bool linkable_tmpfile_ = false;
  uid_t uid_locked() const { return uid_; }
  void TouchCtimeLocked() { ctime_ = Now(); }
  void TouchMtimeLocked() { mtime_ = ctime_ = Now(); }
  uint64_t ino() const { return ino_; }

 protected:
  // st_size and st_blocks. Requires fs().mu.
  virtual void FillSizeLocked(struct stat& st) {}
  // SetAttrs::size for regular files; others refuse.
  virtual absl::Status Resize(int64_t size) {
    return ErrnoError(type_ == S_IFDIR ? EISDIR : EINVAL, "truncate of a non-regular file");
  }

  const std::shared_ptr<Tmpfs> fs_;
  const uint64_t ino_;
  const mode_t type_;
  mode_t perm_;
  uid_t uid_;
  gid_t gid_;
  struct timespec atime_, mtime_, ctime_;
  XattrMap xattrs_;  // Guarded by fs_->mu.
};

}  // namespace runsc::fs::tmpfs_internal

#endif  // RUNSC_FS_TMPFS_NODE_H_
