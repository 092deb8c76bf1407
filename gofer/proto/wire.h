// What both ends of the gofer connection agree on besides the messages in
// gofer.proto: size limits, the name-component rule, and how one message (with
// its fds) moves over the SOCK_SEQPACKET socket.
#ifndef RUNSC_GOFER_PROTO_WIRE_H_
#define RUNSC_GOFER_PROTO_WIRE_H_

#include <cstddef>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "base/unique_fd.h"

namespace runsc::gofer {

// Largest Request or Response, serialized. A reply that would be larger (a big
// directory) is paged by the protocol instead. The 4 KiB beyond 64 KiB are
// room for framing around the largest extended attribute value
// (XATTR_SIZE_MAX) or list (XATTR_LIST_MAX), 64 KiB each, which Linux does
// not page.
inline constexpr size_t kMaxMessageSize = 68 * 1024;

// Linux's limits on extended attributes (<linux/limits.h>).
inline constexpr size_t kMaxXattrNameLength = 255;   // XATTR_NAME_MAX
inline constexpr size_t kMaxXattrValueSize = 65536;  // XATTR_SIZE_MAX
inline constexpr size_t kMaxXattrListSize = 65536;   // XATTR_LIST_MAX

// Longest name component Linux accepts (NAME_MAX).
inline constexpr size_t kMaxNameLength = 255;

// Most fds one received message may carry before the rest are dropped. Replies
// carry at most one; anything beyond that is a protocol violation, and having
// room to see it lets the receiver close the extras rather than guess.
inline constexpr size_t kMaxReceivedFds = 8;

// OK if `name` is one path component a walk may use: not "", "." or "..",
// no '/' or NUL, at most kMaxNameLength bytes. EINVAL (ENAMETOOLONG for
// length) otherwise. Checked by the client before sending and by the server
// before anything else looks at the name.
[[nodiscard]] absl::Status CheckNameComponent(absl::string_view name);

// OK if `name` is an extended attribute the gofer serves: "user." and at
// least one more byte, at most kMaxXattrNameLength, no NUL. A malformed name
// is EINVAL; a well-formed one in another namespace (security.*, trusted.*,
// system.*, unknown) is EOPNOTSUPP, as a Linux file system without handlers
// for it answers. Checked by the client before sending and by the server
// before anything else looks at the name.
[[nodiscard]] absl::Status CheckXattrName(absl::string_view name);

struct ReceivedPacket {
  bool hung_up = false;            // The peer closed; nothing below is set.
  size_t size = 0;                 // Bytes placed at the start of the buffer.
  bool truncated = false;          // Longer than the buffer; the tail is lost.
  bool control_truncated = false;  // More fds than kMaxReceivedFds; the kernel
                                   // closed the ones that did not fit.
  std::vector<UniqueFd> fds;       // Received with SCM_RIGHTS, close-on-exec.
};

// Receives one message into `buffer`. A zero-length message is a message
// (size 0), distinct from the peer hanging up. Retries EINTR. Errors are
// failures of the socket itself.
[[nodiscard]] absl::StatusOr<ReceivedPacket> ReceivePacket(int socket, absl::Span<char> buffer);

// Sends `bytes` as one message, with `fd` attached unless it is -1. Never
// raises SIGPIPE: a hung-up peer is an EPIPE error.
[[nodiscard]] absl::Status SendPacket(int socket, absl::string_view bytes, int fd = -1);

}  // namespace runsc::gofer

#endif  // RUNSC_GOFER_PROTO_WIRE_H_
