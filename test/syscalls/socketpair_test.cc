// Family: socketpair(AF_UNIX) of every type, with data, shutdown, peeking,
// nonblocking receives and SCM_RIGHTS/SCM_CREDENTIALS ancillary data.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "test/syscalls/scm_rights_util.h"
#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// A connected pair, closed by the destructor. Nonblocking unless asked
// otherwise: data sent is readable at once, so a receive that would block is
// a failure (EAGAIN) rather than a hang.
class SocketPair {
 public:
  explicit SocketPair(int type, int flags = SOCK_NONBLOCK) {
    if (socketpair(AF_UNIX, type | flags | SOCK_CLOEXEC, 0, fds_) != 0) {
      ADD_FAILURE() << "socketpair: " << strerror(errno);
      fds_[0] = fds_[1] = -1;
    }
  }
  ~SocketPair() {
    for (int fd : fds_) {
      if (fd >= 0) close(fd);
    }
  }
  int first() const { return fds_[0]; }
  int second() const { return fds_[1]; }
  void CloseSecond() {
    close(fds_[1]);
    fds_[1] = -1;
  }

 private:
  int fds_[2];
};

TEST(SocketpairTest, StreamCarriesDataBothWays) {
  SocketPair sp(SOCK_STREAM);
  EXPECT_EQ(write(sp.first(), "ping", 4), 4);
  char buf[8] = {};
  EXPECT_EQ(read(sp.second(), buf, sizeof(buf)), 4);
  EXPECT_STREQ(buf, "ping");
  EXPECT_EQ(write(sp.second(), "pong", 4), 4);
  memset(buf, 0, sizeof(buf));
  EXPECT_EQ(read(sp.first(), buf, sizeof(buf)), 4);
  EXPECT_STREQ(buf, "pong");
}

TEST(SocketpairTest, StreamMergesWrites) {
  SocketPair sp(SOCK_STREAM);
  ASSERT_EQ(write(sp.first(), "ab", 2), 2);
  ASSERT_EQ(write(sp.first(), "cd", 2), 2);
  char buf[8] = {};
  EXPECT_EQ(read(sp.second(), buf, sizeof(buf)), 4);
  EXPECT_STREQ(buf, "abcd");
}

TEST(SocketpairTest, DatagramsKeepTheirBoundaries) {
  SocketPair sp(SOCK_DGRAM);
  ASSERT_EQ(send(sp.first(), "abc", 3, 0), 3);
  ASSERT_EQ(send(sp.first(), "de", 2, 0), 2);
  char buf[8];
  EXPECT_EQ(recv(sp.second(), buf, sizeof(buf), 0), 3);
  EXPECT_EQ(recv(sp.second(), buf, sizeof(buf), 0), 2);
}

TEST(SocketpairTest, SeqpacketTruncatesALongRecordAndSaysSo) {
  SocketPair sp(SOCK_SEQPACKET);
  ASSERT_EQ(send(sp.first(), "abcdef", 6, 0), 6);
  ASSERT_EQ(send(sp.first(), "gh", 2, 0), 2);
  char buf[4] = {};
  iovec iov = {buf, 3};
  msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  EXPECT_EQ(recvmsg(sp.second(), &msg, 0), 3);
  EXPECT_EQ(msg.msg_flags & MSG_TRUNC, MSG_TRUNC);
  EXPECT_STREQ(buf, "abc");
  // The rest of the first record is gone; the next read is the next record.
  memset(buf, 0, sizeof(buf));
  EXPECT_EQ(recv(sp.second(), buf, 3, 0), 2);
  EXPECT_STREQ(buf, "gh");
}

