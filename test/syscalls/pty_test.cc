// Family: pseudo-terminals (man 7 pty, man 4 pts, man 3 termios): the
// master from /dev/ptmx and its replica /dev/pts/<n>, the line discipline
// between them (canonical editing, echo, ONLCR, raw mode, the signal keys),
// window size, hang-up, readiness and the pty ioctls. Natively this is the
// host's devpts; skipped where there is no /dev/ptmx.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// The host's pty work runs in a kernel worker (the tty flip buffer), so what
// the master writes reaches the replica soon, not at once: reads block and
// readiness is polled with a generous timeout.
constexpr int kPollMs = 5000;

// A master (posix_openpt, grantpt, unlockpt) and, once opened, its replica.
class Pty {
 public:
  explicit Pty(bool unlock = true) {
    master_ = posix_openpt(O_RDWR | O_NOCTTY);
    if (master_ < 0) return;
    if (grantpt(master_) != 0 || (unlock && unlockpt(master_) != 0)) {
      close(master_);
      master_ = -1;
      return;
    }
    const char* name = ptsname(master_);
    if (name != nullptr) name_ = name;
  }
  ~Pty() {
    if (replica_ >= 0) close(replica_);
    if (master_ >= 0) close(master_);
  }
  bool ok() const { return master_ >= 0 && !name_.empty(); }
  int master() const { return master_; }
  const std::string& name() const { return name_; }
  int OpenReplica(int flags = O_RDWR | O_NOCTTY) {
    replica_ = open(name_.c_str(), flags);
    return replica_;
  }
  int replica() const { return replica_; }
  void CloseMaster() {
    close(master_);
    master_ = -1;
  }
  void CloseReplica() {
    close(replica_);
    replica_ = -1;
  }

 private:
  int master_ = -1;
  int replica_ = -1;
  std::string name_;
};

// In a child: leads a new session whose controlling terminal is `pty`'s
// replica (opened without O_NOCTTY). SIGHUP is ignored: the master's close
// at the end of the case sends it.
bool LeadSessionOnPty(Pty& pty) {
  if (setsid() < 0) return false;
  signal(SIGHUP, SIG_IGN);
  return pty.ok() && pty.OpenReplica(O_RDWR) >= 0;
}

#define SKIP_WITHOUT_PTMX()                                                   \
  if (access("/dev/ptmx", F_OK) != 0) GTEST_SKIP() << "no /dev/ptmx here"; \
  do {                                                                        \
  } while (0)

bool WriteAll(int fd, const std::string& s) {
  return write(fd, s.data(), s.size()) == static_cast<ssize_t>(s.size());
}

std::string ReadSome(int fd, size_t max = 256) {
  std::string buf(max, '\0');
  ssize_t n = read(fd, buf.data(), max);
  buf.resize(n < 0 ? 0 : n);
  return buf;
}

bool Readable(int fd, int timeout_ms = kPollMs) {
  struct pollfd p = {fd, POLLIN, 0};
  return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

// What the master reads within the poll timeout, until `want` bytes came.
std::string ReadMaster(int master, size_t want) {
  std::string out;
  while (out.size() < want && Readable(master)) out += ReadSome(master, want - out.size());
  return out;
}

bool WaitForSignal(int sig) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  struct timespec timeout = {5, 0};
  return sigtimedwait(&set, nullptr, &timeout) == sig;
}

void BlockSignal(int sig) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_BLOCK, &set, nullptr);
}

TEST(PtyTest, OpenptGrantptUnlockptGiveAReplicaThatPtsnameNames) {
  SKIP_WITHOUT_PTMX();
  Pty pty;
  ASSERT_TRUE(pty.ok());
  EXPECT_EQ(pty.name().rfind("/dev/pts/", 0), 0u) << pty.name();
  unsigned n = 999;
  ASSERT_SYSCALL_OK(ioctl(pty.master(), TIOCGPTN, &n));
  EXPECT_EQ(pty.name(), "/dev/pts/" + std::to_string(n));
  ASSERT_GE(pty.OpenReplica(), 0);
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(pty.replica(), &st));
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(major(st.st_rdev), 136u + n / 256);
  EXPECT_EQ(minor(st.st_rdev), n % 256);
  ASSERT_SYSCALL_OK(fstat(pty.master(), &st));
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(5, 2));
}

