// Family: AF_UNIX sockets bound to names: bind/listen/connect/accept on a
// path in a TempDir and in the abstract namespace, getsockname/getpeername,
// and the errors for missing or refusing peers.
#include <fcntl.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// A sockaddr_un for `name` and its exact length. A name starting with '\0'
// is abstract: its length counts the bytes given, not up to a NUL.
struct UnixAddress {
  sockaddr_un addr = {};
  socklen_t len = 0;
};

UnixAddress PathAddress(const std::string& path) {
  UnixAddress a;
  a.addr.sun_family = AF_UNIX;
  memcpy(a.addr.sun_path, path.data(), std::min(path.size(), sizeof(a.addr.sun_path) - 1));
  a.len = offsetof(sockaddr_un, sun_path) + path.size() + 1;
  return a;
}

UnixAddress AbstractAddress(const std::string& name) {
  UnixAddress a;
  a.addr.sun_family = AF_UNIX;
  a.addr.sun_path[0] = '\0';
  memcpy(a.addr.sun_path + 1, name.data(), name.size());
  a.len = offsetof(sockaddr_un, sun_path) + 1 + name.size();
  return a;
}

// An abstract name no other test (or concurrent run) uses.
std::string UniqueAbstractName(const char* tag) {
  static int counter = 0;
  return std::string("runsc-unix-test-") + tag + "-" + std::to_string(getpid()) + "-" +
         std::to_string(counter++);
}

int Socket(int type) {
  int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
  if (fd < 0) ADD_FAILURE() << "socket: " << strerror(errno);
  return fd;
}

int Bind(int fd, const UnixAddress& a) {
  return bind(fd, reinterpret_cast<const sockaddr*>(&a.addr), a.len);
}

int Connect(int fd, const UnixAddress& a) {
  return connect(fd, reinterpret_cast<const sockaddr*>(&a.addr), a.len);
}

// A bound, listening stream socket.
int Listener(const UnixAddress& a) {
  int fd = Socket(SOCK_STREAM);
  if (fd < 0) return -1;
  if (Bind(fd, a) != 0 || listen(fd, 8) != 0) {
    ADD_FAILURE() << "bind/listen: " << strerror(errno);
    close(fd);
    return -1;
  }
  return fd;
}

// Connects a client to `listener` at `a`, accepts it, and checks that bytes
// flow both ways.
void ExpectConnectionWorks(int listener, const UnixAddress& a) {
  ScopedAlarm guard(10);
  int client = Socket(SOCK_STREAM);
  ASSERT_GE(client, 0);
  // A stream connect to a listener completes before accept.
  ASSERT_SYSCALL_OK(Connect(client, a));
  int server = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(server, 0) << strerror(errno);
  EXPECT_EQ(write(client, "hello", 5), 5);
  char buf[8] = {};
  EXPECT_EQ(read(server, buf, sizeof(buf)), 5);
  EXPECT_STREQ(buf, "hello");
  EXPECT_EQ(write(server, "back", 4), 4);
  EXPECT_EQ(read(client, buf, sizeof(buf)), 4);
  close(server);
  close(client);
}

TEST(UnixTest, PathSocketAcceptsAConnection) {
  TempDir dir;
  const UnixAddress a = PathAddress(dir.File("sock"));
  int listener = Listener(a);
  ASSERT_GE(listener, 0);
  ExpectConnectionWorks(listener, a);
  close(listener);
}

TEST(UnixTest, BindCreatesASocketFile) {
  TempDir dir;
  const std::string path = dir.File("sock");
  int fd = Socket(SOCK_STREAM);
  ASSERT_GE(fd, 0);
  ASSERT_SYSCALL_OK(Bind(fd, PathAddress(path)));
  struct stat st;
  ASSERT_SYSCALL_OK(lstat(path.c_str(), &st));
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  close(fd);
  // The file outlives the socket.
  EXPECT_SYSCALL_OK(lstat(path.c_str(), &st));
}

