// Family: select and pselect6. The raw syscalls are used where glibc would
// otherwise reshape the arguments (it checks and normalizes timeouts itself).
#include <signal.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

long RawSelect(int nfds, fd_set* r, fd_set* w, fd_set* e, timeval* timeout) {
  return syscall(SYS_select, nfds, r, w, e, timeout);
}

// pselect6's sixth argument: a sigset pointer and its size.
struct SigsetArg {
  const sigset_t* set;
  size_t size;
};

// The kernel's sigset is 64 bits, not glibc's 1024.
constexpr size_t kKernelSigsetSize = 8;

long RawPselect6(int nfds, fd_set* r, fd_set* w, fd_set* e, timespec* timeout,
                 const sigset_t* mask) {
  SigsetArg arg = {mask, kKernelSigsetSize};
  return syscall(SYS_pselect6, nfds, r, w, e, timeout, mask != nullptr ? &arg : nullptr);
}

TEST(SelectTest, ReadEndWithDataIsReadable) {
  TestPipe p;
  ASSERT_EQ(write(p.write_fd(), "x", 1), 1);
  fd_set r;
  FD_ZERO(&r);
  FD_SET(p.read_fd(), &r);
  timeval tv = {0, 0};
  EXPECT_EQ(RawSelect(p.read_fd() + 1, &r, nullptr, nullptr, &tv), 1);
  EXPECT_TRUE(FD_ISSET(p.read_fd(), &r));
}

TEST(SelectTest, EmptyReadEndIsClearedFromTheSetOnTimeout) {
  TestPipe p;
  fd_set r;
  FD_ZERO(&r);
  FD_SET(p.read_fd(), &r);
  timeval tv = {0, 0};
  EXPECT_EQ(RawSelect(p.read_fd() + 1, &r, nullptr, nullptr, &tv), 0);
  EXPECT_FALSE(FD_ISSET(p.read_fd(), &r));
}

TEST(SelectTest, WriteEndIsWritableAndCountsOncePerSet) {
  TestPipe p;
  fd_set r, w;
  FD_ZERO(&r);
  FD_ZERO(&w);
  FD_SET(p.write_fd(), &w);
  FD_SET(p.read_fd(), &r);
  ASSERT_EQ(write(p.write_fd(), "x", 1), 1);
  timeval tv = {0, 0};
  const int nfds = std::max(p.read_fd(), p.write_fd()) + 1;
  EXPECT_EQ(RawSelect(nfds, &r, &w, nullptr, &tv), 2);
  EXPECT_TRUE(FD_ISSET(p.read_fd(), &r));
  EXPECT_TRUE(FD_ISSET(p.write_fd(), &w));
}

TEST(SelectTest, ReadEndAfterTheWriterClosesIsReadable) {
  TestPipe p;
  p.CloseWrite();
  fd_set r;
  FD_ZERO(&r);
  FD_SET(p.read_fd(), &r);
  timeval tv = {0, 0};
  EXPECT_EQ(RawSelect(p.read_fd() + 1, &r, nullptr, nullptr, &tv), 1);
  EXPECT_TRUE(FD_ISSET(p.read_fd(), &r));
}

TEST(SelectTest, APipeHasNoExceptionalCondition) {
  TestPipe p;
  ASSERT_EQ(write(p.write_fd(), "x", 1), 1);
  fd_set e;
  FD_ZERO(&e);
  FD_SET(p.read_fd(), &e);
  FD_SET(p.write_fd(), &e);
  timeval tv = {0, 0};
  EXPECT_EQ(RawSelect(std::max(p.read_fd(), p.write_fd()) + 1, nullptr, nullptr, &e, &tv), 0);
}

TEST(SelectTest, ExpiredTimeoutIsWrittenBackAsZero) {
  TestPipe p;
  fd_set r;
  FD_ZERO(&r);
  FD_SET(p.read_fd(), &r);
  timeval tv = {0, 10000};
  EXPECT_EQ(RawSelect(p.read_fd() + 1, &r, nullptr, nullptr, &tv), 0);
  EXPECT_EQ(tv.tv_sec, 0);
  EXPECT_EQ(tv.tv_usec, 0);
}

TEST(SelectTest, TimeoutIsUpdatedToTheTimeLeftWhenAnFdIsReady) {
  TestPipe p;
  fd_set w;
  FD_ZERO(&w);
  FD_SET(p.write_fd(), &w);
  timeval tv = {5, 0};
  EXPECT_EQ(RawSelect(p.write_fd() + 1, nullptr, &w, nullptr, &tv), 1);
  EXPECT_LE(tv.tv_sec * 1000000L + tv.tv_usec, 5000000L);
  EXPECT_GT(tv.tv_sec * 1000000L + tv.tv_usec, 0);
}

