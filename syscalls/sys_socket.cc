// The socket calls (socket(2), socketpair(2), bind/listen/accept/connect,
// send*/recv*, shutdown, names and options) for AF_UNIX sockets, which
// live in the sentry (fs::UnixSocket). Every other family is refused with
// EAFNOSUPPORT: the sentry has no network stack yet, and never hands the
// application a host socket.
//
// Handlers decode and copy in, call the endpoint, copy out. Addresses,
// msghdrs and control messages are checked as Linux checks them (EINVAL,
// EFAULT, ENOBUFS, EMSGSIZE); the endpoint does the socket semantics.
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
#include "syscalls/sys_socket.h"

namespace runsc::syscalls {
namespace {

using sentry::Task;

constexpr size_t kMaxIo = 4 << 20;          // One call moves at most this much.
constexpr uint64_t kUioMaxIov = 1024;       // UIO_MAXIOV
constexpr uint64_t kSockaddrStorage = 128;  // sizeof(struct sockaddr_storage)
constexpr uint64_t kMaxControl = 128 << 10;  // net.core.optmem_max
constexpr size_t kCmsgHeader = sizeof(cmsghdr);
// SO_RCVTIMEO/SO_SNDTIMEO: the _OLD numbers glibc uses and the _NEW ones;
// on x86-64 both take a 16-byte timeval.
constexpr int kSoRcvtimeoNew = 66;
constexpr int kSoSndtimeoNew = 67;

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

// ---- Addresses ----

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

// A unix address: the sun_path bytes Linux keeps (a path and its NUL, or
// a NUL and the abstract name), and the path itself for a path.
struct UnixAddress {
  bool abstract = false;  // Also for an empty address.
  std::string bytes;
  std::string path;
};

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

// ---- socket, socketpair ----

struct SocketType {
  int type = 0;
  int file_flags = 0;  // O_NONBLOCK
  bool cloexec = false;
};

// The checks socket(2) and socketpair(2) share, in Linux's order.
absl::StatusOr<SocketType> CheckSocketArgs(uint64_t domain, uint64_t type_arg, uint64_t protocol,
                                           bool pair) {
  const int type_flags = static_cast<int>(type_arg);
  const int type = type_flags & 0xf;  // SOCK_TYPE_MASK
  if (type_flags & ~(0xf | SOCK_CLOEXEC | SOCK_NONBLOCK)) {
    return ErrnoError(EINVAL, "unknown socket type flags");
  }
  const int family = static_cast<int>(domain);
  if (family < 0 || family >= AF_MAX) return ErrnoError(EAFNOSUPPORT, "unknown address family");
  if (type >= 11 /*SOCK_MAX*/) return ErrnoError(EINVAL, "socket type out of range");
  if (family != AF_UNIX) {
    // Linux's own answer for families it has: they make no pairs.
    if (pair && (family == AF_INET || family == AF_INET6 || family == AF_NETLINK ||
                 family == AF_PACKET)) {
      return ErrnoError(EOPNOTSUPP, "this address family makes no socket pairs");
    }
    LogOnce(absl::StrCat("socket family ", family,
                         " refused with EAFNOSUPPORT: networking is not implemented in the "
                         "sentry yet (only AF_UNIX sockets are)"));
    return ErrnoError(EAFNOSUPPORT, "address family not supported by the sentry");
  }
  if (protocol != 0 && protocol != PF_UNIX) {
    return ErrnoError(EPROTONOSUPPORT, "unix sockets take protocol 0");
  }
  SocketType out;
  switch (type) {
    case SOCK_STREAM:
    case SOCK_DGRAM:
    case SOCK_SEQPACKET:
      out.type = type;
      break;
    case SOCK_RAW:  // As Linux: a unix SOCK_RAW is a datagram socket.
      out.type = SOCK_DGRAM;
      break;
    default:
      return ErrnoError(ESOCKTNOSUPPORT, "unix sockets are stream, datagram or seqpacket");
  }
  out.file_flags = (type_flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0;
  out.cloexec = type_flags & SOCK_CLOEXEC;
  return out;
}

SyscallResult Socket(Task& t, const SyscallArgs& a) {
  absl::StatusOr<SocketType> st = CheckSocketArgs(a[0], a[1], a[2], /*pair=*/false);
  if (!st.ok()) return FromStatus(st.status());
  auto socket = std::make_shared<fs::UnixSocket>(t.kernel(), st->type);
  auto file = std::make_shared<fs::UnixSocketFile>(std::move(socket), st->file_flags);
  absl::StatusOr<int> fd = Fds(t).Install(std::move(file), st->cloexec, 0, NofileLimit(t));
  if (!fd.ok()) return FromStatus(fd.status());
  return SyscallResult::Value(*fd);
}

SyscallResult Socketpair(Task& t, const SyscallArgs& a) {
  absl::StatusOr<SocketType> st = CheckSocketArgs(a[0], a[1], a[2], /*pair=*/true);
  if (!st.ok()) return FromStatus(st.status());
  auto [first, second] = fs::UnixSocket::NewPair(t.kernel(), st->type, PeerCredentials(t));
  auto f0 = std::make_shared<fs::UnixSocketFile>(std::move(first), st->file_flags);
  auto f1 = std::make_shared<fs::UnixSocketFile>(std::move(second), st->file_flags);
  absl::StatusOr<int> fd0 = Fds(t).Install(std::move(f0), st->cloexec, 0, NofileLimit(t));
  if (!fd0.ok()) return FromStatus(fd0.status());
  absl::StatusOr<int> fd1 = Fds(t).Install(std::move(f1), st->cloexec, 0, NofileLimit(t));
  if (!fd1.ok()) {
    (void)Fds(t).Close(*fd0);
    return FromStatus(fd1.status());
  }
  const int32_t fds[2] = {*fd0, *fd1};
  if (absl::Status s = t.mm->CopyOutObject(a[3], fds); !s.ok()) {
    (void)Fds(t).Close(*fd0);
    (void)Fds(t).Close(*fd1);
    return FromStatus(s);
  }
  return SyscallResult::Value(0);
}

// ---- bind, listen, accept, connect, shutdown, names ----

SyscallResult Bind(Task& t, const SyscallArgs& a) {
  absl::StatusOr<std::shared_ptr<fs::UnixSocketFile>> f = GetSocket(t, a[0]);
  if (!f.ok()) return FromStatus(f.status());
  fs::UnixSocket& socket = (*f)->socket();
  absl::StatusOr<std::string> raw = CopyInSockaddr(t, a[1], a[2]);
  if (!raw.ok()) return FromStatus(raw.status());
  // Just the family: autobind.
  if (raw->size() == sizeof(sa_family_t) && FamilyOf(*raw) == AF_UNIX) {
    return FromStatus(socket.Autobind(NameTable()));
  }
  absl::StatusOr<UnixAddress> addr = ParseUnixAddress(*raw);
  if (!addr.ok()) return FromStatus(addr.status());
  if (addr->abstract) return FromStatus(socket.BindAbstract(NameTable(), addr->bytes));
  return FromStatus(BindToPath(t, socket, *addr));
}

SyscallResult Listen(Task& t, const SyscallArgs& a) {
  absl::StatusOr<std::shared_ptr<fs::UnixSocketFile>> f = GetSocket(t, a[0]);
  if (!f.ok()) return FromStatus(f.status());
  return FromStatus((*f)->socket().Listen(static_cast<int>(a[1]), PeerCredentials(t)));
}

SyscallResult DoAccept(Task& t, const SyscallArgs& a, int flags) {
  if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) return SyscallResult::Error(EINVAL);
  absl::StatusOr<std::shared_ptr<fs::UnixSocketFile>> f = GetSocket(t, a[0]);
  if (!f.ok()) return FromStatus(f.status());
  fs::UnixSocket& listener = (*f)->socket();
  if (listener.type() == SOCK_DGRAM) return SyscallResult::Error(EOPNOTSUPP);
  absl::StatusOr<fs::UnixSocket::Accepted> accepted = listener.Accept(t, Nonblocking(**f, 0));
  if (!accepted.ok()) return FromStatus(accepted.status());
  auto file = std::make_shared<fs::UnixSocketFile>(std::move(accepted->socket),
                                                   (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0);
  absl::StatusOr<int> fd = Fds(t).Install(std::move(file), flags & SOCK_CLOEXEC, 0, NofileLimit(t));
  if (!fd.ok()) return FromStatus(fd.status());
  if (a[1] != 0) {
    if (absl::Status s =
            CopyOutUnixAddress(t, a[1], a[2], accepted->peer_address, sizeof(sa_family_t));
        !s.ok()) {
      (void)Fds(t).Close(*fd);
      return FromStatus(s);
    }
  }
  return SyscallResult::Value(*fd);
}

SyscallResult Accept(Task& t, const SyscallArgs& a) { return DoAccept(t, a, 0); }
SyscallResult Accept4(Task& t, const SyscallArgs& a) { return DoAccept(t, a, static_cast<int>(a[3])); }

SyscallResult Connect(Task& t, const SyscallArgs& a) {
  absl::StatusOr<std::shared_ptr<fs::UnixSocketFile>> f = GetSocket(t, a[0]);
  if (!f.ok()) return FromStatus(f.status());
  fs::UnixSocket& socket = (*f)->socket();
  absl::StatusOr<std::string> raw = CopyInSockaddr(t, a[1], a[2]);
  if (!raw.ok()) return FromStatus(raw.status());
  if (socket.type() == SOCK_DGRAM && raw->size() >= sizeof(sa_family_t) &&
      FamilyOf(*raw) == AF_UNSPEC) {
    return FromStatus(socket.ConnectDatagram(nullptr));  // Dissolves the association.
  }
  absl::StatusOr<UnixAddress> addr = ParseUnixAddress(*raw);
  if (!addr.ok()) return FromStatus(addr.status());
  // The peer must be able to see who we are.
  if (socket.PassCred()) RUNSC_RETURN_IF_ERROR(socket.Autobind(NameTable()));
  absl::StatusOr<std::shared_ptr<fs::UnixSocket>> peer = FindSocket(t, *addr, socket.type());
  if (!peer.ok()) return FromStatus(peer.status());
  if (socket.type() == SOCK_DGRAM) return FromStatus(socket.ConnectDatagram(*peer));
  return FromStatus(socket.Connect(t, *peer, Nonblocking(**f, 0), PeerCredentials(t)));
}

SyscallResult Shutdown(Task& t, const SyscallArgs& a) {
  absl::StatusOr<std::shared_ptr<fs::UnixSocketFile>> f = GetSocket(t, a[0]);
  if (!f.ok()) return FromStatus(f.status());
  const int how = static_cast<int>(a[1]);
  if (how < SHUT_RD || how > SHUT_RDWR) return SyscallResult::Error(EINVAL);
  (*f)->socket().Shutdown(how);
  return SyscallResult::Value(0);
}

SyscallResult Getsockname(Task& t, const SyscallArgs& a) {
  absl::StatusOr<std::shared_ptr<fs::UnixSocketFile>> f = GetSocket(t, a[0]);
  if (!f.ok()) return FromStatus(f.status());
  return FromStatus(
      CopyOutUnixAddress(t, a[1], a[2], (*f)->socket().Address(), sizeof(sa_family_t)));
}

SyscallResult Getpeername(Task& t, const SyscallArgs& a) {
  absl::StatusOr<std::shared_ptr<fs::UnixSocketFile>> f = GetSocket(t, a[0]);
  if (!f.ok()) return FromStatus(f.status());
  absl::StatusOr<std::string> peer = (*f)->socket().PeerAddress();
  if (!peer.ok()) return FromStatus(peer.status());
  return FromStatus(CopyOutUnixAddress(t, a[1], a[2], *peer, sizeof(sa_family_t)));
}

// ---- Messages ----

// What a send or receive works on: a msghdr's fields, or those sendto
// and recvfrom stand for.
struct MessageHeader {
  uint64_t name = 0;
  uint32_t namelen = 0;
  std::vector<iovec> iov;
  uint64_t control = 0;
  uint64_t controllen = 0;
};

absl::StatusOr<std::vector<iovec>> CopyInIovecs(Task& t, uint64_t addr, uint64_t count) {
  if (count > kUioMaxIov) return ErrnoError(EMSGSIZE, "more than UIO_MAXIOV iovecs");
  std::vector<iovec> iov(count);
  if (count > 0) {
    if (absl::Status s = t.mm->CopyIn(addr, absl::MakeSpan(reinterpret_cast<uint8_t*>(iov.data()),
                                                           iov.size() * sizeof(iovec)));
        !s.ok()) {
      return s;
    }
  }
  uint64_t total = 0;
  for (const iovec& v : iov) {
    if (static_cast<int64_t>(v.iov_len) < 0) return ErrnoError(EINVAL, "negative iovec length");
    if (!AccessOk(reinterpret_cast<uint64_t>(v.iov_base), v.iov_len)) {
      return ErrnoError(EFAULT, "iovec outside the address space");
    }
    total += v.iov_len;
    if (static_cast<int64_t>(total) < 0) return ErrnoError(EINVAL, "iovec lengths overflow");
  }
  return iov;
}

absl::StatusOr<MessageHeader> CopyInMsghdr(Task& t, uint64_t addr) {
  msghdr m;
  if (absl::Status s = t.mm->CopyInObject(addr, m); !s.ok()) return s;
  if (static_cast<int32_t>(m.msg_namelen) < 0) return ErrnoError(EINVAL, "negative msg_namelen");
  MessageHeader h;
  h.name = reinterpret_cast<uint64_t>(m.msg_name);
  h.namelen = h.name == 0 ? 0 : std::min<uint32_t>(m.msg_namelen, kSockaddrStorage);
  h.control = reinterpret_cast<uint64_t>(m.msg_control);
  h.controllen = m.msg_controllen;
  absl::StatusOr<std::vector<iovec>> iov =
      CopyInIovecs(t, reinterpret_cast<uint64_t>(m.msg_iov), m.msg_iovlen);
  if (!iov.ok()) return iov.status();
  h.iov = std::move(*iov);
  return h;
}

uint64_t TotalLength(const std::vector<iovec>& iov) {
  uint64_t total = 0;
  for (const iovec& v : iov) total += v.iov_len;
  return total;
}

// What SCM_RIGHTS and SCM_CREDENTIALS of a sendmsg carry.
struct SendControl {
  std::vector<std::shared_ptr<fs::File>> rights;
  std::optional<fs::UnixCredentials> creds;
};

// scm_check_creds: one's own pid (or CAP_SYS_ADMIN), one of one's uids
// (or CAP_SETUID) and gids (or CAP_SETGID); the pid must exist.
absl::Status CheckCredentials(Task& t, const ucred& c) {
  const sentry::Credentials& me = t.creds;
  const bool pid_ok = c.pid == t.tgid() || me.HasCapability(CAP_SYS_ADMIN);
  const bool uid_ok =
      c.uid == me.uid || c.uid == me.euid || c.uid == me.suid || me.HasCapability(CAP_SETUID);
  const bool gid_ok =
      c.gid == me.gid || c.gid == me.egid || c.gid == me.sgid || me.HasCapability(CAP_SETGID);
  if (!pid_ok || !uid_ok || !gid_ok) return ErrnoError(EPERM, "SCM_CREDENTIALS not one's own");
  if (c.pid != t.tgid()) {
    absl::MutexLock lock(&t.kernel().mu);
    if (t.kernel().FindTask(c.pid) == nullptr) return ErrnoError(ESRCH, "SCM_CREDENTIALS pid");
  }
  if (c.uid == static_cast<uid_t>(-1) || c.gid == static_cast<gid_t>(-1)) {
    return ErrnoError(EINVAL, "SCM_CREDENTIALS with an invalid id");
  }
  return absl::OkStatus();
}

// __scm_send: walks the cmsghdrs as CMSG_NXTHDR does. A header whose
// length is short or runs past the buffer is EINVAL; other levels are
// skipped; SOL_SOCKET types other than SCM_RIGHTS and SCM_CREDENTIALS are
// EINVAL; a bad fd is EBADF; more than SCM_MAX_FD files EINVAL.
absl::StatusOr<SendControl> CopyInControl(Task& t, uint64_t addr, uint64_t len) {
  SendControl out;
  if (len == 0) return out;
  if (len > INT_MAX || len > kMaxControl) return ErrnoError(ENOBUFS, "control buffer too large");
  std::vector<uint8_t> buf(len);
  if (absl::Status s = t.mm->CopyIn(addr, absl::MakeSpan(buf)); !s.ok()) return s;
  for (size_t off = 0; off + kCmsgHeader <= len;) {
    cmsghdr h;
    std::memcpy(&h, buf.data() + off, sizeof(h));
    if (h.cmsg_len < kCmsgHeader || h.cmsg_len > len - off) {
      return ErrnoError(EINVAL, "bad cmsg_len");
    }
    const uint8_t* data = buf.data() + off + CMSG_LEN(0);
    const size_t data_len = h.cmsg_len - CMSG_LEN(0);
    if (h.cmsg_level == SOL_SOCKET) {
      switch (h.cmsg_type) {
        case SCM_RIGHTS: {
          const size_t n = data_len / sizeof(int);
          if (out.rights.size() + n > fs::UnixSocket::kMaxRights) {
            return ErrnoError(EINVAL, "more than SCM_MAX_FD files");
          }
          for (size_t i = 0; i < n; ++i) {
            int fd;
            std::memcpy(&fd, data + i * sizeof(int), sizeof(int));
            std::shared_ptr<fs::File> file = Fds(t).Get(fd);
            if (!file) return ErrnoError(EBADF, "SCM_RIGHTS of a bad fd");
            out.rights.push_back(std::move(file));
          }
          break;
        }
        case SCM_CREDENTIALS: {
          if (h.cmsg_len != CMSG_LEN(sizeof(ucred))) {
            return ErrnoError(EINVAL, "SCM_CREDENTIALS of the wrong size");
          }
          ucred c;
          std::memcpy(&c, data, sizeof(c));
          if (absl::Status s = CheckCredentials(t, c); !s.ok()) return s;
          out.creds = fs::UnixCredentials{c.pid, c.uid, c.gid};
          break;
        }
        default:
          return ErrnoError(EINVAL, "unknown SOL_SOCKET control message");
      }
    }
    off += CMSG_ALIGN(h.cmsg_len);
  }
  return out;
}

// sendmsg's body, shared by sendto, sendmsg and sendmmsg.
SyscallResult DoSend(Task& t, uint64_t fd, const MessageHeader& h, int flags) {
  absl::StatusOr<std::shared_ptr<fs::UnixSocketFile>> f = GetSocket(t, fd);
  if (!f.ok()) return FromStatus(f.status());
  fs::UnixSocket& socket = (*f)->socket();
  if (flags & MSG_OOB) {
    if (socket.type() == SOCK_STREAM) LogOnce("MSG_OOB on unix stream sockets is not implemented");
    return SyscallResult::Error(EOPNOTSUPP);
  }
  const uint64_t total = TotalLength(h.iov);
  // A record that can never fit is EMSGSIZE (a stream write is short).
  if (socket.type() != SOCK_STREAM && total > kMaxIo) return SyscallResult::Error(EMSGSIZE);
  std::vector<uint8_t> data(std::min<uint64_t>(total, kMaxIo));
  size_t filled = 0;
  for (const iovec& v : h.iov) {
    const size_t n = std::min(v.iov_len, data.size() - filled);
    if (n == 0) continue;
    RUNSC_RETURN_IF_ERROR(t.mm->CopyIn(reinterpret_cast<uint64_t>(v.iov_base),
                                       absl::MakeSpan(data.data() + filled, n)));
    filled += n;
  }
  absl::StatusOr<SendControl> control = CopyInControl(t, h.control, h.controllen);
  if (!control.ok()) return FromStatus(control.status());

  fs::UnixSocket::SendArgs args;
  args.data = data;
  args.rights = std::move(control->rights);
  args.creds = control->creds.value_or(SenderCredentials(t));
  args.nonblock = Nonblocking(**f, flags);
  if (h.name != 0 && h.namelen > 0) {
    args.has_address = true;
    if (socket.type() == SOCK_DGRAM) {
      absl::StatusOr<std::string> raw = CopyInSockaddr(t, h.name, h.namelen);
      if (!raw.ok()) return FromStatus(raw.status());
      absl::StatusOr<UnixAddress> addr = ParseUnixAddress(*raw);
      if (!addr.ok()) return FromStatus(addr.status());
      absl::StatusOr<std::shared_ptr<fs::UnixSocket>> to = FindSocket(t, *addr, SOCK_DGRAM);
      if (!to.ok()) return FromStatus(to.status());
      args.to = std::move(*to);
    }
  }
  // The receiver must be able to see who sent this.
  if (socket.type() != SOCK_STREAM && socket.PassCred()) {
    RUNSC_RETURN_IF_ERROR(socket.Autobind(NameTable()));
  }
  absl::StatusOr<size_t> sent = socket.Send(t, std::move(args));
  if (!sent.ok()) {
    if (ErrnoOf(sent.status()) == EPIPE && !(flags & MSG_NOSIGNAL)) RaiseSigpipe(t);
    return FromStatus(sent.status());
  }
  return SyscallResult::Value(static_cast<int64_t>(*sent));
}

// What a receive reports besides its data.
struct RecvOutcome {
  int64_t length = 0;
  uint32_t namelen = 0;
  uint64_t controllen = 0;  // Bytes of control data written.
  int msg_flags = 0;
};

// put_cmsg: a control message into what is left of the buffer; truncated
// (MSG_CTRUNC) when it does not fit.
void PutCmsg(std::vector<uint8_t>& out, uint64_t capacity, int type, const void* data, size_t len,
             int& msg_flags) {
  const uint64_t room = capacity - out.size();
  if (room < kCmsgHeader) {
    msg_flags |= MSG_CTRUNC;
    return;
  }
  size_t cmlen = CMSG_LEN(len);
  if (room < cmlen) {
    msg_flags |= MSG_CTRUNC;
    cmlen = room;
  }
  cmsghdr h{};
  h.cmsg_len = cmlen;
  h.cmsg_level = SOL_SOCKET;
  h.cmsg_type = type;
  const size_t start = out.size();
  out.resize(start + std::min<uint64_t>(CMSG_SPACE(len), room), 0);
  std::memcpy(out.data() + start, &h, sizeof(h));
  std::memcpy(out.data() + start + CMSG_LEN(0), data, cmlen - CMSG_LEN(0));
}

// recvmsg's body, shared by recvfrom, recvmsg and recvmmsg.
absl::StatusOr<RecvOutcome> DoRecv(Task& t, uint64_t fd, const MessageHeader& h, int flags) {
  absl::StatusOr<std::shared_ptr<fs::UnixSocketFile>> f = GetSocket(t, fd);
  if (!f.ok()) return f.status();
  fs::UnixSocket& socket = (*f)->socket();
  if (flags & MSG_OOB) {
    // Out-of-band data is never queued (sends of it are refused), so a
    // stream has none to give, as Linux says: EINVAL.
    return socket.type() == SOCK_STREAM ? ErrnoError(EINVAL, "no out-of-band data")
                                        : ErrnoError(EOPNOTSUPP, "MSG_OOB on a record socket");
  }
  fs::UnixSocket::RecvArgs args;
  args.size = std::min<uint64_t>(TotalLength(h.iov), kMaxIo);
  args.peek = flags & MSG_PEEK;
  args.waitall = flags & MSG_WAITALL;
  args.trunc = flags & MSG_TRUNC;
  args.nonblock = Nonblocking(**f, flags);
  absl::StatusOr<fs::UnixSocket::Received> r = socket.Recv(t, args);
  if (!r.ok()) return r.status();

  size_t done = 0;
  for (const iovec& v : h.iov) {
    const size_t n = std::min(v.iov_len, r->data.size() - done);
    if (n == 0) continue;
    if (absl::Status s = t.mm->CopyOut(reinterpret_cast<uint64_t>(v.iov_base),
                                       absl::MakeConstSpan(r->data.data() + done, n));
        !s.ok()) {
      return s;
    }
    done += n;
  }
  RecvOutcome out;
  out.length = static_cast<int64_t>(r->length);
  out.msg_flags = r->msg_flags;
  if (h.name != 0) {
    std::string full;
    if (!r->from.empty()) {
      const sa_family_t family = AF_UNIX;
      full.assign(reinterpret_cast<const char*>(&family), sizeof(family));
      full += r->from;
    }
    const size_t n = std::min<size_t>(h.namelen, full.size());
    if (n > 0) {
      if (absl::Status s = t.mm->CopyOut(
              h.name, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(full.data()), n));
          !s.ok()) {
        return s;
      }
    }
    out.namelen = static_cast<uint32_t>(full.size());
  }
  // Control messages as scm_recv writes them: credentials, then files.
  std::vector<uint8_t> control;
  const uint64_t capacity = h.control == 0 ? 0 : h.controllen;
  if (r->creds.has_value()) {
    const ucred c{r->creds->pid, r->creds->uid, r->creds->gid};
    PutCmsg(control, capacity, SCM_CREDENTIALS, &c, sizeof(c), out.msg_flags);
  }
  std::vector<int> installed;
  if (!r->rights.empty()) {
    const uint64_t room = capacity - control.size();
    const size_t fdmax = room > kCmsgHeader ? (room - kCmsgHeader) / sizeof(int) : 0;
    for (size_t i = 0; i < std::min(fdmax, r->rights.size()); ++i) {
      absl::StatusOr<int> nfd =
          Fds(t).Install(r->rights[i], flags & MSG_CMSG_CLOEXEC, 0, NofileLimit(t));
      if (!nfd.ok()) break;  // EMFILE: the rest are closed, MSG_CTRUNC says so.
      installed.push_back(*nfd);
    }
    if (!installed.empty()) {
      int ignored = 0;
      PutCmsg(control, capacity, SCM_RIGHTS, installed.data(), installed.size() * sizeof(int),
              ignored);
    }
    if (installed.size() < r->rights.size()) out.msg_flags |= MSG_CTRUNC;
  }
  if (!control.empty()) {
    if (absl::Status s = t.mm->CopyOut(h.control, control); !s.ok()) {
      for (int nfd : installed) (void)Fds(t).Close(nfd);
      return s;
    }
  }
  out.controllen = control.size();
  return out;
}

SyscallResult Sendto(Task& t, const SyscallArgs& a) {
  MessageHeader h;
  if (!AccessOk(a[1], a[2])) return SyscallResult::Error(EFAULT);
  h.iov.push_back(iovec{reinterpret_cast<void*>(a[1]), std::min<size_t>(a[2], INT_MAX)});
  if (a[4] != 0) {
    // sendto checks the address length as move_addr_to_kernel does.
    if (static_cast<int32_t>(a[5]) < 0 || static_cast<uint32_t>(a[5]) > kSockaddrStorage) {
      return SyscallResult::Error(EINVAL);
    }
    h.name = a[4];
    h.namelen = static_cast<uint32_t>(a[5]);
  }
  return DoSend(t, a[0], h, static_cast<int>(a[3]));
}

SyscallResult Recvfrom(Task& t, const SyscallArgs& a) {
  MessageHeader h;
  if (!AccessOk(a[1], a[2])) return SyscallResult::Error(EFAULT);
  h.iov.push_back(iovec{reinterpret_cast<void*>(a[1]), std::min<size_t>(a[2], INT_MAX)});
  if (a[4] != 0) {
    // The room for the sender's address (move_addr_to_user's checks).
    int32_t len = 0;
    RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[5], len));
    if (len < 0) return SyscallResult::Error(EINVAL);
    h.name = a[4];
    h.namelen = std::min<uint32_t>(static_cast<uint32_t>(len), kSockaddrStorage);
  }
  absl::StatusOr<RecvOutcome> r = DoRecv(t, a[0], h, static_cast<int>(a[3]));
  if (!r.ok()) return FromStatus(r.status());
  if (a[4] != 0) {
    RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[5], static_cast<int32_t>(r->namelen)));
  }
  return SyscallResult::Value(r->length);
}

