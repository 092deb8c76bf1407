// Family: truncate, ftruncate.
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

off_t SizeOf(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return -1;
  return st.st_size;
}

std::string Contents(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return "<open failed>";
  char buf[256];
  ssize_t n = read(fd, buf, sizeof(buf));
  close(fd);
  return n < 0 ? "<read failed>" : std::string(buf, n);
}

TEST(TruncateTest, GrowingFillsWithZeros) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "ab");
  ASSERT_SYSCALL_OK(truncate(dir.File("f").c_str(), 6));
  EXPECT_EQ(SizeOf(dir.File("f")), 6);
  EXPECT_EQ(Contents(dir.File("f")), std::string("ab\0\0\0\0", 6));
}

TEST(TruncateTest, ShrinkingDropsTheTail) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "abcdef");
  ASSERT_SYSCALL_OK(truncate(dir.File("f").c_str(), 2));
  EXPECT_EQ(Contents(dir.File("f")), "ab");
}

TEST(TruncateTest, ShrinkThenGrowReadsZerosNotOldData) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "abcdef");
  ASSERT_SYSCALL_OK(truncate(dir.File("f").c_str(), 1));
  ASSERT_SYSCALL_OK(truncate(dir.File("f").c_str(), 4));
  EXPECT_EQ(Contents(dir.File("f")), std::string("a\0\0\0", 4));
}

TEST(TruncateTest, ANegativeLengthIsEINVAL) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "abc");
  EXPECT_SYSCALL_ERRNO(truncate(dir.File("f").c_str(), -1), EINVAL);
  int fd = open(dir.File("f").c_str(), O_RDWR);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_SYSCALL_ERRNO(ftruncate(fd, -1), EINVAL);
  close(fd);
  EXPECT_EQ(SizeOf(dir.File("f")), 3);
}

TEST(TruncateTest, ADirectoryIsEISDIR) {
  TempDir dir;
  EXPECT_SYSCALL_ERRNO(truncate(dir.path().c_str(), 0), EISDIR);
}

TEST(TruncateTest, AMissingFileIsENOENT) {
  TempDir dir;
  EXPECT_SYSCALL_ERRNO(truncate(dir.File("missing").c_str(), 0), ENOENT);
}

TEST(TruncateTest, AFileAsADirectoryIsENOTDIR) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  EXPECT_SYSCALL_ERRNO(truncate(dir.File("f/x").c_str(), 0), ENOTDIR);
}

TEST(TruncateTest, TruncateFollowsSymlinks) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "abcdef");
  ASSERT_SYSCALL_OK(symlink("f", dir.File("link").c_str()));
  ASSERT_SYSCALL_OK(truncate(dir.File("link").c_str(), 3));
  EXPECT_EQ(SizeOf(dir.File("f")), 3);
}

TEST(TruncateTest, AnOrdinaryUserWithoutWritePermissionIsEACCES) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  SKIP_UNLESS_CAPABILITY(CAP_SETGID);
  TempDir dir;
  ASSERT_SYSCALL_OK(chmod(dir.path().c_str(), 0755));
  WriteFileOrDie(dir.File("f"), "abc");
  std::string path = dir.File("f");
  EXPECT_EQ(RunInChild([&] {
              // The TempDir's parents need not be open to uid 65534: work
              // relative to the directory, entered while still root.
              if (chdir(dir.path().c_str()) != 0) return 11;
              if (!DropToNobody()) return 10;
              struct stat st;
              if (stat("f", &st) != 0) return 12;
              return truncate("f", 0) == -1 && errno == EACCES ? 0 : 1;
            }),
            0);
  EXPECT_EQ(SizeOf(path), 3);
}

TEST(FtruncateTest, SetsTheSizeWithoutMovingTheOffset) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "abcdef");
  int fd = open(dir.File("f").c_str(), O_RDWR);
  ASSERT_SYSCALL_OK(fd);
  ASSERT_EQ(lseek(fd, 5, SEEK_SET), 5);
  ASSERT_SYSCALL_OK(ftruncate(fd, 2));
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 5);
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fd, &st));
  EXPECT_EQ(st.st_size, 2);
  // Writing at the old offset leaves a zero gap.
  ASSERT_EQ(write(fd, "z", 1), 1);
  EXPECT_EQ(Contents(dir.File("f")), std::string("ab\0\0\0z", 6));
  close(fd);
}

TEST(FtruncateTest, AReadOnlyFdIsEINVAL) {
  // man 2 ftruncate allows EBADF or EINVAL; Linux answers EINVAL.
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "abc");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_SYSCALL_ERRNO(ftruncate(fd, 0), EINVAL);
  close(fd);
  EXPECT_EQ(SizeOf(dir.File("f")), 3);
}

TEST(FtruncateTest, ABadOrOPathFdIsEBADF) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "abc");
  EXPECT_SYSCALL_ERRNO(ftruncate(-1, 0), EBADF);
  int fd = open(dir.File("f").c_str(), O_PATH);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_SYSCALL_ERRNO(ftruncate(fd, 0), EBADF);
  close(fd);
}

TEST(FtruncateTest, APipeIsEINVAL) {
  int fds[2];
  ASSERT_SYSCALL_OK(pipe(fds));
  EXPECT_SYSCALL_ERRNO(ftruncate(fds[1], 0), EINVAL);
  close(fds[0]);
  close(fds[1]);
}

TEST(FtruncateTest, AnAppendFdCanTruncate) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "abcdef");
  int fd = open(dir.File("f").c_str(), O_WRONLY | O_APPEND);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_SYSCALL_OK(ftruncate(fd, 1));
  ASSERT_EQ(write(fd, "z", 1), 1);
  EXPECT_EQ(Contents(dir.File("f")), "az");
  close(fd);
}

TEST(FtruncateTest, UpdatesTheMtime) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "abc");
  struct timespec old_times[2] = {{1000, 0}, {1000, 0}};
  ASSERT_SYSCALL_OK(utimensat(AT_FDCWD, dir.File("f").c_str(), old_times, 0));
  int fd = open(dir.File("f").c_str(), O_RDWR);
  ASSERT_SYSCALL_OK(fd);
  ASSERT_SYSCALL_OK(ftruncate(fd, 1));
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fd, &st));
  EXPECT_GT(st.st_mtim.tv_sec, 1000);
  close(fd);
}

}  // namespace
}  // namespace runsc::syscall_test
