// Family: epoll_create/epoll_create1, epoll_ctl, epoll_wait and epoll_pwait.
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// An epoll instance closed by the destructor.
class Epoll {
 public:
  Epoll() : fd_(epoll_create1(EPOLL_CLOEXEC)) {
    if (fd_ < 0) ADD_FAILURE() << "epoll_create1: " << strerror(errno);
  }
  ~Epoll() {
    if (fd_ >= 0) close(fd_);
  }
  int fd() const { return fd_; }
  int Add(int fd, uint32_t events, uint64_t data) { return Ctl(EPOLL_CTL_ADD, fd, events, data); }
  int Mod(int fd, uint32_t events, uint64_t data) { return Ctl(EPOLL_CTL_MOD, fd, events, data); }
  int Ctl(int op, int fd, uint32_t events, uint64_t data) {
    epoll_event ev = {};
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(fd_, op, fd, &ev);
  }
  // Waits with timeout 0 and returns the number of events (or -1).
  int Poll(epoll_event* events, int max) { return epoll_wait(fd_, events, max, 0); }

 private:
  int fd_;
};

TEST(EpollTest, Create1CloexecSetsFdCloexec) {
  int fd = epoll_create1(EPOLL_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  close(fd);
  fd = epoll_create1(0);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
  close(fd);
}

TEST(EpollTest, BadCreateArgumentsAreEINVAL) {
  EXPECT_SYSCALL_ERRNO(epoll_create1(O_NONBLOCK), EINVAL);
  EXPECT_SYSCALL_ERRNO(epoll_create(0), EINVAL);
  EXPECT_SYSCALL_ERRNO(epoll_create(-1), EINVAL);
}

TEST(EpollTest, ReadyFdIsReportedWithItsData) {
  Epoll ep;
  TestPipe p;
  ASSERT_SYSCALL_OK(ep.Add(p.read_fd(), EPOLLIN, 0x1122334455667788ULL));
  epoll_event ev[4];
  EXPECT_EQ(ep.Poll(ev, 4), 0);
  ASSERT_EQ(write(p.write_fd(), "x", 1), 1);
  ASSERT_EQ(ep.Poll(ev, 4), 1);
  EXPECT_EQ(ev[0].events, static_cast<uint32_t>(EPOLLIN));
  EXPECT_EQ(ev[0].data.u64, 0x1122334455667788ULL);
}

TEST(EpollTest, AddingAnFdTwiceIsEEXIST) {
  Epoll ep;
  TestPipe p;
  ASSERT_SYSCALL_OK(ep.Add(p.read_fd(), EPOLLIN, 0));
  errno = 0;
  EXPECT_EQ(ep.Add(p.read_fd(), EPOLLIN, 0), -1);
  EXPECT_EQ(errno, EEXIST);
}

TEST(EpollTest, ModifyingOrDeletingAnUnregisteredFdIsENOENT) {
  Epoll ep;
  TestPipe p;
  errno = 0;
  EXPECT_EQ(ep.Mod(p.read_fd(), EPOLLIN, 0), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_SYSCALL_ERRNO(epoll_ctl(ep.fd(), EPOLL_CTL_DEL, p.read_fd(), nullptr), ENOENT);
}

TEST(EpollTest, ModChangesTheWatchedEvents) {
  Epoll ep;
  TestPipe p;
  ASSERT_EQ(write(p.write_fd(), "x", 1), 1);
  ASSERT_SYSCALL_OK(ep.Add(p.read_fd(), EPOLLOUT, 1));
  epoll_event ev[1];
  EXPECT_EQ(ep.Poll(ev, 1), 0);
  ASSERT_SYSCALL_OK(ep.Mod(p.read_fd(), EPOLLIN, 2));
  ASSERT_EQ(ep.Poll(ev, 1), 1);
  EXPECT_EQ(ev[0].data.u64, 2u);
}

TEST(EpollTest, DeletedFdIsNoLongerReported) {
  Epoll ep;
  TestPipe p;
  ASSERT_EQ(write(p.write_fd(), "x", 1), 1);
  ASSERT_SYSCALL_OK(ep.Add(p.read_fd(), EPOLLIN, 0));
  epoll_event ev[1];
  EXPECT_EQ(ep.Poll(ev, 1), 1);
  ASSERT_SYSCALL_OK(epoll_ctl(ep.fd(), EPOLL_CTL_DEL, p.read_fd(), nullptr));
  EXPECT_EQ(ep.Poll(ev, 1), 0);
}

TEST(EpollTest, AddingTheEpollFdToItselfIsEINVAL) {
  Epoll ep;
  errno = 0;
  EXPECT_EQ(ep.Add(ep.fd(), EPOLLIN, 0), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST(EpollTest, AddingARegularFileIsEPERM) {
  TempDir dir;
  WriteFileOrDie(dir.File("file"), "data");
  int fd = open(dir.File("file").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  Epoll ep;
  errno = 0;
  EXPECT_EQ(ep.Add(fd, EPOLLIN, 0), -1);
  EXPECT_EQ(errno, EPERM);
  close(fd);
}

TEST(EpollTest, BadFdsAreEBADFAndANonEpollFdIsEINVAL) {
  TestPipe p;
  epoll_event ev = {};
  ev.events = EPOLLIN;
  EXPECT_SYSCALL_ERRNO(epoll_ctl(-1, EPOLL_CTL_ADD, p.read_fd(), &ev), EBADF);
  Epoll ep;
  EXPECT_SYSCALL_ERRNO(epoll_ctl(ep.fd(), EPOLL_CTL_ADD, -1, &ev), EBADF);
  EXPECT_SYSCALL_ERRNO(epoll_ctl(p.read_fd(), EPOLL_CTL_ADD, p.write_fd(), &ev), EINVAL);
  EXPECT_SYSCALL_ERRNO(epoll_wait(p.read_fd(), &ev, 1, 0), EINVAL);
}

TEST(EpollTest, UnknownCtlOpIsEINVAL) {
  Epoll ep;
  TestPipe p;
  errno = 0;
  EXPECT_EQ(ep.Ctl(12345, p.read_fd(), EPOLLIN, 0), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST(EpollTest, AddWithANullEventIsEFAULT) {
  Epoll ep;
  TestPipe p;
  EXPECT_SYSCALL_ERRNO(epoll_ctl(ep.fd(), EPOLL_CTL_ADD, p.read_fd(), nullptr), EFAULT);
}

TEST(EpollTest, NonPositiveMaxeventsIsEINVAL) {
  Epoll ep;
  epoll_event ev;
  EXPECT_SYSCALL_ERRNO(epoll_wait(ep.fd(), &ev, 0, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(epoll_wait(ep.fd(), &ev, -1, 0), EINVAL);
}

TEST(EpollTest, BadEventsBufferIsEFAULTWhenAnEventIsReady) {
  Epoll ep;
  TestPipe p;
  ASSERT_SYSCALL_OK(ep.Add(p.write_fd(), EPOLLOUT, 0));
  EXPECT_SYSCALL_ERRNO(epoll_wait(ep.fd(), reinterpret_cast<epoll_event*>(1), 1, 0), EFAULT);
}

TEST(EpollTest, LevelTriggeredReportsUntilTheDataIsRead) {
  Epoll ep;
  TestPipe p;
  ASSERT_SYSCALL_OK(ep.Add(p.read_fd(), EPOLLIN, 0));
  ASSERT_EQ(write(p.write_fd(), "x", 1), 1);
  epoll_event ev[1];
  EXPECT_EQ(ep.Poll(ev, 1), 1);
  EXPECT_EQ(ep.Poll(ev, 1), 1);
  char c;
  ASSERT_EQ(read(p.read_fd(), &c, 1), 1);
  EXPECT_EQ(ep.Poll(ev, 1), 0);
}

TEST(EpollTest, EdgeTriggeredReportsOnlyNewData) {
  Epoll ep;
  TestPipe p;
  ASSERT_SYSCALL_OK(ep.Add(p.read_fd(), EPOLLIN | EPOLLET, 0));
  ASSERT_EQ(write(p.write_fd(), "x", 1), 1);
  epoll_event ev[1];
  EXPECT_EQ(ep.Poll(ev, 1), 1);
  // The byte is still unread, but no new edge has happened.
  EXPECT_EQ(ep.Poll(ev, 1), 0);
  ASSERT_EQ(write(p.write_fd(), "y", 1), 1);
  EXPECT_EQ(ep.Poll(ev, 1), 1);
  EXPECT_EQ(ep.Poll(ev, 1), 0);
}

TEST(EpollTest, OneshotDisablesTheFdUntilRearmedWithMod) {
  Epoll ep;
  TestPipe p;
  ASSERT_SYSCALL_OK(ep.Add(p.read_fd(), EPOLLIN | EPOLLONESHOT, 7));
  ASSERT_EQ(write(p.write_fd(), "x", 1), 1);
  epoll_event ev[1];
  EXPECT_EQ(ep.Poll(ev, 1), 1);
  EXPECT_EQ(ep.Poll(ev, 1), 0);
  ASSERT_EQ(write(p.write_fd(), "y", 1), 1);
  EXPECT_EQ(ep.Poll(ev, 1), 0);
  // Still registered: adding again is EEXIST, MOD re-arms it.
  errno = 0;
  EXPECT_EQ(ep.Add(p.read_fd(), EPOLLIN, 0), -1);
  EXPECT_EQ(errno, EEXIST);
  ASSERT_SYSCALL_OK(ep.Mod(p.read_fd(), EPOLLIN | EPOLLONESHOT, 8));
  ASSERT_EQ(ep.Poll(ev, 1), 1);
  EXPECT_EQ(ev[0].data.u64, 8u);
}

TEST(EpollTest, ClosedWriterIsEPOLLHUPWithoutAsking) {
  Epoll ep;
  TestPipe p;
  ASSERT_SYSCALL_OK(ep.Add(p.read_fd(), 0, 0));
  p.CloseWrite();
  epoll_event ev[1];
  ASSERT_EQ(ep.Poll(ev, 1), 1);
  EXPECT_EQ(ev[0].events, static_cast<uint32_t>(EPOLLHUP));
}

TEST(EpollTest, RegistrationLastsUntilEveryFdOfTheFileIsClosed) {
  Epoll ep;
  TestPipe p;
  int dup_fd = dup(p.write_fd());
  ASSERT_GE(dup_fd, 0);
  ASSERT_SYSCALL_OK(ep.Add(dup_fd, EPOLLOUT, 0));
  epoll_event ev[1];
  EXPECT_EQ(ep.Poll(ev, 1), 1);
  // Epoll watches the open file, not the fd number: p.write_fd() keeps it alive.
  close(dup_fd);
  EXPECT_EQ(ep.Poll(ev, 1), 1);
  p.CloseWrite();
  EXPECT_EQ(ep.Poll(ev, 1), 0);
}

TEST(EpollTest, MaxeventsLimitsTheEventsReturned) {
  Epoll ep;
  TestPipe a, b;
  ASSERT_SYSCALL_OK(ep.Add(a.write_fd(), EPOLLOUT, 1));
  ASSERT_SYSCALL_OK(ep.Add(b.write_fd(), EPOLLOUT, 2));
  epoll_event ev[2];
  EXPECT_EQ(ep.Poll(ev, 1), 1);
  EXPECT_EQ(ep.Poll(ev, 2), 2);
}

TEST(EpollTest, WaitTimesOutAfterAtLeastTheTimeout) {
  Epoll ep;
  timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  epoll_event ev;
  EXPECT_EQ(epoll_wait(ep.fd(), &ev, 1, 10), 0);
  clock_gettime(CLOCK_MONOTONIC, &end);
  EXPECT_GE((end.tv_sec - start.tv_sec) * 1000000000LL + (end.tv_nsec - start.tv_nsec), 10000000LL);
}

TEST(EpollTest, PwaitMaskUnblockingAPendingSignalIsEINTR) {
  int status = RunInChild([] {
    struct sigaction sa = {};
    sa.sa_handler = [](int) {};
    if (sigaction(SIGUSR1, &sa, nullptr) != 0) return 2;
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    if (sigprocmask(SIG_BLOCK, &block, nullptr) != 0) return 3;
    raise(SIGUSR1);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) return 4;
    sigset_t empty;
    sigemptyset(&empty);
    epoll_event ev;
    if (epoll_pwait(ep, &ev, 1, 5000, &empty) != -1 || errno != EINTR) return 1;
    return 0;
  });
  EXPECT_EQ(status, 0);
}

TEST(EpollTest, NestedEpollReportsReadiness) {
  Epoll outer, inner;
  TestPipe p;
  ASSERT_SYSCALL_OK(inner.Add(p.read_fd(), EPOLLIN, 0));
  ASSERT_SYSCALL_OK(outer.Add(inner.fd(), EPOLLIN, 9));
  epoll_event ev[1];
  EXPECT_EQ(outer.Poll(ev, 1), 0);
  ASSERT_EQ(write(p.write_fd(), "x", 1), 1);
  ASSERT_EQ(outer.Poll(ev, 1), 1);
  EXPECT_EQ(ev[0].data.u64, 9u);
}

}  // namespace
}  // namespace runsc::syscall_test
