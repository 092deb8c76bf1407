// The gofer's side of one connection (DESIGN §6).
//
// A GoferServer hands out FileIds for host files below its root and answers
// requests about them. Every request is hostile input: the sentry that sends
// them is assumed to be compromised. So:
//  - the operation is checked before any handler runs, and a message that
//    does not decode, names no operation, is too big or carries fds gets an
//    EINVAL reply (a request that decodes but is refused gets the errno of
//    the refusal: EBADF, EROFS, ELOOP...);
//  - names are single components ("" "." ".." '/' NUL refused with EINVAL) and
//    are looked up fd-relative with O_NOFOLLOW: no host path string with '/'
//    is ever built and no symlink is ever followed on the host;
//  - ids name O_PATH fds, which cannot read, write or change the file;
//  - extended attributes are served in the user.* namespace only (see
//    gofer.proto for why);
//  - only regular files are opened and donated (see Open in the .cc for why
//    directories are not).
// The server never crashes on input and never leaks an fd.
//
// One GoferServer serves one connection and owns that connection's state (the
// id table). Another connection gets its own GoferServer over a dup of the
// root fd, on its own thread; the objects share nothing mutable.
#ifndef RUNSC_GOFER_SERVER_GOFER_SERVER_H_
#define RUNSC_GOFER_SERVER_GOFER_SERVER_H_

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/unique_fd.h"
#include "gofer/proto/gofer.pb.h"

namespace runsc::gofer {

// A bind mount the gofer serves besides the root (OCI "bind" mounts): the
// host directory or file, opened before the gofer confined itself.
struct GoferMount {
  UniqueFd fd;         // O_PATH of the directory or file itself.
  // For a file: its directory (O_PATH) and its name there, which the gofer
  // opens it through for I/O, as for every non-directory id.
  UniqueFd parent;
  std::string name;
  bool read_only = false;  // "ro": refused with EROFS like a read-only root.
};

struct GoferServerOptions {
  // root.readonly: refuse opens for writing (and O_TRUNC) and every mutation
  // (create, mkdir, mknod, symlink, link, unlink, rename, setattr) with EROFS.
  bool read_only = false;
  // Most ids one connection may hold at once; past it, EMFILE. Each id holds
  // at most two host fds, so this bounds the gofer's fds per connection.
  size_t max_files = 100'000;
};

class GoferServer {
 public:
  // `root` is a directory fd (O_PATH is enough) for the top of the served
  // tree; nothing above it can be named. `mounts` are attached as mount
  // 1, 2, ... (AttachRequest.mount); ids keep the mount they were reached
  // from, whose read-only flag applies to them, and link or rename between
  // two mounts is EXDEV as between two Linux mounts.
  GoferServer(UniqueFd root, GoferServerOptions options, std::vector<GoferMount> mounts = {});
  ~GoferServer();
  GoferServer(const GoferServer&) = delete;
  GoferServer& operator=(const GoferServer&) = delete;

  // Serves requests arriving on `socket` (a SOCK_SEQPACKET end, not owned)
  // until the peer hangs up, which returns OK. An error means the socket
  // itself failed. Bad requests never end the loop.
  [[nodiscard]] absl::Status Serve(int socket);

  // A reply as it goes on the wire: the response and, for Open, the fd.
  struct Reply {
    proto::Response response;
    UniqueFd fd;
  };

  // Decodes and answers one request message exactly as it came off the
  // socket. Never fails: bad input gets an error response. Serve() uses it;
  // it is public so a fuzzer can drive the decoder without a socket.
  Reply HandleMessage(absl::string_view bytes);

  // Ids currently held by the connection.
  size_t open_file_count() const { return files_.size(); }

 private:
  using FileId = uint64_t;

  // What an id names.
  struct File {
    std::shared_ptr<const UniqueFd> fd;  // O_PATH|O_NOFOLLOW: the file itself.
    mode_t type = 0;                     // S_IFMT bits, as walked.
    // For a non-directory, the directory it was walked from and its name
    // there: an O_PATH fd cannot be reopened for I/O without /proc, so Open
    // goes through these. Holding the parent's fd rather than its File keeps
    // every id at two fds at most, however deep the walk.
    std::shared_ptr<const UniqueFd> parent;
    std::string name;
    uint32_t mount = 0;  // 0: the root; n: mounts_[n - 1].
  };

