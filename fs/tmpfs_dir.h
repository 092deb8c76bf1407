// Internal to fs/tmpfs*.cc: a tmpfs directory and its open file description.
#ifndef RUNSC_FS_TMPFS_DIR_H_
#define RUNSC_FS_TMPFS_DIR_H_

#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "base/logging.h"
#include "fs/tmpfs_node.h"
#include "fs/tmpfs_regular.h"
#include "fs/tmpfs_special.h"

namespace runsc::fs::tmpfs_internal {

class TmpfsDir;

class TmpfsDirFile : public DirectoryFile {
 public:
  TmpfsDirFile(int flags, std::shared_ptr<TmpfsDir> dir) : DirectoryFile(flags), dir_(std::move(dir)) {}
  absl::StatusOr<std::vector<DirEntry>> ReadDir() override;
  absl::StatusOr<struct stat> Stat() override;
  absl::StatusOr<int64_t> Seek(int64_t offset, int whence) override {
    if (whence != SEEK_SET || offset < 0) return ErrnoError(EINVAL, "directory seek");
    dir_pos = offset;
    return offset;
  }

 private:
  const std::shared_ptr<TmpfsDir> dir_;
  // The listing getdents walks through, taken when reading starts (again
  // after a rewind), so entries do not shift under the position.
  std::vector<DirEntry> snapshot_;
};

inline uint8_t DirentType(mode_t type) {
  switch (type) {
    case S_IFDIR: return DT_DIR;
    case S_IFLNK: return DT_LNK;
    case S_IFIFO: return DT_FIFO;
    case S_IFSOCK: return DT_SOCK;
    case S_IFCHR: return DT_CHR;
    case S_IFBLK: return DT_BLK;
    default: return DT_REG;
  }
}

class TmpfsDir : public TmpfsNode {
 public:
  TmpfsDir(std::shared_ptr<Tmpfs> fs, mode_t perm, uid_t uid, gid_t gid, TmpfsDir* parent)
      : TmpfsNode(std::move(fs), S_IFDIR | perm, uid, gid), parent_(parent == nullptr ? this : parent) {
    nlink_ = 2;
  }

  absl::Status CheckSearch(sentry::Task& task) override {
    absl::MutexLock lock(&fs_->mu);
    return CheckLocked(task, kMayExec);
  }
  absl::StatusOr<std::shared_ptr<Node>> Lookup(sentry::Task& task,
                                               const std::string& name) override {
    absl::MutexLock lock(&fs_->mu);
    if (absl::Status s = CheckLocked(task, kMayExec); !s.ok()) return s;
    auto it = children_.find(name);
    if (it == children_.end()) return ErrnoError(ENOENT, "no such file in tmpfs");
    return std::shared_ptr<Node>(it->second);
  }

  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override {
    if ((flags & O_ACCMODE) != O_RDONLY) return ErrnoError(EISDIR, "is a directory");
    absl::MutexLock lock(&fs_->mu);
    if (absl::Status s = CheckLocked(task, kMayRead); !s.ok()) return s;
    return std::make_shared<TmpfsDirFile>(flags,
                                          std::static_pointer_cast<TmpfsDir>(shared_from_this()));
  }

  absl::StatusOr<CreatedNode> Create(sentry::Task& task, const std::string& name, int flags,
                                     mode_t mode) override {
    absl::StatusOr<std::shared_ptr<TmpfsNode>> node = MakeChild(task, name, S_IFREG | mode, "");
    if (!node.ok()) return node.status();
    // The creator may open what it made whatever the mode says (open(2)).
    auto regular = std::static_pointer_cast<TmpfsRegular>(*node);
    auto file = std::make_shared<TmpfsRegularFile>(flags, regular);
    return CreatedNode{.node = std::move(regular), .file = std::move(file)};
  }

  absl::StatusOr<CreatedNode> CreateTmpfile(sentry::Task& task, int flags, mode_t mode) override {
    if (fs_->options().read_only) return ReadOnlyError();
    std::shared_ptr<TmpfsRegular> node;
    {
      absl::MutexLock lock(&fs_->mu);
      if (absl::Status s = CheckLocked(task, kMayWrite | kMayExec); !s.ok()) return s;
      if (nlink_ == 0) return ErrnoError(ENOENT, "directory was removed");
      auto [uid, gid, perm] = NewOwnerLocked(task, S_IFREG, mode);
      node = std::make_shared<TmpfsRegular>(fs_, S_IFREG | perm, uid, gid);
      node->nlink_ = 0;
      node->linkable_tmpfile_ = !(flags & O_EXCL);
    }
    auto file = std::make_shared<TmpfsRegularFile>(flags, node);
    return CreatedNode{.node = std::move(node), .file = std::move(file)};
  }

  absl::StatusOr<std::shared_ptr<Node>> Mkdir(sentry::Task& task, const std::string& name,
                                              mode_t mode) override {
    absl::StatusOr<std::shared_ptr<TmpfsNode>> node = MakeChild(task, name, S_IFDIR | mode, "");
    if (!node.ok()) return node.status();
    return std::shared_ptr<Node>(*node);
  }

  absl::StatusOr<std::shared_ptr<Node>> Mknod(sentry::Task& task, const std::string& name,
                                              mode_t mode) override {
    const mode_t type = mode & S_IFMT;
    if (type == S_IFCHR || type == S_IFBLK) {
      LogDebug("mknod of a device node in tmpfs refused: device nodes are not supported");
      return ErrnoError(EPERM, "device nodes cannot be made in tmpfs");
    }
    if (type != S_IFREG && type != S_IFIFO && type != S_IFSOCK) {
      return ErrnoError(EINVAL, "mknod of an unknown file type");
    }
    absl::StatusOr<std::shared_ptr<TmpfsNode>> node = MakeChild(task, name, mode, "");
    if (!node.ok()) return node.status();
    return std::shared_ptr<Node>(*node);
  }

