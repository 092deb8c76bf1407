// Small helpers every handler family shares: typed access to the task's fs
// state and the copy-in/copy-out idioms.
#ifndef RUNSC_SYSCALLS_HELPERS_H_
#define RUNSC_SYSCALLS_HELPERS_H_

#include <fcntl.h>
#include <linux/limits.h>

#include "fs/fd_table.h"
#include "fs/vfs.h"
#include "syscalls/syscall_table.h"

namespace runsc::syscalls {

inline fs::FdTable& Fds(sentry::Task& t) { return *static_cast<fs::FdTable*>(t.fds.get()); }
inline fs::FsContext& FsCtx(sentry::Task& t) { return *static_cast<fs::FsContext*>(t.fs.get()); }
inline fs::Vfs& VfsOf(sentry::Task& t) { return *FsCtx(t).vfs; }

// Returns early from a handler with the errno of a failed status.
#define RUNSC_RETURN_IF_ERROR(expr)                          \
  do {                                                       \
    ::absl::Status _st = (expr);                             \
    if (!_st.ok()) return ::runsc::syscalls::FromStatus(_st); \
  } while (0)

inline absl::StatusOr<std::string> CopyInPath(sentry::Task& t, uint64_t addr) {
  return t.mm->CopyInString(addr, PATH_MAX);
}

// Linux's access_ok(): [addr, addr+len) lies in the application's half of
// the address space. read/write check it before anything else (EFAULT),
// so a huge count with a bad buffer is EFAULT, not EINVAL.
inline bool AccessOk(uint64_t addr, uint64_t len) {
  return addr + len >= addr && addr + len <= platform::kMaxUserAddress;
}

// The dentry of `fd` itself, for AT_EMPTY_PATH (an O_PATH fd will do;
// AT_FDCWD is the working directory): EBADF if it is not open, EINVAL if it
// is no file of a filesystem (a pipe, a socket).
inline absl::StatusOr<std::shared_ptr<fs::Dentry>> DentryOfFd(sentry::Task& t, int fd) {
  if (fd == AT_FDCWD) return FsCtx(t).cwd;
  std::shared_ptr<fs::File> f = Fds(t).GetIncludingOPath(fd);
  if (f == nullptr) return ErrnoError(EBADF, "bad fd");
  if (f->dentry == nullptr) return ErrnoError(EINVAL, "fd names no file of a filesystem");
  return f->dentry;
}

inline int NofileLimit(sentry::Task& t) {
  return static_cast<int>(std::min<uint64_t>(t.rlimits[RLIMIT_NOFILE].rlim_cur, fs::FdTable::kMaxFds));
}

}  // namespace runsc::syscalls

#endif  // RUNSC_SYSCALLS_HELPERS_H_