TEST(SocketpairTest, ShutdownForWritingGivesThePeerEOF) {
  for (int type : {SOCK_STREAM, SOCK_SEQPACKET}) {
    SocketPair sp(type);
    ASSERT_EQ(write(sp.first(), "x", 1), 1);
    ASSERT_SYSCALL_OK(shutdown(sp.first(), SHUT_WR));
    char buf[4];
    EXPECT_EQ(read(sp.second(), buf, sizeof(buf)), 1) << "type " << type;
    EXPECT_EQ(read(sp.second(), buf, sizeof(buf)), 0) << "type " << type;
    EXPECT_SYSCALL_ERRNO(send(sp.first(), "y", 1, MSG_NOSIGNAL), EPIPE);
    // The other direction still works.
    EXPECT_EQ(write(sp.second(), "z", 1), 1);
    EXPECT_EQ(read(sp.first(), buf, sizeof(buf)), 1);
  }
}

TEST(SocketpairTest, ClosingOneEndGivesEOFAndEPIPE) {
  SocketPair sp(SOCK_STREAM);
  sp.CloseSecond();
  char buf[4];
  EXPECT_EQ(read(sp.first(), buf, sizeof(buf)), 0);
  EXPECT_SYSCALL_ERRNO(send(sp.first(), "x", 1, MSG_NOSIGNAL), EPIPE);
}

TEST(SocketpairTest, ShutdownWithABadHowIsEINVAL) {
  SocketPair sp(SOCK_STREAM);
  EXPECT_SYSCALL_ERRNO(shutdown(sp.first(), 3), EINVAL);
}

TEST(SocketpairTest, MsgPeekLeavesTheDataQueued) {
  SocketPair sp(SOCK_STREAM);
  ASSERT_EQ(write(sp.first(), "peek", 4), 4);
  char buf[8] = {};
  EXPECT_EQ(recv(sp.second(), buf, sizeof(buf), MSG_PEEK), 4);
  EXPECT_STREQ(buf, "peek");
  memset(buf, 0, sizeof(buf));
  EXPECT_EQ(recv(sp.second(), buf, sizeof(buf), 0), 4);
  EXPECT_STREQ(buf, "peek");
}

