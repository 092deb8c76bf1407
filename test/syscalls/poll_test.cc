// Family: poll and ppoll, exercised on pipes.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vector>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

int64_t MonotonicNanos() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

TEST(PollTest, EmptyReadEndIsNotReadyAndTimeoutZeroReturnsAtOnce) {
  TestPipe p;
  pollfd pfd = {p.read_fd(), POLLIN, 0x7fff};
  EXPECT_EQ(poll(&pfd, 1, 0), 0);
  EXPECT_EQ(pfd.revents, 0);
}

TEST(PollTest, WriteEndOfAnEmptyPipeIsPOLLOUT) {
  TestPipe p;
  pollfd pfd = {p.write_fd(), POLLIN | POLLOUT, 0};
  EXPECT_EQ(poll(&pfd, 1, 0), 1);
  EXPECT_EQ(pfd.revents, POLLOUT);
}

TEST(PollTest, ReadEndWithDataIsPOLLIN) {
  TestPipe p;
  ASSERT_EQ(write(p.write_fd(), "x", 1), 1);
  pollfd pfd = {p.read_fd(), POLLIN | POLLOUT, 0};
  EXPECT_EQ(poll(&pfd, 1, 0), 1);
  EXPECT_EQ(pfd.revents, POLLIN);
}

TEST(PollTest, OnlyRequestedEventsAreReported) {
  TestPipe p;
  ASSERT_EQ(write(p.write_fd(), "x", 1), 1);
  pollfd pfd = {p.read_fd(), POLLOUT, 0};
  EXPECT_EQ(poll(&pfd, 1, 0), 0);
  EXPECT_EQ(pfd.revents, 0);
}

TEST(PollTest, ReadEndAfterTheWriterClosesIsPOLLHUPEvenIfNotRequested) {
  TestPipe p;
  p.CloseWrite();
  pollfd pfd = {p.read_fd(), 0, 0};
  EXPECT_EQ(poll(&pfd, 1, 0), 1);
  EXPECT_EQ(pfd.revents, POLLHUP);
}

TEST(PollTest, ReadEndWithDataAndNoWriterIsPOLLINAndPOLLHUP) {
  TestPipe p;
  ASSERT_EQ(write(p.write_fd(), "x", 1), 1);
  p.CloseWrite();
  pollfd pfd = {p.read_fd(), POLLIN, 0};
  EXPECT_EQ(poll(&pfd, 1, 0), 1);
  EXPECT_EQ(pfd.revents, POLLIN | POLLHUP);
}

TEST(PollTest, WriteEndAfterTheReaderClosesIsPOLLERR) {
  TestPipe p;
  p.CloseRead();
  pollfd pfd = {p.write_fd(), POLLOUT, 0};
  EXPECT_EQ(poll(&pfd, 1, 0), 1);
  EXPECT_EQ(pfd.revents, POLLOUT | POLLERR);
}

TEST(PollTest, ClosedFdIsPOLLNVALAndCounted) {
  TestPipe p;
  const int fd = dup(p.read_fd());
  ASSERT_GE(fd, 0);
  close(fd);
  pollfd pfds[2] = {{fd, POLLIN, 0}, {p.write_fd(), POLLOUT, 0}};
  EXPECT_EQ(poll(pfds, 2, 0), 2);
  EXPECT_EQ(pfds[0].revents, POLLNVAL);
  EXPECT_EQ(pfds[1].revents, POLLOUT);
}

TEST(PollTest, NegativeFdIsIgnoredAndItsReventsCleared) {
  pollfd pfd = {-1, POLLIN | POLLOUT, 0x7fff};
  EXPECT_EQ(poll(&pfd, 1, 0), 0);
  EXPECT_EQ(pfd.revents, 0);
}

TEST(PollTest, TheSameFdTwiceIsCountedTwice) {
  TestPipe p;
  pollfd pfds[2] = {{p.write_fd(), POLLOUT, 0}, {p.write_fd(), POLLOUT, 0}};
  EXPECT_EQ(poll(pfds, 2, 0), 2);
}

