// Calls that change the filesystem: create, mkdir, mknod, unlink/rmdir,
// rename, symlink, link, chmod, chown, truncate, utimes, statfs (DESIGN §5).
// Each handler resolves the parent (or the file), applies the umask where
// Linux does, and calls the Node; the filesystem (the gofer, for the root)
// does the work and reports the host's errno. Cached dentries of names that
// went away are dropped here; stats are never cached (GoferNode::Stat asks).
#include <fcntl.h>
#include <stdio.h>  // RENAME_*.
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include <utime.h>

#include <limits>

#include "fs/file_access.h"
#include "fs/file_size_limit.h"
#include "fs/fsnotify.h"
#include "syscalls/file_mutate.h"
#include "syscalls/helpers.h"

namespace runsc::syscalls {

using sentry::Task;

namespace {

bool IsDotOrEmpty(const std::string& name) { return name.empty() || name == "." || name == ".."; }

mode_t ApplyUmask(Task& t, mode_t mode) { return mode & ~FsCtx(t).umask; }

template <typename T>
SyscallResult FromStatusOr(const absl::StatusOr<T>& s) {
  return FromStatus(s.status());
}

}  // namespace

absl::StatusOr<CreateForOpenResult> CreateForOpen(Task& t, int dirfd, const std::string& path,
                                                  int flags, mode_t mode) {
  fs::Vfs& vfs = VfsOf(t);
  absl::StatusOr<fs::Vfs::ParentAndName> p = vfs.ResolveParentAt(t, dirfd, path);
  if (!p.ok()) return p.status();
  if (IsDotOrEmpty(p->name)) return ErrnoError(EISDIR, "O_CREAT of a directory");
  absl::StatusOr<std::shared_ptr<fs::Dentry>> child = vfs.Lookup(t, p->parent, p->name);
  if (child.ok()) {
    if (flags & O_EXCL) return ErrnoError(EEXIST, "O_CREAT|O_EXCL of an existing name");
    std::shared_ptr<fs::Dentry> d = *child;
    if (d->node->Type() == S_IFLNK) {
      if (flags & O_NOFOLLOW) return ErrnoError(ELOOP, "O_NOFOLLOW of a symlink");
      // TODO: O_CREAT through a dangling symlink creates its target on Linux.
      absl::StatusOr<std::shared_ptr<fs::Dentry>> target = vfs.ResolveAt(t, dirfd, path, true);
      if (!target.ok()) return target.status();
      d = *target;
    }
    if (d->node->Type() == S_IFDIR || p->trailing_slash) {
      return ErrnoError(EISDIR, "O_CREAT of a directory");
    }
    return CreateForOpenResult{.existing = std::move(d)};
  }
  if (ErrnoOf(child.status()) != ENOENT) return child.status();
  if (p->trailing_slash) return ErrnoError(EISDIR, "O_CREAT of a name ending in '/'");
  if (flags & O_DIRECTORY) return ErrnoError(EINVAL, "O_CREAT|O_DIRECTORY");
  absl::StatusOr<fs::CreatedNode> created =
      p->parent->node->Create(t, p->name, flags, ApplyUmask(t, mode & 07777));
  if (!created.ok()) return created.status();
  std::shared_ptr<fs::Dentry> d = vfs.AddChild(p->parent, p->name, created->node);
  created->file->dentry = d;
  if (created->file->Path().empty()) created->file->set_path(d->path);
  fs::NotifyCreate(*p->parent, p->name, *created->node);
  fs::NotifyOpen(*created->file, /*truncated=*/false);
  return CreateForOpenResult{.created = created->file};
}

absl::StatusOr<std::shared_ptr<fs::File>> CreateTmpfileForOpen(Task& t, int dirfd,
                                                               const std::string& path, int flags,
                                                               mode_t mode) {
  const int access = flags & O_ACCMODE;
  if ((access != O_WRONLY && access != O_RDWR) || (flags & (O_CREAT | O_PATH))) {
    return ErrnoError(EINVAL, "O_TMPFILE needs O_WRONLY or O_RDWR, and no O_CREAT or O_PATH");
  }
  absl::StatusOr<std::shared_ptr<fs::Dentry>> dir = VfsOf(t).ResolveAt(t, dirfd, path, true);
  if (!dir.ok()) return dir.status();
  if ((*dir)->node->Type() != S_IFDIR) return ErrnoError(ENOTDIR, "O_TMPFILE of a non-directory");
  // The file's own flags: O_TMPFILE's O_DIRECTORY bit is not one of them.
  const int file_flags = flags & ~O_TMPFILE;
  absl::StatusOr<fs::CreatedNode> created =
      (*dir)->node->CreateTmpfile(t, file_flags, ApplyUmask(t, mode & 07777));
  if (!created.ok()) return created.status();
  // A name for *at(fd, "", AT_EMPTY_PATH) and /proc/self/fd, in no cache:
  // the file has no name until linkat gives it one.
  auto d = std::make_shared<fs::Dentry>();
  d->node = created->node;
  d->parent = *dir;
  absl::StatusOr<struct stat> st = created->node->Stat();
  d->path = ((*dir)->path == "/" ? "/#" : (*dir)->path + "/#") +
            std::to_string(st.ok() ? st->st_ino : 0);
  d->unlinked.store(true);  // Linux's tmpfile dentry is unhashed too.
  created->file->dentry = d;
  created->file->set_path(d->path + " (deleted)");
  fs::NotifyOpen(*created->file, /*truncated=*/false);
  return created->file;
}

namespace {

// ---- mkdir, mknod, symlink, link ----

SyscallResult DoMkdir(Task& t, int dirfd, uint64_t path_addr, mode_t mode) {
  absl::StatusOr<std::string> path = CopyInPath(t, path_addr);
  if (!path.ok()) return FromStatus(path.status());
  absl::StatusOr<fs::Vfs::ParentAndName> p = VfsOf(t).ResolveParentAt(t, dirfd, *path);
  if (!p.ok()) return FromStatus(p.status());
  if (IsDotOrEmpty(p->name)) return SyscallResult::Error(EEXIST);
  if (VfsOf(t).Lookup(t, p->parent, p->name).ok()) return SyscallResult::Error(EEXIST);
  absl::StatusOr<std::shared_ptr<fs::Node>> node =
      p->parent->node->Mkdir(t, p->name, ApplyUmask(t, mode & 07777));
  if (!node.ok()) return FromStatus(node.status());
  VfsOf(t).AddChild(p->parent, p->name, *node);
  fs::NotifyCreate(*p->parent, p->name, **node);
  return SyscallResult::Value(0);
}

SyscallResult Mkdir(Task& t, const SyscallArgs& a) {
  return DoMkdir(t, AT_FDCWD, a[0], static_cast<mode_t>(a[1]));
}
SyscallResult Mkdirat(Task& t, const SyscallArgs& a) {
  return DoMkdir(t, static_cast<int>(a[0]), a[1], static_cast<mode_t>(a[2]));
}

SyscallResult DoMknod(Task& t, int dirfd, uint64_t path_addr, mode_t mode, uint64_t dev) {
  const mode_t type = mode & S_IFMT;
  switch (type) {
    case 0:
    case S_IFREG:
    case S_IFIFO:
    case S_IFCHR:
    case S_IFBLK:
    case S_IFSOCK:
      break;
    default:
      return SyscallResult::Error(EINVAL);
  }
  absl::StatusOr<std::string> path = CopyInPath(t, path_addr);
  if (!path.ok()) return FromStatus(path.status());
  absl::StatusOr<fs::Vfs::ParentAndName> p = VfsOf(t).ResolveParentAt(t, dirfd, *path);
  if (!p.ok()) return FromStatus(p.status());
  if (IsDotOrEmpty(p->name)) return SyscallResult::Error(EEXIST);
  if (VfsOf(t).Lookup(t, p->parent, p->name).ok()) return SyscallResult::Error(EEXIST);
  if (p->trailing_slash) return SyscallResult::Error(ENOENT);
  absl::StatusOr<std::shared_ptr<fs::Node>> node = p->parent->node->Mknod(
      t, p->name, (type == 0 ? S_IFREG : type) | ApplyUmask(t, mode & 07777));
  if (!node.ok()) return FromStatus(node.status());
  VfsOf(t).AddChild(p->parent, p->name, *node);
  fs::NotifyCreate(*p->parent, p->name, **node);
  return SyscallResult::Value(0);
}

SyscallResult Mknod(Task& t, const SyscallArgs& a) {
  return DoMknod(t, AT_FDCWD, a[0], static_cast<mode_t>(a[1]), a[2]);
}
SyscallResult Mknodat(Task& t, const SyscallArgs& a) {
  return DoMknod(t, static_cast<int>(a[0]), a[1], static_cast<mode_t>(a[2]), a[3]);
}

SyscallResult DoSymlink(Task& t, uint64_t target_addr, int dirfd, uint64_t path_addr) {
  absl::StatusOr<std::string> target = CopyInPath(t, target_addr);
  if (!target.ok()) return FromStatus(target.status());
  absl::StatusOr<std::string> path = CopyInPath(t, path_addr);
  if (!path.ok()) return FromStatus(path.status());
  if (target->empty()) return SyscallResult::Error(ENOENT);
  absl::StatusOr<fs::Vfs::ParentAndName> p = VfsOf(t).ResolveParentAt(t, dirfd, *path);
  if (!p.ok()) return FromStatus(p.status());
  if (IsDotOrEmpty(p->name)) return SyscallResult::Error(EEXIST);
  if (VfsOf(t).Lookup(t, p->parent, p->name).ok()) return SyscallResult::Error(EEXIST);
  if (p->trailing_slash) return SyscallResult::Error(ENOENT);
  absl::StatusOr<std::shared_ptr<fs::Node>> node = p->parent->node->Symlink(t, p->name, *target);
  if (!node.ok()) return FromStatus(node.status());
  VfsOf(t).AddChild(p->parent, p->name, *node);
  fs::NotifyCreate(*p->parent, p->name, **node);
  return SyscallResult::Value(0);
}

SyscallResult Symlink(Task& t, const SyscallArgs& a) { return DoSymlink(t, a[0], AT_FDCWD, a[1]); }
SyscallResult Symlinkat(Task& t, const SyscallArgs& a) {
  return DoSymlink(t, a[0], static_cast<int>(a[1]), a[2]);
}

SyscallResult DoLink(Task& t, int old_dirfd, uint64_t old_addr, int new_dirfd, uint64_t new_addr,
                     int flags) {
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return SyscallResult::Error(EINVAL);
  absl::StatusOr<std::string> old_path = CopyInPath(t, old_addr);
  if (!old_path.ok()) return FromStatus(old_path.status());
  absl::StatusOr<std::string> new_path = CopyInPath(t, new_addr);
  if (!new_path.ok()) return FromStatus(new_path.status());
  absl::StatusOr<std::shared_ptr<fs::Dentry>> old =
      old_path->empty() && (flags & AT_EMPTY_PATH)
          ? DentryOfFd(t, old_dirfd)
          : VfsOf(t).ResolveAt(t, old_dirfd, *old_path, flags & AT_SYMLINK_FOLLOW);
  if (!old.ok()) return FromStatus(old.status());
  if ((*old)->node->Type() == S_IFDIR) return SyscallResult::Error(EPERM);
  absl::StatusOr<fs::Vfs::ParentAndName> p = VfsOf(t).ResolveParentAt(t, new_dirfd, *new_path);
  if (!p.ok()) return FromStatus(p.status());
  if (IsDotOrEmpty(p->name)) return SyscallResult::Error(EEXIST);
  if (VfsOf(t).Lookup(t, p->parent, p->name).ok()) return SyscallResult::Error(EEXIST);
  if (p->trailing_slash) return SyscallResult::Error(ENOENT);
  RUNSC_RETURN_IF_ERROR(p->parent->node->Link(t, p->name, *(*old)->node));
  fs::NotifyLink(*(*old)->node, *p->parent, p->name);
  return SyscallResult::Value(0);
}

SyscallResult Link(Task& t, const SyscallArgs& a) {
  return DoLink(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}
SyscallResult Linkat(Task& t, const SyscallArgs& a) {
  return DoLink(t, static_cast<int>(a[0]), a[1], static_cast<int>(a[2]), a[3],
                static_cast<int>(a[4]));
}

// ---- unlink, rmdir, rename ----

SyscallResult DoUnlink(Task& t, int dirfd, uint64_t path_addr, bool directory) {
  absl::StatusOr<std::string> path = CopyInPath(t, path_addr);
  if (!path.ok()) return FromStatus(path.status());
  absl::StatusOr<fs::Vfs::ParentAndName> p = VfsOf(t).ResolveParentAt(t, dirfd, *path);
  if (!p.ok()) return FromStatus(p.status());
  if (directory) {
    if (p->name == ".") return SyscallResult::Error(EINVAL);
    if (p->name == "..") return SyscallResult::Error(ENOTEMPTY);
    if (p->name.empty()) return SyscallResult::Error(EBUSY);
  } else if (IsDotOrEmpty(p->name)) {
    return SyscallResult::Error(EISDIR);
  }
  absl::StatusOr<std::shared_ptr<fs::Dentry>> child = VfsOf(t).Lookup(t, p->parent, p->name);
  if (!child.ok()) return FromStatus(child.status());
  const mode_t type = (*child)->node->Type();
  if (directory && type != S_IFDIR) return SyscallResult::Error(ENOTDIR);
  if (!directory && p->trailing_slash) {
    return SyscallResult::Error(type == S_IFDIR ? EISDIR : ENOTDIR);
  }
  if (VfsOf(t).IsMountPoint((*child)->path)) return SyscallResult::Error(EBUSY);
  absl::Status s = p->parent->node->Unlink(t, p->name, directory);
  if (!s.ok()) return FromStatus(s);
  VfsOf(t).Forget(p->parent, p->name);
  fs::NotifyRemove(*p->parent, p->name, **child, directory);
  return SyscallResult::Value(0);
}

SyscallResult Unlink(Task& t, const SyscallArgs& a) { return DoUnlink(t, AT_FDCWD, a[0], false); }
SyscallResult Rmdir(Task& t, const SyscallArgs& a) { return DoUnlink(t, AT_FDCWD, a[0], true); }
SyscallResult Unlinkat(Task& t, const SyscallArgs& a) {
  const int flags = static_cast<int>(a[2]);
  if (flags & ~AT_REMOVEDIR) return SyscallResult::Error(EINVAL);
  return DoUnlink(t, static_cast<int>(a[0]), a[1], flags & AT_REMOVEDIR);
}

SyscallResult DoRename(Task& t, int old_dirfd, uint64_t old_addr, int new_dirfd,
                       uint64_t new_addr, unsigned flags) {
  if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) != 0 ||
      ((flags & RENAME_EXCHANGE) && (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)))) {
    return SyscallResult::Error(EINVAL);
  }
  if (flags & RENAME_WHITEOUT) return SyscallResult::Error(EINVAL);  // No overlay here.
  absl::StatusOr<std::string> old_path = CopyInPath(t, old_addr);
  if (!old_path.ok()) return FromStatus(old_path.status());
  absl::StatusOr<std::string> new_path = CopyInPath(t, new_addr);
  if (!new_path.ok()) return FromStatus(new_path.status());
  fs::Vfs& vfs = VfsOf(t);
  absl::StatusOr<fs::Vfs::ParentAndName> from = vfs.ResolveParentAt(t, old_dirfd, *old_path);
  if (!from.ok()) return FromStatus(from.status());
  absl::StatusOr<fs::Vfs::ParentAndName> to = vfs.ResolveParentAt(t, new_dirfd, *new_path);
  if (!to.ok()) return FromStatus(to.status());
  if (IsDotOrEmpty(from->name) || IsDotOrEmpty(to->name)) return SyscallResult::Error(EBUSY);
  absl::StatusOr<std::shared_ptr<fs::Dentry>> old = vfs.Lookup(t, from->parent, from->name);
  if (!old.ok()) return FromStatus(old.status());
  const bool old_is_dir = (*old)->node->Type() == S_IFDIR;
  absl::StatusOr<std::shared_ptr<fs::Dentry>> target = vfs.Lookup(t, to->parent, to->name);
  if (!target.ok() && ErrnoOf(target.status()) != ENOENT) return FromStatus(target.status());
  if ((from->trailing_slash || to->trailing_slash) && !old_is_dir) {
    return SyscallResult::Error(ENOTDIR);
  }
  if (!target.ok() && (flags & RENAME_EXCHANGE)) return SyscallResult::Error(ENOENT);
  if (target.ok() && (flags & RENAME_NOREPLACE)) return SyscallResult::Error(EEXIST);
  // A directory cannot move below itself.
  const std::string& old_path_canon = (*old)->path;
  const std::string& new_parent = to->parent->path;
  if (old_is_dir && (new_parent == old_path_canon ||
                     new_parent.starts_with(old_path_canon == "/" ? "/" : old_path_canon + "/"))) {
    return SyscallResult::Error(EINVAL);
  }
  if (vfs.IsMountPoint(old_path_canon) || (target.ok() && vfs.IsMountPoint((*target)->path))) {
    return SyscallResult::Error(EBUSY);
  }
  absl::Status s = from->parent->node->Rename(t, from->name, *to->parent->node, to->name, flags);
  if (!s.ok()) return FromStatus(s);
  vfs.Forget(from->parent, from->name);
  vfs.Forget(to->parent, to->name);
  fs::NotifyRename(*from->parent, from->name, *to->parent, to->name, **old,
                   target.ok() ? target->get() : nullptr, flags & RENAME_EXCHANGE);
  return SyscallResult::Value(0);
}

