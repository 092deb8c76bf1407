// Family: eventfd/eventfd2 — an 8-byte counter read and written by value.
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// The counter's maximum; writing would have to wait past it.
constexpr uint64_t kMaxCounter = 0xfffffffffffffffeULL;

ssize_t WriteValue(int fd, uint64_t value) { return write(fd, &value, sizeof(value)); }

TEST(EventfdTest, ReadReturnsTheInitialValueAndResetsTheCounter) {
  int fd = eventfd(5, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  uint64_t value = 0;
  ASSERT_EQ(read(fd, &value, sizeof(value)), 8);
  EXPECT_EQ(value, 5u);
  EXPECT_SYSCALL_ERRNO(read(fd, &value, sizeof(value)), EAGAIN);
  close(fd);
}

TEST(EventfdTest, WritesAddToTheCounter) {
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(WriteValue(fd, 3), 8);
  EXPECT_EQ(WriteValue(fd, 4), 8);
  uint64_t value = 0;
  ASSERT_EQ(read(fd, &value, sizeof(value)), 8);
  EXPECT_EQ(value, 7u);
  close(fd);
}

TEST(EventfdTest, SemaphoreModeReadsOneAtATime) {
  int fd = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  for (int i = 0; i < 3; ++i) {
    uint64_t value = 0;
    ASSERT_EQ(read(fd, &value, sizeof(value)), 8);
    EXPECT_EQ(value, 1u);
  }
  uint64_t value;
  EXPECT_SYSCALL_ERRNO(read(fd, &value, sizeof(value)), EAGAIN);
  close(fd);
}

TEST(EventfdTest, NonblockingReadOfAZeroCounterIsEAGAIN) {
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  uint64_t value;
  EXPECT_SYSCALL_ERRNO(read(fd, &value, sizeof(value)), EAGAIN);
  close(fd);
}

TEST(EventfdTest, FlagsSetCloexecAndNonblock) {
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
  EXPECT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
  close(fd);
  fd = eventfd(0, 0);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
  EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
  close(fd);
}

TEST(EventfdTest, UnknownFlagIsEINVAL) {
  EXPECT_SYSCALL_ERRNO(eventfd(0, O_APPEND), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_eventfd2, 0, 0x80000000u), EINVAL);
}

TEST(EventfdTest, ReadsShorterThanEightBytesAreEINVAL) {
  int fd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  char small[7];
  EXPECT_SYSCALL_ERRNO(read(fd, small, sizeof(small)), EINVAL);
  EXPECT_SYSCALL_ERRNO(read(fd, small, 0), EINVAL);
  // A longer buffer gets exactly eight bytes.
  uint64_t big[2] = {0, 0xdeadbeef};
  EXPECT_EQ(read(fd, big, sizeof(big)), 8);
  EXPECT_EQ(big[0], 1u);
  EXPECT_EQ(big[1], 0xdeadbeefu);
  close(fd);
}

TEST(EventfdTest, WritesShorterThanEightBytesAreEINVAL) {
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  uint32_t small = 1;
  EXPECT_SYSCALL_ERRNO(write(fd, &small, sizeof(small)), EINVAL);
  close(fd);
}

TEST(EventfdTest, WritingAllOnesIsEINVAL) {
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_SYSCALL_ERRNO(WriteValue(fd, ~0ULL), EINVAL);
  close(fd);
}

TEST(EventfdTest, WriteThatWouldOverflowIsEAGAIN) {
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(WriteValue(fd, kMaxCounter), 8);
  EXPECT_SYSCALL_ERRNO(WriteValue(fd, 1), EAGAIN);
  uint64_t value = 0;
  ASSERT_EQ(read(fd, &value, sizeof(value)), 8);
  EXPECT_EQ(value, kMaxCounter);
  close(fd);
}

TEST(EventfdTest, WritingZeroSucceedsAndChangesNothing) {
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(WriteValue(fd, 0), 8);
  uint64_t value;
  EXPECT_SYSCALL_ERRNO(read(fd, &value, sizeof(value)), EAGAIN);
  close(fd);
}

TEST(EventfdTest, PollReflectsTheCounter) {
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  pollfd pfd = {fd, POLLIN | POLLOUT, 0};
  EXPECT_EQ(poll(&pfd, 1, 0), 1);
  EXPECT_EQ(pfd.revents, POLLOUT);
  ASSERT_EQ(WriteValue(fd, kMaxCounter), 8);
  EXPECT_EQ(poll(&pfd, 1, 0), 1);
  EXPECT_EQ(pfd.revents, POLLIN);
  close(fd);
}

TEST(EventfdTest, BadReadBufferIsEFAULT) {
  int fd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_SYSCALL_ERRNO(read(fd, reinterpret_cast<void*>(1), 8), EFAULT);
  close(fd);
}

TEST(EventfdTest, BlockingReadWakesWhenAForkedChildWrites) {
  int fd = eventfd(0, EFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    usleep(10000);
    _exit(WriteValue(fd, 42) == 8 ? 0 : 1);
  }
  uint64_t value = 0;
  {
    ScopedAlarm guard(10);
    EXPECT_EQ(read(fd, &value, sizeof(value)), 8);
  }
  EXPECT_EQ(value, 42u);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  close(fd);
}

TEST(EventfdTest, ProcFdinfoShowsTheCount) {
  int fd = eventfd(0x2a, EFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  char path[64];
  snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
  int info = open(path, O_RDONLY | O_CLOEXEC);
  ASSERT_GE(info, 0) << strerror(errno);
  char buf[512] = {};
  ASSERT_GT(read(info, buf, sizeof(buf) - 1), 0);
  EXPECT_NE(strstr(buf, "eventfd-count:"), nullptr) << buf;
  EXPECT_NE(strstr(buf, "2a"), nullptr) << buf;
  close(info);
  close(fd);
}

}  // namespace
}  // namespace runsc::syscall_test
