#include "gofer/server/gofer_server.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>  // RENAME_NOREPLACE, RENAME_EXCHANGE.
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "base/logging.h"
#include "gofer/proto/wire.h"
#include "gofer/server/host_stat.h"

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

// Status flags a Create may carry besides the access mode; O_CREAT|O_EXCL|
// O_NOFOLLOW are the gofer's own, O_TRUNC is meaningless on a new file.
constexpr int kAllowedCreateFlags = O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC |
                                    O_DIRECT | O_NOATIME | kKernelLargeFile | O_CLOEXEC;

constexpr uint32_t kPermissionBits = 07777;
constexpr int64_t kStatFsReadOnly = 1;  // ST_RDONLY in statfs(2)'s f_flags.
constexpr uint32_t kSetAttrKnown = proto::SET_ATTR_MODE | proto::SET_ATTR_OWNER |
                                   proto::SET_ATTR_SIZE | proto::SET_ATTR_TIMES;

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

// chmod of the file an O_PATH fd names, the fd itself, never a path: the
// only chmod(2) that can neither follow a symlink nor be raced to another
// file (fchmodat2 with AT_EMPTY_PATH, Linux 6.6).
absl::Status ChmodFd(int path_fd, mode_t mode) {
  if (::syscall(SYS_fchmodat2, path_fd, "", mode, AT_EMPTY_PATH) != 0) {
    return HostError("fchmodat2 of a file id");
  }
  return absl::OkStatus();
}

// True if an nsec field of a SetAttr time is something utimensat takes.
bool ValidTimeNsec(int64_t nsec) {
  return (nsec >= 0 && nsec < 1'000'000'000) || nsec == UTIME_NOW || nsec == UTIME_OMIT;
}

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

}  // namespace

