#include "fs/tmpfs_dir.h"

#include <stdio.h>  // RENAME_*.

namespace runsc::fs::tmpfs_internal {

namespace {

// The same tmpfs instance as `fs`, or null.
TmpfsNode* SameTmpfs(Node& other, const Tmpfs& fs) {
  auto* node = dynamic_cast<TmpfsNode*>(&other);
  return node != nullptr && &node->fs() == &fs ? node : nullptr;
}

}  // namespace

absl::Status TmpfsDir::Link(sentry::Task& task, const std::string& name, Node& target) {
  TmpfsNode* node = SameTmpfs(target, *fs_);
  if (node == nullptr) return ErrnoError(EXDEV, "link across filesystems");
  if (node->Type() == S_IFDIR) return ErrnoError(EPERM, "hard link to a directory");
  std::shared_ptr<TmpfsNode> shared = std::static_pointer_cast<TmpfsNode>(node->shared_from_this());
  absl::MutexLock lock(&fs_->mu);
  if (absl::Status s = CheckCanAddLocked(task, name); !s.ok()) return s;
  // fs.protected_hardlinks (on by default): who does not own the file may
  // link only a regular, non-set-id file it can read and write.
  const auto& c = task.creds;
  if (c.fsuid != node->uid_locked() && !c.HasCapability(CAP_FOWNER)) {
    struct stat st = node->StatLocked();
    const bool setid = (st.st_mode & S_ISUID) || ((st.st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP));
    if (!S_ISREG(st.st_mode) || setid || !node->PermittedLocked(c, kMayRead | kMayWrite)) {
      return ErrnoError(EPERM, "protected_hardlinks: not the owner of the target");
    }
  }
  if (node->nlink_ == 0) {
    // Only an O_TMPFILE file opened without O_EXCL gets a name after all.
    if (!node->linkable_tmpfile_) return ErrnoError(ENOENT, "link of a file that was removed");
    node->linkable_tmpfile_ = false;
  }
  ++node->nlink_;
  node->TouchCtimeLocked();
  children_.emplace(name, std::move(shared));
  TouchMtimeLocked();
  return absl::OkStatus();
}

absl::Status TmpfsDir::Unlink(sentry::Task& task, const std::string& name, bool directory) {
  std::shared_ptr<TmpfsNode> removed;  // Dropped after the lock: no node dies under it.
  absl::MutexLock lock(&fs_->mu);
  if (fs_->options().read_only) return ReadOnlyError();
  if (absl::Status s = CheckLocked(task, kMayWrite | kMayExec); !s.ok()) return s;
  auto it = children_.find(name);
  if (it == children_.end()) return ErrnoError(ENOENT, "no such file in tmpfs");
  TmpfsNode& child = *it->second;
  if (absl::Status s = CheckStickyLocked(task, child); !s.ok()) return s;
  if (directory) {
    if (child.Type() != S_IFDIR) return ErrnoError(ENOTDIR, "rmdir of a non-directory");
    auto& dir = static_cast<TmpfsDir&>(child);
    if (!dir.children_.empty()) return ErrnoError(ENOTEMPTY, "directory not empty");
    DetachDirLocked(dir);
  } else {
    if (child.Type() == S_IFDIR) return ErrnoError(EISDIR, "unlink of a directory");
    --child.nlink_;
  }
  child.TouchCtimeLocked();
  removed = std::move(it->second);
  children_.erase(it);
  TouchMtimeLocked();
  return absl::OkStatus();
}

absl::Status TmpfsDir::Rename(sentry::Task& task, const std::string& old_name, Node& new_dir_node,
                              const std::string& new_name, unsigned flags) {
  TmpfsNode* other = SameTmpfs(new_dir_node, *fs_);
  if (other == nullptr || other->Type() != S_IFDIR) {
    return ErrnoError(EXDEV, "rename across filesystems");
  }
  auto& new_dir = static_cast<TmpfsDir&>(*other);
  std::shared_ptr<TmpfsNode> replaced;  // Dropped after the lock.
  absl::MutexLock lock(&fs_->mu);
  if (fs_->options().read_only) return ReadOnlyError();
  if (absl::Status s = CheckLocked(task, kMayWrite | kMayExec); !s.ok()) return s;
  if (&new_dir != this) {
    if (absl::Status s = new_dir.CheckLocked(task, kMayWrite | kMayExec); !s.ok()) return s;
  }
  auto from = children_.find(old_name);
  if (from == children_.end()) return ErrnoError(ENOENT, "no such file in tmpfs");
  std::shared_ptr<TmpfsNode> source = from->second;
  auto to = new_dir.children_.find(new_name);
  std::shared_ptr<TmpfsNode> target = to == new_dir.children_.end() ? nullptr : to->second;
  if (target == nullptr && (flags & RENAME_EXCHANGE)) return ErrnoError(ENOENT, "no such target");
  if (target != nullptr && (flags & RENAME_NOREPLACE)) return ErrnoError(EEXIST, "target exists");
  if (absl::Status s = CheckStickyLocked(task, *source); !s.ok()) return s;
  if (target != nullptr) {
    if (absl::Status s = new_dir.CheckStickyLocked(task, *target); !s.ok()) return s;
  }
  if (source == target) return absl::OkStatus();  // Two names of one file: nothing happens.
  const bool source_dir = source->Type() == S_IFDIR;
  const bool target_dir = target != nullptr && target->Type() == S_IFDIR;
  // A directory moving to another parent rewrites its "..": it must be writable.
  if (&new_dir != this) {
    if (source_dir) {
      if (absl::Status s = source->CheckLocked(task, kMayWrite); !s.ok()) return s;
    }
    if ((flags & RENAME_EXCHANGE) && target_dir) {
      if (absl::Status s = target->CheckLocked(task, kMayWrite); !s.ok()) return s;
    }
  }
  // No directory may move below itself.
  if (source_dir && IsAtOrBelow(&new_dir, static_cast<TmpfsDir*>(source.get()))) {
    return ErrnoError(EINVAL, "rename of a directory below itself");
  }
  if ((flags & RENAME_EXCHANGE) && target_dir &&
      IsAtOrBelow(this, static_cast<TmpfsDir*>(target.get()))) {
    return ErrnoError(EINVAL, "exchange of a directory with one below it");
  }

  if (flags & RENAME_EXCHANGE) {
    from->second = target;
    to->second = source;
    if (&new_dir != this && source_dir != target_dir) {
      // The directory among the two changes parents: so do the link counts.
      if (source_dir) {
        --nlink_;
        ++new_dir.nlink_;
      } else {
        ++nlink_;
        --new_dir.nlink_;
      }
    }
    if (source_dir) static_cast<TmpfsDir&>(*source).parent_ = &new_dir;
    if (target_dir) static_cast<TmpfsDir&>(*target).parent_ = this;
    target->TouchCtimeLocked();
  } else {
    if (target != nullptr) {
      if (source_dir) {
        if (!target_dir) return ErrnoError(ENOTDIR, "rename of a directory over a non-directory");
        if (!static_cast<TmpfsDir&>(*target).children_.empty()) {
          return ErrnoError(ENOTEMPTY, "rename over a non-empty directory");
        }
        new_dir.DetachDirLocked(static_cast<TmpfsDir&>(*target));
      } else {
        if (target_dir) return ErrnoError(EISDIR, "rename of a non-directory over a directory");
        --target->nlink_;
      }
      target->TouchCtimeLocked();
      replaced = std::move(to->second);
      new_dir.children_.erase(to);
    }
    children_.erase(from);
    new_dir.children_[new_name] = source;
    if (source_dir) {
      auto& moved = static_cast<TmpfsDir&>(*source);
      moved.parent_ = &new_dir;
      if (&new_dir != this) {
        --nlink_;
        ++new_dir.nlink_;
      }
    }
  }
  source->TouchCtimeLocked();
  TouchMtimeLocked();
  if (&new_dir != this) new_dir.TouchMtimeLocked();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<DirEntry>> TmpfsDirFile::ReadDir() {
  if (dir_pos == 0 || snapshot_.empty()) snapshot_ = dir_->List();
  return snapshot_;
}

absl::StatusOr<struct stat> TmpfsDirFile::Stat() { return dir_->Stat(); }

}  // namespace runsc::fs::tmpfs_internal
