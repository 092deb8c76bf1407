// What the read/write family needs from the socket calls (sys_socket.cc).
#ifndef RUNSC_SYSCALLS_SYS_SOCKET_H_
#define RUNSC_SYSCALLS_SYS_SOCKET_H_

#include <sys/uio.h>

#include <optional>
#include <vector>

#include "sentry/kernel/task.h"
#include "syscalls/syscall_table.h"

namespace runsc::syscalls {

// readv(2)/writev(2) of a socket: the whole vector in one recvmsg/sendmsg,
// so a datagram or seqpacket record is one record, and a stream read does
// not wait to fill a second buffer once the first is full. nullopt if `fd`
// is not a socket (the caller does it one buffer at a time).
std::optional<SyscallResult> SocketReadvWritev(sentry::Task& t, int fd,
                                               const std::vector<iovec>& iov, bool write);

}  // namespace runsc::syscalls

#endif  // RUNSC_SYSCALLS_SYS_SOCKET_H_