SyscallResult Rename(Task& t, const SyscallArgs& a) {
  return DoRename(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}
SyscallResult Renameat(Task& t, const SyscallArgs& a) {
  return DoRename(t, static_cast<int>(a[0]), a[1], static_cast<int>(a[2]), a[3], 0);
}
SyscallResult Renameat2(Task& t, const SyscallArgs& a) {
  return DoRename(t, static_cast<int>(a[0]), a[1], static_cast<int>(a[2]), a[3],
                  static_cast<unsigned>(a[4]));
}

// ---- chmod, chown, truncate, utimes ----

// The dentry of `path_addr` from `dirfd`, or of `dirfd` itself for an empty
// path with AT_EMPTY_PATH.
absl::StatusOr<std::shared_ptr<fs::Dentry>> ResolveForAttr(Task& t, int dirfd, uint64_t path_addr,
                                                           int flags) {
  absl::StatusOr<std::string> path = CopyInPath(t, path_addr);
  if (!path.ok()) return path.status();
  if (path->empty() && (flags & AT_EMPTY_PATH)) return DentryOfFd(t, dirfd);
  return VfsOf(t).ResolveAt(t, dirfd, *path, !(flags & AT_SYMLINK_NOFOLLOW));
}

// The dentry of an fd for fchmod/fchown/futimens: O_PATH fds are EBADF.
absl::StatusOr<std::shared_ptr<fs::Dentry>> DentryForFdAttr(Task& t, int fd) {
  std::shared_ptr<fs::File> f = Fds(t).Get(fd);
  if (f == nullptr) return ErrnoError(EBADF, "bad fd");
  if (f->dentry == nullptr) return ErrnoError(EPERM, "fd names no file of a filesystem");
  return f->dentry;
}

SyscallResult SetAttrOn(Task& t, const absl::StatusOr<std::shared_ptr<fs::Dentry>>& d,
                        const fs::SetAttrs& attrs) {
  if (!d.ok()) return FromStatus(d.status());
  RUNSC_RETURN_IF_ERROR((*d)->node->SetAttr(t, attrs));
  fs::NotifySetAttr(**d, attrs);
  return SyscallResult::Value(0);
}

SyscallResult Chmod(Task& t, const SyscallArgs& a) {
  return SetAttrOn(t, ResolveForAttr(t, AT_FDCWD, a[0], 0), {.mode = a[1] & 07777});
}
SyscallResult Fchmodat(Task& t, const SyscallArgs& a) {
  return SetAttrOn(t, ResolveForAttr(t, static_cast<int>(a[0]), a[1], 0), {.mode = a[2] & 07777});
}
SyscallResult Fchmod(Task& t, const SyscallArgs& a) {
  return SetAttrOn(t, DentryForFdAttr(t, static_cast<int>(a[0])), {.mode = a[1] & 07777});
}

fs::SetAttrs Owner(uint64_t uid, uint64_t gid) {
  return {.owner = std::pair(static_cast<uid_t>(uid), static_cast<gid_t>(gid))};
}
SyscallResult Chown(Task& t, const SyscallArgs& a) {
  return SetAttrOn(t, ResolveForAttr(t, AT_FDCWD, a[0], 0), Owner(a[1], a[2]));
}
SyscallResult Lchown(Task& t, const SyscallArgs& a) {
  return SetAttrOn(t, ResolveForAttr(t, AT_FDCWD, a[0], AT_SYMLINK_NOFOLLOW), Owner(a[1], a[2]));
}
SyscallResult Fchown(Task& t, const SyscallArgs& a) {
  return SetAttrOn(t, DentryForFdAttr(t, static_cast<int>(a[0])), Owner(a[1], a[2]));
}
SyscallResult Fchownat(Task& t, const SyscallArgs& a) {
  const int flags = static_cast<int>(a[4]);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return SyscallResult::Error(EINVAL);
  return SetAttrOn(t, ResolveForAttr(t, static_cast<int>(a[0]), a[1], flags), Owner(a[2], a[3]));
}

SyscallResult Truncate(Task& t, const SyscallArgs& a) {
  const int64_t length = static_cast<int64_t>(a[1]);
  absl::StatusOr<std::shared_ptr<fs::Dentry>> d = ResolveForAttr(t, AT_FDCWD, a[0], 0);
  if (!d.ok()) return FromStatus(d.status());
  if (length < 0) return SyscallResult::Error(EINVAL);
  const mode_t type = (*d)->node->Type();
  if (type == S_IFDIR) return SyscallResult::Error(EISDIR);
  if (type != S_IFREG) return SyscallResult::Error(EINVAL);
  // Past RLIMIT_FSIZE the call fails with SIGXFSZ, but as in Linux only a
  // caller that may write the file gets that far (others get EACCES from
  // the filesystem's own check, and no signal).
  const rlim_t limit = t.rlimits[RLIMIT_FSIZE].rlim_cur;
  if (limit != RLIM_INFINITY && static_cast<uint64_t>(length) > limit) {
    absl::StatusOr<struct stat> st = (*d)->node->Stat();
    if (!st.ok()) return FromStatus(st.status());
    RUNSC_RETURN_IF_ERROR(fs::FileAccess::Of(*st).Check(t.creds, fs::kMayWrite));
    RUNSC_RETURN_IF_ERROR(fs::CheckSizeWithinFileSizeLimit(t, length));
  }
  return SetAttrOn(t, d, {.size = length});
}

SyscallResult Ftruncate(Task& t, const SyscallArgs& a) {
  const int64_t length = static_cast<int64_t>(a[1]);
  std::shared_ptr<fs::File> f = Fds(t).Get(static_cast<int>(a[0]));
  if (f == nullptr) return SyscallResult::Error(EBADF);
  if (length < 0) return SyscallResult::Error(EINVAL);
  if ((f->flags() & O_ACCMODE) == O_RDONLY) return SyscallResult::Error(EINVAL);
  // RLIMIT_FSIZE holds for regular files only (the limit is looked at
  // first: most tasks have none, and then no stat is needed).
  if (t.rlimits[RLIMIT_FSIZE].rlim_cur != RLIM_INFINITY) {
    if (absl::StatusOr<struct stat> st = f->Stat(); st.ok() && S_ISREG(st->st_mode)) {
      RUNSC_RETURN_IF_ERROR(fs::CheckSizeWithinFileSizeLimit(t, length));
    }
  }
  RUNSC_RETURN_IF_ERROR(f->Truncate(length));
  if (f->dentry != nullptr) fs::NotifySetAttr(*f->dentry, {.size = length});
  return SyscallResult::Value(0);
}

// fallocate(2)'s modes (linux/falloc.h); newer C headers may lack some.
constexpr int kFallocKeepSize = 0x01, kFallocPunchHole = 0x02, kFallocCollapseRange = 0x08,
              kFallocZeroRange = 0x10, kFallocInsertRange = 0x20, kFallocUnshareRange = 0x40,
              kFallocWriteZeroes = 0x80;
constexpr int kFallocModeMask = kFallocPunchHole | kFallocCollapseRange | kFallocZeroRange |
                                kFallocInsertRange | kFallocUnshareRange | kFallocWriteZeroes;

// vfs_fallocate's checks of the mode alone (Linux 6.x): the modes are
// exclusive, PUNCH_HOLE needs KEEP_SIZE, the size-changing ones refuse it.
bool FallocateModeOk(int mode) {
  if (mode & ~(kFallocModeMask | kFallocKeepSize)) return false;
  switch (mode & kFallocModeMask) {
    case 0:
    case kFallocUnshareRange:
    case kFallocZeroRange:
      return true;
    case kFallocPunchHole:
      return (mode & kFallocKeepSize) != 0;
    case kFallocCollapseRange:
    case kFallocInsertRange:
    case kFallocWriteZeroes:
      return (mode & kFallocKeepSize) == 0;
    default:
      return false;
  }
}

// fallocate(fd, mode, offset, len), with Linux's order of checks. The file
// does the work (the host fs for a donated rootfs file, the memfd for
// tmpfs). RLIMIT_FSIZE is checked for calls that grow the file: SIGXFSZ
// and EFBIG past it, as inode_newsize_ok.
SyscallResult Fallocate(Task& t, const SyscallArgs& a) {
  const int mode = static_cast<int>(a[1]);
  const int64_t offset = static_cast<int64_t>(a[2]), len = static_cast<int64_t>(a[3]);
  std::shared_ptr<fs::File> f = Fds(t).Get(static_cast<int>(a[0]));
  if (f == nullptr) return SyscallResult::Error(EBADF);
  if (offset < 0 || len <= 0) return SyscallResult::Error(EINVAL);
  if (!FallocateModeOk(mode)) return SyscallResult::Error(EOPNOTSUPP);
  if ((f->flags() & O_ACCMODE) == O_RDONLY) return SyscallResult::Error(EBADF);
  absl::StatusOr<struct stat> st = f->Stat();
  if (!st.ok()) return FromStatus(st.status());
  if (S_ISFIFO(st->st_mode)) return SyscallResult::Error(ESPIPE);
  if (S_ISDIR(st->st_mode)) return SyscallResult::Error(EISDIR);
  if (!S_ISREG(st->st_mode)) return SyscallResult::Error(ENODEV);
  if (offset > std::numeric_limits<int64_t>::max() - len) return SyscallResult::Error(EFBIG);
  const int64_t end = offset + len;
  if (!(mode & kFallocKeepSize) && end > st->st_size) {
    RUNSC_RETURN_IF_ERROR(fs::CheckSizeWithinFileSizeLimit(t, end));
  }
  return FromStatus(f->Allocate(mode, offset, len));
}

bool ValidNsec(long nsec) {
  return (nsec >= 0 && nsec < 1'000'000'000) || nsec == UTIME_NOW || nsec == UTIME_OMIT;
}

// utimensat(2) with the times already copied in (null: both now).
SyscallResult DoUtimens(Task& t, int dirfd, uint64_t path_addr, const struct timespec* times,
                        int flags) {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return SyscallResult::Error(EINVAL);
  std::pair<struct timespec, struct timespec> both = {{0, UTIME_NOW}, {0, UTIME_NOW}};
  if (times != nullptr) {
    if (!ValidNsec(times[0].tv_nsec) || !ValidNsec(times[1].tv_nsec)) {
      return SyscallResult::Error(EINVAL);
    }
    both = {times[0], times[1]};
    // Linux returns before looking at the path when nothing would change.
    if (times[0].tv_nsec == UTIME_OMIT && times[1].tv_nsec == UTIME_OMIT) {
      return SyscallResult::Value(0);
    }
  }
  if (path_addr == 0) {
    // A null path with an fd is futimens(2) (Linux's do_utimes_fd): it
    // takes no flags, and the fd must be open (not O_PATH).
    if (dirfd == AT_FDCWD) return SyscallResult::Error(EFAULT);
    if (flags != 0) return SyscallResult::Error(EINVAL);
    return SetAttrOn(t, DentryForFdAttr(t, dirfd), {.times = both});
  }
  return SetAttrOn(t, ResolveForAttr(t, dirfd, path_addr, flags), {.times = both});
}

SyscallResult Utimensat(Task& t, const SyscallArgs& a) {
  struct timespec times[2];
  if (a[2] != 0) RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[2], times));
  return DoUtimens(t, static_cast<int>(a[0]), a[1], a[2] != 0 ? times : nullptr,
                   static_cast<int>(a[3]));
}

