// Family: AF_UNIX sockets bound to names: bind/listen/connect/accept on a
// path in a TempDir and in the abstract namespace, getsockname/getpeername,
// and the errors for missing or refusing peers; then what connections do:
// files passed between processes, readiness, signals, SIGPIPE, records
// written with writev, and bad pointers.
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>

#include "test/syscalls/scm_rights_util.h"
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


// A connected stream pair made through a listener on an abstract name.
struct Connection {
  int client = -1;
  int server = -1;
  ~Connection() {
    if (client >= 0) close(client);
    if (server >= 0) close(server);
  }
};

void Connect(Connection& c, const char* tag) {
  const UnixAddress a = AbstractAddress(UniqueAbstractName(tag));
  int listener = Listener(a);
  ASSERT_GE(listener, 0);
  c.client = Socket(SOCK_STREAM);
  ASSERT_SYSCALL_OK(Connect(c.client, a));
  c.server = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(c.server, 0) << strerror(errno);
  close(listener);
}

TEST(UnixTest, ScmRightsCarriesAPipeEndFromAChildProcess) {
  int sv[2];
  ASSERT_SYSCALL_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
  // The child makes a pipe, fills it, sends its read end and exits: the
  // parent reads what the child wrote through a file only the child opened.
  EXPECT_EQ(RunInChild([&] {
              int p[2];
              CHILD_CHECK(pipe(p) == 0);
              CHILD_CHECK(write(p[1], "from child", 10) == 10);
              close(p[1]);
              CHILD_CHECK(SendFds(sv[1], &p[0], 1) == 1);
              return 0;
            }),
            0);
  OneFdReceiveBuffer rx;
  ASSERT_EQ(recvmsg(sv[0], &rx.msg, MSG_DONTWAIT), 1);
  cmsghdr* cmsg = CMSG_FIRSTHDR(&rx.msg);
  ASSERT_NE(cmsg, nullptr);
  ASSERT_EQ(cmsg->cmsg_type, SCM_RIGHTS);
  int received;
  memcpy(&received, CMSG_DATA(cmsg), sizeof(int));
  char buf[16] = {};
  EXPECT_EQ(read(received, buf, sizeof(buf)), 10);
  EXPECT_STREQ(buf, "from child");
  EXPECT_EQ(read(received, buf, sizeof(buf)), 0);  // The child's write end is gone.
  close(received);
  close(sv[0]);
  close(sv[1]);
}

TEST(UnixTest, ShortControlBufferTruncatesTheFilesAndSaysSo) {
  int sv[2];
  ASSERT_SYSCALL_OK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv));
  TestPipe p;
  const int fds[2] = {p.read_fd(), p.write_fd()};
  ASSERT_EQ(SendFds(sv[0], fds, 2), 1);
  OneFdReceiveBuffer rx;
  rx.msg.msg_controllen = CMSG_LEN(sizeof(int));  // Room for one of the two.
  ASSERT_EQ(recvmsg(sv[1], &rx.msg, MSG_DONTWAIT), 1);
  EXPECT_EQ(rx.msg.msg_flags & MSG_CTRUNC, MSG_CTRUNC);
  cmsghdr* cmsg = CMSG_FIRSTHDR(&rx.msg);
  ASSERT_NE(cmsg, nullptr);
  EXPECT_EQ(cmsg->cmsg_len, CMSG_LEN(sizeof(int)));
  int received;
  memcpy(&received, CMSG_DATA(cmsg), sizeof(int));
  // The one that fit is the pipe's read end.
  ASSERT_EQ(write(p.write_fd(), "r", 1), 1);
  char c = 0;
  EXPECT_EQ(read(received, &c, 1), 1);
  EXPECT_EQ(c, 'r');
  close(received);
  close(sv[0]);
  close(sv[1]);
}

