// Opening, closing, duplicating and inspecting files; paths and directories.
#include <dirent.h>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "base/logging.h"
#include "fs/file_access.h"
#include "fs/fsnotify.h"
#include "fs/pipe.h"
#include "syscalls/file_lock.h"
#include "syscalls/file_mutate.h"
#include "syscalls/helpers.h"

namespace runsc::syscalls {
namespace {

using sentry::Task;

constexpr int kOpenFlagsKnown = O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |
                                O_NONBLOCK | O_DSYNC | O_ASYNC | O_DIRECT | O_LARGEFILE |
                                O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_SYNC |
                                O_PATH | O_TMPFILE;

SyscallResult DoOpen(Task& t, int dirfd, uint64_t path_addr, int flags, mode_t mode) {
  absl::StatusOr<std::string> path = CopyInPath(t, path_addr);
  if (!path.ok()) return FromStatus(path.status());
  if ((flags & O_TMPFILE) == O_TMPFILE) {
    absl::StatusOr<std::shared_ptr<fs::File>> file = CreateTmpfileForOpen(t, dirfd, *path, flags, mode);
    if (!file.ok()) return FromStatus(file.status());
    absl::StatusOr<int> fd = Fds(t).Install(*file, flags & O_CLOEXEC, 0, NofileLimit(t));
    return fd.ok() ? SyscallResult::Value(*fd) : FromStatus(fd.status());
  }
  const bool follow = !(flags & O_NOFOLLOW);
  absl::StatusOr<std::shared_ptr<fs::Dentry>> d;
  if ((flags & O_CREAT) && !(flags & O_PATH)) {
    absl::StatusOr<CreateForOpenResult> created = CreateForOpen(t, dirfd, *path, flags, mode);
    if (!created.ok()) return FromStatus(created.status());
    if (created->created != nullptr) {
      absl::StatusOr<int> fd = Fds(t).Install(created->created, flags & O_CLOEXEC, 0, NofileLimit(t));
      if (!fd.ok()) return FromStatus(fd.status());
      return SyscallResult::Value(*fd);
    }
    d = std::move(created->existing);
  } else {
    d = VfsOf(t).ResolveAt(t, dirfd, *path, follow);
  }
  if (!d.ok()) return FromStatus(d.status());
  if ((flags & O_NOFOLLOW) && (*d)->node->Type() == S_IFLNK && !(flags & O_PATH)) {
    return SyscallResult::Error(ELOOP);
  }
  absl::StatusOr<std::shared_ptr<fs::File>> file;
  if (flags & O_PATH) {
    if ((flags & O_DIRECTORY) && (*d)->node->Type() != S_IFDIR) return SyscallResult::Error(ENOTDIR);
    // An O_PATH fd names the file without opening it: stat and *at only.
    class PathFile : public fs::File {
     public:
      PathFile(std::shared_ptr<fs::Node> node) : File(O_PATH), node_(std::move(node)) {}
      absl::StatusOr<struct stat> Stat() override { return node_->Stat(); }
     private:
      std::shared_ptr<fs::Node> node_;
    };
    auto pf = std::make_shared<PathFile>((*d)->node);
    pf->set_path((*d)->path);
    pf->dentry = *d;
    file = pf;
  } else {
    file = VfsOf(t).Open(t, *d, flags & kOpenFlagsKnown);
  }
  if (!file.ok()) return FromStatus(file.status());
  absl::StatusOr<int> fd = Fds(t).Install(*file, flags & O_CLOEXEC, 0, NofileLimit(t));
  if (!fd.ok()) return FromStatus(fd.status());
  return SyscallResult::Value(*fd);
}

SyscallResult Open(Task& t, const SyscallArgs& a) {
  return DoOpen(t, AT_FDCWD, a[0], static_cast<int>(a[1]), static_cast<mode_t>(a[2]));
}
SyscallResult Openat(Task& t, const SyscallArgs& a) {
  return DoOpen(t, static_cast<int>(a[0]), a[1], static_cast<int>(a[2]), static_cast<mode_t>(a[3]));
}
SyscallResult Creat(Task& t, const SyscallArgs& a) {
  return DoOpen(t, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, static_cast<mode_t>(a[1]));
}

SyscallResult Close(Task& t, const SyscallArgs& a) {
  return FromStatus(Fds(t).Close(static_cast<int>(a[0])));
}

SyscallResult Dup(Task& t, const SyscallArgs& a) {
  std::shared_ptr<fs::File> f = Fds(t).GetIncludingOPath(static_cast<int>(a[0]));
  if (!f) return SyscallResult::Error(EBADF);
  absl::StatusOr<int> fd = Fds(t).Install(f, false, 0, NofileLimit(t));
  return fd.ok() ? SyscallResult::Value(*fd) : FromStatus(fd.status());
}

SyscallResult DoDup3(Task& t, int oldfd, int newfd, int flags) {
  if (flags & ~O_CLOEXEC) return SyscallResult::Error(EINVAL);
  std::shared_ptr<fs::File> f = Fds(t).GetIncludingOPath(oldfd);
  if (!f) return SyscallResult::Error(EBADF);
  if (newfd < 0 || newfd >= NofileLimit(t)) return SyscallResult::Error(EBADF);
  Fds(t).InstallAt(newfd, f, flags & O_CLOEXEC);
  return SyscallResult::Value(newfd);
}

SyscallResult Dup2(Task& t, const SyscallArgs& a) {
  const int oldfd = static_cast<int>(a[0]), newfd = static_cast<int>(a[1]);
  if (oldfd == newfd) return Fds(t).GetIncludingOPath(oldfd) ? SyscallResult::Value(newfd) : SyscallResult::Error(EBADF);
  return DoDup3(t, oldfd, newfd, 0);
}

SyscallResult Dup3(Task& t, const SyscallArgs& a) {
  if (a[0] == a[1]) return SyscallResult::Error(EINVAL);
  return DoDup3(t, static_cast<int>(a[0]), static_cast<int>(a[1]), static_cast<int>(a[2]));
}

// F_ADD_SEALS / F_GET_SEALS: the file decides (tmpfs and memfd files have
// seals, others are EINVAL).
SyscallResult FcntlSeals(fs::File& file, int cmd, uint64_t arg) {
  if (cmd == F_GET_SEALS) {
    absl::StatusOr<int> seals = file.GetSeals();
    return seals.ok() ? SyscallResult::Value(*seals) : FromStatus(seals.status());
  }
  // Linux reads the seals as an unsigned int.
  return FromStatus(file.AddSeals(static_cast<int>(static_cast<unsigned int>(arg))));
}

SyscallResult Fcntl(Task& t, const SyscallArgs& a) {
  const int fd = static_cast<int>(a[0]);
  absl::StatusOr<fs::FdTable::Entry> e = Fds(t).GetEntry(fd);
  if (!e.ok()) return FromStatus(e.status());
  const int cmd = static_cast<int>(a[1]);
  // An O_PATH fd has only its fd-level commands (Linux's check_fcntl_cmd).
  if ((e->file->flags() & O_PATH) && cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC &&
      cmd != F_GETFD && cmd != F_SETFD && cmd != F_GETFL) {
    return SyscallResult::Error(EBADF);
  }
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
      if (static_cast<int64_t>(a[2]) < 0 || static_cast<int>(a[2]) >= NofileLimit(t)) {
        return SyscallResult::Error(EINVAL);
      }
      absl::StatusOr<int> nfd = Fds(t).Install(e->file, static_cast<int>(a[1]) == F_DUPFD_CLOEXEC,
                                               static_cast<int>(a[2]), NofileLimit(t));
      return nfd.ok() ? SyscallResult::Value(*nfd) : FromStatus(nfd.status());
    }
    case F_GETFD: return SyscallResult::Value(e->cloexec ? FD_CLOEXEC : 0);
    case F_SETFD: return FromStatus(Fds(t).SetCloexec(fd, a[2] & FD_CLOEXEC));
    // Open-time flags (creation, truncation) are not part of the file
    // description: Linux clears them at open.
    case F_GETFL:
      return SyscallResult::Value(e->file->flags() &
                                  ~(O_CLOEXEC | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC));
    case F_SETFL: {
      constexpr int kSettable = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;
      e->file->set_flags((e->file->flags() & ~kSettable) | (static_cast<int>(a[2]) & kSettable));
      return SyscallResult::Value(0);
    }
    case F_GETPIPE_SZ:
    case F_SETPIPE_SZ: {
      // F_SETPIPE_SZ takes an int, as Linux reads it.
      absl::StatusOr<int64_t> size = e->file->PipeSize(
          static_cast<int>(a[1]) == F_GETPIPE_SZ
              ? std::nullopt
              : std::optional<uint64_t>(static_cast<unsigned int>(a[2])));
      return size.ok() ? SyscallResult::Value(*size) : FromStatus(size.status());
    }
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
      return FcntlLock(t, e->file, static_cast<int>(a[1]), a[2]);
    case F_ADD_SEALS:
    case F_GET_SEALS:
      return FcntlSeals(*e->file, static_cast<int>(a[1]), a[2]);
    default:
      LogDebug("fcntl command ", a[1], " not supported");
      return SyscallResult::Error(EINVAL);
  }
}

