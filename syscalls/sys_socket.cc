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
#include "syscalls/sys_socket_internal.h"

// sys_socket_msg.cc has send*/recv*, sys_socket_options.cc {set,get}sockopt,
// sys_socket_common.cc what they share.

namespace runsc::syscalls {
namespace socket_internal {
namespace {

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

}  // namespace
}  // namespace socket_internal

void RegisterSocket(SyscallTable& t) {
  using namespace socket_internal;  // The handlers.
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
