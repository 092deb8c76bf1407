// The gofer's extended-attribute requests (GetXattr, SetXattr, ListXattr,
// RemoveXattr): user.* only, reached through an fd the f*xattr calls
// accept, since the server's ids are O_PATH fds.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "base/errno_status.h"
#include "gofer/proto/wire.h"
#include "gofer/server/gofer_server.h"
#include "gofer/server/host_stat.h"

namespace runsc::gofer {

absl::StatusOr<UniqueFd> GoferServer::OpenForXattr(const File& file) const {
  UniqueFd fd;
  if (file.type == S_IFDIR) {
    // "." of the directory's own fd: the same directory, with no name to
    // race. Never donated, so its ".." reaches nobody.
    fd = UniqueFd(::openat(file.fd->get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) return HostError("xattr: openat of a directory");
    return fd;
  }
  if (file.type != S_IFREG) return ErrnoError(EINVAL, "xattr: not a regular file or directory");
  // O_NONBLOCK|O_NOFOLLOW|O_NOCTTY: had a FIFO, device or symlink been put
  // at the name since the walk, the open neither blocks nor follows, and
  // the inode check below refuses what it got.
  fd = UniqueFd(::openat(file.parent->get(), file.name.c_str(),
                         O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) return HostError("xattr: openat");
  struct stat opened;
  if (::fstat(fd.get(), &opened) != 0) return HostError("xattr: fstat");
  absl::StatusOr<struct stat> walked = StatFd(file.fd->get());
  if (!walked.ok()) return walked.status();
  if (!S_ISREG(opened.st_mode) || opened.st_dev != walked->st_dev ||
      opened.st_ino != walked->st_ino) {
    return ErrnoError(ESTALE, "xattr: the file was replaced since it was walked");
  }
  return fd;
}

// The order of the checks is Linux's, with the protocol's own first: the id
// (EBADF), the name (EINVAL if malformed, EOPNOTSUPP outside user.*), the
// value and flags (E2BIG, EINVAL), then EROFS for a change in a read-only
// mount, then the file type (user.* attributes exist only on regular files
// and directories: ENODATA to read, EPERM to change, as xattr_permission()).

absl::Status GoferServer::GetXattr(const proto::Request& request, Reply& reply) {
  const proto::GetXattrRequest& get = request.get_xattr();
  absl::StatusOr<const File*> lookup = Lookup(get.id());
  if (!lookup.ok()) return lookup.status();
  const std::string name = get.name();
  if (absl::Status valid = CheckXattrName(name); !valid.ok()) return valid;
  if ((*lookup)->type != S_IFREG && (*lookup)->type != S_IFDIR) {
    return ErrnoError(ENODATA, "user.* attributes exist only on regular files and directories");
  }
  absl::StatusOr<UniqueFd> fd = OpenForXattr(**lookup);
  if (!fd.ok()) return fd.status();
  std::string value(kMaxXattrValueSize, '\0');
  ssize_t n = ::fgetxattr(fd->get(), name.c_str(), value.data(), value.size());
  if (n < 0) {
    // No Linux value is larger than XATTR_SIZE_MAX; say so as getxattr(2) would.
    if (errno == ERANGE) return ErrnoError(E2BIG, "xattr value larger than XATTR_SIZE_MAX");
    return HostError("fgetxattr");
  }
  value.resize(static_cast<size_t>(n));
  reply.response.mutable_get_xattr()->set_value(std::move(value));
  return absl::OkStatus();
}

absl::Status GoferServer::SetXattr(const proto::Request& request, Reply& reply) {
  const proto::SetXattrRequest& set = request.set_xattr();
  absl::StatusOr<const File*> lookup = Lookup(set.id());
  if (!lookup.ok()) return lookup.status();
  const File& file = **lookup;
  const std::string name = set.name();
  if (absl::Status valid = CheckXattrName(name); !valid.ok()) return valid;
  if (set.value().size() > kMaxXattrValueSize) {
    return ErrnoError(E2BIG, "xattr value larger than XATTR_SIZE_MAX");
  }
  const uint32_t flags = set.flags();
  if ((flags & ~static_cast<uint32_t>(XATTR_CREATE | XATTR_REPLACE)) != 0) {
    return ErrnoError(EINVAL, "setxattr flags other than XATTR_CREATE and XATTR_REPLACE");
  }
  if (ReadOnly(file.mount)) return ErrnoError(EROFS, "setxattr in a read-only mount");
  if (file.type != S_IFREG && file.type != S_IFDIR) {
    return ErrnoError(EPERM, "user.* attributes exist only on regular files and directories");
  }
  absl::StatusOr<UniqueFd> fd = OpenForXattr(file);
  if (!fd.ok()) return fd.status();
  if (::fsetxattr(fd->get(), name.c_str(), set.value().data(), set.value().size(),
                  static_cast<int>(flags)) != 0) {
    return HostError("fsetxattr");
  }
  absl::StatusOr<struct stat> st = StatFd(file.fd->get());
  if (!st.ok()) return st.status();
  FillStat(*st, reply.response.mutable_set_xattr()->mutable_stat());
  return absl::OkStatus();
}

absl::Status GoferServer::ListXattr(const proto::Request& request, Reply& reply) {
  absl::StatusOr<const File*> lookup = Lookup(request.list_xattr().id());
  if (!lookup.ok()) return lookup.status();
  proto::ListXattrResponse* out = reply.response.mutable_list_xattr();
  if ((*lookup)->type != S_IFREG && (*lookup)->type != S_IFDIR) return absl::OkStatus();
  absl::StatusOr<UniqueFd> fd = OpenForXattr(**lookup);
  if (!fd.ok()) return fd.status();
  std::string names(kMaxXattrListSize, '\0');
  ssize_t n = ::flistxattr(fd->get(), names.data(), names.size());
  if (n < 0) {
    if (errno == ERANGE) return ErrnoError(E2BIG, "xattr list larger than XATTR_LIST_MAX");
    return HostError("flistxattr");
  }
  // Only what CheckXattrName serves: the host's security.* labels, ACLs
  // and capabilities stay unnamed. A list whose last name lacks its NUL is
  // the host's bug; its tail is dropped.
  std::string served;
  absl::string_view all(names.data(), static_cast<size_t>(n));
  while (!all.empty()) {
    const size_t end = all.find('\0');
    if (end == absl::string_view::npos) break;
    absl::string_view one = all.substr(0, end);
    if (CheckXattrName(one).ok()) {
      served.append(one.data(), one.size());
      served.push_back('\0');
    }
    all.remove_prefix(end + 1);
  }
  out->set_names(std::move(served));
  return absl::OkStatus();
}

absl::Status GoferServer::RemoveXattr(const proto::Request& request, Reply& reply) {
  const proto::RemoveXattrRequest& remove = request.remove_xattr();
  absl::StatusOr<const File*> lookup = Lookup(remove.id());
  if (!lookup.ok()) return lookup.status();
  const File& file = **lookup;
  const std::string name = remove.name();
  if (absl::Status valid = CheckXattrName(name); !valid.ok()) return valid;
  if (ReadOnly(file.mount)) return ErrnoError(EROFS, "removexattr in a read-only mount");
  if (file.type != S_IFREG && file.type != S_IFDIR) {
    return ErrnoError(EPERM, "user.* attributes exist only on regular files and directories");
  }
  absl::StatusOr<UniqueFd> fd = OpenForXattr(file);
  if (!fd.ok()) return fd.status();
  if (::fremovexattr(fd->get(), name.c_str()) != 0) return HostError("fremovexattr");
  absl::StatusOr<struct stat> st = StatFd(file.fd->get());
  if (!st.ok()) return st.status();
  FillStat(*st, reply.response.mutable_remove_xattr()->mutable_stat());
  return absl::OkStatus();
}

}  // namespace runsc::gofer