SyscallResult DoSendmsg(Task& t, uint64_t fd, uint64_t msg_addr, int flags) {
  absl::StatusOr<MessageHeader> h = CopyInMsghdr(t, msg_addr);
  if (!h.ok()) return FromStatus(h.status());
  return DoSend(t, fd, *h, flags);
}

// recvmsg for one msghdr: the data, then msg_namelen, msg_controllen and
// msg_flags written back.
SyscallResult DoRecvmsg(Task& t, uint64_t fd, uint64_t msg_addr, int flags) {
  absl::StatusOr<MessageHeader> h = CopyInMsghdr(t, msg_addr);
  if (!h.ok()) return FromStatus(h.status());
  absl::StatusOr<RecvOutcome> r = DoRecv(t, fd, *h, flags);
  if (!r.ok()) return FromStatus(r.status());
  const uint32_t namelen = h->name != 0 ? r->namelen : 0;
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(msg_addr + offsetof(msghdr, msg_namelen), namelen));
  RUNSC_RETURN_IF_ERROR(
      t.mm->CopyOutObject(msg_addr + offsetof(msghdr, msg_controllen), r->controllen));
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(msg_addr + offsetof(msghdr, msg_flags),
                                            static_cast<int32_t>(r->msg_flags)));
  return SyscallResult::Value(r->length);
}