  // What an attach of `mount` starts from.
  struct Root {
    std::shared_ptr<const UniqueFd> fd;
    std::shared_ptr<const UniqueFd> parent;  // Null for a directory.
    std::string name;
    bool read_only = false;
  };
  bool ReadOnly(uint32_t mount) const { return roots_[mount].read_only; }

  // Each handler reads its own member of the request oneof (the dispatcher
  // guarantees it is the one set) and fills the matching member of the
  // response, or returns the errno status to reply with.
  using Handler = absl::Status (GoferServer::*)(const proto::Request&, Reply&);
  absl::Status Attach(const proto::Request& request, Reply& reply);
  absl::Status Walk(const proto::Request& request, Reply& reply);
  absl::Status Stat(const proto::Request& request, Reply& reply);
  absl::Status Open(const proto::Request& request, Reply& reply);
  absl::Status ReadDir(const proto::Request& request, Reply& reply);
  absl::Status ReadLink(const proto::Request& request, Reply& reply);
  absl::Status Close(const proto::Request& request, Reply& reply);
  absl::Status Create(const proto::Request& request, Reply& reply);
  absl::Status Mkdir(const proto::Request& request, Reply& reply);
  absl::Status Mknod(const proto::Request& request, Reply& reply);
  absl::Status Symlink(const proto::Request& request, Reply& reply);
  absl::Status Link(const proto::Request& request, Reply& reply);
  absl::Status Unlink(const proto::Request& request, Reply& reply);
  absl::Status Rename(const proto::Request& request, Reply& reply);
  absl::Status SetAttr(const proto::Request& request, Reply& reply);
  absl::Status StatFs(const proto::Request& request, Reply& reply);
  absl::Status GetXattr(const proto::Request& request, Reply& reply);
  absl::Status SetXattr(const proto::Request& request, Reply& reply);
  absl::Status ListXattr(const proto::Request& request, Reply& reply);
  absl::Status RemoveXattr(const proto::Request& request, Reply& reply);

  // An fd of `file` that the f*xattr calls accept (they refuse O_PATH fds):
  // a directory reopened as ".", a regular file reopened O_RDONLY through
  // the (parent, name) it was walked by, never following, and checked to be
  // the same inode (ESTALE if it was replaced). Only those two types are
  // ever opened: the caller answers for the others without touching them.
  [[nodiscard]] absl::StatusOr<UniqueFd> OpenForXattr(const File& file) const;

  // The checked directory fd for a mutation naming (`dir`, `name`): `dir` is
  // a known directory id and `name` one valid component; EROFS in a
  // read-only root (after those checks, so malformed stays EINVAL).
  // `mount` receives the mount the directory is on, if not null.
  [[nodiscard]] absl::StatusOr<std::shared_ptr<const UniqueFd>> MutableDir(
      FileId dir, const std::string& name, uint32_t* mount = nullptr) const;
  // Gives the file just made as `name` in `dir_fd` an id: opens it O_PATH
  // without following, checks it is the `expected` file if given (dev/ino),
  // and inserts it. Fills `id` and `st`.
  [[nodiscard]] absl::Status InsertCreated(const std::shared_ptr<const UniqueFd>& dir_fd,
                                           uint32_t mount, const std::string& name,
                                           const struct stat* expected, FileId& id,
                                           struct stat& st);

  [[nodiscard]] absl::StatusOr<const File*> Lookup(FileId id) const;
  [[nodiscard]] absl::StatusOr<FileId> Insert(File file);

  const GoferServerOptions options_;
  std::vector<Root> roots_;  // [0] the root, then the mounts.
  absl::flat_hash_map<FileId, File> files_;
  FileId next_id_ = 1;  // 0 is never an id; ids are never reused.
  std::vector<char> receive_buffer_;
};

}  // namespace runsc::gofer

#endif  // RUNSC_GOFER_SERVER_GOFER_SERVER_H_