TEST(UnixTest, PathListenerUnlinkedIsENOENTButKeepsItsConnections) {
  ScopedAlarm guard(10);
  TempDir dir;
  const UnixAddress a = PathAddress(dir.File("sock"));
  int listener = Listener(a);
  ASSERT_GE(listener, 0);
  int client = Socket(SOCK_STREAM);
  ASSERT_SYSCALL_OK(Connect(client, a));
  ASSERT_SYSCALL_OK(unlink(dir.File("sock").c_str()));
  int late = Socket(SOCK_STREAM);
  EXPECT_SYSCALL_ERRNO(Connect(late, a), ENOENT);
  int server = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(server, 0) << strerror(errno);
  EXPECT_EQ(write(client, "still", 5), 5);
  char buf[8] = {};
  EXPECT_EQ(read(server, buf, sizeof(buf)), 5);
  close(server);
  close(late);
  close(client);
  close(listener);
}

TEST(UnixTest, PollFollowsAConnectionToItsEnd) {
  Connection c;
  ASSERT_NO_FATAL_FAILURE(Connect(c, "poll"));
  pollfd pfd = {c.client, POLLIN | POLLOUT | POLLRDHUP, 0};
  ASSERT_EQ(poll(&pfd, 1, 0), 1);
  EXPECT_EQ(pfd.revents, POLLOUT);
  ASSERT_EQ(write(c.server, "x", 1), 1);
  ASSERT_EQ(poll(&pfd, 1, 0), 1);
  EXPECT_EQ(pfd.revents, POLLIN | POLLOUT);
  char byte;
  ASSERT_EQ(read(c.client, &byte, 1), 1);
  close(c.server);
  c.server = -1;
  ASSERT_EQ(poll(&pfd, 1, 0), 1);
  EXPECT_EQ(pfd.revents, POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
  EXPECT_EQ(read(c.client, &byte, 1), 0);
  // A stream socket that never connected hangs up too.
  int fresh = Socket(SOCK_STREAM);
  pfd = {fresh, POLLIN | POLLOUT, 0};
  ASSERT_EQ(poll(&pfd, 1, 0), 1);
  EXPECT_EQ(pfd.revents, POLLOUT | POLLHUP);
  close(fresh);
}

TEST(UnixTest, PollWakesWhenAConnectionArrives) {
  const UnixAddress a = AbstractAddress(UniqueAbstractName("pollwake"));
  int listener = Listener(a);
  ASSERT_GE(listener, 0);
  pollfd pfd = {listener, POLLIN, 0};
  EXPECT_EQ(poll(&pfd, 1, 0), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    usleep(100 * 1000);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    _exit(fd >= 0 && Connect(fd, a) == 0 ? 0 : 1);
  }
  EXPECT_EQ(poll(&pfd, 1, 10000), 1);
  EXPECT_EQ(pfd.revents, POLLIN);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_EQ(status, 0);
  close(listener);
}

TEST(UnixTest, SignalInterruptsABlockedAcceptAndRead) {
  const UnixAddress a = AbstractAddress(UniqueAbstractName("eintr"));
  int listener = Listener(a);
  ASSERT_GE(listener, 0);
  {
    ScopedAlarm alarm(1);  // A handler without SA_RESTART.
    EXPECT_SYSCALL_ERRNO(accept(listener, nullptr, nullptr), EINTR);
  }
  Connection c;
  ASSERT_NO_FATAL_FAILURE(Connect(c, "eintr-read"));
  {
    ScopedAlarm alarm(1);
    char byte;
    EXPECT_SYSCALL_ERRNO(read(c.client, &byte, 1), EINTR);
  }
  close(listener);
}

TEST(UnixTest, ReceiveTimeoutEndsABlockedReadWithEAGAIN) {
  Connection c;
  ASSERT_NO_FATAL_FAILURE(Connect(c, "rcvtimeo"));
  ScopedAlarm guard(10);
  // A whole number of jiffies whatever HZ is, so it reads back unrounded.
  timeval tv = {0, 100 * 1000};
  ASSERT_SYSCALL_OK(setsockopt(c.client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
  timeval got = {};
  socklen_t len = sizeof(got);
  ASSERT_SYSCALL_OK(getsockopt(c.client, SOL_SOCKET, SO_RCVTIMEO, &got, &len));
  EXPECT_EQ(got.tv_sec, 0);
  EXPECT_EQ(got.tv_usec, 100 * 1000);
  char byte;
  EXPECT_SYSCALL_ERRNO(read(c.client, &byte, 1), EAGAIN);
  tv = {0, 2000000};
  EXPECT_SYSCALL_ERRNO(setsockopt(c.client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), EDOM);
}

TEST(UnixTest, WritingToAClosedPeerRaisesSIGPIPE) {
  EXPECT_EQ(RunInChild([] {
              int sv[2];
              CHILD_CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
              close(sv[1]);
              signal(SIGPIPE, SIG_DFL);
              (void)write(sv[0], "x", 1);
              return 0;  // Not reached: SIGPIPE kills.
            }),
            128 + SIGPIPE);
}

TEST(UnixTest, MsgWaitallWaitsForEveryByte) {
  Connection c;
  ASSERT_NO_FATAL_FAILURE(Connect(c, "waitall"));
  ScopedAlarm guard(10);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    bool ok = write(c.server, "abc", 3) == 3;
    usleep(100 * 1000);
    ok = ok && write(c.server, "def", 3) == 3;
    _exit(ok ? 0 : 1);
  }
  char buf[8] = {};
  EXPECT_EQ(recv(c.client, buf, 6, MSG_WAITALL), 6);
  EXPECT_STREQ(buf, "abcdef");
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_EQ(status, 0);
}

TEST(UnixTest, WritevOnASeqpacketSocketIsOneRecord) {
  int sv[2];
  ASSERT_SYSCALL_OK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv));
  char a[] = "ab", b[] = "cde";
  iovec out[2] = {{a, 2}, {b, 3}};
  ASSERT_EQ(writev(sv[0], out, 2), 5);
  char x[2] = {}, y[8] = {};
  iovec in[2] = {{x, 2}, {y, sizeof(y)}};
  EXPECT_EQ(readv(sv[1], in, 2), 5);
  EXPECT_EQ(std::string(x, 2) + y, "abcde");
  EXPECT_SYSCALL_ERRNO(read(sv[1], x, 1), EAGAIN);  // One record, all read.
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(sv[0], &st));
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  close(sv[0]);
  close(sv[1]);
}