TEST(UnixTest, BindingAnExistingPathIsEADDRINUSE) {
  TempDir dir;
  const UnixAddress a = PathAddress(dir.File("sock"));
  int first = Socket(SOCK_STREAM);
  int second = Socket(SOCK_STREAM);
  ASSERT_SYSCALL_OK(Bind(first, a));
  EXPECT_SYSCALL_ERRNO(Bind(second, a), EADDRINUSE);
  WriteFileOrDie(dir.File("file"), "x");
  EXPECT_SYSCALL_ERRNO(Bind(second, PathAddress(dir.File("file"))), EADDRINUSE);
  close(first);
  close(second);
}

TEST(UnixTest, BindingTwiceIsEINVAL) {
  TempDir dir;
  int fd = Socket(SOCK_STREAM);
  ASSERT_SYSCALL_OK(Bind(fd, PathAddress(dir.File("one"))));
  EXPECT_SYSCALL_ERRNO(Bind(fd, PathAddress(dir.File("two"))), EINVAL);
  close(fd);
}

TEST(UnixTest, BindInAMissingDirectoryIsENOENT) {
  TempDir dir;
  int fd = Socket(SOCK_STREAM);
  EXPECT_SYSCALL_ERRNO(Bind(fd, PathAddress(dir.File("missing/sock"))), ENOENT);
  close(fd);
}

TEST(UnixTest, ConnectingToAMissingPathIsENOENT) {
  TempDir dir;
  int fd = Socket(SOCK_STREAM);
  EXPECT_SYSCALL_ERRNO(Connect(fd, PathAddress(dir.File("nobody"))), ENOENT);
  close(fd);
}

TEST(UnixTest, ConnectingToASocketThatDoesNotListenIsECONNREFUSED) {
  TempDir dir;
  const UnixAddress a = PathAddress(dir.File("sock"));
  int bound = Socket(SOCK_STREAM);
  ASSERT_SYSCALL_OK(Bind(bound, a));
  int client = Socket(SOCK_STREAM);
  EXPECT_SYSCALL_ERRNO(Connect(client, a), ECONNREFUSED);
  close(bound);
  // Nobody holds the name any more: the file is left, the socket is gone.
  EXPECT_SYSCALL_ERRNO(Connect(client, a), ECONNREFUSED);
  close(client);
}

TEST(UnixTest, ConnectingToANonSocketFileIsECONNREFUSED) {
  TempDir dir;
  WriteFileOrDie(dir.File("file"), "x");
  int fd = Socket(SOCK_STREAM);
  EXPECT_SYSCALL_ERRNO(Connect(fd, PathAddress(dir.File("file"))), ECONNREFUSED);
  close(fd);
}

TEST(UnixTest, StreamConnectToADatagramSocketIsEPROTOTYPE) {
  TempDir dir;
  const UnixAddress a = PathAddress(dir.File("dgram"));
  int dgram = Socket(SOCK_DGRAM);
  ASSERT_SYSCALL_OK(Bind(dgram, a));
  int stream = Socket(SOCK_STREAM);
  EXPECT_SYSCALL_ERRNO(Connect(stream, a), EPROTOTYPE);
  close(stream);
  close(dgram);
}

TEST(UnixTest, AbstractSocketAcceptsAConnectionWithoutAFile) {
  const std::string name = UniqueAbstractName("accept");
  const UnixAddress a = AbstractAddress(name);
  int listener = Listener(a);
  ASSERT_GE(listener, 0);
  ExpectConnectionWorks(listener, a);
  close(listener);
}

TEST(UnixTest, AbstractNameInUseIsEADDRINUSEUntilClosed) {
  const UnixAddress a = AbstractAddress(UniqueAbstractName("inuse"));
  int first = Socket(SOCK_STREAM);
  int second = Socket(SOCK_STREAM);
  ASSERT_SYSCALL_OK(Bind(first, a));
  EXPECT_SYSCALL_ERRNO(Bind(second, a), EADDRINUSE);
  close(first);
  // Abstract names vanish with their socket.
  EXPECT_SYSCALL_OK(Bind(second, a));
  close(second);
}

