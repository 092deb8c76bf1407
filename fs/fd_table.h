// A process's file descriptor table.
#ifndef RUNSC_FS_FD_TABLE_H_
#define RUNSC_FS_FD_TABLE_H_

#include <map>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "fs/file.h"

namespace runsc::fs {

class Vfs;

class FdTable {
 public:
  static constexpr int kMaxFds = 1 << 20;

  FdTable() = default;
  ~FdTable();

  struct Entry {
    std::shared_ptr<File> file;
    bool cloexec = false;
  };

  // The lowest free fd >= min_fd, below `limit` (RLIMIT_NOFILE): EMFILE if
  // none, EINVAL if min_fd is negative.
  [[nodiscard]] absl::StatusOr<int> Install(std::shared_ptr<File> file, bool cloexec,
                                            int min_fd = 0, int limit = 1024);
  // Puts `file` at exactly `fd`, closing what was there (dup2).
  void InstallAt(int fd, std::shared_ptr<File> file, bool cloexec);
  // The open file at `fd`, or null. As Linux's fdget(), an O_PATH fd
  // gives null too: it names a file without opening it, so nothing may be
  // read, written, listed, mapped or changed through it (EBADF).
  std::shared_ptr<File> Get(int fd) const;
  // The open file at `fd`, O_PATH ones included (Linux's fdget_raw): for
  // the calls that only need to know which file it is (fstat, fstatfs,
  // fchdir, dup, fcntl, close, the dirfd of the *at calls and their
  // AT_EMPTY_PATH, execveat, SCM_RIGHTS), or null.
  std::shared_ptr<File> GetIncludingOPath(int fd) const;
  // The slot itself (O_PATH fds included): EBADF if `fd` is not open.
  absl::StatusOr<Entry> GetEntry(int fd) const;
  absl::Status SetCloexec(int fd, bool cloexec);
  [[nodiscard]] absl::Status Close(int fd);
  void CloseOnExec();
  std::shared_ptr<FdTable> Fork() const;
  std::map<int, Entry> Snapshot() const;

 private:
  mutable absl::Mutex mu_;
  std::map<int, Entry> fds_ ABSL_GUARDED_BY(mu_);
};

// Per-process filesystem state: root, working directory and umask.
struct FsContext {
  Vfs* vfs = nullptr;  // The sandbox's VFS; outlives every task.
  std::shared_ptr<Dentry> root;
  std::shared_ptr<Dentry> cwd;
  mode_t umask = 022;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_FD_TABLE_H_