TEST(SocketpairTest, MsgDontwaitOnAnEmptySocketIsEAGAIN) {
  for (int type : {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET}) {
    SocketPair sp(type, /*flags=*/0);
    ScopedAlarm guard(10);
    char buf[4];
    EXPECT_SYSCALL_ERRNO(recv(sp.second(), buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
  }
}

TEST(SocketpairTest, FionreadCountsQueuedBytes) {
  SocketPair sp(SOCK_STREAM);
  ASSERT_EQ(write(sp.first(), "12345", 5), 5);
  int queued = -1;
  ASSERT_SYSCALL_OK(ioctl(sp.second(), FIONREAD, &queued));
  EXPECT_EQ(queued, 5);
}

TEST(SocketpairTest, ScmRightsPassesAWorkingFd) {
  SocketPair sp(SOCK_STREAM);
  TestPipe p;
  ASSERT_EQ(SendFd(sp.first(), p.write_fd()), 1);
  OneFdReceiveBuffer rx;
  ASSERT_EQ(recvmsg(sp.second(), &rx.msg, MSG_CMSG_CLOEXEC), 1);
  cmsghdr* cmsg = CMSG_FIRSTHDR(&rx.msg);
  ASSERT_NE(cmsg, nullptr);
  EXPECT_EQ(cmsg->cmsg_level, SOL_SOCKET);
  EXPECT_EQ(cmsg->cmsg_type, SCM_RIGHTS);
  ASSERT_EQ(cmsg->cmsg_len, CMSG_LEN(sizeof(int)));
  int received;
  memcpy(&received, CMSG_DATA(cmsg), sizeof(int));
  EXPECT_NE(received, p.write_fd());
  EXPECT_EQ(fcntl(received, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  // The new fd is the same pipe: what goes in comes out of our read end.
  ASSERT_EQ(write(received, "via", 3), 3);
  char buf[4] = {};
  EXPECT_EQ(read(p.read_fd(), buf, sizeof(buf)), 3);
  EXPECT_STREQ(buf, "via");
  close(received);
}

TEST(SocketpairTest, ScmRightsWithABadFdIsEBADF) {
  SocketPair sp(SOCK_STREAM);
  errno = 0;
  EXPECT_EQ(SendFd(sp.first(), 12345), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST(SocketpairTest, ScmCredentialsCarriesTheSendersIds) {
  SocketPair sp(SOCK_DGRAM);
  int on = 1;
  ASSERT_SYSCALL_OK(setsockopt(sp.second(), SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
  ASSERT_EQ(send(sp.first(), "c", 1, 0), 1);
  char byte;
  iovec iov = {&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))] = {};
  msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ASSERT_EQ(recvmsg(sp.second(), &msg, 0), 1);
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  ASSERT_NE(cmsg, nullptr);
  EXPECT_EQ(cmsg->cmsg_type, SCM_CREDENTIALS);
  ucred cred;
  memcpy(&cred, CMSG_DATA(cmsg), sizeof(cred));
  EXPECT_EQ(cred.pid, getpid());
  EXPECT_EQ(cred.uid, getuid());
  EXPECT_EQ(cred.gid, getgid());
}

TEST(SocketpairTest, PeerCredIsThisProcess) {
  SocketPair sp(SOCK_STREAM);
  ucred cred = {};
  socklen_t len = sizeof(cred);
  ASSERT_SYSCALL_OK(getsockopt(sp.first(), SOL_SOCKET, SO_PEERCRED, &cred, &len));
  EXPECT_EQ(len, sizeof(cred));
  EXPECT_EQ(cred.pid, getpid());
  EXPECT_EQ(cred.uid, getuid());
}

TEST(SocketpairTest, SocketOptionsReportTypeAndDomain) {
  for (int type : {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET}) {
    SocketPair sp(type);
    int value = -1;
    socklen_t len = sizeof(value);
    ASSERT_SYSCALL_OK(getsockopt(sp.first(), SOL_SOCKET, SO_TYPE, &value, &len));
    EXPECT_EQ(value, type);
    ASSERT_SYSCALL_OK(getsockopt(sp.first(), SOL_SOCKET, SO_DOMAIN, &value, &len));
    EXPECT_EQ(value, AF_UNIX);
  }
}

TEST(SocketpairTest, CloexecAndNonblockFlagsApplyToBothEnds) {
  int fds[2];
  ASSERT_SYSCALL_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds));
  for (int fd : fds) {
    EXPECT_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
  }
  char c;
  EXPECT_SYSCALL_ERRNO(read(fds[0], &c, 1), EAGAIN);
  close(fds[0]);
  close(fds[1]);
}

TEST(SocketpairTest, FamilyWithoutPairsIsEOPNOTSUPP) {
  int fds[2];
  EXPECT_SYSCALL_ERRNO(socketpair(AF_INET, SOCK_STREAM, 0, fds), EOPNOTSUPP);
}

TEST(SocketpairTest, BadProtocolIsEPROTONOSUPPORT) {
  int fds[2];
  EXPECT_SYSCALL_ERRNO(socketpair(AF_UNIX, SOCK_STREAM, 2, fds), EPROTONOSUPPORT);
}

TEST(SocketpairTest, UnknownTypeFlagsAreEINVAL) {
  int fds[2];
  EXPECT_SYSCALL_ERRNO(socketpair(AF_UNIX, SOCK_STREAM | 0x1000, 0, fds), EINVAL);
}

TEST(SocketpairTest, UnsupportedTypeIsESOCKTNOSUPPORT) {
  int fds[2];
  EXPECT_SYSCALL_ERRNO(socketpair(AF_UNIX, 7, 0, fds), ESOCKTNOSUPPORT);
}

TEST(SocketpairTest, BadArrayPointerIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, 1), EFAULT);
}

}  // namespace
}  // namespace runsc::syscall_test