SyscallResult DoFutimesat(Task& t, int dirfd, uint64_t path_addr, uint64_t times_addr) {
  if (times_addr == 0) return DoUtimens(t, dirfd, path_addr, nullptr, 0);
  struct timeval tv[2];
  RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(times_addr, tv));
  struct timespec ts[2];
  for (int i = 0; i < 2; ++i) {
    if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1'000'000) return SyscallResult::Error(EINVAL);
    ts[i] = {tv[i].tv_sec, tv[i].tv_usec * 1000};
  }
  return DoUtimens(t, dirfd, path_addr, ts, 0);
}

SyscallResult Futimesat(Task& t, const SyscallArgs& a) {
  return DoFutimesat(t, static_cast<int>(a[0]), a[1], a[2]);
}
SyscallResult Utimes(Task& t, const SyscallArgs& a) { return DoFutimesat(t, AT_FDCWD, a[0], a[1]); }
SyscallResult Utime(Task& t, const SyscallArgs& a) {
  if (a[1] == 0) return DoUtimens(t, AT_FDCWD, a[0], nullptr, 0);
  struct utimbuf buf;
  RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[1], buf));
  const struct timespec ts[2] = {{buf.actime, 0}, {buf.modtime, 0}};
  return DoUtimens(t, AT_FDCWD, a[0], ts, 0);
}