TEST(PtyTest, ALockedReplicaCannotBeOpened) {
  SKIP_WITHOUT_PTMX();
  Pty pty(/*unlock=*/false);
  ASSERT_TRUE(pty.ok());
  EXPECT_SYSCALL_ERRNO(open(pty.name().c_str(), O_RDWR | O_NOCTTY), EIO);
  int locked = 0;
  ASSERT_SYSCALL_OK(ioctl(pty.master(), TIOCSPTLCK, &locked));
  int fd = open(pty.name().c_str(), O_RDWR | O_NOCTTY);
  EXPECT_GE(fd, 0);
  if (fd >= 0) close(fd);
}

TEST(PtyTest, TheReplicaIsATerminalThatTtynameNames) {
  SKIP_WITHOUT_PTMX();
  Pty pty;
  ASSERT_TRUE(pty.ok());
  ASSERT_GE(pty.OpenReplica(), 0);
  EXPECT_EQ(isatty(pty.replica()), 1);
  EXPECT_EQ(isatty(pty.master()), 1);
  const char* name = ttyname(pty.replica());
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(std::string(name), pty.name());
  char link[64] = {};
  const std::string proc = "/proc/self/fd/" + std::to_string(pty.replica());
  ASSERT_GT(readlink(proc.c_str(), link, sizeof(link) - 1), 0);
  EXPECT_EQ(std::string(link), pty.name());
}

TEST(PtyTest, ANewReplicaHasLinuxsDefaultTermios) {
  SKIP_WITHOUT_PTMX();
  Pty pty;
  ASSERT_TRUE(pty.ok());
  ASSERT_GE(pty.OpenReplica(), 0);
  struct termios t;
  ASSERT_SYSCALL_OK(tcgetattr(pty.replica(), &t));
  EXPECT_EQ(t.c_iflag, static_cast<tcflag_t>(ICRNL | IXON));
  EXPECT_EQ(t.c_oflag, static_cast<tcflag_t>(OPOST | ONLCR));
  EXPECT_EQ(t.c_cflag & (CSIZE | CREAD), static_cast<tcflag_t>(CS8 | CREAD));
  EXPECT_EQ(t.c_lflag, static_cast<tcflag_t>(ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL |
                                             ECHOKE | IEXTEN));
  EXPECT_EQ(cfgetospeed(&t), static_cast<speed_t>(B38400));
  EXPECT_EQ(t.c_cc[VINTR], 003);
  EXPECT_EQ(t.c_cc[VERASE], 0177);
  EXPECT_EQ(t.c_cc[VKILL], 025);
  EXPECT_EQ(t.c_cc[VEOF], 004);
  // The master's termios is the replica's.
  struct termios m;
  ASSERT_SYSCALL_OK(tcgetattr(pty.master(), &m));
  EXPECT_EQ(m.c_lflag, t.c_lflag);
}

TEST(PtyTest, CanonicalModeReadsALineAtATimeWithErase) {
  SKIP_WITHOUT_PTMX();
  Pty pty;
  ASSERT_TRUE(pty.ok());
  ASSERT_GE(pty.OpenReplica(), 0);
  ASSERT_TRUE(WriteAll(pty.master(), "abx\177c\nsecond line\n"));
  EXPECT_EQ(ReadSome(pty.replica()), "abc\n");
  EXPECT_EQ(ReadSome(pty.replica()), "second line\n");
}