SyscallResult Sendmsg(Task& t, const SyscallArgs& a) {
  return DoSendmsg(t, a[0], a[1], static_cast<int>(a[2]));
}
SyscallResult Recvmsg(Task& t, const SyscallArgs& a) {
  return DoRecvmsg(t, a[0], a[1], static_cast<int>(a[2]));
}

// sendmmsg: each message in turn; an error after the first ends the batch
// with the count sent, as Linux.
SyscallResult Sendmmsg(Task& t, const SyscallArgs& a) {
  const uint64_t vlen = std::min<uint64_t>(static_cast<uint32_t>(a[2]), kUioMaxIov);
  int64_t sent = 0;
  for (uint64_t i = 0; i < vlen; ++i) {
    const uint64_t entry = a[1] + i * sizeof(mmsghdr);
    SyscallResult r = DoSendmsg(t, a[0], entry, static_cast<int>(a[3]));
    if (r.value < 0) return sent > 0 ? SyscallResult::Value(sent) : r;
    if (!t.mm->CopyOutObject(entry + offsetof(mmsghdr, msg_len), static_cast<uint32_t>(r.value))
             .ok()) {
      return sent > 0 ? SyscallResult::Value(sent) : SyscallResult::Error(EFAULT);
    }
    ++sent;
  }
  return SyscallResult::Value(sent);
}

