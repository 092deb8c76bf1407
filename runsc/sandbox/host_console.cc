#include "runsc/sandbox/host_console.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/errno_status.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

namespace runsc::sandbox {

absl::StatusOr<HostPty> OpenHostPty(unsigned rows, unsigned cols) {
  HostPty pty;
  pty.master = UniqueFd(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.master.valid()) return HostError("cannot allocate a pty: open /dev/ptmx");
  if (::unlockpt(pty.master.get()) != 0) return HostError("cannot allocate a pty: unlockpt");
  char name[64];
  if (::ptsname_r(pty.master.get(), name, sizeof(name)) != 0) {
    return HostError("cannot allocate a pty: ptsname");
  }
  pty.slave_name = name;
  // Through the master rather than by name: no path to race on.
  pty.slave = UniqueFd(::ioctl(pty.master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.slave.valid()) return HostError(absl::StrCat("cannot open the pty slave ", name));
  if (rows > 0 && cols > 0) {
    struct winsize size = {};
    size.ws_row = static_cast<unsigned short>(rows);
    size.ws_col = static_cast<unsigned short>(cols);
    if (::ioctl(pty.master.get(), TIOCSWINSZ, &size) != 0) {
      return HostError("cannot set the console size");
    }
  }
  return pty;
}

absl::StatusOr<UniqueFd> ConnectConsoleSocket(const std::string& path) {
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--console-socket \"", path, "\": a unix socket path of 1 to ", sizeof(addr.sun_path) - 1,
        " bytes is needed"));
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return HostError("socket for --console-socket");
  int rc;
  do {
    rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return HostError(absl::StrCat("cannot connect to --console-socket \"", path, "\""));
  return fd;
}

absl::Status SendConsoleMaster(int socket, int master) {
  iovec iov = {const_cast<char*>(kConsoleMasterName), sizeof(kConsoleMasterName) - 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &master, sizeof(int));
  ssize_t n;
  do {
    n = ::sendmsg(socket, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return HostError("cannot send the pty master to --console-socket");
  if (static_cast<size_t>(n) != iov.iov_len) {
    return absl::InternalError("short send of the pty master to --console-socket");
  }
  return absl::OkStatus();
}

}  // namespace runsc::sandbox
