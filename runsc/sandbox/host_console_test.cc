#include "runsc/sandbox/host_console.h"

#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace runsc::sandbox {
namespace {

using ::testing::HasSubstr;

// Receives one message with one descriptor, as containerd's go-runc does.
int ReceiveFd(int socket, std::string& payload) {
  char buf[256];
  iovec iov = {buf, sizeof(buf)};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
  msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n = recvmsg(socket, &msg, MSG_CMSG_CLOEXEC);
  if (n < 0) return -1;
  payload.assign(buf, n);
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  if (cmsg == nullptr || cmsg->cmsg_type != SCM_RIGHTS || cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
    return -1;
  }
  int fd;
  std::memcpy(&fd, CMSG_DATA(cmsg), sizeof(fd));
  return fd;
}

TEST(HostConsoleTest, PtyPairCarriesBytesAndWindowSize) {
  absl::StatusOr<HostPty> pty = OpenHostPty(24, 81);
  ASSERT_TRUE(pty.ok()) << pty.status();
  EXPECT_THAT(pty->slave_name, HasSubstr("/dev/pts/"));
  EXPECT_TRUE(isatty(pty->slave.get()));
  struct winsize size = {};
  ASSERT_EQ(ioctl(pty->slave.get(), TIOCGWINSZ, &size), 0);
  EXPECT_EQ(size.ws_row, 24);
  EXPECT_EQ(size.ws_col, 81);
  // The slave is in its default (cooked) mode: a line written on the master
  // is read on the slave.
  ASSERT_EQ(write(pty->master.get(), "hi\n", 3), 3);
  char buf[16];
  ASSERT_EQ(read(pty->slave.get(), buf, sizeof(buf)), 3);
  EXPECT_EQ(std::string(buf, 3), "hi\n");
}

TEST(HostConsoleTest, MasterIsSentAsRuncSendsIt) {
  absl::StatusOr<HostPty> pty = OpenHostPty();
  ASSERT_TRUE(pty.ok()) << pty.status();
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ASSERT_TRUE(SendConsoleMaster(sv[0], pty->master.get()).ok());
  std::string payload;
  int received = ReceiveFd(sv[1], payload);
  ASSERT_GE(received, 0);
  EXPECT_EQ(payload, "/dev/ptmx");
  // The descriptor is that pty's master: what the slave writes comes out.
  ASSERT_EQ(write(pty->slave.get(), "x", 1), 1);
  char c = 0;
  ASSERT_EQ(read(received, &c, 1), 1);
  EXPECT_EQ(c, 'x');
  close(received);
  close(sv[0]);
  close(sv[1]);
}

TEST(HostConsoleTest, BadConsoleSocketPathsAreClearErrors) {
  absl::StatusOr<UniqueFd> missing = ConnectConsoleSocket("/nonexistent/console.sock");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("/nonexistent/console.sock"));
  EXPECT_FALSE(ConnectConsoleSocket("").ok());
  EXPECT_FALSE(ConnectConsoleSocket(std::string(200, 'a')).ok());
  // A regular file is not a socket.
  char path[] = "/tmp/host_console_test_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  EXPECT_FALSE(ConnectConsoleSocket(path).ok());
  unlink(path);
}

TEST(HostConsoleTest, ConnectsToAListener) {
  char dir[] = "/tmp/host_console_test_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/s";
  int listener = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, path.c_str());
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(listener, 1), 0);
  absl::StatusOr<UniqueFd> connected = ConnectConsoleSocket(path);
  EXPECT_TRUE(connected.ok()) << connected.status();
  close(listener);
  unlink(path.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace runsc::sandbox
