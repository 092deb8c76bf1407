// tmpfs: a filesystem that lives in the sentry's memory (DESIGN §5).
//
// Directories, symlinks, FIFOs and sockets are sentry objects; a regular
// file's bytes live in a memfd the sentry makes (lazily, at the first write,
// truncate or mmap), so reads and writes are pread/pwrite on it and HostFd()
// hands it to the mmap path, which maps it MAP_SHARED into the application
// like any host fd.
//
// Permissions are checked here against the task's fs credentials (fsuid,
// fsgid, groups, capabilities), as Linux's VFS does for every filesystem;
// callers apply the umask. New files belong to the task's fsuid and fsgid
// (or the directory's group under a set-gid directory).
//
// Known differences from Linux's tmpfs: a file counts against size= by its
// size rounded up to pages, holes included (Linux counts allocated pages, so
// a sparse ftruncate past the limit works there and is ENOSPC here);
// nr_inodes= is accepted and not enforced; FIFOs and sockets can be made and
// stat'ed, and opening a FIFO is ENXIO (the pipe code has no named ends yet);
// device nodes are refused (EPERM).
#ifndef RUNSC_FS_TMPFS_H_
#define RUNSC_FS_TMPFS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "fs/file.h"

namespace runsc::fs {

struct TmpfsOptions {
  uint64_t size_bytes = 0;  // size=: 0 for no limit.
  mode_t mode = 01777;      // mode= of the root directory.
  uid_t uid = 0;            // uid= of the root directory.
  gid_t gid = 0;            // gid= of the root directory.
  bool read_only = false;   // Every change is EROFS (a masked directory, an "ro" mount).
  // ST_NOSUID | ST_NODEV | ST_NOEXEC, as statfs(2) reports them.
  unsigned long statfs_flags = 0;
};

// The tmpfs-specific mount options ("size=64m", "mode=1777", "uid=0",
// "gid=0", "nr_inodes=..."), as mount(8) writes them; sizes take k/m/g/t
// suffixes or a % of the machine's memory. An unknown option or a bad value
// is an InvalidArgument error naming it.
[[nodiscard]] absl::StatusOr<TmpfsOptions> ParseTmpfsOptions(
    const std::vector<std::string>& options);

// The root directory of a new, empty tmpfs.
std::shared_ptr<Node> NewTmpfs(const TmpfsOptions& options);

}  // namespace runsc::fs

#endif  // RUNSC_FS_TMPFS_H_