TEST(PtyTest, KillAndEndOfFileKeys) {
  SKIP_WITHOUT_PTMX();
  Pty pty;
  ASSERT_TRUE(pty.ok());
  ASSERT_GE(pty.OpenReplica(), 0);
  ASSERT_TRUE(WriteAll(pty.master(), "forget this\025keep\004"));
  EXPECT_EQ(ReadSome(pty.replica()), "keep");
  ASSERT_TRUE(WriteAll(pty.master(), "\004"));
  EXPECT_EQ(ReadSome(pty.replica()), "");  // ^D at the start of a line: EOF.
}

TEST(PtyTest, TypedInputIsEchoedToTheMaster) {
  SKIP_WITHOUT_PTMX();
  Pty pty;
  ASSERT_TRUE(pty.ok());
  ASSERT_GE(pty.OpenReplica(), 0);
  ASSERT_TRUE(WriteAll(pty.master(), "hi\r"));
  EXPECT_EQ(ReadSome(pty.replica()), "hi\n");  // ICRNL.
  EXPECT_EQ(ReadMaster(pty.master(), 4), "hi\r\n");
}

TEST(PtyTest, OnlcrTurnsNewlineIntoCrLf) {
  SKIP_WITHOUT_PTMX();
  Pty pty;
  ASSERT_TRUE(pty.ok());
  ASSERT_GE(pty.OpenReplica(), 0);
  ASSERT_TRUE(WriteAll(pty.replica(), "one\ntwo\n"));
  EXPECT_EQ(ReadMaster(pty.master(), 10), "one\r\ntwo\r\n");
}

TEST(PtyTest, RawModeGivesEveryByteAsItComes) {
  SKIP_WITHOUT_PTMX();
  Pty pty;
  ASSERT_TRUE(pty.ok());
  ASSERT_GE(pty.OpenReplica(), 0);
  struct termios t;
  ASSERT_SYSCALL_OK(tcgetattr(pty.replica(), &t));
  cfmakeraw(&t);
  ASSERT_SYSCALL_OK(tcsetattr(pty.replica(), TCSANOW, &t));
  ASSERT_TRUE(WriteAll(pty.master(), "a"));
  EXPECT_EQ(ReadSome(pty.replica()), "a");  // VMIN 1: one byte is enough.
  ASSERT_TRUE(WriteAll(pty.master(), "\r\177\003"));
  std::string got;
  while (got.size() < 3 && Readable(pty.replica())) got += ReadSome(pty.replica());
  EXPECT_EQ(got, "\r\177\003");
  ASSERT_TRUE(WriteAll(pty.replica(), "x\n"));
  EXPECT_EQ(ReadMaster(pty.master(), 2), "x\n");  // No OPOST, no echo.
}

TEST(PtyTest, VminZeroVtimeZeroReadReturnsAtOnce) {
  SKIP_WITHOUT_PTMX();
  Pty pty;
  ASSERT_TRUE(pty.ok());
  ASSERT_GE(pty.OpenReplica(), 0);
  struct termios t;
  ASSERT_SYSCALL_OK(tcgetattr(pty.replica(), &t));
  cfmakeraw(&t);
  t.c_cc[VMIN] = 0;
  t.c_cc[VTIME] = 0;
  ASSERT_SYSCALL_OK(tcsetattr(pty.replica(), TCSANOW, &t));
  char c;
  EXPECT_EQ(read(pty.replica(), &c, 1), 0);
}

TEST(PtyTest, VminZeroWithVtimeWaitsForAByteThenGivesUp) {
  SKIP_WITHOUT_PTMX();
  Pty pty;
  ASSERT_TRUE(pty.ok());
  ASSERT_GE(pty.OpenReplica(), 0);
  struct termios t;
  ASSERT_SYSCALL_OK(tcgetattr(pty.replica(), &t));
  cfmakeraw(&t);
  t.c_cc[VMIN] = 0;
  t.c_cc[VTIME] = 1;  // A tenth of a second.
  ASSERT_SYSCALL_OK(tcsetattr(pty.replica(), TCSANOW, &t));
  char buf[8];
  EXPECT_EQ(read(pty.replica(), buf, sizeof(buf)), 0);  // Nothing came: 0, not EAGAIN.
  ASSERT_TRUE(WriteAll(pty.master(), "z"));
  ASSERT_TRUE(Readable(pty.replica()));
  EXPECT_EQ(ReadSome(pty.replica()), "z");
}