// recvmmsg: MSG_WAITFORONE makes every receive after the first
// nonblocking; the timeout, as on Linux, is checked between messages
// (it does not bound a blocked receive) and what is left is written back.
SyscallResult Recvmmsg(Task& t, const SyscallArgs& a) {
  const uint64_t vlen = std::min<uint64_t>(static_cast<uint32_t>(a[2]), kUioMaxIov);
  int flags = static_cast<int>(a[3]);
  std::optional<absl::Time> deadline;
  if (a[4] != 0) {
    timespec ts;
    RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[4], ts));
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) {
      return SyscallResult::Error(EINVAL);
    }
    deadline = absl::Now() + absl::DurationFromTimespec(ts);
  }
  int64_t received = 0;
  for (uint64_t i = 0; i < vlen; ++i) {
    const uint64_t entry = a[1] + i * sizeof(mmsghdr);
    SyscallResult r = DoRecvmsg(t, a[0], entry, flags);
    if (r.value < 0) {
      if (received > 0) break;
      return r;
    }
    if (!t.mm->CopyOutObject(entry + offsetof(mmsghdr, msg_len), static_cast<uint32_t>(r.value))
             .ok()) {
      if (received > 0) break;
      return SyscallResult::Error(EFAULT);
    }
    ++received;
    if (flags & MSG_WAITFORONE) flags |= MSG_DONTWAIT;
    if (deadline.has_value() && absl::Now() >= *deadline) break;
  }
  if (deadline.has_value()) {
    const timespec left = absl::ToTimespec(std::max(*deadline - absl::Now(), absl::ZeroDuration()));
    RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[4], left));
  }
  return SyscallResult::Value(received);
}