SyscallResult DoPipe(Task& t, uint64_t addr, int flags) {
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) return SyscallResult::Error(EINVAL);
  auto [r, w] = fs::Pipe::Create(t.kernel(), flags);
  absl::StatusOr<int> rfd = Fds(t).Install(r, flags & O_CLOEXEC, 0, NofileLimit(t));
  if (!rfd.ok()) return FromStatus(rfd.status());
  absl::StatusOr<int> wfd = Fds(t).Install(w, flags & O_CLOEXEC, 0, NofileLimit(t));
  if (!wfd.ok()) {
    (void)Fds(t).Close(*rfd);
    return FromStatus(wfd.status());
  }
  int32_t fds[2] = {*rfd, *wfd};
  if (absl::Status s = t.mm->CopyOutObject(addr, fds); !s.ok()) {
    (void)Fds(t).Close(*rfd);
    (void)Fds(t).Close(*wfd);
    return FromStatus(s);
  }
  return SyscallResult::Value(0);
}

SyscallResult Pipe(Task& t, const SyscallArgs& a) { return DoPipe(t, a[0], 0); }
SyscallResult Pipe2(Task& t, const SyscallArgs& a) { return DoPipe(t, a[0], static_cast<int>(a[1])); }

SyscallResult Ioctl(Task& t, const SyscallArgs& a) {
  std::shared_ptr<fs::File> f = Fds(t).Get(static_cast<int>(a[0]));
  if (!f) return SyscallResult::Error(EBADF);
  switch (a[1]) {
    case FIOCLEX: return FromStatus(Fds(t).SetCloexec(static_cast<int>(a[0]), true));
    case FIONCLEX: return FromStatus(Fds(t).SetCloexec(static_cast<int>(a[0]), false));
    case FIONBIO: {
      int32_t on;
      RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[2], on));
      f->set_flags(on ? (f->flags() | O_NONBLOCK) : (f->flags() & ~O_NONBLOCK));
      return SyscallResult::Value(0);
    }
  }
  absl::StatusOr<int64_t> r = f->Ioctl(t, a[1], a[2]);
  return r.ok() ? SyscallResult::Value(*r) : FromStatus(r.status());
}