  absl::StatusOr<std::shared_ptr<Node>> Symlink(sentry::Task& task, const std::string& name,
                                                const std::string& target) override {
    absl::StatusOr<std::shared_ptr<TmpfsNode>> node = MakeChild(task, name, S_IFLNK | 0777, target);
    if (!node.ok()) return node.status();
    return std::shared_ptr<Node>(*node);
  }

  absl::Status Link(sentry::Task& task, const std::string& name, Node& target) override;
  absl::Status Unlink(sentry::Task& task, const std::string& name, bool directory) override;
  absl::Status Rename(sentry::Task& task, const std::string& old_name, Node& new_dir,
                      const std::string& new_name, unsigned flags) override;

  // A snapshot of the entries, "." and ".." first.
  std::vector<DirEntry> List() {
    absl::MutexLock lock(&fs_->mu);
    std::vector<DirEntry> out = {{".", ino_, DT_DIR},
                                 {"..", parent_ != nullptr ? parent_->ino() : ino_, DT_DIR}};
    for (const auto& [name, child] : children_) {
      out.push_back({name, child->ino(), DirentType(child->Type())});
    }
    return out;
  }

 protected:
  void FillSizeLocked(struct stat& st) override {
    st.st_size = kBogoDirentSize * static_cast<off_t>(children_.size() + 2);
  }

 private:
  // (uid, gid, permission bits) of a file `task` makes here: the task's fs
  // ids, or this directory's group under S_ISGID, which new directories
  // inherit. Requires fs().mu.
  std::tuple<uid_t, gid_t, mode_t> NewOwnerLocked(const sentry::Task& task, mode_t type,
                                                  mode_t perm) const {
    gid_t gid = task.creds.fsgid;
    if (perm_ & S_ISGID) {
      gid = gid_;
      if (type == S_IFDIR) perm |= S_ISGID;
    }
    return {task.creds.fsuid, gid, perm & 07777};
  }

  // The checks every name-making call shares: a writable, searchable,
  // still-linked directory with no entry `name`. Requires fs().mu.
  absl::Status CheckCanAddLocked(const sentry::Task& task, const std::string& name) {
    if (fs_->options().read_only) return ReadOnlyError();
    if (absl::Status s = CheckLocked(task, kMayWrite | kMayExec); !s.ok()) return s;
    if (nlink_ == 0) return ErrnoError(ENOENT, "directory was removed");
    if (children_.contains(name)) return ErrnoError(EEXIST, "name exists");
    return absl::OkStatus();
  }

  absl::StatusOr<std::shared_ptr<TmpfsNode>> MakeChild(sentry::Task& task, const std::string& name,
                                                       mode_t mode, const std::string& target) {
    absl::MutexLock lock(&fs_->mu);
    if (absl::Status s = CheckCanAddLocked(task, name); !s.ok()) return s;
    const mode_t type = mode & S_IFMT;
    auto [uid, gid, perm] = NewOwnerLocked(task, type, mode & 07777);
    std::shared_ptr<TmpfsNode> node;
    switch (type) {
      case S_IFREG: node = std::make_shared<TmpfsRegular>(fs_, type | perm, uid, gid); break;
      case S_IFDIR:
        node = std::make_shared<TmpfsDir>(fs_, perm, uid, gid, this);
        ++nlink_;
        break;
      case S_IFLNK: node = std::make_shared<TmpfsSymlink>(fs_, uid, gid, target); break;
      default: node = std::make_shared<TmpfsSpecial>(fs_, type | perm, uid, gid); break;
    }
    children_.emplace(name, node);
    TouchMtimeLocked();
    return node;
  }

  // The sticky-bit rule (restricted deletion): in a S_ISVTX directory only
  // the owner of the entry or of the directory (or CAP_FOWNER) may remove
  // or rename it. Requires fs().mu.
  absl::Status CheckStickyLocked(const sentry::Task& task, const TmpfsNode& child) const {
    if (!(perm_ & S_ISVTX)) return absl::OkStatus();
    const auto& c = task.creds;
    if (c.fsuid == uid_ || c.fsuid == child.uid_locked() || c.HasCapability(CAP_FOWNER)) {
      return absl::OkStatus();
    }
    return ErrnoError(EPERM, "sticky directory: not the owner");
  }

  // True if `dir` is `ancestor` or below it. Requires fs().mu.
  static bool IsAtOrBelow(const TmpfsDir* dir, const TmpfsDir* ancestor) {
    for (const TmpfsDir* d = dir; d != nullptr; d = d->parent_ == d ? nullptr : d->parent_) {
      if (d == ancestor) return true;
    }
    return false;
  }

  // Takes `child` (a directory being removed or replaced) out of the tree.
  // Requires fs().mu.
  void DetachDirLocked(TmpfsDir& child) {
    child.nlink_ = 0;
    child.parent_ = nullptr;
    --nlink_;
  }

  std::map<std::string, std::shared_ptr<TmpfsNode>> children_;  // Guarded by fs_->mu.
  // The directory ".." names: itself for the root, null once removed.
  // Guarded by fs_->mu; the parent owns this directory through children_.
  TmpfsDir* parent_;
};

}  // namespace runsc::fs::tmpfs_internal

#endif  // RUNSC_FS_TMPFS_DIR_H_