// ---- statfs ----

SyscallResult CopyOutStatFs(Task& t, uint64_t addr, const absl::StatusOr<struct statfs>& st) {
  if (!st.ok()) return FromStatus(st.status());
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(addr, *st));
  return SyscallResult::Value(0);
}

SyscallResult Statfs(Task& t, const SyscallArgs& a) {
  absl::StatusOr<std::shared_ptr<fs::Dentry>> d = ResolveForAttr(t, AT_FDCWD, a[0], 0);
  if (!d.ok()) return FromStatus(d.status());
  return CopyOutStatFs(t, a[1], (*d)->node->StatFs(t));
}

SyscallResult Fstatfs(Task& t, const SyscallArgs& a) {
  std::shared_ptr<fs::File> f = Fds(t).GetIncludingOPath(static_cast<int>(a[0]));
  if (f == nullptr) return SyscallResult::Error(EBADF);
  if (f->dentry == nullptr) {
    // Pipes, sockets, host stdio: the sentry's own pseudo-filesystems.
    struct statfs st {};
    st.f_type = 0x50495045;  // PIPEFS_MAGIC.
    st.f_bsize = 4096;
    st.f_frsize = 4096;
    st.f_namelen = 255;
    return CopyOutStatFs(t, a[1], st);
  }
  return CopyOutStatFs(t, a[1], f->dentry->node->StatFs(t));
}

}  // namespace