TEST(UnixTest, ConnectingToAnUnboundAbstractNameIsECONNREFUSED) {
  int fd = Socket(SOCK_STREAM);
  EXPECT_SYSCALL_ERRNO(Connect(fd, AbstractAddress(UniqueAbstractName("nobody"))), ECONNREFUSED);
  close(fd);
}

TEST(UnixTest, GetsocknameAndGetpeernameReportTheBoundNames) {
  ScopedAlarm guard(10);
  TempDir dir;
  const std::string path = dir.File("sock");
  const UnixAddress a = PathAddress(path);
  int listener = Listener(a);
  ASSERT_GE(listener, 0);
  sockaddr_un got = {};
  socklen_t len = sizeof(got);
  ASSERT_SYSCALL_OK(getsockname(listener, reinterpret_cast<sockaddr*>(&got), &len));
  EXPECT_EQ(len, a.len);
  EXPECT_EQ(got.sun_family, AF_UNIX);
  EXPECT_STREQ(got.sun_path, path.c_str());

  int client = Socket(SOCK_STREAM);
  ASSERT_SYSCALL_OK(Connect(client, a));
  int server = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(server, 0);
  // The client sees the server's name; the unbound client has an empty one.
  len = sizeof(got);
  memset(&got, 0, sizeof(got));
  ASSERT_SYSCALL_OK(getpeername(client, reinterpret_cast<sockaddr*>(&got), &len));
  EXPECT_EQ(len, a.len);
  EXPECT_STREQ(got.sun_path, path.c_str());
  len = sizeof(got);
  ASSERT_SYSCALL_OK(getpeername(server, reinterpret_cast<sockaddr*>(&got), &len));
  EXPECT_EQ(len, sizeof(sa_family_t));
  len = sizeof(got);
  ASSERT_SYSCALL_OK(getsockname(client, reinterpret_cast<sockaddr*>(&got), &len));
  EXPECT_EQ(len, sizeof(sa_family_t));
  // The accepted socket carries the listener's name.
  len = sizeof(got);
  ASSERT_SYSCALL_OK(getsockname(server, reinterpret_cast<sockaddr*>(&got), &len));
  EXPECT_EQ(len, a.len);
  close(server);
  close(client);
  close(listener);
}

TEST(UnixTest, GetsocknameOfAnAbstractNameKeepsItsExactLength) {
  const std::string name = UniqueAbstractName("name");
  const UnixAddress a = AbstractAddress(name);
  int fd = Socket(SOCK_STREAM);
  ASSERT_SYSCALL_OK(Bind(fd, a));
  sockaddr_un got = {};
  socklen_t len = sizeof(got);
  ASSERT_SYSCALL_OK(getsockname(fd, reinterpret_cast<sockaddr*>(&got), &len));
  ASSERT_EQ(len, a.len);
  EXPECT_EQ(got.sun_path[0], '\0');
  EXPECT_EQ(std::string(got.sun_path + 1, name.size()), name);
  close(fd);
}

TEST(UnixTest, GetpeernameOfAnUnconnectedSocketIsENOTCONN) {
  int fd = Socket(SOCK_STREAM);
  sockaddr_un got;
  socklen_t len = sizeof(got);
  EXPECT_SYSCALL_ERRNO(getpeername(fd, reinterpret_cast<sockaddr*>(&got), &len), ENOTCONN);
  close(fd);
}

TEST(UnixTest, BindingAnEmptyNameAutobindsAnAbstractName) {
  int fd = Socket(SOCK_STREAM);
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  ASSERT_SYSCALL_OK(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(sa_family_t)));
  sockaddr_un got = {};
  socklen_t len = sizeof(got);
  ASSERT_SYSCALL_OK(getsockname(fd, reinterpret_cast<sockaddr*>(&got), &len));
  // A NUL then five hex digits.
  EXPECT_EQ(len, sizeof(sa_family_t) + 6);
  EXPECT_EQ(got.sun_path[0], '\0');
  for (int i = 1; i <= 5; ++i) EXPECT_TRUE(isxdigit(got.sun_path[i])) << got.sun_path[i];
  close(fd);
}

