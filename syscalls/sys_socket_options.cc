// setsockopt(2) and getsockopt(2) of AF_UNIX sockets (SOL_SOCKET).
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
namespace {

bool IsTimeoutOption(int name) {
  return name == SO_RCVTIMEO || name == SO_SNDTIMEO || name == kSoRcvtimeoNew ||
         name == kSoSndtimeoNew;
}
bool IsReceiveTimeout(int name) { return name == SO_RCVTIMEO || name == kSoRcvtimeoNew; }

}  // namespace

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


}  // namespace runsc::syscalls::socket_internal