SyscallResult CopyOutStat(Task& t, uint64_t addr, const absl::StatusOr<struct stat>& st) {
  if (!st.ok()) return FromStatus(st.status());
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(addr, *st));
  return SyscallResult::Value(0);
}

// The file fstatat and statx look at: `path` from `dirfd` (following a
// last symlink unless AT_SYMLINK_NOFOLLOW), or with AT_EMPTY_PATH and an
// empty path the file of `dirfd` itself.
absl::StatusOr<struct stat> StatAt(Task& t, int dirfd, const std::string& path, int flags) {
  if (path.empty() && (flags & AT_EMPTY_PATH)) {
    if (dirfd == AT_FDCWD) return FsCtx(t).cwd->node->Stat();
    std::shared_ptr<fs::File> f = Fds(t).GetIncludingOPath(dirfd);
    if (!f) return ErrnoError(EBADF, "bad dirfd");
    return f->Stat();
  }
  absl::StatusOr<std::shared_ptr<fs::Dentry>> d =
      VfsOf(t).ResolveAt(t, dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW));
  if (!d.ok()) return d.status();
  return (*d)->node->Stat();
}

SyscallResult DoStatAt(Task& t, int dirfd, uint64_t path_addr, uint64_t stat_addr, int flags) {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT)) {
    return SyscallResult::Error(EINVAL);
  }
  absl::StatusOr<std::string> path = CopyInPath(t, path_addr);
  if (!path.ok()) return FromStatus(path.status());
  return CopyOutStat(t, stat_addr, StatAt(t, dirfd, *path, flags));
}