// ---- Options ----

bool IsTimeoutOption(int name) {
  return name == SO_RCVTIMEO || name == SO_SNDTIMEO || name == kSoRcvtimeoNew ||
         name == kSoSndtimeoNew;
}
bool IsReceiveTimeout(int name) { return name == SO_RCVTIMEO || name == kSoRcvtimeoNew; }

SyscallResult Setsockopt(Task& t, const SyscallArgs& a) {
  absl::StatusOr<std::shared_ptr<fs::UnixSocketFile>> f = GetSocket(t, a[0]);
  if (!f.ok()) return FromStatus(f.status());
  fs::UnixSocket& socket = (*f)->socket();
  const int level = static_cast<int>(a[1]), name = static_cast<int>(a[2]);
  const int32_t optlen = static_cast<int32_t>(a[4]);
  if (optlen < 0) return SyscallResult::Error(EINVAL);
  // Unix sockets have options only at SOL_SOCKET.
  if (level != SOL_SOCKET) return SyscallResult::Error(EOPNOTSUPP);
  // As sk_setsockopt: every option takes at least an int.
  if (optlen < static_cast<int32_t>(sizeof(int32_t))) return SyscallResult::Error(EINVAL);
  int32_t value = 0;
  RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[3], value));
  if (IsTimeoutOption(name)) {
    struct timeval tv;
    if (static_cast<size_t>(optlen) < sizeof(tv)) return SyscallResult::Error(EINVAL);
    RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[3], tv));
    if (tv.tv_usec < 0 || tv.tv_usec >= 1000000) return SyscallResult::Error(EDOM);
    // sock_set_timeout: negative is "don't wait", zero is "forever".
    absl::Duration d = absl::InfiniteDuration();
    if (tv.tv_sec < 0) {
      d = absl::ZeroDuration();
    } else if (tv.tv_sec != 0 || tv.tv_usec != 0) {
      d = absl::DurationFromTimeval(tv);
    }
    if (IsReceiveTimeout(name)) {
      socket.SetTimeouts(d, std::nullopt);
    } else {
      socket.SetTimeouts(std::nullopt, d);
    }
    return SyscallResult::Value(0);
  }
  switch (name) {
    case SO_PASSCRED: socket.SetPassCred(value != 0); return SyscallResult::Value(0);
    case SO_REUSEADDR: socket.SetReuseAddr(value != 0); return SyscallResult::Value(0);
    case SO_SNDBUF: socket.SetSendBuffer(value); return SyscallResult::Value(0);
    case SO_RCVBUF: socket.SetReceiveBuffer(value); return SyscallResult::Value(0);
    case SO_TYPE:
    case SO_DOMAIN:
    case SO_PROTOCOL:
    case SO_ERROR:
    case SO_PEERCRED:
    case SO_ACCEPTCONN:
      return SyscallResult::Error(ENOPROTOOPT);  // Read-only, as on Linux.
    default:
      LogOnce(absl::StrCat("setsockopt(SOL_SOCKET, ", name,
                           ") on a unix socket is not implemented: ENOPROTOOPT"));
      return SyscallResult::Error(ENOPROTOOPT);
  }
}

