// send*/recv* of AF_UNIX sockets: msghdrs, iovecs and control messages
// (SCM_RIGHTS, SCM_CREDENTIALS), checked as Linux checks them.
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
#include "syscalls/sys_socket_internal.h"

namespace runsc::syscalls {
namespace socket_internal {
namespace {

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
            // O_PATH fds may be passed too (Linux's scm_fp_copy uses fget_raw).
            std::shared_ptr<fs::File> file = Fds(t).GetIncludingOPath(fd);
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

}  // namespace

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

namespace {

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
}  // namespace

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

}  // namespace socket_internal

using socket_internal::DoRecv;
using socket_internal::Task;
using socket_internal::DoSend;
using socket_internal::MessageHeader;
using socket_internal::RecvOutcome;
using socket_internal::TotalLength;

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

}  // namespace runsc::syscalls