// statx(2) from what stat(2) knows: the basic stats, which is what Linux
// reports for most filesystems (no birth time, attributes or mount id).
// Checks in Linux's order: the path (a null one counts as empty with
// AT_EMPTY_PATH, as since Linux 6.11), the mask's reserved bit, the sync
// type, the flags; then the file.
SyscallResult Statx(Task& t, const SyscallArgs& a) {
  const int dirfd = static_cast<int>(a[0]);
  const int flags = static_cast<int>(a[2]);
  const uint32_t mask = static_cast<uint32_t>(a[3]);
  std::string path;
  if (a[1] != 0 || !(flags & AT_EMPTY_PATH)) {
    absl::StatusOr<std::string> copied = CopyInPath(t, a[1]);
    if (!copied.ok()) return FromStatus(copied.status());
    path = std::move(*copied);
  }
  if (mask & STATX__RESERVED) return SyscallResult::Error(EINVAL);
  if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE) return SyscallResult::Error(EINVAL);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)) {
    return SyscallResult::Error(EINVAL);
  }
  absl::StatusOr<struct stat> st = StatAt(t, dirfd, path, flags);
  if (!st.ok()) return FromStatus(st.status());
  struct statx stx {};
  stx.stx_mask = STATX_BASIC_STATS;
  stx.stx_blksize = static_cast<uint32_t>(st->st_blksize);
  stx.stx_nlink = static_cast<uint32_t>(st->st_nlink);
  stx.stx_uid = st->st_uid;
  stx.stx_gid = st->st_gid;
  stx.stx_mode = static_cast<uint16_t>(st->st_mode);
  stx.stx_ino = st->st_ino;
  stx.stx_size = static_cast<uint64_t>(st->st_size);
  stx.stx_blocks = static_cast<uint64_t>(st->st_blocks);
  auto timestamp = [](const struct timespec& ts) {
    return statx_timestamp{ts.tv_sec, static_cast<uint32_t>(ts.tv_nsec), 0};
  };
  stx.stx_atime = timestamp(st->st_atim);
  stx.stx_mtime = timestamp(st->st_mtim);
  stx.stx_ctime = timestamp(st->st_ctim);
  stx.stx_rdev_major = major(st->st_rdev);
  stx.stx_rdev_minor = minor(st->st_rdev);
  stx.stx_dev_major = major(st->st_dev);
  stx.stx_dev_minor = minor(st->st_dev);
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[4], stx));
  return SyscallResult::Value(0);
}