SyscallResult Getsockopt(Task& t, const SyscallArgs& a) {
  absl::StatusOr<std::shared_ptr<fs::UnixSocketFile>> f = GetSocket(t, a[0]);
  if (!f.ok()) return FromStatus(f.status());
  fs::UnixSocket& socket = (*f)->socket();
  const int level = static_cast<int>(a[1]), name = static_cast<int>(a[2]);
  if (level != SOL_SOCKET) return SyscallResult::Error(EOPNOTSUPP);
  int32_t len = 0;
  RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[4], len));
  if (len < 0) return SyscallResult::Error(EINVAL);
  std::vector<uint8_t> value;
  auto put = [&value](const auto& v) {
    value.resize(sizeof(v));
    std::memcpy(value.data(), &v, sizeof(v));
  };
  if (IsTimeoutOption(name)) {
    const absl::Duration d = IsReceiveTimeout(name) ? socket.ReceiveTimeout() : socket.SendTimeout();
    struct timeval tv {};
    if (d != absl::InfiniteDuration()) tv = absl::ToTimeval(d);
    put(tv);
  } else {
    switch (name) {
      case SO_TYPE: put(int32_t{socket.type()}); break;
      case SO_DOMAIN: put(int32_t{AF_UNIX}); break;
      case SO_PROTOCOL: put(int32_t{0}); break;
      case SO_ERROR: put(int32_t{socket.TakeError()}); break;
      case SO_SNDBUF: put(int32_t{socket.SendBuffer()}); break;
      case SO_RCVBUF: put(int32_t{socket.ReceiveBuffer()}); break;
      case SO_ACCEPTCONN: put(int32_t{socket.Listening() ? 1 : 0}); break;
      case SO_PASSCRED: put(int32_t{socket.PassCred() ? 1 : 0}); break;
      case SO_REUSEADDR: put(int32_t{socket.ReuseAddr() ? 1 : 0}); break;
      case SO_PEERCRED: {
        const fs::UnixCredentials c = socket.PeerCredentials();
        put(ucred{c.pid, c.uid, c.gid});
        break;
      }
      default:
        LogOnce(absl::StrCat("getsockopt(SOL_SOCKET, ", name,
                             ") on a unix socket is not implemented: ENOPROTOOPT"));
        return SyscallResult::Error(ENOPROTOOPT);
    }
  }
  const size_t n = std::min<size_t>(static_cast<size_t>(len), value.size());
  if (n > 0) RUNSC_RETURN_IF_ERROR(t.mm->CopyOut(a[3], absl::MakeConstSpan(value.data(), n)));
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[4], static_cast<int32_t>(n)));
  return SyscallResult::Value(0);
}

}  // namespace