TEST(UnixTest, AddressLongerThanSockaddrUnIsEINVAL) {
  int fd = Socket(SOCK_STREAM);
  char big[sizeof(sockaddr_un) + 8] = {};
  reinterpret_cast<sockaddr_un*>(big)->sun_family = AF_UNIX;
  memset(big + offsetof(sockaddr_un, sun_path), 'a', sizeof(big) - offsetof(sockaddr_un, sun_path));
  EXPECT_SYSCALL_ERRNO(bind(fd, reinterpret_cast<sockaddr*>(big), sizeof(big)), EINVAL);
  close(fd);
}

TEST(UnixTest, WrongAddressFamilyIsEINVAL) {
  TempDir dir;
  UnixAddress a = PathAddress(dir.File("sock"));
  a.addr.sun_family = AF_INET;
  int fd = Socket(SOCK_STREAM);
  EXPECT_SYSCALL_ERRNO(Bind(fd, a), EINVAL);
  close(fd);
}

TEST(UnixTest, ListenOnAnUnboundStreamSocketIsEINVAL) {
  int fd = Socket(SOCK_STREAM);
  EXPECT_SYSCALL_ERRNO(listen(fd, 1), EINVAL);
  close(fd);
}

TEST(UnixTest, ListenOnADatagramSocketIsEOPNOTSUPP) {
  int fd = Socket(SOCK_DGRAM);
  EXPECT_SYSCALL_ERRNO(listen(fd, 1), EOPNOTSUPP);
  close(fd);
}

TEST(UnixTest, AcceptOnASocketThatDoesNotListenIsEINVAL) {
  TempDir dir;
  int fd = Socket(SOCK_STREAM);
  ASSERT_SYSCALL_OK(Bind(fd, PathAddress(dir.File("sock"))));
  EXPECT_SYSCALL_ERRNO(accept(fd, nullptr, nullptr), EINVAL);
  close(fd);
}

TEST(UnixTest, NonblockingAcceptWithNoPendingConnectionIsEAGAIN) {
  const UnixAddress a = AbstractAddress(UniqueAbstractName("eagain"));
  int listener = Listener(a);
  ASSERT_GE(listener, 0);
  ASSERT_SYSCALL_OK(fcntl(listener, F_SETFL, O_NONBLOCK));
  EXPECT_SYSCALL_ERRNO(accept(listener, nullptr, nullptr), EAGAIN);
  close(listener);
}

TEST(UnixTest, DatagramsToAPathCarryTheSendersName) {
  TempDir dir;
  const UnixAddress server_addr = PathAddress(dir.File("server"));
  const UnixAddress client_addr = PathAddress(dir.File("client"));
  int server = Socket(SOCK_DGRAM);
  int client = Socket(SOCK_DGRAM);
  ASSERT_SYSCALL_OK(Bind(server, server_addr));
  ASSERT_SYSCALL_OK(Bind(client, client_addr));
  ASSERT_EQ(sendto(client, "dg", 2, 0, reinterpret_cast<const sockaddr*>(&server_addr.addr),
                   server_addr.len),
            2);
  char buf[8] = {};
  sockaddr_un from = {};
  socklen_t len = sizeof(from);
  EXPECT_EQ(
      recvfrom(server, buf, sizeof(buf), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &len),
      2);
  EXPECT_STREQ(buf, "dg");
  EXPECT_EQ(len, client_addr.len);
  EXPECT_STREQ(from.sun_path, dir.File("client").c_str());
  close(client);
  close(server);
}

TEST(UnixTest, DatagramSendToAnUnboundPathIsECONNREFUSED) {
  TempDir dir;
  const UnixAddress a = PathAddress(dir.File("gone"));
  int bound = Socket(SOCK_DGRAM);
  ASSERT_SYSCALL_OK(Bind(bound, a));
  close(bound);
  int fd = Socket(SOCK_DGRAM);
  EXPECT_SYSCALL_ERRNO(
      sendto(fd, "x", 1, 0, reinterpret_cast<const sockaddr*>(&a.addr), a.len), ECONNREFUSED);
  close(fd);
}

}  // namespace
}  // namespace runsc::syscall_test
