// Advisory locks: fcntl's record locks (POSIX and OFD) and flock(2). The
// lock table (fs/file_lock_table.h) does the work; this decodes struct
// flock and turns l_whence/l_start/l_len into a byte range.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/logging.h"
#include "fs/fd_table.h"
#include "fs/file_lock_table.h"
#include "syscalls/file_lock.h"
#include "syscalls/helpers.h"

namespace runsc::syscalls {
namespace {

using sentry::Task;

// Which owner waits for which, for F_SETLKW's EDEADLK. One sandbox per
// sentry process, and guarded by the kernel's mutex like every lock table.
fs::LockWaitGraph& WaitGraph() {
  static fs::LockWaitGraph* graph = new fs::LockWaitGraph;
  return *graph;
}

absl::StatusOr<std::shared_ptr<fs::FileLocks>> LocksOf(Task& t, const fs::File& file) {
  if (file.dentry == nullptr || file.dentry->node == nullptr) {
    // Pipes, sockets and anonymous files have no node to hang a table on.
    LogDebug("advisory lock on a file with no node (", file.Path(), ") not supported");
    return ErrnoError(EINVAL, "locks are only supported on files with a name");
  }
  return file.dentry->node->Locks(t.kernel().mu, t.kernel().cv);
}

// [start, end) of a struct flock, as fs/locks.c's flock_to_posix_lock.
absl::StatusOr<std::pair<uint64_t, uint64_t>> RangeOf(fs::File& file, const struct flock& fl) {
  int64_t base = 0;
  switch (fl.l_whence) {
    case SEEK_SET: break;
    case SEEK_CUR: {
      absl::StatusOr<int64_t> pos = file.Seek(0, SEEK_CUR);
      if (!pos.ok()) return pos.status();
      base = *pos;
      break;
    }
    case SEEK_END: {
      absl::StatusOr<struct stat> st = file.Stat();
      if (!st.ok()) return st.status();
      base = st->st_size;
      break;
    }
    default: return ErrnoError(EINVAL, "bad l_whence");
  }
  int64_t start;
  if (__builtin_add_overflow(base, static_cast<int64_t>(fl.l_start), &start)) {
    return ErrnoError(EOVERFLOW, "lock start overflows");
  }
  if (start < 0) return ErrnoError(EINVAL, "lock starts before the file");
  if (fl.l_len == 0) return std::make_pair(static_cast<uint64_t>(start), fs::FileLockTable::kToEof);
  if (fl.l_len > 0) {
    int64_t last;
    if (__builtin_add_overflow(start, static_cast<int64_t>(fl.l_len) - 1, &last)) {
      return ErrnoError(EOVERFLOW, "lock end overflows");
    }
    return std::make_pair(static_cast<uint64_t>(start), static_cast<uint64_t>(last) + 1);
  }
  // A negative length locks the bytes before l_start.
  const int64_t first = start + static_cast<int64_t>(fl.l_len);
  if (first < 0) return ErrnoError(EINVAL, "lock starts before the file");
  return std::make_pair(static_cast<uint64_t>(first), static_cast<uint64_t>(start));
}

}  // namespace

SyscallResult FcntlLock(Task& t, const std::shared_ptr<fs::File>& file, int cmd, uint64_t addr) {
  struct flock fl;
  RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(addr, fl));
  const bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
  if (ofd && fl.l_pid != 0) return SyscallResult::Error(EINVAL);
  if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK) {
    return SyscallResult::Error(EINVAL);
  }
  absl::StatusOr<std::pair<uint64_t, uint64_t>> range = RangeOf(*file, fl);
  if (!range.ok()) return FromStatus(range.status());
  absl::StatusOr<std::shared_ptr<fs::FileLocks>> locks = LocksOf(t, *file);
  if (!locks.ok()) return FromStatus(locks.status());
  fs::FileLockTable& table = (*locks)->record;
  // POSIX locks belong to the fd table (shared by CLONE_FILES threads, not
  // by a forked child), OFD locks to the open file description.
  const fs::LockOwner owner = ofd ? static_cast<fs::LockOwner>(file.get())
                                  : static_cast<fs::LockOwner>(t.fds.get());
  const fs::LockType type = fl.l_type == F_WRLCK ? fs::LockType::kWrite : fs::LockType::kRead;
  const auto [start, end] = *range;

  if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
    if (fl.l_type == F_UNLCK) return SyscallResult::Error(EINVAL);
    std::optional<fs::FileLock> conflict;
    {
      absl::MutexLock lock(&t.kernel().mu);
      conflict = table.ConflictLocked(owner, type, start, end);
    }
    if (!conflict) {
      fl.l_type = F_UNLCK;
    } else {
      fl.l_type = conflict->type == fs::LockType::kWrite ? F_WRLCK : F_RDLCK;
      fl.l_whence = SEEK_SET;
      fl.l_start = static_cast<off_t>(conflict->start);
      fl.l_len = conflict->end == fs::FileLockTable::kToEof
                     ? 0
                     : static_cast<off_t>(conflict->end - conflict->start);
      fl.l_pid = conflict->pid;
    }
    RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(addr, fl));
    return SyscallResult::Value(0);
  }

  if (fl.l_type == F_UNLCK) {
    absl::MutexLock lock(&t.kernel().mu);
    table.UnlockLocked(owner, start, end);
    return SyscallResult::Value(0);
  }
  const int mode = file->flags() & O_ACCMODE;
  if ((type == fs::LockType::kWrite && mode == O_RDONLY) ||
      (type == fs::LockType::kRead && mode == O_WRONLY)) {
    return SyscallResult::Error(EBADF);
  }
  const bool wait = cmd == F_SETLKW || cmd == F_OFD_SETLKW;
  fs::FileLock want{.owner = owner, .pid = ofd ? -1 : t.tgid(), .type = type, .start = start,
                    .end = end};
  absl::MutexLock lock(&t.kernel().mu);
  absl::Status s = table.LockLocked(want, wait, ofd ? nullptr : &WaitGraph(),
                                    [&t]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                      return t.InterruptedLocked();
                                    });
  // F_SETLK's conflict is EAGAIN here, as Linux (POSIX also allows EACCES).
  return s.ok() ? SyscallResult::Value(0) : FromStatus(s);
}