std::optional<SyscallResult> SocketReadvWritev(Task& t, int fd, const std::vector<iovec>& iov,
                                               bool write) {
  if (!std::dynamic_pointer_cast<fs::UnixSocketFile>(Fds(t).Get(fd))) return std::nullopt;
  MessageHeader h;
  for (const iovec& v : iov) {
    if (!AccessOk(reinterpret_cast<uint64_t>(v.iov_base), v.iov_len)) {
      return SyscallResult::Error(EFAULT);
    }
    h.iov.push_back(v);
  }
  if (write) return DoSend(t, fd, h, 0);
  // As sock_read_iter: nothing to read into is 0, with no record taken.
  if (TotalLength(h.iov) == 0) return SyscallResult::Value(0);
  absl::StatusOr<RecvOutcome> r = DoRecv(t, fd, h, 0);
  if (!r.ok()) return FromStatus(r.status());
  return SyscallResult::Value(r->length);
}

void RegisterSocket(SyscallTable& t) {
  // socket(2) makes nothing but AF_UNIX sockets, so the rest serve only them.
  constexpr const char* kUnixOnly = "AF_UNIX sockets (in the sentry)";
  t[SYS_socket] = {"socket", Socket, Support::kPartial,
                   "AF_UNIX only (in the sentry); other families EAFNOSUPPORT, logged once"};
  t[SYS_socketpair] = {"socketpair", Socketpair, Support::kFull,
                       "AF_UNIX stream, datagram and seqpacket"};
  t[SYS_bind] = {"bind", Bind, Support::kPartial,
                 "AF_UNIX: paths (a socket file is made), abstract names, autobind"};
  t[SYS_listen] = {"listen", Listen, Support::kPartial, kUnixOnly};
  t[SYS_accept] = {"accept", Accept, Support::kPartial, kUnixOnly};
  t[SYS_accept4] = {"accept4", Accept4, Support::kPartial, kUnixOnly};
  t[SYS_connect] = {"connect", Connect, Support::kPartial,
                    "AF_UNIX; no write-permission check on the socket file yet"};
  t[SYS_shutdown] = {"shutdown", Shutdown, Support::kPartial, kUnixOnly};
  t[SYS_getsockname] = {"getsockname", Getsockname, Support::kPartial, kUnixOnly};
  t[SYS_getpeername] = {"getpeername", Getpeername, Support::kPartial, kUnixOnly};
  t[SYS_sendto] = {"sendto", Sendto, Support::kPartial, "AF_UNIX; no MSG_OOB"};
  t[SYS_recvfrom] = {"recvfrom", Recvfrom, Support::kPartial, "AF_UNIX; no MSG_OOB, MSG_ERRQUEUE"};
  t[SYS_sendmsg] = {"sendmsg", Sendmsg, Support::kPartial,
                    "AF_UNIX; SCM_RIGHTS, SCM_CREDENTIALS; no MSG_OOB"};
  t[SYS_recvmsg] = {"recvmsg", Recvmsg, Support::kPartial,
                    "AF_UNIX; SCM_RIGHTS, SCM_CREDENTIALS; no MSG_OOB, MSG_ERRQUEUE"};
  t[SYS_sendmmsg] = {"sendmmsg", Sendmmsg, Support::kPartial, kUnixOnly};
  t[SYS_recvmmsg] = {"recvmmsg", Recvmmsg, Support::kPartial,
                     "AF_UNIX; the timeout is checked between messages, as Linux"};
  t[SYS_setsockopt] = {"setsockopt", Setsockopt, Support::kPartial,
                       "AF_UNIX SOL_SOCKET: SO_PASSCRED, SO_SNDBUF, SO_RCVBUF, SO_REUSEADDR, "
                       "SO_RCVTIMEO, SO_SNDTIMEO; others ENOPROTOOPT"};
  t[SYS_getsockopt] = {"getsockopt", Getsockopt, Support::kPartial,
                       "AF_UNIX SOL_SOCKET: SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ERROR, "
                       "SO_PEERCRED, SO_SNDBUF, SO_RCVBUF, SO_ACCEPTCONN, SO_PASSCRED, "
                       "SO_REUSEADDR, SO_RCVTIMEO, SO_SNDTIMEO; others ENOPROTOOPT"};
}

}  // namespace runsc::syscalls
