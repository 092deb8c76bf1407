// The sentry's side of the gofer protocol (DESIGN §6).
//
// One GoferClient owns one SOCK_SEQPACKET connection to a gofer. Calls are
// synchronous and thread-safe (serialised on the connection). Files are named
// by FileIds the gofer hands out; the sentry never sees host paths.
//
// Errors: a failure the gofer reports for the file (ENOENT, ENOTDIR, EACCES,
// ELOOP, EROFS…) comes back as ErrnoError(<that errno>), so the sentry can hand
// it to the application unchanged. A broken connection or malformed reply is
// ErrnoError(EIO) with a message that says what went wrong.
#ifndef RUNSC_GOFER_CLIENT_GOFER_CLIENT_H_
#define RUNSC_GOFER_CLIENT_GOFER_CLIENT_H_

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "base/unique_fd.h"

namespace runsc::gofer {

using FileId = uint64_t;

// What stat(2) says about a file on the host, as the gofer saw it.
struct FileStat {
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint32_t mode = 0;  // Includes the S_IFMT type bits.
  uint64_t nlink = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t rdev = 0;
  int64_t size = 0;
  int64_t blksize = 0;
  int64_t blocks = 0;
  int64_t atime_sec = 0, atime_nsec = 0;
  int64_t mtime_sec = 0, mtime_nsec = 0;
  int64_t ctime_sec = 0, ctime_nsec = 0;
};

// A file the gofer has opened for the sentry, with what it is.
struct WalkedFile {
  FileId id = 0;
  FileStat stat;
};

struct DirEntry {
  std::string name;
  uint64_t ino = 0;
  uint8_t type = 0;  // DT_* value.
};

// A file Create made, with the fd the gofer donated for it.
struct CreatedFile {
  WalkedFile file;
  UniqueFd fd;
};

// What SetAttr changes: each std::optional that is set.
struct SetAttrRequest {
  std::optional<uint32_t> mode;  // Permission bits (07777).
  // Owner change; a uid or gid of uint32_t(-1) leaves that one unchanged.
  std::optional<std::pair<uint32_t, uint32_t>> owner;
  std::optional<int64_t> size;
  // {atime, mtime}; tv_nsec may be UTIME_NOW or UTIME_OMIT.
  std::optional<std::pair<struct timespec, struct timespec>> times;
};

// statfs(2) of the served filesystem.
struct FsStat {
  int64_t type = 0, bsize = 0;
  uint64_t blocks = 0, bfree = 0, bavail = 0, files = 0, ffree = 0;
  int64_t namelen = 0, frsize = 0, flags = 0;
};

class GoferClient {
 public:
  // Takes ownership of `socket`, one end of a SOCK_SEQPACKET socketpair whose
  // other end a gofer serves.
  explicit GoferClient(UniqueFd socket);
  ~GoferClient();

  // The root of the served tree. Every other id descends from it.
  // `mount` 0 is the root; n > 0 the gofer's n-th bind mount.
  [[nodiscard]] absl::StatusOr<WalkedFile> Attach(uint32_t mount = 0);

  // Looks up one name component in directory `dir` without following a
  // symlink on the host. `name` must not be "", ".", ".." or contain '/':
  // the gofer refuses those (EINVAL) and so does this client before sending.
  [[nodiscard]] absl::StatusOr<WalkedFile> Walk(FileId dir, absl::string_view name);

  [[nodiscard]] absl::StatusOr<FileStat> Stat(FileId file);

  // Opens `file` with `flags` (O_RDONLY/O_WRONLY/O_RDWR, O_TRUNC, O_APPEND,
  // O_DIRECTORY; O_CREAT, O_NOFOLLOW and O_PATH are refused with EINVAL) and
  // returns the host fd the gofer donated. The caller owns it.
  // Only regular files are donated: a directory gives EISDIR (a directory fd
  // would let its holder walk ".." above the root; list it with ReadDir), a
  // symlink ELOOP, a device node EACCES, a FIFO or socket ENXIO. In a
  // read-only root, opening for writing or with O_TRUNC gives EROFS.
  [[nodiscard]] absl::StatusOr<UniqueFd> Open(FileId file, int flags);