namespace {

SyscallResult Flock(Task& t, const SyscallArgs& a) {
  std::shared_ptr<fs::File> file = Fds(t).Get(static_cast<int>(a[0]));
  if (!file) return SyscallResult::Error(EBADF);
  const int op = static_cast<int>(a[1]);
  const bool nonblock = op & LOCK_NB;
  const int what = op & ~LOCK_NB;
  if (what != LOCK_SH && what != LOCK_EX && what != LOCK_UN) return SyscallResult::Error(EINVAL);
  absl::StatusOr<std::shared_ptr<fs::FileLocks>> locks = LocksOf(t, *file);
  if (!locks.ok()) return FromStatus(locks.status());
  fs::FileLockTable& table = (*locks)->flock;
  const fs::LockOwner owner = file.get();
  absl::MutexLock lock(&t.kernel().mu);
  if (what == LOCK_UN) {
    table.UnlockLocked(owner, 0, fs::FileLockTable::kToEof);
    return SyscallResult::Value(0);
  }
  // A conversion is not atomic on Linux either: the old lock goes first, so
  // a waiting converter does not keep others out.
  const fs::LockType type = what == LOCK_EX ? fs::LockType::kWrite : fs::LockType::kRead;
  if (table.ConflictLocked(owner, type, 0, fs::FileLockTable::kToEof)) {
    table.UnlockLocked(owner, 0, fs::FileLockTable::kToEof);
  }
  fs::FileLock want{.owner = owner, .pid = t.tgid(), .type = type, .start = 0,
                    .end = fs::FileLockTable::kToEof};
  absl::Status s = table.LockLocked(want, !nonblock, nullptr,
                                    [&t]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                      return t.InterruptedLocked();
                                    });
  if (!s.ok() && ErrnoOf(s) == EAGAIN) return SyscallResult::Error(EWOULDBLOCK);
  return s.ok() ? SyscallResult::Value(0) : FromStatus(s);
}

}  // namespace

void RegisterFlock(SyscallTable& t) {
  t[SYS_flock] = {"flock", Flock, Support::kPartial,
                  "sentry lock table; not on pipes/sockets (EINVAL), not shared with the host"};
}

}  // namespace runsc::syscalls
