// Internal to syscalls/sys_socket*.cc: what the socket calls share (the
// name table, socket lookup, addresses) and the handlers each file defines
// for RegisterSocket (sys_socket.cc).
#ifndef RUNSC_SYSCALLS_SYS_SOCKET_INTERNAL_H_
#define RUNSC_SYSCALLS_SYS_SOCKET_INTERNAL_H_

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "fs/unix_socket.h"
#include "fs/unix_socket_table.h"
#include "sentry/kernel/task.h"
#include "syscalls/syscall_table.h"

namespace runsc::syscalls::socket_internal {

using sentry::Task;

inline constexpr size_t kMaxIo = 4 << 20;          // One call moves at most this much.
inline constexpr uint64_t kUioMaxIov = 1024;       // UIO_MAXIOV
inline constexpr uint64_t kSockaddrStorage = 128;  // sizeof(struct sockaddr_storage)
inline constexpr uint64_t kMaxControl = 128 << 10;  // net.core.optmem_max
inline constexpr size_t kCmsgHeader = sizeof(cmsghdr);
// SO_RCVTIMEO/SO_SNDTIMEO: the _OLD numbers glibc uses and the _NEW ones;
// on x86-64 both take a 16-byte timeval.
inline constexpr int kSoRcvtimeoNew = 66;
inline constexpr int kSoSndtimeoNew = 67;

// The sentry's one name table: one sandbox per sentry process.
fs::UnixSocketTable& NameTable();
fs::UnixCredentials SenderCredentials(Task& t);
// SO_PEERCRED reports the effective ids, as Linux's cred_to_ucred.
fs::UnixCredentials PeerCredentials(Task& t);
// A warning logged the first time `what` is seen.
void LogOnce(const std::string& what);
// The socket behind `fd`: EBADF, or ENOTSOCK for another kind of file.
absl::StatusOr<std::shared_ptr<fs::UnixSocketFile>> GetSocket(Task& t, uint64_t fd);
// O_NONBLOCK on the file or MSG_DONTWAIT in the call.
bool Nonblocking(fs::File& f, int msg_flags);
void RaiseSigpipe(Task& t);

// A sockaddr as the application gave it (move_addr_to_kernel): a negative
// or longer-than-sockaddr_storage length is EINVAL, a bad pointer EFAULT.
absl::StatusOr<std::string> CopyInSockaddr(Task& t, uint64_t addr, uint64_t len);

sa_family_t FamilyOf(const std::string& sockaddr);

// A unix address: the sun_path bytes Linux keeps (a path and its NUL, or
// a NUL and the abstract name), and the path itself for a path.
struct UnixAddress {
  bool abstract = false;  // Also for an empty address.
  std::string bytes;
  std::string path;
};

// unix_validate_addr, then Linux's reading of the name: a path ends at
// its first NUL; an abstract name is every byte given.
absl::StatusOr<UnixAddress> ParseUnixAddress(const std::string& sockaddr);

// move_addr_to_user: reads the caller's length (EFAULT; negative EINVAL),
// copies what fits of AF_UNIX + `bytes`, and writes the full length.
// `unnamed_len` is the length of an empty address: sizeof(sa_family_t)
// for getsockname and accept, 0 for a sender without a name (recvfrom).
absl::Status CopyOutUnixAddress(Task& t, uint64_t addr, uint64_t len_addr, const std::string& bytes,
                                uint32_t unnamed_len);

// The socket an address names: an abstract name in the table, or the
// socket bound to the S_IFSOCK file a path resolves to. ENOENT (and the
// other path errors) for a missing path; ECONNREFUSED for a file that is
// no socket, or one no live socket is bound to.
// TODO: Linux also wants write permission on the socket file (EACCES).
absl::StatusOr<std::shared_ptr<fs::UnixSocket>> FindSocket(Task& t, const UnixAddress& a, int type);

// bind(2) to a path: the S_IFSOCK file is made through the filesystem
// (so stat(2) sees it and a second bind is EADDRINUSE), then the socket is
// entered in the table under the new file's inode.
absl::Status BindToPath(Task& t, fs::UnixSocket& socket, const UnixAddress& a);

// Handlers defined in sys_socket_msg.cc.
SyscallResult Sendto(Task& t, const SyscallArgs& a);
SyscallResult Recvfrom(Task& t, const SyscallArgs& a);
SyscallResult Sendmsg(Task& t, const SyscallArgs& a);
SyscallResult Recvmsg(Task& t, const SyscallArgs& a);
SyscallResult Sendmmsg(Task& t, const SyscallArgs& a);
SyscallResult Recvmmsg(Task& t, const SyscallArgs& a);
// Handlers defined in sys_socket_options.cc.
SyscallResult Setsockopt(Task& t, const SyscallArgs& a);
SyscallResult Getsockopt(Task& t, const SyscallArgs& a);

}  // namespace runsc::syscalls::socket_internal

#endif  // RUNSC_SYSCALLS_SYS_SOCKET_INTERNAL_H_