TEST(PtyTest, AnONoCttyOpenLeavesTheSessionWithoutATerminal) {
  SKIP_WITHOUT_PTMX();
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(setsid() > 0);
              signal(SIGHUP, SIG_IGN);
              Pty pty;
              CHILD_CHECK(pty.ok());
              CHILD_CHECK(pty.OpenReplica(O_RDWR | O_NOCTTY) >= 0);
              CHILD_CHECK(tcgetpgrp(pty.replica()) < 0 && errno == ENOTTY);
              CHILD_CHECK(open("/dev/tty", O_RDWR) < 0 && errno == ENXIO);
              // TIOCSCTTY makes it so.
              CHILD_CHECK(ioctl(pty.replica(), TIOCSCTTY, 0) == 0);
              CHILD_CHECK(tcgetpgrp(pty.replica()) == getpgrp());
              // And TIOCNOTTY by the session leader gives it up again.
              signal(SIGCONT, SIG_IGN);
              CHILD_CHECK(ioctl(pty.replica(), TIOCNOTTY) == 0);
              CHILD_CHECK(tcgetpgrp(pty.replica()) < 0 && errno == ENOTTY);
              return 0;
            }),
            0);
}

TEST(PtyTest, EpollReportsTheMasterReadableOnceTheEchoIsThere) {
  SKIP_WITHOUT_PTMX();
  Pty pty;
  ASSERT_TRUE(pty.ok());
  ASSERT_GE(pty.OpenReplica(), 0);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  ASSERT_GE(ep, 0);
  struct epoll_event ev = {};
  ev.events = EPOLLIN;
  ev.data.fd = pty.master();
  ASSERT_SYSCALL_OK(epoll_ctl(ep, EPOLL_CTL_ADD, pty.master(), &ev));
  struct epoll_event got = {};
  EXPECT_EQ(epoll_wait(ep, &got, 1, 0), 0);
  ASSERT_TRUE(WriteAll(pty.master(), "e"));
  ASSERT_EQ(epoll_wait(ep, &got, 1, kPollMs), 1);
  EXPECT_EQ(got.data.fd, pty.master());
  EXPECT_TRUE(got.events & EPOLLIN);
  close(ep);
}

TEST(PtyTest, InterruptKeySendsSigintToTheForegroundGroup) {
  SKIP_WITHOUT_PTMX();
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(setsid() > 0);
              signal(SIGHUP, SIG_IGN);  // Sent when the pty's master closes at the end.
              Pty pty;
              CHILD_CHECK(pty.ok());
              // Opened without O_NOCTTY by a session leader with none: its
              // controlling terminal, with the leader's group in front.
              CHILD_CHECK(pty.OpenReplica(O_RDWR) >= 0);
              CHILD_CHECK(tcgetpgrp(pty.replica()) == getpgrp());
              CHILD_CHECK(tcgetsid(pty.replica()) == getsid(0));
              BlockSignal(SIGINT);
              CHILD_CHECK(WriteAll(pty.master(), "half"));
              CHILD_CHECK(ReadMaster(pty.master(), 4) == "half");
              CHILD_CHECK(WriteAll(pty.master(), "\003"));
              CHILD_CHECK(WaitForSignal(SIGINT));
              CHILD_CHECK(ReadMaster(pty.master(), 2) == "^C");  // The key's echo.
              // The half line was flushed.
              CHILD_CHECK(WriteAll(pty.master(), "\n"));
              CHILD_CHECK(ReadSome(pty.replica()) == "\n");
              return 0;
            }),
            0);
}