void RegisterFileMutate(SyscallTable& t) {
  constexpr const char* kNoPerms = "permissions are checked against the task's credentials on tmpfs, not yet on the rootfs";
  t[SYS_mkdir] = {"mkdir", Mkdir, Support::kPartial, kNoPerms};
  t[SYS_mkdirat] = {"mkdirat", Mkdirat, Support::kPartial, kNoPerms};
  t[SYS_mknod] = {"mknod", Mknod, Support::kPartial,
                  "regular files and FIFOs (host FIFOs; opening one is ENXIO); devices EPERM"};
  t[SYS_mknodat] = {"mknodat", Mknodat, Support::kPartial,
                    "regular files and FIFOs (host FIFOs; opening one is ENXIO); devices EPERM"};
  t[SYS_unlink] = {"unlink", Unlink, Support::kPartial, kNoPerms};
  t[SYS_unlinkat] = {"unlinkat", Unlinkat, Support::kPartial, kNoPerms};
  t[SYS_rmdir] = {"rmdir", Rmdir, Support::kPartial, kNoPerms};
  t[SYS_rename] = {"rename", Rename, Support::kPartial, kNoPerms};
  t[SYS_renameat] = {"renameat", Renameat, Support::kPartial, kNoPerms};
  t[SYS_renameat2] = {"renameat2", Renameat2, Support::kPartial,
                      "RENAME_NOREPLACE and RENAME_EXCHANGE; no RENAME_WHITEOUT"};
  t[SYS_symlink] = {"symlink", Symlink, Support::kPartial, kNoPerms};
  t[SYS_symlinkat] = {"symlinkat", Symlinkat, Support::kPartial, kNoPerms};
  t[SYS_link] = {"link", Link, Support::kPartial, kNoPerms};
  t[SYS_linkat] = {"linkat", Linkat, Support::kPartial, kNoPerms};
  t[SYS_chmod] = {"chmod", Chmod, Support::kPartial, kNoPerms};
  t[SYS_fchmod] = {"fchmod", Fchmod, Support::kPartial, kNoPerms};
  t[SYS_fchmodat] = {"fchmodat", Fchmodat, Support::kPartial, kNoPerms};
  t[SYS_chown] = {"chown", Chown, Support::kPartial, kNoPerms};
  t[SYS_fchown] = {"fchown", Fchown, Support::kPartial, kNoPerms};
  t[SYS_lchown] = {"lchown", Lchown, Support::kPartial, kNoPerms};
  t[SYS_fchownat] = {"fchownat", Fchownat, Support::kPartial, kNoPerms};
  t[SYS_truncate] = {"truncate", Truncate, Support::kPartial, kNoPerms};
  t[SYS_ftruncate] = {"ftruncate", Ftruncate, Support::kFull, ""};
  t[SYS_fallocate] = {"fallocate", Fallocate, Support::kFull,
                      "rootfs files: the host filesystem's modes; tmpfs: shmem's (no ZERO_RANGE)"};
  t[SYS_utimensat] = {"utimensat", Utimensat, Support::kPartial, kNoPerms};
  t[SYS_futimesat] = {"futimesat", Futimesat, Support::kPartial, kNoPerms};
  t[SYS_utimes] = {"utimes", Utimes, Support::kPartial, kNoPerms};
  t[SYS_utime] = {"utime", Utime, Support::kPartial, kNoPerms};
  t[SYS_statfs] = {"statfs", Statfs, Support::kPartial, "/proc and /dev answer as tmpfs"};
  t[SYS_fstatfs] = {"fstatfs", Fstatfs, Support::kPartial, "/proc and /dev answer as tmpfs"};
}

}  // namespace runsc::syscalls