GoferServer::GoferServer(UniqueFd root, GoferServerOptions options, std::vector<GoferMount> mounts)
    : options_(options), receive_buffer_(kMaxMessageSize) {
  roots_.push_back(Root{.fd = std::make_shared<const UniqueFd>(std::move(root)),
                        .read_only = options.read_only});
  for (GoferMount& mount : mounts) {
    Root r{.fd = std::make_shared<const UniqueFd>(std::move(mount.fd)),
           .name = std::move(mount.name),
           .read_only = mount.read_only};
    if (mount.parent.valid()) r.parent = std::make_shared<const UniqueFd>(std::move(mount.parent));
    roots_.push_back(std::move(r));
  }
}

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
      {proto::Request::kCreate, &GoferServer::Create},
      {proto::Request::kMkdir, &GoferServer::Mkdir},
      {proto::Request::kMknod, &GoferServer::Mknod},
      {proto::Request::kSymlink, &GoferServer::Symlink},
      {proto::Request::kLink, &GoferServer::Link},
      {proto::Request::kUnlink, &GoferServer::Unlink},
      {proto::Request::kRename, &GoferServer::Rename},
      {proto::Request::kSetAttr, &GoferServer::SetAttr},
      {proto::Request::kStatFs, &GoferServer::StatFs},
      {proto::Request::kGetXattr, &GoferServer::GetXattr},
      {proto::Request::kSetXattr, &GoferServer::SetXattr},
      {proto::Request::kListXattr, &GoferServer::ListXattr},
      {proto::Request::kRemoveXattr, &GoferServer::RemoveXattr},
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
  const uint32_t mount = request.attach().mount();
  if (mount >= roots_.size()) {
    return ErrnoError(EINVAL, absl::StrCat("attach of mount ", mount, ": the gofer serves ",
                                           roots_.size() - 1, " mounts"));
  }
  const Root& root = roots_[mount];
  absl::StatusOr<struct stat> st = StatFd(root.fd->get());
  if (!st.ok()) return st.status();
  File file{.fd = root.fd, .type = st->st_mode & S_IFMT, .mount = mount};
  if (root.parent != nullptr) {
    // A bind of a single file: only regular files are served.
    if (!S_ISREG(st->st_mode)) return ErrnoError(EACCES, "bind mount of a non-regular file");
    file.parent = root.parent;
    file.name = root.name;
  } else if (!S_ISDIR(st->st_mode)) {
    return ErrnoError(ENOTDIR, "gofer root is not a directory");
  }
  absl::StatusOr<FileId> id = Insert(std::move(file));
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
  const uint32_t mount = (*dir)->mount;

  UniqueFd fd(::openat(dir_fd->get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return HostError("walk: openat");
  absl::StatusOr<struct stat> st = StatFd(fd.get());
  if (!st.ok()) return st.status();

  File file{.fd = std::make_shared<const UniqueFd>(std::move(fd)),
            .type = st->st_mode & S_IFMT,
            .mount = mount};
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
  if (ReadOnly(file.mount) && (access != O_RDONLY || (flags & O_TRUNC) != 0)) {
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

absl::StatusOr<std::shared_ptr<const UniqueFd>> GoferServer::MutableDir(
    FileId dir, const std::string& name, uint32_t* mount) const {
  absl::StatusOr<const File*> file = Lookup(dir);
  if (!file.ok()) return file.status();
  if ((*file)->type != S_IFDIR) return ErrnoError(ENOTDIR, "parent is not a directory");
  if (absl::Status valid = CheckNameComponent(name); !valid.ok()) return valid;
  if (ReadOnly((*file)->mount)) return ErrnoError(EROFS, "mutation in a read-only mount");
  if (mount != nullptr) *mount = (*file)->mount;
  return (*file)->fd;
}

absl::Status GoferServer::InsertCreated(const std::shared_ptr<const UniqueFd>& dir_fd,
                                        uint32_t mount, const std::string& name,
                                        const struct stat* expected, FileId& id,
                                        struct stat& st) {
  UniqueFd fd(::openat(dir_fd->get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return HostError("openat of a file just made");
  absl::StatusOr<struct stat> got = StatFd(fd.get());
  if (!got.ok()) return got.status();
  if (expected != nullptr &&
      (got->st_dev != expected->st_dev || got->st_ino != expected->st_ino)) {
    return ErrnoError(ESTALE, "the file just made was replaced before it got an id");
  }
  File file{.fd = std::make_shared<const UniqueFd>(std::move(fd)),
            .type = got->st_mode & S_IFMT,
            .mount = mount};
  if (file.type != S_IFDIR) {
    file.parent = dir_fd;
    file.name = name;
  }
  absl::StatusOr<FileId> inserted = Insert(std::move(file));
  if (!inserted.ok()) return inserted.status();
  id = *inserted;
  st = *got;
  return absl::OkStatus();
}

absl::Status GoferServer::Create(const proto::Request& request, Reply& reply) {
  const proto::CreateRequest& create = request.create();
  const std::string name = create.name();
  uint32_t mount = 0;
  absl::StatusOr<std::shared_ptr<const UniqueFd>> dir = MutableDir(create.dir(), name, &mount);
  if (!dir.ok()) return dir.status();
  const int flags = create.flags();
  if ((flags & ~kAllowedCreateFlags) != 0) return ErrnoError(EINVAL, "create flags not allowed");
  const int access = flags & O_ACCMODE;
  if (access != O_RDONLY && access != O_WRONLY && access != O_RDWR) {
    return ErrnoError(EINVAL, "create access mode is not O_RDONLY, O_WRONLY or O_RDWR");
  }
  const mode_t mode = create.mode();
  if ((mode & ~kPermissionBits) != 0) return ErrnoError(EINVAL, "create mode has non-permission bits");
  if (files_.size() >= options_.max_files) {
    return ErrnoError(EMFILE, "connection already holds the maximum number of file ids");
  }
  // O_EXCL|O_NOFOLLOW: whatever is at the name already, a symlink included,
  // is EEXIST; nothing is followed and nothing existing is opened.
  UniqueFd fd(::openat((*dir)->get(), name.c_str(),
                       flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, mode));
  if (!fd.valid()) return HostError("create: openat");
  struct stat created;
  if (::fstat(fd.get(), &created) != 0) return HostError("create: fstat");
  // The gofer's umask is not the application's: the sentry sent final bits.
  if ((created.st_mode & kPermissionBits) != mode) {
    if (::fchmod(fd.get(), mode) != 0) return HostError("create: fchmod");
  }
  FileId id;
  struct stat st;
  if (absl::Status s = InsertCreated(*dir, mount, name, &created, id, st); !s.ok()) return s;
  proto::CreateResponse* out = reply.response.mutable_create();
  out->set_id(id);
  FillStat(st, out->mutable_stat());
  reply.fd = std::move(fd);
  return absl::OkStatus();
}

absl::Status GoferServer::Mkdir(const proto::Request& request, Reply& reply) {
  const proto::MkdirRequest& mkdir = request.mkdir();
  const std::string name = mkdir.name();
  uint32_t mount = 0;
  absl::StatusOr<std::shared_ptr<const UniqueFd>> dir = MutableDir(mkdir.dir(), name, &mount);
  if (!dir.ok()) return dir.status();
  const mode_t mode = mkdir.mode();
  if ((mode & ~kPermissionBits) != 0) return ErrnoError(EINVAL, "mkdir mode has non-permission bits");
  if (files_.size() >= options_.max_files) {
    return ErrnoError(EMFILE, "connection already holds the maximum number of file ids");
  }
  if (::mkdirat((*dir)->get(), name.c_str(), mode) != 0) return HostError("mkdirat");
  FileId id;
  struct stat st;
  if (absl::Status s = InsertCreated(*dir, mount, name, nullptr, id, st); !s.ok()) return s;
  if (!S_ISDIR(st.st_mode)) return ErrnoError(ESTALE, "mkdir: replaced by a non-directory");
  if ((st.st_mode & kPermissionBits) != mode) {
    absl::StatusOr<const File*> file = Lookup(id);
    if (!file.ok()) return file.status();
    if (absl::Status s = ChmodFd((*file)->fd->get(), mode); !s.ok()) return s;
    st.st_mode = (st.st_mode & S_IFMT) | mode;
  }
  proto::MkdirResponse* out = reply.response.mutable_mkdir();
  out->set_id(id);
  FillStat(st, out->mutable_stat());
  return absl::OkStatus();
}

absl::Status GoferServer::Mknod(const proto::Request& request, Reply& reply) {
  const proto::MknodRequest& mknod = request.mknod();
  const std::string name = mknod.name();
  uint32_t mount = 0;
  absl::StatusOr<std::shared_ptr<const UniqueFd>> dir = MutableDir(mknod.dir(), name, &mount);
  if (!dir.ok()) return dir.status();
  const uint32_t type = mknod.mode() & S_IFMT;
  const mode_t mode = mknod.mode() & ~S_IFMT;
  if ((mode & ~kPermissionBits) != 0) return ErrnoError(EINVAL, "mknod mode has unknown bits");
  // Device nodes would be host devices. A socket file is inert on the host
  // (nothing listens on it there): the sentry makes one for each unix
  // socket bound to a path and keeps the socket itself.
  if (type != S_IFIFO && type != S_IFREG && type != S_IFSOCK && type != 0) {
    return ErrnoError(EPERM, "mknod of anything but a FIFO, socket or regular file");
  }
  if (files_.size() >= options_.max_files) {
    return ErrnoError(EMFILE, "connection already holds the maximum number of file ids");
  }
  if (::mknodat((*dir)->get(), name.c_str(), (type == 0 ? S_IFREG : type) | mode, 0) != 0) {
    return HostError("mknodat");
  }
  FileId id;
  struct stat st;
  if (absl::Status s = InsertCreated(*dir, mount, name, nullptr, id, st); !s.ok()) return s;
  if ((st.st_mode & kPermissionBits) != mode) {
    absl::StatusOr<const File*> file = Lookup(id);
    if (!file.ok()) return file.status();
    if (absl::Status s = ChmodFd((*file)->fd->get(), mode); !s.ok()) return s;
    st.st_mode = (st.st_mode & S_IFMT) | mode;
  }
  proto::MknodResponse* out = reply.response.mutable_mknod();
  out->set_id(id);
  FillStat(st, out->mutable_stat());
  return absl::OkStatus();
}

absl::Status GoferServer::Symlink(const proto::Request& request, Reply& reply) {
  const proto::SymlinkRequest& symlink = request.symlink();
  const std::string name = symlink.name();
  const std::string target = symlink.target();
  uint32_t mount = 0;
  absl::StatusOr<std::shared_ptr<const UniqueFd>> dir = MutableDir(symlink.dir(), name, &mount);
  if (!dir.ok()) return dir.status();
  if (target.empty()) return ErrnoError(ENOENT, "symlink with an empty target");
  if (target.size() >= PATH_MAX) return ErrnoError(ENAMETOOLONG, "symlink target too long");
  if (target.find('\0') != std::string::npos) return ErrnoError(EINVAL, "symlink target with NUL");
  if (files_.size() >= options_.max_files) {
    return ErrnoError(EMFILE, "connection already holds the maximum number of file ids");
  }
  if (::symlinkat(target.c_str(), (*dir)->get(), name.c_str()) != 0) return HostError("symlinkat");
  FileId id;
  struct stat st;
  if (absl::Status s = InsertCreated(*dir, mount, name, nullptr, id, st); !s.ok()) return s;
  proto::SymlinkResponse* out = reply.response.mutable_symlink();
  out->set_id(id);
  FillStat(st, out->mutable_stat());
  return absl::OkStatus();
}

absl::Status GoferServer::Link(const proto::Request& request, Reply& reply) {
  const proto::LinkRequest& link = request.link();
  const std::string name = link.name();
  uint32_t mount = 0;
  absl::StatusOr<std::shared_ptr<const UniqueFd>> dir = MutableDir(link.dir(), name, &mount);
  if (!dir.ok()) return dir.status();
  absl::StatusOr<const File*> lookup = Lookup(link.target());
  if (!lookup.ok()) return lookup.status();
  if ((*lookup)->type == S_IFDIR) return ErrnoError(EPERM, "hard link to a directory");
  if ((*lookup)->mount != mount) return ErrnoError(EXDEV, "link across mounts");
  if (files_.size() >= options_.max_files) {
    return ErrnoError(EMFILE, "connection already holds the maximum number of file ids");
  }
  // Keep what is needed: Insert() may move table entries.
  const std::shared_ptr<const UniqueFd> target_fd = (*lookup)->fd;
  const std::shared_ptr<const UniqueFd> target_parent = (*lookup)->parent;
  const std::string target_name = (*lookup)->name;
  absl::StatusOr<struct stat> target = StatFd(target_fd->get());
  if (!target.ok()) return target.status();
  // Linking the fd itself needs CAP_DAC_READ_SEARCH; without it, link the
  // name the id was walked by (flags 0: a symlink there is linked, not
  // followed) and check below that it was this file.
  if (::linkat(target_fd->get(), "", (*dir)->get(), name.c_str(), AT_EMPTY_PATH) != 0) {
    if (errno != ENOENT && errno != EPERM) return HostError("linkat");
    if (::linkat(target_parent->get(), target_name.c_str(), (*dir)->get(), name.c_str(), 0) != 0) {
      return HostError("linkat");
    }
  }
  FileId id;
  struct stat st;
  if (absl::Status s = InsertCreated(*dir, mount, name, &*target, id, st); !s.ok()) {
    if (ErrnoOf(s) == ESTALE) (void)::unlinkat((*dir)->get(), name.c_str(), 0);
    return s;
  }
  proto::LinkResponse* out = reply.response.mutable_link();
  out->set_id(id);
  FillStat(st, out->mutable_stat());
  return absl::OkStatus();
}

absl::Status GoferServer::Unlink(const proto::Request& request, Reply& reply) {
  const proto::UnlinkRequest& unlink = request.unlink();
  const std::string name = unlink.name();
  if (unlink.flags() != 0 && unlink.flags() != AT_REMOVEDIR) {
    return ErrnoError(EINVAL, "unlink flags other than AT_REMOVEDIR");
  }
  absl::StatusOr<std::shared_ptr<const UniqueFd>> dir = MutableDir(unlink.dir(), name);
  if (!dir.ok()) return dir.status();
  if (::unlinkat((*dir)->get(), name.c_str(), unlink.flags()) != 0) return HostError("unlinkat");
  reply.response.mutable_unlink();
  return absl::OkStatus();
}

absl::Status GoferServer::Rename(const proto::Request& request, Reply& reply) {
  const proto::RenameRequest& rename = request.rename();
  const std::string old_name = rename.old_name();
  const std::string new_name = rename.new_name();
  const uint32_t flags = rename.flags();
  if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) != 0 ||
      flags == (RENAME_NOREPLACE | RENAME_EXCHANGE)) {
    return ErrnoError(EINVAL, "rename flags other than RENAME_NOREPLACE or RENAME_EXCHANGE");
  }
  uint32_t old_mount = 0, new_mount = 0;
  absl::StatusOr<std::shared_ptr<const UniqueFd>> old_dir =
      MutableDir(rename.old_dir(), old_name, &old_mount);
  if (!old_dir.ok()) return old_dir.status();
  absl::StatusOr<std::shared_ptr<const UniqueFd>> new_dir =
      MutableDir(rename.new_dir(), new_name, &new_mount);
  if (!new_dir.ok()) return new_dir.status();
  if (old_mount != new_mount) return ErrnoError(EXDEV, "rename across mounts");
  if (::syscall(SYS_renameat2, (*old_dir)->get(), old_name.c_str(), (*new_dir)->get(),
                new_name.c_str(), flags) != 0) {
    return HostError("renameat2");
  }
  // Ids of non-directories reopen through (parent, name): move those names
  // along, so the renamed file stays openable by its id.
  for (auto& [id, file] : files_) {
    if (file.parent == nullptr) continue;
    if (file.parent == *old_dir && file.name == old_name) {
      file.parent = *new_dir;
      file.name = new_name;
    } else if ((flags & RENAME_EXCHANGE) != 0 && file.parent == *new_dir &&
               file.name == new_name) {
      file.parent = *old_dir;
      file.name = old_name;
    }
  }
  reply.response.mutable_rename();
  return absl::OkStatus();
}

absl::Status GoferServer::SetAttr(const proto::Request& request, Reply& reply) {
  const proto::SetAttrRequest& set = request.set_attr();
  absl::StatusOr<const File*> lookup = Lookup(set.id());
  if (!lookup.ok()) return lookup.status();
  const File& file = **lookup;
  const uint32_t valid = set.valid();
  if ((valid & ~kSetAttrKnown) != 0) return ErrnoError(EINVAL, "setattr of unknown attributes");
  if ((valid & proto::SET_ATTR_MODE) != 0 && (set.mode() & ~kPermissionBits) != 0) {
    return ErrnoError(EINVAL, "setattr mode has non-permission bits");
  }
  if ((valid & proto::SET_ATTR_SIZE) != 0) {
    if (set.size() < 0) return ErrnoError(EINVAL, "setattr of a negative size");
    if (file.type == S_IFDIR) return ErrnoError(EISDIR, "truncate of a directory");
    if (file.type != S_IFREG) return ErrnoError(EINVAL, "truncate of a non-regular file");
  }
  if ((valid & proto::SET_ATTR_TIMES) != 0 &&
      (!ValidTimeNsec(set.atime_nsec()) || !ValidTimeNsec(set.mtime_nsec()))) {
    return ErrnoError(EINVAL, "setattr time nsec out of range");
  }
  if (ReadOnly(file.mount) && valid != 0) return ErrnoError(EROFS, "setattr in a read-only mount");
  const int fd = file.fd->get();

  if ((valid & proto::SET_ATTR_MODE) != 0) {
    if (file.type == S_IFLNK) return ErrnoError(EOPNOTSUPP, "chmod of a symlink");
    if (absl::Status s = ChmodFd(fd, set.mode()); !s.ok()) return s;
  }
  if ((valid & proto::SET_ATTR_OWNER) != 0) {
    if (::fchownat(fd, "", static_cast<uid_t>(set.uid()), static_cast<gid_t>(set.gid()),
                   AT_EMPTY_PATH) != 0) {
      return HostError("fchownat of a file id");
    }
  }
  if ((valid & proto::SET_ATTR_SIZE) != 0) {
    // An O_PATH fd cannot be truncated: reopen for writing through the name
    // it was walked by (never following), and check it is still this file.
    UniqueFd writable(::openat(file.parent->get(), file.name.c_str(),
                               O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (!writable.valid()) return HostError("truncate: openat");
    struct stat opened;
    if (::fstat(writable.get(), &opened) != 0) return HostError("truncate: fstat");
    absl::StatusOr<struct stat> walked = StatFd(fd);
    if (!walked.ok()) return walked.status();
    if (!S_ISREG(opened.st_mode) || opened.st_dev != walked->st_dev ||
        opened.st_ino != walked->st_ino) {
      return ErrnoError(ESTALE, "truncate: the file was replaced since it was walked");
    }
    if (::ftruncate(writable.get(), set.size()) != 0) return HostError("ftruncate");
  }
  if ((valid & proto::SET_ATTR_TIMES) != 0) {
    const struct timespec times[2] = {{set.atime_sec(), set.atime_nsec()},
                                      {set.mtime_sec(), set.mtime_nsec()}};
    if (::utimensat(fd, "", times, AT_EMPTY_PATH) != 0) return HostError("utimensat of a file id");
  }
  absl::StatusOr<struct stat> st = StatFd(fd);
  if (!st.ok()) return st.status();
  FillStat(*st, reply.response.mutable_set_attr()->mutable_stat());
  return absl::OkStatus();
}

absl::Status GoferServer::StatFs(const proto::Request& request, Reply& reply) {
  absl::StatusOr<const File*> file = Lookup(request.stat_fs().id());
  if (!file.ok()) return file.status();
  const bool read_only = ReadOnly((*file)->mount);
  struct statfs st;
  if (::fstatfs((*file)->fd->get(), &st) != 0) return HostError("fstatfs of a file id");
  proto::StatFsResponse* out = reply.response.mutable_stat_fs();
  out->set_type(st.f_type);
  out->set_bsize(st.f_bsize);
  out->set_blocks(st.f_blocks);
  out->set_bfree(st.f_bfree);
  out->set_bavail(st.f_bavail);
  out->set_files(st.f_files);
  out->set_ffree(st.f_ffree);
  out->set_namelen(st.f_namelen);
  out->set_frsize(st.f_frsize);
  // A read-only root is read-only to the application's statfs as well.
  out->set_flags(st.f_flags | (read_only ? kStatFsReadOnly : 0));
  return absl::OkStatus();
}

}  // namespace runsc::gofer