TEST(PtyTest, DevTtyIsTheControllingPty) {
  SKIP_WITHOUT_PTMX();
  EXPECT_EQ(RunInChild([] {
              Pty pty;
              CHILD_CHECK(LeadSessionOnPty(pty));
              int tty = open("/dev/tty", O_RDWR);
              CHILD_CHECK(tty >= 0);
              CHILD_CHECK(WriteAll(tty, "via tty\n"));
              CHILD_CHECK(ReadMaster(pty.master(), 9) == "via tty\r\n");
              close(tty);
              return 0;
            }),
            0);
}

TEST(PtyTest, WindowSizeIsSharedAndAChangeSendsSigwinch) {
  SKIP_WITHOUT_PTMX();
  EXPECT_EQ(RunInChild([] {
              Pty pty;
              CHILD_CHECK(LeadSessionOnPty(pty));
              BlockSignal(SIGWINCH);
              struct winsize ws = {};
              ws.ws_row = 24;
              ws.ws_col = 80;
              CHILD_CHECK(ioctl(pty.master(), TIOCSWINSZ, &ws) == 0);
              CHILD_CHECK(WaitForSignal(SIGWINCH));
              struct winsize got = {};
              CHILD_CHECK(ioctl(pty.replica(), TIOCGWINSZ, &got) == 0);
              CHILD_CHECK(got.ws_row == 24 && got.ws_col == 80);
              // The same size again is no change: no signal.
              CHILD_CHECK(ioctl(pty.replica(), TIOCSWINSZ, &ws) == 0);
              sigset_t pending;
              sigpending(&pending);
              CHILD_CHECK(!sigismember(&pending, SIGWINCH));
              return 0;
            }),
            0);
}

TEST(PtyTest, ClosingTheMasterHangsUpTheReplica) {
  SKIP_WITHOUT_PTMX();
  Pty pty;
  ASSERT_TRUE(pty.ok());
  ASSERT_GE(pty.OpenReplica(), 0);
  const std::string name = pty.name();
  pty.CloseMaster();
  char buf[16];
  EXPECT_EQ(read(pty.replica(), buf, sizeof(buf)), 0);  // End of file.
  EXPECT_SYSCALL_ERRNO(write(pty.replica(), "x", 1), EIO);
  struct pollfd p = {pty.replica(), POLLIN | POLLOUT, 0};
  ASSERT_EQ(poll(&p, 1, 0), 1);
  EXPECT_EQ(p.revents, POLLIN | POLLOUT | POLLERR | POLLHUP);
  struct stat st;
  EXPECT_SYSCALL_ERRNO(stat(name.c_str(), &st), ENOENT);
}

TEST(PtyTest, ClosingTheMasterSendsSighupToTheSessionLeader) {
  SKIP_WITHOUT_PTMX();
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(setsid() > 0);
              Pty pty;
              CHILD_CHECK(pty.ok());
              CHILD_CHECK(pty.OpenReplica(O_RDWR) >= 0);
              BlockSignal(SIGHUP);
              pty.CloseMaster();
              CHILD_CHECK(WaitForSignal(SIGHUP));
              // The session has lost its controlling terminal.
              CHILD_CHECK(open("/dev/tty", O_RDWR) < 0 && errno == ENXIO);
              return 0;
            }),
            0);
}

TEST(PtyTest, ClosingTheReplicaGivesTheMasterEioAfterTheData) {
  SKIP_WITHOUT_PTMX();
  Pty pty;
  ASSERT_TRUE(pty.ok());
  ASSERT_GE(pty.OpenReplica(), 0);
  ASSERT_TRUE(WriteAll(pty.replica(), "bye"));
  pty.CloseReplica();
  EXPECT_EQ(ReadMaster(pty.master(), 3), "bye");
  char c;
  EXPECT_SYSCALL_ERRNO(read(pty.master(), &c, 1), EIO);
  struct pollfd p = {pty.master(), POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 0), 1);
  EXPECT_TRUE(p.revents & POLLHUP);
}

