#include "fs/vfs.h"

#include <fcntl.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "fs/fsnotify.h"

namespace runsc::fs {
namespace {

constexpr int kMaxSymlinks = 40;
constexpr size_t kPathMax = 4096;
constexpr size_t kNameMax = 255;

std::string JoinPath(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

}  // namespace

Vfs::Vfs(std::shared_ptr<Node> root_node, MountInfo root_info) {
  root_ = std::make_shared<Dentry>();
  root_->node = std::move(root_node);
  root_->path = "/";
  table_.push_back({"/", std::move(root_info)});
}

absl::Status Vfs::Mount(sentry::Task* task, const std::string& path, std::shared_ptr<Node> node,
                        MountInfo info) {
  if (!path.starts_with("/") || path == "/") {
    return ErrnoError(EINVAL, absl::StrCat("mount point \"", path, "\" is not an absolute path below /"));
  }
  std::vector<std::string> parts = absl::StrSplit(path, '/', absl::SkipEmpty());
  for (const std::string& part : parts) {
    if (part == "." || part == "..") {
      return ErrnoError(EINVAL, absl::StrCat("mount point \"", path, "\" is not canonical"));
    }
  }
  const std::string canonical = "/" + absl::StrJoin(parts, "/");
  {
    absl::MutexLock lock(&mu_);
    mounts_[canonical] = std::move(node);
    std::erase_if(table_, [&](const MountEntry& e) { return e.path == canonical; });
    table_.push_back({canonical, std::move(info)});
  }
  // A dentry cached for the path names what was there before: drop it, so
  // the next walk steps onto the mount.
  std::shared_ptr<Dentry> dir = root_;
  for (size_t i = 0; i + 1 < parts.size() && dir != nullptr; ++i) {
    absl::MutexLock lock(&dir->mu);
    auto it = dir->children.find(parts[i]);
    dir = it == dir->children.end() ? nullptr : it->second;
  }
  if (dir != nullptr) Forget(dir, parts.back());
  return absl::OkStatus();
}

std::vector<MountEntry> Vfs::MountTable() {
  absl::MutexLock lock(&mu_);
  return table_;
}

absl::StatusOr<std::shared_ptr<Dentry>> Vfs::Step(sentry::Task& task,
                                                  const std::shared_ptr<Dentry>& dir,
                                                  const std::string& name) {
  if (name.size() > kNameMax) return ErrnoError(ENAMETOOLONG, "name too long");
  if (dir->node->Type() != S_IFDIR) return ErrnoError(ENOTDIR, "not a directory");
  // Before the cache and the mount table: neither may let a task through a
  // directory it cannot search.
  if (absl::Status s = dir->node->CheckSearch(task); !s.ok()) return s;
  {
    absl::MutexLock lock(&dir->mu);
    auto it = dir->children.find(name);
    if (it != dir->children.end()) return it->second;
  }
  auto child = std::make_shared<Dentry>();
  child->parent = dir;
  child->path = JoinPath(dir->path, name);
  {
    absl::MutexLock lock(&mu_);
    auto mount = mounts_.find(child->path);
    if (mount != mounts_.end()) child->node = mount->second;
  }
  if (child->node == nullptr) {
    absl::StatusOr<std::shared_ptr<Node>> node = dir->node->Lookup(task, name);
    if (!node.ok()) return node.status();
    child->node = std::move(*node);
  }
  if (child->node->Cacheable() && dir->node->Cacheable()) {
    absl::MutexLock lock(&dir->mu);
    dir->children.emplace(name, child);
  }
  return child;
}

absl::StatusOr<std::shared_ptr<Dentry>> Vfs::Walk(sentry::Task& task,
                                                  std::shared_ptr<Dentry> start,
                                                  const std::string& path, bool follow_last,
                                                  int& symlinks_left) {
  std::shared_ptr<Dentry> root = task.fs ? static_cast<FsContext*>(task.fs.get())->root : root_;
  std::shared_ptr<Dentry> cur = path.starts_with("/") ? root : std::move(start);
  std::vector<std::string> parts = absl::StrSplit(path, '/', absl::SkipEmpty());
  const bool trailing_slash = path.size() > 1 && path.back() == '/';
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& name = parts[i];
    const bool last = i + 1 == parts.size();
    if (name == ".") {
      if (cur->node->Type() != S_IFDIR) return ErrnoError(ENOTDIR, "not a directory");
      continue;
    }
    if (name == "..") {
      if (cur->node->Type() != S_IFDIR) return ErrnoError(ENOTDIR, "not a directory");
      if (cur != root && cur->parent != nullptr) cur = cur->parent;
      continue;
    }
    absl::StatusOr<std::shared_ptr<Dentry>> next = Step(task, cur, name);
    if (!next.ok()) return next.status();
    if ((*next)->node->Type() == S_IFLNK && (!last || follow_last || trailing_slash)) {
      if (--symlinks_left < 0) return ErrnoError(ELOOP, "too many levels of symbolic links");
      absl::StatusOr<std::shared_ptr<Dentry>> magic = (*next)->node->FollowMagicLink(task);
      if (!magic.ok()) return magic.status();
      if (*magic != nullptr) {
        cur = std::move(*magic);
        continue;
      }
      absl::StatusOr<std::string> target = (*next)->node->ReadLink(task);
      if (!target.ok()) return target.status();
      if (target->empty()) return ErrnoError(ENOENT, "empty symlink");
      absl::StatusOr<std::shared_ptr<Dentry>> resolved =
          Walk(task, cur, *target, true, symlinks_left);
      if (!resolved.ok()) return resolved.status();
      cur = *resolved;
    } else {
      cur = *next;
    }
  }
  if (trailing_slash && cur->node->Type() != S_IFDIR) {
    return ErrnoError(ENOTDIR, "not a directory");
  }
  return cur;
}

absl::StatusOr<std::shared_ptr<Dentry>> Vfs::Resolve(sentry::Task& task,
                                                     std::shared_ptr<Dentry> start,
                                                     const std::string& path, bool follow_last) {
  if (path.empty()) return ErrnoError(ENOENT, "empty path");
  if (path.size() >= kPathMax) return ErrnoError(ENAMETOOLONG, "path too long");
  int symlinks_left = kMaxSymlinks;
  return Walk(task, std::move(start), path, follow_last, symlinks_left);
}

absl::StatusOr<std::shared_ptr<Dentry>> Vfs::ResolveAt(sentry::Task& task, int dirfd,
                                                       const std::string& path,
                                                       bool follow_last) {
  // An empty path names nothing, whatever the dirfd (Linux's getname:
  // ENOENT before the dirfd is looked at); AT_EMPTY_PATH is the caller's.
  if (path.empty()) return ErrnoError(ENOENT, "empty path");
  auto* fsc = static_cast<FsContext*>(task.fs.get());
  std::shared_ptr<Dentry> start = fsc->cwd;
  if (!path.starts_with("/") && dirfd != AT_FDCWD) {
    std::shared_ptr<File> file = static_cast<FdTable*>(task.fds.get())->GetIncludingOPath(dirfd);
    if (file == nullptr) return ErrnoError(EBADF, "bad dirfd");
    if (file->dentry == nullptr || file->dentry->node->Type() != S_IFDIR) {
      return ErrnoError(ENOTDIR, "dirfd is not a directory");
    }
    start = file->dentry;
  }
  return Resolve(task, start, path, follow_last);
}

absl::StatusOr<Vfs::ParentAndName> Vfs::ResolveParentAt(sentry::Task& task, int dirfd,
                                                        const std::string& path) {
  if (path.empty()) return ErrnoError(ENOENT, "empty path");
  if (path.size() >= kPathMax) return ErrnoError(ENAMETOOLONG, "path too long");
  ParentAndName out;
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') {
    trimmed.pop_back();
    out.trailing_slash = true;
  }
  std::string dir_part;
  const size_t slash = trimmed.rfind('/');
  if (trimmed == "/") {
    dir_part = "/";
  } else if (slash == std::string::npos) {
    out.name = trimmed;
  } else {
    dir_part = slash == 0 ? "/" : trimmed.substr(0, slash);
    out.name = trimmed.substr(slash + 1);
  }
  if (out.name.size() > kNameMax) return ErrnoError(ENAMETOOLONG, "name too long");
  absl::StatusOr<std::shared_ptr<Dentry>> parent =
      ResolveAt(task, dirfd, dir_part.empty() ? "." : dir_part, /*follow_last=*/true);
  if (!parent.ok()) return parent.status();
  if ((*parent)->node->Type() != S_IFDIR) return ErrnoError(ENOTDIR, "not a directory");
  out.parent = std::move(*parent);
  return out;
}

