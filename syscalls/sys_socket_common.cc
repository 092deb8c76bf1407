// What the socket calls share: the name table, socket lookup, addresses.
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <atomic>
#include <climits>
#include <cstring>
#include <set>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/logging.h"
#include "fs/unix_socket.h"
#include "fs/unix_socket_table.h"
#include "syscalls/helpers.h"
#include "syscalls/sys_socket_internal.h"

namespace runsc::syscalls::socket_internal {

// The sentry's one name table: one sandbox per sentry process.
fs::UnixSocketTable& NameTable() {
  static auto* table = new fs::UnixSocketTable;  // Never destroyed: sockets may outlive main.
  return *table;
}

fs::UnixCredentials SenderCredentials(Task& t) {
  return fs::UnixCredentials{t.tgid(), t.creds.uid, t.creds.gid};
}
// SO_PEERCRED reports the effective ids, as Linux's cred_to_ucred.
fs::UnixCredentials PeerCredentials(Task& t) {
  return fs::UnixCredentials{t.tgid(), t.creds.euid, t.creds.egid};
}

void LogOnce(const std::string& what) {
  static absl::Mutex mu;
  static auto* seen = new std::set<std::string>;
  absl::MutexLock lock(&mu);
  if (seen->insert(what).second) LogWarning(what);
}

absl::StatusOr<std::shared_ptr<fs::UnixSocketFile>> GetSocket(Task& t, uint64_t fd) {
  std::shared_ptr<fs::File> file = Fds(t).Get(static_cast<int>(fd));
  if (!file) return ErrnoError(EBADF, "bad file descriptor");
  auto socket = std::dynamic_pointer_cast<fs::UnixSocketFile>(file);
  if (!socket) return ErrnoError(ENOTSOCK, "not a socket");
  return socket;
}

bool Nonblocking(fs::File& f, int msg_flags) {
  return (f.flags() & O_NONBLOCK) || (msg_flags & MSG_DONTWAIT);
}

void RaiseSigpipe(Task& t) {
  absl::MutexLock lock(&t.kernel().mu);
  siginfo_t info{};
  info.si_signo = SIGPIPE;
  info.si_pid = t.tgid();
  t.kernel().SendSignalLocked(t, info);
}

// A sockaddr as the application gave it (move_addr_to_kernel): a negative
// or longer-than-sockaddr_storage length is EINVAL, a bad pointer EFAULT.
absl::StatusOr<std::string> CopyInSockaddr(Task& t, uint64_t addr, uint64_t len) {
  const int32_t n = static_cast<int32_t>(len);
  if (n < 0 || static_cast<uint64_t>(n) > kSockaddrStorage) {
    return ErrnoError(EINVAL, "bad socket address length");
  }
  std::string bytes(n, '\0');
  if (n > 0) {
    if (absl::Status s = t.mm->CopyIn(addr, absl::MakeSpan(reinterpret_cast<uint8_t*>(bytes.data()),
                                                           bytes.size()));
        !s.ok()) {
      return s;
    }
  }
  return bytes;
}

sa_family_t FamilyOf(const std::string& sockaddr) {
  sa_family_t family = AF_UNSPEC;
  if (sockaddr.size() >= sizeof(family)) std::memcpy(&family, sockaddr.data(), sizeof(family));
  return family;
}

// unix_validate_addr, then Linux's reading of the name: a path ends at
// its first NUL; an abstract name is every byte given.
absl::StatusOr<UnixAddress> ParseUnixAddress(const std::string& sockaddr) {
  if (sockaddr.size() < sizeof(sa_family_t) || FamilyOf(sockaddr) != AF_UNIX) {
    return ErrnoError(EINVAL, "not an AF_UNIX address");
  }
  if (sockaddr.size() > sizeof(sockaddr_un)) return ErrnoError(EINVAL, "address too long");
  UnixAddress a;
  const std::string sun = sockaddr.substr(sizeof(sa_family_t));
  if (sun.empty() || sun[0] == '\0') {
    a.abstract = true;
    a.bytes = sun;
  } else {
    a.path = sun.substr(0, sun.find('\0'));
    a.bytes = a.path + '\0';
  }
  return a;
}

// move_addr_to_user: reads the caller's length (EFAULT; negative EINVAL),
// copies what fits of AF_UNIX + `bytes`, and writes the full length.
// `unnamed_len` is the length of an empty address: sizeof(sa_family_t)
// for getsockname and accept, 0 for a sender without a name (recvfrom).
absl::Status CopyOutUnixAddress(Task& t, uint64_t addr, uint64_t len_addr, const std::string& bytes,
                                uint32_t unnamed_len) {
  int32_t len = 0;
  if (absl::Status s = t.mm->CopyInObject(len_addr, len); !s.ok()) return s;
  if (len < 0) return ErrnoError(EINVAL, "negative address length");
  std::string full;
  if (!bytes.empty() || unnamed_len > 0) {
    const sa_family_t family = AF_UNIX;
    full.assign(reinterpret_cast<const char*>(&family), sizeof(family));
    full += bytes;
  }
  const size_t n = std::min<size_t>(static_cast<size_t>(len), full.size());
  if (n > 0) {
    if (absl::Status s = t.mm->CopyOut(
            addr, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(full.data()), n));
        !s.ok()) {
      return s;
    }
  }
  return t.mm->CopyOutObject(len_addr, static_cast<int32_t>(full.size()));
}