TEST(PtyTest, PollShowsAReplicaReadableOnlyOnceALineIsComplete) {
  SKIP_WITHOUT_PTMX();
  Pty pty;
  ASSERT_TRUE(pty.ok());
  ASSERT_GE(pty.OpenReplica(), 0);
  struct pollfd p[2] = {{pty.master(), POLLIN | POLLOUT, 0}, {pty.replica(), POLLIN | POLLOUT, 0}};
  ASSERT_EQ(poll(p, 2, 0), 2);
  EXPECT_EQ(p[0].revents, POLLOUT);
  EXPECT_EQ(p[1].revents, POLLOUT);
  ASSERT_TRUE(WriteAll(pty.master(), "half"));
  EXPECT_EQ(ReadMaster(pty.master(), 4), "half");  // The echo: by then it was received.
  EXPECT_FALSE(Readable(pty.replica(), 0));
  ASSERT_TRUE(WriteAll(pty.master(), "\n"));
  EXPECT_TRUE(Readable(pty.replica()));
  int n = 0;
  ASSERT_SYSCALL_OK(ioctl(pty.replica(), FIONREAD, &n));
  EXPECT_EQ(n, 5);
}

TEST(PtyTest, NonblockingReadsOfNothingAreEagain) {
  SKIP_WITHOUT_PTMX();
  Pty pty;
  ASSERT_TRUE(pty.ok());
  ASSERT_GE(pty.OpenReplica(O_RDWR | O_NOCTTY | O_NONBLOCK), 0);
  char c;
  EXPECT_SYSCALL_ERRNO(read(pty.replica(), &c, 1), EAGAIN);
  ASSERT_SYSCALL_OK(fcntl(pty.master(), F_SETFL, O_NONBLOCK));
  EXPECT_SYSCALL_ERRNO(read(pty.master(), &c, 1), EAGAIN);
}