SyscallResult Stat(Task& t, const SyscallArgs& a) { return DoStatAt(t, AT_FDCWD, a[0], a[1], 0); }
SyscallResult Lstat(Task& t, const SyscallArgs& a) {
  return DoStatAt(t, AT_FDCWD, a[0], a[1], AT_SYMLINK_NOFOLLOW);
}
SyscallResult Newfstatat(Task& t, const SyscallArgs& a) {
  return DoStatAt(t, static_cast<int>(a[0]), a[1], a[2], static_cast<int>(a[3]));
}
SyscallResult Fstat(Task& t, const SyscallArgs& a) {
  std::shared_ptr<fs::File> f = Fds(t).GetIncludingOPath(static_cast<int>(a[0]));
  if (!f) return SyscallResult::Error(EBADF);
  return CopyOutStat(t, a[1], f->Stat());
}

// Linux's access_override_creds: access(2), and faccessat without
// AT_EACCESS, answer for the real ids. The check, path walk included, runs
// with the real uid and gid as fs ids, and with no capabilities unless the
// real uid is root (who then has all its permitted ones). The task's own
// ids come back when this goes.
class RealIdsForAccess {
 public:
  explicit RealIdsForAccess(Task& t) : t_(t), saved_(t.creds) {
    absl::MutexLock lock(&t_.kernel().mu);
    sentry::Credentials& c = t_.creds;
    c.fsuid = c.uid;
    c.fsgid = c.gid;
    c.cap_effective = c.uid == 0 ? c.cap_permitted : 0;
  }
  ~RealIdsForAccess() {
    absl::MutexLock lock(&t_.kernel().mu);
    t_.creds.fsuid = saved_.fsuid;
    t_.creds.fsgid = saved_.fsgid;
    t_.creds.cap_effective = saved_.cap_effective;
  }
  RealIdsForAccess(const RealIdsForAccess&) = delete;
  RealIdsForAccess& operator=(const RealIdsForAccess&) = delete;

 private:
  Task& t_;
  const sentry::Credentials saved_;
};

// faccessat2(2) and its older forms, in Linux's order: mode, flags, the
// path, then the permission bits (R_OK/W_OK/X_OK are MAY_READ/WRITE/EXEC).
SyscallResult DoAccess(Task& t, int dirfd, uint64_t path_addr, int mode, int flags) {
  if (mode & ~(R_OK | W_OK | X_OK)) return SyscallResult::Error(EINVAL);
  if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) {
    return SyscallResult::Error(EINVAL);
  }
  absl::StatusOr<std::string> path = CopyInPath(t, path_addr);
  if (!path.ok()) return FromStatus(path.status());
  std::optional<RealIdsForAccess> real_ids;
  if (!(flags & AT_EACCESS)) real_ids.emplace(t);
  absl::StatusOr<struct stat> st = StatAt(t, dirfd, *path, flags);
  if (!st.ok()) return FromStatus(st.status());
  return FromStatus(fs::FileAccess::Of(*st).Check(t.creds, mode));
}

SyscallResult Access(Task& t, const SyscallArgs& a) {
  return DoAccess(t, AT_FDCWD, a[0], static_cast<int>(a[1]), 0);
}
SyscallResult Faccessat(Task& t, const SyscallArgs& a) {
  return DoAccess(t, static_cast<int>(a[0]), a[1], static_cast<int>(a[2]), 0);
}
SyscallResult Faccessat2(Task& t, const SyscallArgs& a) {
  return DoAccess(t, static_cast<int>(a[0]), a[1], static_cast<int>(a[2]), static_cast<int>(a[3]));
}