TEST(SelectTest, ZeroFdsWithATimeoutSleepsAtLeastThatLong) {
  timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  timeval tv = {0, 10000};
  EXPECT_EQ(RawSelect(0, nullptr, nullptr, nullptr, &tv), 0);
  clock_gettime(CLOCK_MONOTONIC, &end);
  EXPECT_GE((end.tv_sec - start.tv_sec) * 1000000000LL + (end.tv_nsec - start.tv_nsec), 10000000LL);
}

TEST(SelectTest, ClosedFdInASetIsEBADF) {
  TestPipe p;
  const int fd = dup(p.read_fd());
  ASSERT_GE(fd, 0);
  close(fd);
  fd_set r;
  FD_ZERO(&r);
  FD_SET(fd, &r);
  timeval tv = {0, 0};
  EXPECT_SYSCALL_ERRNO(RawSelect(fd + 1, &r, nullptr, nullptr, &tv), EBADF);
}

TEST(SelectTest, NegativeNfdsIsEINVAL) {
  timeval tv = {0, 0};
  EXPECT_SYSCALL_ERRNO(RawSelect(-1, nullptr, nullptr, nullptr, &tv), EINVAL);
}

TEST(SelectTest, NegativeTimeoutIsEINVAL) {
  timeval negative_sec = {-1, 0};
  EXPECT_SYSCALL_ERRNO(RawSelect(0, nullptr, nullptr, nullptr, &negative_sec), EINVAL);
  timeval negative_usec = {0, -1};
  EXPECT_SYSCALL_ERRNO(RawSelect(0, nullptr, nullptr, nullptr, &negative_usec), EINVAL);
}

TEST(SelectTest, BadSetPointerIsEFAULT) {
  timeval tv = {0, 0};
  EXPECT_SYSCALL_ERRNO(RawSelect(1, reinterpret_cast<fd_set*>(1), nullptr, nullptr, &tv), EFAULT);
}

TEST(SelectTest, GlibcSelectAgreesWithTheRawSyscall) {
  TestPipe p;
  fd_set w;
  FD_ZERO(&w);
  FD_SET(p.write_fd(), &w);
  timeval tv = {0, 0};
  EXPECT_EQ(select(p.write_fd() + 1, nullptr, &w, nullptr, &tv), 1);
  EXPECT_TRUE(FD_ISSET(p.write_fd(), &w));
  EXPECT_SYSCALL_ERRNO(select(-1, nullptr, nullptr, nullptr, &tv), EINVAL);
}

TEST(Pselect6Test, ExpiredTimeoutIsWrittenBackAsZero) {
  timespec ts = {0, 10 * 1000000};
  EXPECT_EQ(RawPselect6(0, nullptr, nullptr, nullptr, &ts, nullptr), 0);
  EXPECT_EQ(ts.tv_sec, 0);
  EXPECT_EQ(ts.tv_nsec, 0);
}

TEST(Pselect6Test, ReadEndWithDataIsReadable) {
  TestPipe p;
  ASSERT_EQ(write(p.write_fd(), "x", 1), 1);
  fd_set r;
  FD_ZERO(&r);
  FD_SET(p.read_fd(), &r);
  timespec ts = {0, 0};
  EXPECT_EQ(RawPselect6(p.read_fd() + 1, &r, nullptr, nullptr, &ts, nullptr), 1);
  EXPECT_TRUE(FD_ISSET(p.read_fd(), &r));
}

TEST(Pselect6Test, InvalidNanosecondsIsEINVAL) {
  timespec ts = {0, 1000000000};
  EXPECT_SYSCALL_ERRNO(RawPselect6(0, nullptr, nullptr, nullptr, &ts, nullptr), EINVAL);
}

TEST(Pselect6Test, SigsetSizeOtherThanTheKernelsIsEINVAL) {
  sigset_t empty;
  sigemptyset(&empty);
  SigsetArg arg = {&empty, sizeof(sigset_t)};
  timespec ts = {0, 0};
  EXPECT_SYSCALL_ERRNO(syscall(SYS_pselect6, 0, nullptr, nullptr, nullptr, &ts, &arg), EINVAL);
}

TEST(Pselect6Test, SignalUnblockedByTheMaskInterruptsWithEINTR) {
  int status = RunInChild([] {
    struct sigaction sa = {};
    sa.sa_handler = [](int) {};
    if (sigaction(SIGUSR1, &sa, nullptr) != 0) return 2;
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    if (sigprocmask(SIG_BLOCK, &block, nullptr) != 0) return 3;
    raise(SIGUSR1);
    sigset_t empty;
    sigemptyset(&empty);
    timespec ts = {5, 0};
    if (RawPselect6(0, nullptr, nullptr, nullptr, &ts, &empty) != -1 || errno != EINTR) return 1;
    sigset_t after;
    sigprocmask(SIG_BLOCK, nullptr, &after);
    return sigismember(&after, SIGUSR1) ? 0 : 4;
  });
  EXPECT_EQ(status, 0);
}

}  // namespace
}  // namespace runsc::syscall_test
