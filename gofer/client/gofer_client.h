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
#include <memory>
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

class GoferClient {
 public:
  // Takes ownership of `socket`, one end of a SOCK_SEQPACKET socketpair whose
  // other end a gofer serves.
  explicit GoferClient(UniqueFd socket);
  ~GoferClient();

  // The root of the served tree. Every other id descends from it.
  [[nodiscard]] absl::StatusOr<WalkedFile> Attach();

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

  // Forgets `file`; its id is invalid afterwards.
  [[nodiscard]] absl::Status Close(FileId file);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace runsc::gofer

#endif  // RUNSC_GOFER_CLIENT_GOFER_CLIENT_H_