  // All entries of directory `dir`, "." and ".." included.
  [[nodiscard]] absl::StatusOr<std::vector<DirEntry>> ReadDir(FileId dir);

  [[nodiscard]] absl::StatusOr<std::string> ReadLink(FileId file);

  // Mutations. `name` is one component (checked as for Walk). Modes are final
  // permission bits: apply the umask before. In a read-only root each gives
  // EROFS. Host errnos (EEXIST, ENOENT, ENOTEMPTY, EISDIR...) come back as is.

  // Creates `name` in `dir` exclusively (never following or opening what is
  // there: EEXIST) and opens it with `flags` (access mode and status flags).
  [[nodiscard]] absl::StatusOr<CreatedFile> Create(FileId dir, absl::string_view name, int flags,
                                                   uint32_t mode);
  [[nodiscard]] absl::StatusOr<WalkedFile> Mkdir(FileId dir, absl::string_view name,
                                                 uint32_t mode);
  // `mode` includes the type: S_IFIFO or S_IFREG (others: EPERM).
  [[nodiscard]] absl::StatusOr<WalkedFile> Mknod(FileId dir, absl::string_view name,
                                                 uint32_t mode);
  [[nodiscard]] absl::StatusOr<WalkedFile> Symlink(FileId dir, absl::string_view name,
                                                   absl::string_view target);
  // A new name for `target` (not a directory: EPERM).
  [[nodiscard]] absl::StatusOr<WalkedFile> Link(FileId target, FileId dir,
                                                absl::string_view name);
  // `flags` is 0 or AT_REMOVEDIR.
  [[nodiscard]] absl::Status Unlink(FileId dir, absl::string_view name, int flags);
  // `flags` is 0, RENAME_NOREPLACE or RENAME_EXCHANGE.
  [[nodiscard]] absl::Status Rename(FileId old_dir, absl::string_view old_name, FileId new_dir,
                                    absl::string_view new_name, uint32_t flags);
  // Changes what `request` sets, on the file itself (a symlink is not
  // followed; chmod of one is EOPNOTSUPP), and returns the stat after.
  [[nodiscard]] absl::StatusOr<FileStat> SetAttr(FileId file, const SetAttrRequest& request);
  [[nodiscard]] absl::StatusOr<FsStat> StatFs(FileId file);

  // Extended attributes of `file`, user.* only (gofer.proto says why): a
  // name in another namespace is EOPNOTSUPP, a malformed one EINVAL, both
  // refused before sending. A value is at most 64 KiB (E2BIG). Only regular
  // files and directories keep them: otherwise get is ENODATA, set and
  // remove EPERM, the list empty. Set and remove return the stat after
  // (its ctime moved) and are EROFS in a read-only mount.
  [[nodiscard]] absl::StatusOr<std::string> GetXattr(FileId file, absl::string_view name);
  // `flags` is 0, XATTR_CREATE or XATTR_REPLACE.
  [[nodiscard]] absl::StatusOr<FileStat> SetXattr(FileId file, absl::string_view name,
                                                  absl::string_view value, int flags);
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> ListXattr(FileId file);
  [[nodiscard]] absl::StatusOr<FileStat> RemoveXattr(FileId file, absl::string_view name);

  // Forgets `file`; its id is invalid afterwards.
  [[nodiscard]] absl::Status Close(FileId file);

  // Requests sent so far, each one a round trip to the gofer process: what
  // the sentry's caches save is counted in these (tests, runsc debug logs).
  uint64_t RequestsSent() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace runsc::gofer

#endif  // RUNSC_GOFER_CLIENT_GOFER_CLIENT_H_
