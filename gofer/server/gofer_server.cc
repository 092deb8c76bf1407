#include "gofer/server/gofer_server.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "base/logging.h"
#include "gofer/proto/wire.h"

namespace runsc::gofer {
namespace {

// The kernel's O_LARGEFILE bit. glibc defines O_LARGEFILE as 0 on amd64, but
// an application's flags as the sentry receives them may carry the bit, which
// is meaningless on 64-bit and harmless to pass on.
constexpr int kKernelLargeFile = 0100000;

// Open flags a request may carry. Everything else is refused with EINVAL:
// O_CREAT/O_EXCL/O_TMPFILE (creation is its own operation), O_PATH (ids are
// already O_PATH), O_NOFOLLOW (the gofer always adds it; a request asking to
// follow does not exist), and bits this gofer does not know.
constexpr int kAllowedOpenFlags = O_ACCMODE | O_TRUNC | O_APPEND | O_DIRECTORY | O_NONBLOCK |
                                  O_DSYNC | O_SYNC | O_DIRECT | O_NOATIME | kKernelLargeFile |
                                  O_CLOEXEC;

// Upper bound of what one DirEntry adds to a serialized ReadDirResponse beyond
// its name: tags, length prefixes, a 10-byte ino varint, the type.
constexpr size_t kDirEntryOverhead = 24;
// Room for everything in a ReadDirResponse besides the entries.
constexpr size_t kReadDirBudget = kMaxMessageSize - 64;

GoferServer::Reply ErrorReply(const absl::Status& status) {
  GoferServer::Reply reply;
  proto::Error* error = reply.response.mutable_error();
  error->set_linux_errno(ErrnoOf(status, EIO));
  error->set_message(std::string(status.message()));
  return reply;
}

// stat of the file an O_PATH fd names, without following it if it is a symlink.
absl::StatusOr<struct stat> StatFd(int fd) {
  struct stat st;
  if (::fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) {
    return HostError("fstatat of a file id");
  }
  return st;
}

void FillStat(const struct stat& st, proto::Stat* out) {
  out->set_dev(st.st_dev);
  out->set_ino(st.st_ino);
  out->set_mode(st.st_mode);
  out->set_nlink(st.st_nlink);
  out->set_uid(st.st_uid);
  out->set_gid(st.st_gid);
  out->set_rdev(st.st_rdev);
  out->set_size(st.st_size);
  out->set_blksize(st.st_blksize);
  out->set_blocks(st.st_blocks);
  out->set_atime_sec(st.st_atim.tv_sec);
  out->set_atime_nsec(st.st_atim.tv_nsec);
  out->set_mtime_sec(st.st_mtim.tv_sec);
  out->set_mtime_nsec(st.st_mtim.tv_nsec);
  out->set_ctime_sec(st.st_ctim.tv_sec);
  out->set_ctime_nsec(st.st_ctim.tv_nsec);
}

}  // namespace

GoferServer::GoferServer(UniqueFd root, GoferServerOptions options)
    : root_(std::make_shared<const UniqueFd>(std::move(root))),
      options_(options),
      receive_buffer_(kMaxMessageSize) {}

GoferServer::~GoferServer() = default;

absl::Status GoferServer::Serve(int socket) {
  for (;;) {
    absl::StatusOr<ReceivedPacket> packet = ReceivePacket(socket, absl::MakeSpan(receive_buffer_));
    if (!packet.ok()) return packet.status();
    if (packet->hung_up) return absl::OkStatus();

    Reply reply;
    if (!packet->fds.empty() || packet->control_truncated) {
      reply = ErrorReply(ErrnoError(EINVAL, "malformed request: requests carry no fds"));
    } else if (packet->truncated) {
      reply = ErrorReply(ErrnoError(EINVAL, "malformed request: larger than the message limit"));
    } else {
      reply = HandleMessage(absl::string_view(receive_buffer_.data(), packet->size));
    }
    packet->fds.clear();  // Closes whatever a hostile peer attached.

    std::string bytes;
    if (!reply.response.SerializeToString(&bytes) || bytes.size() > kMaxMessageSize) {
      // A handler built a reply the protocol cannot carry: a gofer bug, which
      // the peer hears about rather than gets a message it must reject.
      LogError("gofer reply of ", bytes.size(), " bytes does not fit in a message");
      reply = ErrorReply(ErrnoError(EIO, "gofer reply too large"));
      bytes = reply.response.SerializeAsString();
    }
    absl::Status sent = SendPacket(socket, bytes, reply.fd.get());
    if (!sent.ok()) {
      int err = ErrnoOf(sent);
      if (err == EPIPE || err == ECONNRESET) return absl::OkStatus();  // Peer left mid-request.
      return sent;
    }
  }
}

GoferServer::Reply GoferServer::HandleMessage(absl::string_view bytes) {
  // Message ids are the oneof cases. The table is the whole set of
  // operations: a request is matched against it before any handler runs.
  struct Operation {
    proto::Request::OpCase op;
    Handler handler;
  };
  static constexpr Operation kOperations[] = {
      {proto::Request::kAttach, &GoferServer::Attach},
      {proto::Request::kWalk, &GoferServer::Walk},
      {proto::Request::kStat, &GoferServer::Stat},
      {proto::Request::kOpen, &GoferServer::Open},
      {proto::Request::kReadDir, &GoferServer::ReadDir},
      {proto::Request::kReadLink, &GoferServer::ReadLink},
      {proto::Request::kClose, &GoferServer::Close},
  };

  Reply reply;
  absl::Status status = [&]() -> absl::Status {
    if (bytes.size() > kMaxMessageSize) {
      return ErrnoError(EINVAL, "malformed request: larger than the message limit");
    }
    proto::Request request;
    if (!request.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return ErrnoError(EINVAL, "malformed request: not a Request message");
    }
    for (const Operation& operation : kOperations) {
      if (operation.op == request.op_case()) return (this->*operation.handler)(request, reply);
    }
    return ErrnoError(EINVAL, "malformed request: names no known operation");
  }();
  if (!status.ok()) {
    LogDebug("gofer request refused: ", status.ToString());
    return ErrorReply(status);
  }
  return reply;
}

absl::StatusOr<const GoferServer::File*> GoferServer::Lookup(FileId id) const {
  auto it = files_.find(id);
  if (it == files_.end()) return ErrnoError(EBADF, absl::StrCat("unknown file id ", id));
  return &it->second;
}

absl::StatusOr<GoferServer::FileId> GoferServer::Insert(File file) {
  if (files_.size() >= options_.max_files) {
    return ErrnoError(EMFILE, absl::StrCat("connection already holds ", options_.max_files,
                                           " file ids, the limit"));
  }
  FileId id = next_id_++;
  files_.emplace(id, std::move(file));
  return id;
}

absl::Status GoferServer::Attach(const proto::Request& request, Reply& reply) {
  absl::StatusOr<struct stat> st = StatFd(root_->get());
  if (!st.ok()) return st.status();
  if (!S_ISDIR(st->st_mode)) return ErrnoError(ENOTDIR, "gofer root is not a directory");
  absl::StatusOr<FileId> id = Insert(File{.fd = root_, .type = S_IFDIR});
  if (!id.ok()) return id.status();
  proto::AttachResponse* out = reply.response.mutable_attach();
  out->set_id(*id);
  FillStat(*st, out->mutable_stat());
  return absl::OkStatus();
}

absl::Status GoferServer::Walk(const proto::Request& request, Reply& reply) {
  const proto::WalkRequest& walk = request.walk();
  absl::StatusOr<const File*> dir = Lookup(walk.dir());
  if (!dir.ok()) return dir.status();
  if ((*dir)->type != S_IFDIR) return ErrnoError(ENOTDIR, "walk from a file that is not a directory");
  // Copied once and checked; only this copy is used below.
  const std::string name = walk.name();
  if (absl::Status valid = CheckNameComponent(name); !valid.ok()) return valid;
  if (files_.size() >= options_.max_files) {
    return ErrnoError(EMFILE, "connection already holds the maximum number of file ids");
  }
  // Insert() may move table entries: keep what is needed of the parent.
  std::shared_ptr<const UniqueFd> dir_fd = (*dir)->fd;

  UniqueFd fd(::openat(dir_fd->get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return HostError("walk: openat");
  absl::StatusOr<struct stat> st = StatFd(fd.get());
  if (!st.ok()) return st.status();

  File file{.fd = std::make_shared<const UniqueFd>(std::move(fd)),
            .type = st->st_mode & S_IFMT};
  if (file.type != S_IFDIR) {
    file.parent = std::move(dir_fd);
    file.name = name;
  }
  absl::StatusOr<FileId> id = Insert(std::move(file));
  if (!id.ok()) return id.status();
  proto::WalkResponse* out = reply.response.mutable_walk();
  out->set_id(*id);
  FillStat(*st, out->mutable_stat());
  return absl::OkStatus();
}

absl::Status GoferServer::Stat(const proto::Request& request, Reply& reply) {
  absl::StatusOr<const File*> file = Lookup(request.stat().id());
  if (!file.ok()) return file.status();
  absl::StatusOr<struct stat> st = StatFd((*file)->fd->get());
  if (!st.ok()) return st.status();
  FillStat(*st, reply.response.mutable_stat()->mutable_stat());
  return absl::OkStatus();
}

absl::Status GoferServer::Open(const proto::Request& request, Reply& reply) {
  const proto::OpenRequest& open = request.open();
  absl::StatusOr<const File*> lookup = Lookup(open.id());
  if (!lookup.ok()) return lookup.status();
  const File& file = **lookup;
  const int flags = open.flags();
  if ((flags & ~kAllowedOpenFlags) != 0) {
    return ErrnoError(EINVAL, "open flags outside what the gofer allows "
                              "(O_CREAT, O_EXCL, O_TMPFILE, O_PATH, O_NOFOLLOW are refused)");
  }
  const int access = flags & O_ACCMODE;
  if (access != O_RDONLY && access != O_WRONLY && access != O_RDWR) {
    return ErrnoError(EINVAL, "open access mode is not O_RDONLY, O_WRONLY or O_RDWR");
  }
  if ((flags & O_DIRECTORY) != 0 && file.type != S_IFDIR) {
    return ErrnoError(ENOTDIR, "open with O_DIRECTORY of a file that is not a directory");
  }
  switch (file.type) {
    case S_IFREG:
      break;
    case S_IFLNK:
      // The sentry resolves symlinks itself; the gofer never follows one.
      return ErrnoError(ELOOP, "open of a symlink");
    case S_IFDIR:
      // A directory fd would let its holder openat(fd, "..") up past the
      // container root: the kernel stops ".." at the *caller's* root, and the
      // sentry's root is not this one. Directories are listed with ReadDir.
      return ErrnoError(EISDIR, "the gofer does not donate directory fds");
    case S_IFCHR:
    case S_IFBLK:
      // The rootfs is served as if mounted nodev: a device node in an image
      // must not become a host device the sentry can drive.
      return ErrnoError(EACCES, "open of a device node in the rootfs");
    default:
      // FIFOs and sockets are the sentry's to implement.
      return ErrnoError(ENXIO, "open of a FIFO or socket");
  }
  if (options_.read_only && (access != O_RDONLY || (flags & O_TRUNC) != 0)) {
    return ErrnoError(EROFS, "open for writing in a read-only root");
  }

  // O_NONBLOCK: had a FIFO been put in the file's place since the walk, a
  // blocking open would hang the gofer waiting for a writer.
  UniqueFd fd(::openat(file.parent->get(), file.name.c_str(),
                       flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd.valid()) return HostError("open: openat");
  // Between walk and open another process may have renamed something else to
  // this name; the fd must be the file the id names, or nothing. (O_TRUNC has
  // then already applied to the newcomer, a file the sentry could have walked
  // to and opened anyway.)
  struct stat opened;
  if (::fstat(fd.get(), &opened) != 0) return HostError("open: fstat");
  absl::StatusOr<struct stat> walked = StatFd(file.fd->get());
  if (!walked.ok()) return walked.status();
  if (!S_ISREG(opened.st_mode) || opened.st_dev != walked->st_dev ||
      opened.st_ino != walked->st_ino) {
    return ErrnoError(ESTALE, "open: the file was replaced since it was walked");
  }
  if ((flags & O_NONBLOCK) == 0) {
    int status_flags = ::fcntl(fd.get(), F_GETFL);
    if (status_flags < 0 || ::fcntl(fd.get(), F_SETFL, status_flags & ~O_NONBLOCK) != 0) {
      return HostError("open: clearing O_NONBLOCK");
    }
  }
  reply.response.mutable_open();
  reply.fd = std::move(fd);
  return absl::OkStatus();
}

absl::Status GoferServer::ReadDir(const proto::Request& request, Reply& reply) {
  const proto::ReadDirRequest& read_dir = request.read_dir();
  absl::StatusOr<const File*> dir = Lookup(read_dir.dir());
  if (!dir.ok()) return dir.status();
  if ((*dir)->type != S_IFDIR) return ErrnoError(ENOTDIR, "readdir of a file that is not a directory");
  if (read_dir.cookie() > static_cast<uint64_t>(INT64_MAX)) {
    return ErrnoError(EINVAL, "readdir cookie out of range");
  }

  // A fresh directory fd per page, positioned at the cookie: the cookie is
  // the host's own d_off, so paging needs no per-id cursor in the gofer.
  UniqueFd fd(::openat((*dir)->fd->get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return HostError("readdir: openat");
  if (::lseek(fd.get(), static_cast<off_t>(read_dir.cookie()), SEEK_SET) < 0) {
    return HostError("readdir: lseek to cookie");
  }

  proto::ReadDirResponse* out = reply.response.mutable_read_dir();
  uint64_t next_cookie = read_dir.cookie();
  size_t used = 0;
  alignas(struct dirent64) char buffer[16 * 1024];
  for (;;) {
    ssize_t n = ::getdents64(fd.get(), buffer, sizeof(buffer));
    if (n < 0) return HostError("readdir: getdents64");
    if (n == 0) {
      out->set_end(true);
      break;
    }
    bool full = false;
    for (size_t offset = 0; offset < static_cast<size_t>(n);) {
      const auto* entry = reinterpret_cast<const struct dirent64*>(buffer + offset);
      const size_t name_offset = offsetof(struct dirent64, d_name);
      if (entry->d_reclen <= name_offset || offset + entry->d_reclen > static_cast<size_t>(n)) {
        return ErrnoError(EIO, "readdir: getdents64 returned a malformed record");
      }
      absl::string_view name(entry->d_name, strnlen(entry->d_name, entry->d_reclen - name_offset));
      if (used + name.size() + kDirEntryOverhead > kReadDirBudget) {
        full = true;
        break;
      }
      used += name.size() + kDirEntryOverhead;
      proto::DirEntry* e = out->add_entries();
      e->set_name(std::string(name));
      e->set_ino(entry->d_ino);
      e->set_type(entry->d_type);
      next_cookie = static_cast<uint64_t>(entry->d_off);
      offset += entry->d_reclen;
    }
    if (full) break;
  }
  out->set_next_cookie(next_cookie);
  return absl::OkStatus();
}

absl::Status GoferServer::ReadLink(const proto::Request& request, Reply& reply) {
  absl::StatusOr<const File*> file = Lookup(request.read_link().id());
  if (!file.ok()) return file.status();
  if ((*file)->type != S_IFLNK) return ErrnoError(EINVAL, "readlink of a file that is not a symlink");
  char target[PATH_MAX];
  ssize_t n = ::readlinkat((*file)->fd->get(), "", target, sizeof(target));
  if (n < 0) return HostError("readlinkat");
  if (static_cast<size_t>(n) == sizeof(target)) {
    return ErrnoError(ENAMETOOLONG, "symlink target longer than PATH_MAX");
  }
  reply.response.mutable_read_link()->set_target(std::string(target, static_cast<size_t>(n)));
  return absl::OkStatus();
}

absl::Status GoferServer::Close(const proto::Request& request, Reply& reply) {
  const FileId id = request.close().id();
  if (files_.erase(id) == 0) return ErrnoError(EBADF, absl::StrCat("close of unknown file id ", id));
  reply.response.mutable_close();
  return absl::OkStatus();
}

}  // namespace runsc::gofer