TEST(PollTest, ZeroFdsWithATimeoutSleepsAtLeastThatLong) {
  const int64_t start = MonotonicNanos();
  EXPECT_EQ(poll(nullptr, 0, 10), 0);
  EXPECT_GE(MonotonicNanos() - start, 10 * 1000000LL);
}

TEST(PollTest, BadArrayPointerIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(poll(reinterpret_cast<pollfd*>(1), 1, 0), EFAULT);
}

TEST(PollTest, MoreFdsThanRlimitNofileIsEINVAL) {
  rlimit rl;
  ASSERT_SYSCALL_OK(getrlimit(RLIMIT_NOFILE, &rl));
  ASSERT_LT(rl.rlim_cur, 1u << 24);
  std::vector<pollfd> pfds(rl.rlim_cur + 1, pollfd{-1, 0, 0});
  EXPECT_SYSCALL_ERRNO(poll(pfds.data(), pfds.size(), 0), EINVAL);
}

TEST(PollTest, AReaderWakesWhenAForkedChildWrites) {
  TestPipe p;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    usleep(20000);
    _exit(write(p.write_fd(), "x", 1) == 1 ? 0 : 1);
  }
  pollfd pfd = {p.read_fd(), POLLIN, 0};
  EXPECT_EQ(poll(&pfd, 1, 10000), 1);
  EXPECT_EQ(pfd.revents, POLLIN);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(PpollTest, ZeroTimespecReturnsAtOnce) {
  TestPipe p;
  pollfd pfd = {p.read_fd(), POLLIN, 0};
  timespec zero = {0, 0};
  EXPECT_EQ(ppoll(&pfd, 1, &zero, nullptr), 0);
}

TEST(PpollTest, NullTimeoutReturnsWhenAnFdIsReady) {
  TestPipe p;
  pollfd pfd = {p.write_fd(), POLLOUT, 0};
  EXPECT_EQ(ppoll(&pfd, 1, nullptr, nullptr), 1);
  EXPECT_EQ(pfd.revents, POLLOUT);
}

TEST(PpollTest, InvalidTimespecIsEINVAL) {
  pollfd pfd = {-1, 0, 0};
  timespec bad_nsec = {0, 1000000000};
  EXPECT_SYSCALL_ERRNO(ppoll(&pfd, 1, &bad_nsec, nullptr), EINVAL);
  timespec negative = {-1, 0};
  EXPECT_SYSCALL_ERRNO(ppoll(&pfd, 1, &negative, nullptr), EINVAL);
}

TEST(PpollTest, RawPpollWritesBackTheRemainingTime) {
  pollfd pfd = {-1, 0, 0};
  timespec ts = {0, 10 * 1000000};
  EXPECT_EQ(syscall(SYS_ppoll, &pfd, 1, &ts, nullptr, 8), 0);
  EXPECT_EQ(ts.tv_sec, 0);
  EXPECT_EQ(ts.tv_nsec, 0);
}

TEST(PpollTest, SignalUnblockedByTheMaskInterruptsWithEINTR) {
  int status = RunInChild([] {
    struct sigaction sa = {};
    sa.sa_handler = [](int) {};
    if (sigaction(SIGUSR1, &sa, nullptr) != 0) return 2;
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    if (sigprocmask(SIG_BLOCK, &block, nullptr) != 0) return 3;
    raise(SIGUSR1);  // Stays pending until ppoll swaps in the empty mask.
    sigset_t empty;
    sigemptyset(&empty);
    pollfd pfd = {-1, 0, 0};
    timespec ts = {5, 0};
    if (ppoll(&pfd, 1, &ts, &empty) != -1 || errno != EINTR) return 1;
    sigset_t after;
    sigprocmask(SIG_BLOCK, nullptr, &after);
    return sigismember(&after, SIGUSR1) ? 0 : 4;  // The old mask is back.
  });
  EXPECT_EQ(status, 0);
}

}  // namespace
}  // namespace runsc::syscall_test