SyscallResult Getdents64(Task& t, const SyscallArgs& a) {
  std::shared_ptr<fs::File> f = Fds(t).Get(static_cast<int>(a[0]));
  if (!f) return SyscallResult::Error(EBADF);
  absl::StatusOr<std::vector<fs::DirEntry>> entries = f->ReadDir();
  if (!entries.ok()) return FromStatus(entries.status());
  // iterate_dir's fsnotify_access, also at the end of the directory.
  fs::NotifyFileEvent(*f, IN_ACCESS);
  const size_t cap = std::min<uint64_t>(a[2], 1 << 20);
  std::vector<uint8_t> out;
  int64_t pos = f->dir_pos;
  for (; pos < static_cast<int64_t>(entries->size()); ++pos) {
    const fs::DirEntry& e = (*entries)[pos];
    const size_t reclen = (offsetof(struct dirent64, d_name) + e.name.size() + 1 + 7) & ~size_t{7};
    if (out.size() + reclen > cap) break;
    size_t at = out.size();
    out.resize(at + reclen, 0);
    auto* d = reinterpret_cast<struct dirent64*>(out.data() + at);
    d->d_ino = e.ino ? e.ino : 1;
    d->d_off = pos + 1;
    d->d_reclen = static_cast<unsigned short>(reclen);
    d->d_type = e.type;
    std::memcpy(d->d_name, e.name.c_str(), e.name.size() + 1);
  }
  if (out.empty() && pos < static_cast<int64_t>(entries->size())) return SyscallResult::Error(EINVAL);
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOut(a[1], out));
  f->dir_pos = pos;
  return SyscallResult::Value(static_cast<int64_t>(out.size()));
}

// readlinkat(2). Linux takes the size as an int (a 32-bit -1 is EINVAL,
// however the register's upper half looks) and the path with LOOKUP_EMPTY:
// an empty one names the dirfd itself, which then must be a symlink opened
// with O_PATH | O_NOFOLLOW (ENOENT if it is anything else).
SyscallResult DoReadlink(Task& t, int dirfd, uint64_t path_addr, uint64_t buf, int size) {
  if (size <= 0) return SyscallResult::Error(EINVAL);
  absl::StatusOr<std::string> path = CopyInPath(t, path_addr);
  if (!path.ok()) return FromStatus(path.status());
  absl::StatusOr<std::shared_ptr<fs::Dentry>> d;
  if (path->empty()) {
    d = DentryOfFd(t, dirfd);
    if (!d.ok() && ErrnoOf(d.status()) == EINVAL) return SyscallResult::Error(ENOENT);
    if (d.ok() && (*d)->node->Type() != S_IFLNK) return SyscallResult::Error(ENOENT);
  } else {
    d = VfsOf(t).ResolveAt(t, dirfd, *path, false);
  }
  if (!d.ok()) return FromStatus(d.status());
  absl::StatusOr<std::string> target = (*d)->node->ReadLink(t);
  if (!target.ok()) return FromStatus(target.status());
  size_t n = std::min<size_t>(target->size(), static_cast<size_t>(size));
  RUNSC_RETURN_IF_ERROR(
      t.mm->CopyOut(buf, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(target->data()), n)));
  return SyscallResult::Value(static_cast<int64_t>(n));
}

SyscallResult Readlink(Task& t, const SyscallArgs& a) {
  return DoReadlink(t, AT_FDCWD, a[0], a[1], static_cast<int>(a[2]));
}
SyscallResult Readlinkat(Task& t, const SyscallArgs& a) {
  return DoReadlink(t, static_cast<int>(a[0]), a[1], a[2], static_cast<int>(a[3]));
}

SyscallResult Getcwd(Task& t, const SyscallArgs& a) {
  const std::shared_ptr<fs::Dentry> dir = FsCtx(t).cwd;
  if (dir->unlinked.load()) return SyscallResult::Error(ENOENT);
  std::string cwd = dir->path;
  if (a[1] < cwd.size() + 1) return SyscallResult::Error(ERANGE);
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOut(
      a[0], absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(cwd.c_str()), cwd.size() + 1)));
  return SyscallResult::Value(static_cast<int64_t>(cwd.size() + 1));
}

// chdir and fchdir need search permission on the directory itself.
SyscallResult SetCwd(Task& t, std::shared_ptr<fs::Dentry> d) {
  if (d->node->Type() != S_IFDIR) return SyscallResult::Error(ENOTDIR);
  RUNSC_RETURN_IF_ERROR(d->node->CheckSearch(t));
  FsCtx(t).cwd = std::move(d);
  return SyscallResult::Value(0);
}