// The socket an address names: an abstract name in the table, or the
// socket bound to the S_IFSOCK file a path resolves to. ENOENT (and the
// other path errors) for a missing path; ECONNREFUSED for a file that is
// no socket, or one no live socket is bound to.
// TODO: Linux also wants write permission on the socket file (EACCES).
absl::StatusOr<std::shared_ptr<fs::UnixSocket>> FindSocket(Task& t, const UnixAddress& a, int type) {
  if (a.abstract) {
    std::shared_ptr<fs::UnixSocket> s =
        NameTable().FindAbstract(type, a.bytes.empty() ? "" : a.bytes.substr(1));
    if (!s) return ErrnoError(ECONNREFUSED, "no socket has this abstract name");
    return s;
  }
  absl::StatusOr<std::shared_ptr<fs::Dentry>> d =
      VfsOf(t).ResolveAt(t, AT_FDCWD, a.path, /*follow_last=*/true);
  if (!d.ok()) return d.status();
  if ((*d)->node->Type() != S_IFSOCK) return ErrnoError(ECONNREFUSED, "not a socket file");
  absl::StatusOr<struct stat> st = (*d)->node->Stat();
  if (!st.ok()) return st.status();
  std::shared_ptr<fs::UnixSocket> s = NameTable().FindInode({st->st_dev, st->st_ino});
  if (!s) return ErrnoError(ECONNREFUSED, "no socket is bound to this file");
  if (s->type() != type) return ErrnoError(EPROTOTYPE, "socket of another type");
  return s;
}

// bind(2) to a path: the S_IFSOCK file is made through the filesystem
// (so stat(2) sees it and a second bind is EADDRINUSE), then the socket is
// entered in the table under the new file's inode.
absl::Status BindToPath(Task& t, fs::UnixSocket& socket, const UnixAddress& a) {
  fs::Vfs& vfs = VfsOf(t);
  absl::StatusOr<fs::Vfs::ParentAndName> p = vfs.ResolveParentAt(t, AT_FDCWD, a.path);
  if (!p.ok()) return p.status();
  if (p->name.empty() || p->name == "." || p->name == ".." ||
      vfs.Lookup(t, p->parent, p->name).ok()) {
    return ErrnoError(EADDRINUSE, "socket path exists");
  }
  if (p->trailing_slash) return ErrnoError(ENOENT, "socket path ends in '/'");
  if (socket.IsBound()) return ErrnoError(EINVAL, "socket is already bound");
  absl::StatusOr<std::shared_ptr<fs::Node>> node =
      p->parent->node->Mknod(t, p->name, S_IFSOCK | (0777 & ~FsCtx(t).umask));
  if (!node.ok()) {
    if (ErrnoOf(node.status()) == EEXIST) return ErrnoError(EADDRINUSE, "socket path exists");
    return node.status();
  }
  vfs.AddChild(p->parent, p->name, *node);
  absl::StatusOr<struct stat> st = (*node)->Stat();
  absl::Status bound = st.ok() ? socket.BindPath(NameTable(), {st->st_dev, st->st_ino}, a.bytes)
                               : st.status();
  if (!bound.ok()) {
    // Bound meanwhile by another thread: the file goes, as on Linux.
    (void)p->parent->node->Unlink(t, p->name, /*directory=*/false);
    vfs.Forget(p->parent, p->name);
  }
  return bound;
}


}  // namespace runsc::syscalls::socket_internal