TEST(UnixTest, BadPointersAreEFAULT) {
  void* const bad = reinterpret_cast<void*>(1);
  int fd = Socket(SOCK_STREAM);
  EXPECT_SYSCALL_ERRNO(bind(fd, static_cast<sockaddr*>(bad), sizeof(sockaddr_un)), EFAULT);
  EXPECT_SYSCALL_ERRNO(connect(fd, static_cast<sockaddr*>(bad), sizeof(sockaddr_un)), EFAULT);
  EXPECT_SYSCALL_ERRNO(getsockname(fd, static_cast<sockaddr*>(bad), static_cast<socklen_t*>(bad)),
                       EFAULT);
  socklen_t len = sizeof(sockaddr_un);
  EXPECT_SYSCALL_ERRNO(getsockname(fd, static_cast<sockaddr*>(bad), &len), EFAULT);
  int value;
  EXPECT_SYSCALL_ERRNO(getsockopt(fd, SOL_SOCKET, SO_TYPE, &value, static_cast<socklen_t*>(bad)),
                       EFAULT);
  EXPECT_SYSCALL_ERRNO(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, bad, sizeof(int)), EFAULT);
  close(fd);

  int sv[2];
  ASSERT_SYSCALL_OK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv));
  EXPECT_SYSCALL_ERRNO(send(sv[0], bad, 4, 0), EFAULT);
  EXPECT_SYSCALL_ERRNO(sendmsg(sv[0], static_cast<msghdr*>(bad), 0), EFAULT);
  EXPECT_SYSCALL_ERRNO(recvmsg(sv[1], static_cast<msghdr*>(bad), 0), EFAULT);
  // A control buffer that is not there.
  char byte = 'c';
  iovec iov = {&byte, 1};
  msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = bad;
  msg.msg_controllen = CMSG_SPACE(sizeof(int));
  EXPECT_SYSCALL_ERRNO(sendmsg(sv[0], &msg, 0), EFAULT);
  // Nothing was sent by any of them.
  EXPECT_SYSCALL_ERRNO(recv(sv[1], &byte, 1, 0), EAGAIN);
  close(sv[0]);
  close(sv[1]);
}

}  // namespace
}  // namespace runsc::syscall_test