SyscallResult Chdir(Task& t, const SyscallArgs& a) {
  absl::StatusOr<std::string> path = CopyInPath(t, a[0]);
  if (!path.ok()) return FromStatus(path.status());
  absl::StatusOr<std::shared_ptr<fs::Dentry>> d = VfsOf(t).ResolveAt(t, AT_FDCWD, *path, true);
  if (!d.ok()) return FromStatus(d.status());
  return SetCwd(t, *d);
}

SyscallResult Fchdir(Task& t, const SyscallArgs& a) {
  std::shared_ptr<fs::File> f = Fds(t).GetIncludingOPath(static_cast<int>(a[0]));
  if (!f) return SyscallResult::Error(EBADF);
  if (!f->dentry) return SyscallResult::Error(ENOTDIR);
  return SetCwd(t, f->dentry);
}

SyscallResult Umask(Task& t, const SyscallArgs& a) {
  mode_t old = FsCtx(t).umask;
  FsCtx(t).umask = static_cast<mode_t>(a[0]) & 0777;
  return SyscallResult::Value(old);
}

}  // namespace

void RegisterFile(SyscallTable& t) {
  t[SYS_open] = {"open", Open, Support::kPartial, "O_TMPFILE only on tmpfs; O_CREAT through a dangling symlink is ENOENT"};
  t[SYS_openat] = {"openat", Openat, Support::kPartial, "O_TMPFILE only on tmpfs; O_CREAT through a dangling symlink is ENOENT"};
  t[SYS_creat] = {"creat", Creat, Support::kPartial, "O_CREAT through a dangling symlink is ENOENT"};
  t[SYS_close] = {"close", Close, Support::kFull, ""};
  t[SYS_dup] = {"dup", Dup, Support::kFull, ""};
  t[SYS_dup2] = {"dup2", Dup2, Support::kFull, ""};
  t[SYS_dup3] = {"dup3", Dup3, Support::kFull, ""};
  t[SYS_fcntl] = {"fcntl", Fcntl, Support::kPartial, "pipe sizes, seals, POSIX/OFD record locks (not on pipes/sockets); no F_SETOWN"};
  t[SYS_pipe] = {"pipe", Pipe, Support::kFull, ""};
  t[SYS_pipe2] = {"pipe2", Pipe2, Support::kFull, ""};
  t[SYS_ioctl] = {"ioctl", Ioctl, Support::kPartial, "ttys (termios, window size, job control, pty TIOCGPTN/TIOCSPTLCK/TIOCGPTPEER/TIOCPKT), FIONREAD, FIONBIO, FIOCLEX"};
  t[SYS_stat] = {"stat", Stat, Support::kFull, ""};
  t[SYS_lstat] = {"lstat", Lstat, Support::kFull, ""};
  t[SYS_fstat] = {"fstat", Fstat, Support::kFull, ""};
  t[SYS_newfstatat] = {"newfstatat", Newfstatat, Support::kFull, ""};
  t[SYS_statx] = {"statx", Statx, Support::kPartial,
                  "the basic stats; no birth time, attributes or mount id"};
  constexpr const char* kNoErofs = "no EROFS for W_OK on a read-only mount";
  t[SYS_access] = {"access", Access, Support::kPartial, kNoErofs};
  t[SYS_faccessat] = {"faccessat", Faccessat, Support::kPartial, kNoErofs};
  t[SYS_faccessat2] = {"faccessat2", Faccessat2, Support::kPartial, kNoErofs};
  t[SYS_getdents64] = {"getdents64", Getdents64, Support::kFull, ""};
  t[SYS_readlink] = {"readlink", Readlink, Support::kFull, ""};
  t[SYS_readlinkat] = {"readlinkat", Readlinkat, Support::kFull, ""};
  t[SYS_getcwd] = {"getcwd", Getcwd, Support::kFull, ""};
  t[SYS_chdir] = {"chdir", Chdir, Support::kFull, ""};
  t[SYS_fchdir] = {"fchdir", Fchdir, Support::kFull, ""};
  t[SYS_umask] = {"umask", Umask, Support::kFull, ""};
}

}  // namespace runsc::syscalls
