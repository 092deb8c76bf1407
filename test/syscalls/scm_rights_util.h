// Passing fds over AF_UNIX sockets with SCM_RIGHTS in the compat families
// (unix, socketpair). A header, not a *_test.cc, so the family glob in
// CMakeLists.txt does not take it.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <cstring>

namespace runsc::syscall_test {

// Sends one byte with `count` (at most 4) fds attached as one SCM_RIGHTS.
inline ssize_t SendFds(int sock, const int* fds, int count) {
  char byte = 'F';
  iovec iov = {&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(4 * sizeof(int))] = {};
  msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = CMSG_SPACE(count * sizeof(int));
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(count * sizeof(int));
  memcpy(CMSG_DATA(cmsg), fds, count * sizeof(int));
  return sendmsg(sock, &msg, 0);
}

// Sends one byte with `fd_to_pass` attached as SCM_RIGHTS.
inline ssize_t SendFd(int sock, int fd_to_pass) { return SendFds(sock, &fd_to_pass, 1); }

// A msghdr ready for recvmsg of one byte and room for one passed fd. It
// points into itself, so it is neither copied nor moved.
struct OneFdReceiveBuffer {
  OneFdReceiveBuffer() {
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
  }
  OneFdReceiveBuffer(const OneFdReceiveBuffer&) = delete;
  OneFdReceiveBuffer& operator=(const OneFdReceiveBuffer&) = delete;

  char byte = 0;
  iovec iov = {&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg = {};
};

}  // namespace runsc::syscall_test