TEST(PtyTest, TiocgptpeerOpensTheReplica) {
  SKIP_WITHOUT_PTMX();
  Pty pty;
  ASSERT_TRUE(pty.ok());
  int peer = ioctl(pty.master(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(peer, 0) << strerror(errno);
  unsigned n = 0;
  ASSERT_SYSCALL_OK(ioctl(pty.master(), TIOCGPTN, &n));
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(peer, &st));
  EXPECT_EQ(minor(st.st_rdev), n % 256);
  EXPECT_TRUE(fcntl(peer, F_GETFD) & FD_CLOEXEC);
  ASSERT_TRUE(WriteAll(peer, "peer\n"));
  EXPECT_EQ(ReadMaster(pty.master(), 6), "peer\r\n");
  close(peer);
}

TEST(PtyTest, TcflushDropsWhatWasTyped) {
  SKIP_WITHOUT_PTMX();
  Pty pty;
  ASSERT_TRUE(pty.ok());
  ASSERT_GE(pty.OpenReplica(), 0);
  ASSERT_TRUE(WriteAll(pty.master(), "old\n"));
  EXPECT_EQ(ReadMaster(pty.master(), 5), "old\r\n");  // Received by now.
  ASSERT_SYSCALL_OK(tcflush(pty.replica(), TCIFLUSH));
  ASSERT_TRUE(WriteAll(pty.master(), "new\n"));
  EXPECT_EQ(ReadSome(pty.replica()), "new\n");
  EXPECT_SYSCALL_ERRNO(ioctl(pty.replica(), TCFLSH, 7), EINVAL);
}

TEST(PtyTest, TcdrainTcflowAndTermios2) {
  SKIP_WITHOUT_PTMX();
  Pty pty;
  ASSERT_TRUE(pty.ok());
  ASSERT_GE(pty.OpenReplica(O_RDWR | O_NOCTTY | O_NONBLOCK), 0);
  EXPECT_SYSCALL_OK(tcdrain(pty.replica()));
  EXPECT_SYSCALL_OK(tcsendbreak(pty.replica(), 0));
  // Output stopped: a replica write takes nothing.
  ASSERT_SYSCALL_OK(tcflow(pty.replica(), TCOOFF));
  EXPECT_SYSCALL_ERRNO(write(pty.replica(), "x", 1), EAGAIN);
  ASSERT_SYSCALL_OK(tcflow(pty.replica(), TCOON));
  ASSERT_TRUE(WriteAll(pty.replica(), "y"));
  EXPECT_EQ(ReadMaster(pty.master(), 1), "y");
  // TCIOFF sends the stop character to the other side.
  ASSERT_SYSCALL_OK(tcflow(pty.replica(), TCIOFF));
  EXPECT_EQ(ReadMaster(pty.master(), 1), "\023");
  EXPECT_SYSCALL_ERRNO(ioctl(pty.replica(), TCXONC, 9), EINVAL);
  int ldisc = -1;
  ASSERT_SYSCALL_OK(ioctl(pty.replica(), TIOCGETD, &ldisc));
  EXPECT_EQ(ldisc, 0);  // N_TTY.
  // termios2 (0x802c542a, TCGETS2): the termios of TCGETS and the speeds.
  struct {
    unsigned flags[4];
    unsigned char line, cc[19];
    unsigned ispeed, ospeed;
  } t2 = {};
  static_assert(sizeof(t2) == 44);
  ASSERT_SYSCALL_OK(ioctl(pty.replica(), 0x802c542a, &t2));
  struct termios t;
  ASSERT_SYSCALL_OK(tcgetattr(pty.replica(), &t));
  EXPECT_EQ(t2.flags[3], t.c_lflag);
  EXPECT_EQ(t2.ospeed, 38400u);
}

// What the master reads in packet mode, step by step.
TEST(PtyTest, PacketModeReportsDataFlushesAndFlowControl) {
  SKIP_WITHOUT_PTMX();
  Pty pty;
  ASSERT_TRUE(pty.ok());
  ASSERT_GE(pty.OpenReplica(), 0);
  int on = 1;
  ASSERT_SYSCALL_OK(ioctl(pty.master(), TIOCPKT, &on));
  int got = 0;
  ASSERT_SYSCALL_OK(ioctl(pty.master(), TIOCGPKT, &got));
  EXPECT_EQ(got, 1);
  EXPECT_SYSCALL_ERRNO(ioctl(pty.replica(), TIOCPKT, &on), ENOTTY);
  ASSERT_TRUE(WriteAll(pty.replica(), "ab"));
  ASSERT_TRUE(Readable(pty.master()));
  EXPECT_EQ(ReadSome(pty.master()), std::string("\0ab", 3));  // TIOCPKT_DATA first.
  ASSERT_SYSCALL_OK(tcflush(pty.replica(), TCIFLUSH));
  struct pollfd p = {pty.master(), POLLIN | POLLPRI, 0};
  ASSERT_EQ(poll(&p, 1, kPollMs), 1);
  EXPECT_EQ(p.revents, POLLIN | POLLPRI);
  EXPECT_EQ(ReadSome(pty.master()), std::string(1, TIOCPKT_FLUSHREAD));
  ASSERT_SYSCALL_OK(tcflush(pty.replica(), TCIOFLUSH));
  ASSERT_TRUE(Readable(pty.master()));
  EXPECT_EQ(ReadSome(pty.master()), std::string(1, TIOCPKT_FLUSHREAD | TIOCPKT_FLUSHWRITE));
  ASSERT_TRUE(WriteAll(pty.master(), "\023"));  // ^S
  ASSERT_TRUE(Readable(pty.master()));
  EXPECT_EQ(ReadSome(pty.master()), std::string(1, TIOCPKT_STOP));
  ASSERT_TRUE(WriteAll(pty.master(), "\021"));  // ^Q
  ASSERT_TRUE(Readable(pty.master()));
  EXPECT_EQ(ReadSome(pty.master()), std::string(1, TIOCPKT_START));
  struct termios t;
  ASSERT_SYSCALL_OK(tcgetattr(pty.replica(), &t));
  t.c_iflag &= ~IXON;
  ASSERT_SYSCALL_OK(tcsetattr(pty.replica(), TCSANOW, &t));
  ASSERT_TRUE(Readable(pty.master()));
  EXPECT_EQ(ReadSome(pty.master()), std::string(1, TIOCPKT_NOSTOP));
  // A signal key flushes both ways, and drops the echo of what came
  // with it in the same write.
  ASSERT_TRUE(WriteAll(pty.master(), "x\003"));
  ASSERT_TRUE(Readable(pty.master()));
  EXPECT_EQ(ReadSome(pty.master()), std::string(1, TIOCPKT_FLUSHREAD | TIOCPKT_FLUSHWRITE));
  ASSERT_TRUE(Readable(pty.master()));
  EXPECT_EQ(ReadSome(pty.master()), std::string("\0^C", 3));
  int off = 0;
  ASSERT_SYSCALL_OK(ioctl(pty.master(), TIOCPKT, &off));
  ASSERT_TRUE(WriteAll(pty.replica(), "z"));
  EXPECT_EQ(ReadMaster(pty.master(), 1), "z");
}

TEST(PtyTest, TheMastersCallsOnTheReplica) {
  SKIP_WITHOUT_PTMX();
  Pty pty;
  ASSERT_TRUE(pty.ok());
  ASSERT_GE(pty.OpenReplica(), 0);
  unsigned n;
  EXPECT_SYSCALL_ERRNO(ioctl(pty.replica(), TIOCGPTN, &n), ENOTTY);
  int lock = 0;
  EXPECT_SYSCALL_ERRNO(ioctl(pty.replica(), TIOCSPTLCK, &lock), ENOTTY);
  EXPECT_SYSCALL_ERRNO(ioctl(pty.replica(), TIOCGPTPEER, O_RDWR), EIO);
  EXPECT_SYSCALL_ERRNO(ioctl(pty.master(), TIOCNOTTY), ENOTTY);
  // The master tells the replica's foreground group to anyone: none here.
  pid_t pgrp = -1;
  ASSERT_SYSCALL_OK(ioctl(pty.master(), TIOCGPGRP, &pgrp));
  EXPECT_EQ(pgrp, 0);
}

TEST(PtyTest, BadPointersAreEfault) {
  SKIP_WITHOUT_PTMX();
  Pty pty;
  ASSERT_TRUE(pty.ok());
  ASSERT_GE(pty.OpenReplica(), 0);
  void* bad = reinterpret_cast<void*>(8);
  EXPECT_SYSCALL_ERRNO(ioctl(pty.replica(), TCGETS, bad), EFAULT);
  EXPECT_SYSCALL_ERRNO(ioctl(pty.replica(), TCSETS, bad), EFAULT);
  EXPECT_SYSCALL_ERRNO(ioctl(pty.master(), TIOCGPTN, bad), EFAULT);
  EXPECT_SYSCALL_ERRNO(ioctl(pty.master(), TIOCSWINSZ, bad), EFAULT);
  EXPECT_SYSCALL_ERRNO(ioctl(pty.replica(), FIONREAD, bad), EFAULT);
}

TEST(PtyTest, DevPtsListsPtmx) {
  SKIP_WITHOUT_PTMX();
  struct stat st;
  ASSERT_SYSCALL_OK(stat("/dev/pts/ptmx", &st));
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(5, 2));
}

}  // namespace
}  // namespace runsc::syscall_test
