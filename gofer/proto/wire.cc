#include "gofer/proto/wire.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "base/errno_status.h"

namespace runsc::gofer {

absl::Status CheckNameComponent(absl::string_view name) {
  if (name.empty()) return ErrnoError(EINVAL, "name component is empty");
  if (name == "." || name == "..") return ErrnoError(EINVAL, "name component is \".\" or \"..\"");
  if (name.find('/') != absl::string_view::npos) {
    return ErrnoError(EINVAL, "name component contains '/'");
  }
  if (name.find('\0') != absl::string_view::npos) {
    return ErrnoError(EINVAL, "name component contains NUL");
  }
  if (name.size() > kMaxNameLength) {
    return ErrnoError(ENAMETOOLONG, "name component is longer than NAME_MAX");
  }
  return absl::OkStatus();
}

absl::Status CheckXattrName(absl::string_view name) {
  constexpr absl::string_view kUserPrefix = "user.";
  if (name.empty()) return ErrnoError(EINVAL, "xattr name is empty");
  if (name.size() > kMaxXattrNameLength) {
    return ErrnoError(EINVAL, "xattr name is longer than XATTR_NAME_MAX");
  }
  if (name.find('\0') != absl::string_view::npos) return ErrnoError(EINVAL, "xattr name contains NUL");
  if (!absl::StartsWith(name, kUserPrefix)) {
    // The security line: see gofer.proto. Not malformed, refused.
    return ErrnoError(EOPNOTSUPP, "only user.* extended attributes are served");
  }
  if (name.size() == kUserPrefix.size()) return ErrnoError(EINVAL, "xattr name is only \"user.\"");
  return absl::OkStatus();
}

namespace {

// recvmsg() returns 0 both for a zero-length message and at end of stream.
// After the peer closes a SEQPACKET pair the kernel marks this end shut down,
// which poll() reports without blocking.
bool PeerHungUp(int socket) {
  pollfd pfd = {.fd = socket, .events = POLLRDHUP, .revents = 0};
  int n;
  do {
    n = ::poll(&pfd, 1, 0);
  } while (n < 0 && errno == EINTR);
  return n > 0 && (pfd.revents & (POLLHUP | POLLRDHUP)) != 0;
}

}  // namespace

absl::StatusOr<ReceivedPacket> ReceivePacket(int socket, absl::Span<char> buffer) {
  iovec iov = {.iov_base = buffer.data(), .iov_len = buffer.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxReceivedFds)];
  msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);

  ssize_t n;
  do {
    n = ::recvmsg(socket, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == ECONNRESET) return ReceivedPacket{.hung_up = true};
    return HostError("recvmsg on gofer socket");
  }

  ReceivedPacket packet;
  // Take ownership of every fd first, so that whatever the caller decides
  // about the message, none of them leaks.
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      packet.fds.emplace_back(fd);
    }
  }
  if (n == 0 && packet.fds.empty() && PeerHungUp(socket)) return ReceivedPacket{.hung_up = true};

  packet.size = static_cast<size_t>(n);
  packet.truncated = (msg.msg_flags & MSG_TRUNC) != 0;
  packet.control_truncated = (msg.msg_flags & MSG_CTRUNC) != 0;
  return packet;
}

absl::Status SendPacket(int socket, absl::string_view bytes, int fd) {
  iovec iov = {.iov_base = const_cast<char*>(bytes.data()), .iov_len = bytes.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
  }
  ssize_t n;
  do {
    n = ::sendmsg(socket, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return HostError("sendmsg on gofer socket");
  // SEQPACKET sends are all or nothing; a short count would be a kernel bug.
  if (static_cast<size_t>(n) != bytes.size()) {
    return ErrnoError(EIO, "sendmsg on gofer socket sent a partial message");
  }
  return absl::OkStatus();
}

}  // namespace runsc::gofer
