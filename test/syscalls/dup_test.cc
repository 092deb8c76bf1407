// Family: dup, dup2, dup3, close.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// An open file under `dir` with `contents`, for tests that only need some fd.
int OpenFile(const TempDir& dir, const std::string& contents, int flags = O_RDWR) {
  WriteFileOrDie(dir.File("f"), contents);
  return open(dir.File("f").c_str(), flags);
}

TEST(DupTest, DupReturnsTheLowestFreeFd) {
  TempDir dir;
  int fd = OpenFile(dir, "");
  ASSERT_SYSCALL_OK(fd);
  int hole = dup(fd);
  ASSERT_SYSCALL_OK(hole);
  int above = dup(fd);
  ASSERT_SYSCALL_OK(above);
  ASSERT_SYSCALL_OK(close(hole));
  EXPECT_EQ(dup(fd), hole);
  close(hole);
  close(above);
  close(fd);
}

TEST(DupTest, DupSharesTheFileOffset) {
  TempDir dir;
  int fd = OpenFile(dir, "abcdef");
  ASSERT_SYSCALL_OK(fd);
  int copy = dup(fd);
  ASSERT_SYSCALL_OK(copy);
  char buf[2];
  ASSERT_EQ(read(fd, buf, 2), 2);
  EXPECT_EQ(lseek(copy, 0, SEEK_CUR), 2);
  ASSERT_EQ(read(copy, buf, 2), 2);
  EXPECT_EQ(std::string(buf, 2), "cd");
  close(copy);
  close(fd);
}

TEST(DupTest, DupSharesStatusFlags) {
  TempDir dir;
  int fd = OpenFile(dir, "");
  ASSERT_SYSCALL_OK(fd);
  int copy = dup(fd);
  ASSERT_SYSCALL_OK(copy);
  ASSERT_SYSCALL_OK(fcntl(fd, F_SETFL, O_APPEND));
  EXPECT_EQ(fcntl(copy, F_GETFL) & O_APPEND, O_APPEND);
  close(copy);
  close(fd);
}

TEST(DupTest, DupOfABadFdIsEBADF) {
  EXPECT_SYSCALL_ERRNO(dup(-1), EBADF);
  EXPECT_SYSCALL_ERRNO(dup(1 << 20), EBADF);
}

TEST(DupTest, DupClearsCloexecOnTheCopy) {
  TempDir dir;
  int fd = OpenFile(dir, "", O_RDONLY | O_CLOEXEC);
  ASSERT_SYSCALL_OK(fd);
  int copy = dup(fd);
  ASSERT_SYSCALL_OK(copy);
  EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
  EXPECT_EQ(fcntl(copy, F_GETFD), 0);
  close(copy);
  close(fd);
}

TEST(DupTest, Dup2OntoItselfReturnsTheFd) {
  TempDir dir;
  int fd = OpenFile(dir, "", O_RDONLY | O_CLOEXEC);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(dup2(fd, fd), fd);
  // Nothing happens, so the close-on-exec flag stays.
  EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
  close(fd);
}

TEST(DupTest, Dup2OfABadFdOntoItselfIsEBADF) {
  EXPECT_SYSCALL_ERRNO(syscall(SYS_dup2, 1 << 20, 1 << 20), EBADF);
}

TEST(DupTest, Dup2ReplacesAnOpenTarget) {
  TempDir dir;
  WriteFileOrDie(dir.File("a"), "A");
  WriteFileOrDie(dir.File("b"), "B");
  int a = open(dir.File("a").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(a);
  int b = open(dir.File("b").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(b);
  EXPECT_EQ(dup2(a, b), b);
  char c = 0;
  EXPECT_EQ(read(b, &c, 1), 1);
  EXPECT_EQ(c, 'A');
  close(a);
  close(b);
}

TEST(DupTest, Dup2ToAnUnusedHighFdUsesExactlyThatFd) {
  TempDir dir;
  int fd = OpenFile(dir, "");
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(dup2(fd, 200), 200);
  EXPECT_SYSCALL_OK(fcntl(200, F_GETFD));
  close(200);
  close(fd);
}

TEST(DupTest, Dup2ToAnOutOfRangeFdIsEBADF) {
  TempDir dir;
  int fd = OpenFile(dir, "");
  ASSERT_SYSCALL_OK(fd);
  struct rlimit rl;
  ASSERT_SYSCALL_OK(getrlimit(RLIMIT_NOFILE, &rl));
  EXPECT_SYSCALL_ERRNO(dup2(fd, -1), EBADF);
  EXPECT_SYSCALL_ERRNO(dup2(fd, static_cast<int>(rl.rlim_cur)), EBADF);
  close(fd);
}

TEST(DupTest, Dup3OntoItselfIsEINVAL) {
  TempDir dir;
  int fd = OpenFile(dir, "");
  ASSERT_SYSCALL_OK(fd);
  EXPECT_SYSCALL_ERRNO(dup3(fd, fd, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(dup3(fd, fd, O_CLOEXEC), EINVAL);
  close(fd);
}

TEST(DupTest, Dup3WithAnUnknownFlagIsEINVAL) {
  TempDir dir;
  int fd = OpenFile(dir, "");
  ASSERT_SYSCALL_OK(fd);
  EXPECT_SYSCALL_ERRNO(dup3(fd, 100, O_NONBLOCK), EINVAL);
  EXPECT_SYSCALL_ERRNO(fcntl(100, F_GETFD), EBADF);
  close(fd);
}

TEST(DupTest, Dup3CloexecSetsTheFlagOnTheCopyOnly) {
  TempDir dir;
  int fd = OpenFile(dir, "");
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(dup3(fd, 100, O_CLOEXEC), 100);
  EXPECT_EQ(fcntl(100, F_GETFD), FD_CLOEXEC);
  EXPECT_EQ(fcntl(fd, F_GETFD), 0);
  EXPECT_EQ(dup3(fd, 100, 0), 100);
  EXPECT_EQ(fcntl(100, F_GETFD), 0);
  close(100);
  close(fd);
}

TEST(DupTest, CloseOfABadFdIsEBADF) {
  EXPECT_SYSCALL_ERRNO(close(-1), EBADF);
  EXPECT_SYSCALL_ERRNO(close(1 << 20), EBADF);
}

TEST(DupTest, CloseTwiceIsEBADF) {
  TempDir dir;
  int fd = OpenFile(dir, "");
  ASSERT_SYSCALL_OK(fd);
  EXPECT_SYSCALL_OK(close(fd));
  EXPECT_SYSCALL_ERRNO(close(fd), EBADF);
}

TEST(DupTest, ClosingOneCopyLeavesTheOtherUsable) {
  TempDir dir;
  int fd = OpenFile(dir, "xy");
  ASSERT_SYSCALL_OK(fd);
  int copy = dup(fd);
  ASSERT_SYSCALL_OK(copy);
  ASSERT_SYSCALL_OK(close(fd));
  char buf[2];
  EXPECT_EQ(read(copy, buf, 2), 2);
  EXPECT_EQ(std::string(buf, 2), "xy");
  close(copy);
}

}  // namespace
}  // namespace runsc::syscall_test