std::shared_ptr<Dentry> Vfs::AddChild(const std::shared_ptr<Dentry>& dir, const std::string& name,
                                      std::shared_ptr<Node> node) {
  auto child = std::make_shared<Dentry>();
  child->parent = dir;
  child->path = JoinPath(dir->path, name);
  child->node = std::move(node);
  if (child->node->Cacheable() && dir->node->Cacheable()) {
    absl::MutexLock lock(&dir->mu);
    dir->children[name] = child;
  }
  return child;
}

void Vfs::Forget(const std::shared_ptr<Dentry>& dir, const std::string& name) {
  absl::MutexLock lock(&dir->mu);
  dir->children.erase(name);
}

bool Vfs::IsMountPoint(const std::string& path) {
  absl::MutexLock lock(&mu_);
  return mounts_.contains(path);
}

absl::StatusOr<std::shared_ptr<File>> Vfs::Open(sentry::Task& task, std::shared_ptr<Dentry> dentry,
                                                int flags) {
  const mode_t type = dentry->node->Type();
  if ((flags & O_DIRECTORY) && type != S_IFDIR) return ErrnoError(ENOTDIR, "not a directory");
  if (type == S_IFLNK) return ErrnoError(ELOOP, "is a symlink");
  if (type == S_IFDIR && (flags & O_ACCMODE) != O_RDONLY) {
    return ErrnoError(EISDIR, "is a directory");
  }
  absl::StatusOr<std::shared_ptr<File>> file = dentry->node->Open(task, flags);
  if (file.ok()) {
    if ((*file)->Path().empty()) (*file)->set_path(dentry->path);
    (*file)->dentry = dentry;
    NotifyOpen(**file, (flags & O_TRUNC) && type == S_IFREG);
  }
  return file;
}

}  // namespace runsc::fs
