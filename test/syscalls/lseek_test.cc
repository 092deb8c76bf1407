// Family: lseek (SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE).
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

int OpenWith(const TempDir& dir, const std::string& contents) {
  WriteFileOrDie(dir.File("f"), contents);
  return open(dir.File("f").c_str(), O_RDWR);
}

TEST(LseekTest, SeekSetReturnsTheNewOffset) {
  TempDir dir;
  int fd = OpenWith(dir, "0123456789");
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(lseek(fd, 7, SEEK_SET), 7);
  char c = 0;
  EXPECT_EQ(read(fd, &c, 1), 1);
  EXPECT_EQ(c, '7');
  close(fd);
}

TEST(LseekTest, SeekCurIsRelativeToTheCurrentOffset) {
  TempDir dir;
  int fd = OpenWith(dir, "0123456789");
  ASSERT_SYSCALL_OK(fd);
  ASSERT_EQ(lseek(fd, 4, SEEK_SET), 4);
  EXPECT_EQ(lseek(fd, 3, SEEK_CUR), 7);
  EXPECT_EQ(lseek(fd, -5, SEEK_CUR), 2);
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 2);
  close(fd);
}

TEST(LseekTest, SeekEndIsRelativeToTheSize) {
  TempDir dir;
  int fd = OpenWith(dir, "0123456789");
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(lseek(fd, 0, SEEK_END), 10);
  EXPECT_EQ(lseek(fd, -3, SEEK_END), 7);
  EXPECT_EQ(lseek(fd, 5, SEEK_END), 15);
  close(fd);
}

TEST(LseekTest, SeekingPastEofDoesNotGrowTheFile) {
  TempDir dir;
  int fd = OpenWith(dir, "abc");
  ASSERT_SYSCALL_OK(fd);
  ASSERT_EQ(lseek(fd, 1000, SEEK_SET), 1000);
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fd, &st));
  EXPECT_EQ(st.st_size, 3);
  char c;
  EXPECT_EQ(read(fd, &c, 1), 0);
  close(fd);
}

TEST(LseekTest, WritingPastEofFillsTheGapWithZeros) {
  TempDir dir;
  int fd = OpenWith(dir, "ab");
  ASSERT_SYSCALL_OK(fd);
  ASSERT_EQ(lseek(fd, 6, SEEK_SET), 6);
  ASSERT_EQ(write(fd, "z", 1), 1);
  char buf[8] = {};
  ASSERT_EQ(pread(fd, buf, sizeof(buf), 0), 7);
  EXPECT_EQ(std::string(buf, 7), std::string("ab\0\0\0\0z", 7));
  close(fd);
}

TEST(LseekTest, ANegativeResultingOffsetIsEINVAL) {
  TempDir dir;
  int fd = OpenWith(dir, "0123456789");
  ASSERT_SYSCALL_OK(fd);
  ASSERT_EQ(lseek(fd, 4, SEEK_SET), 4);
  EXPECT_SYSCALL_ERRNO(lseek(fd, -1, SEEK_SET), EINVAL);
  EXPECT_SYSCALL_ERRNO(lseek(fd, -5, SEEK_CUR), EINVAL);
  EXPECT_SYSCALL_ERRNO(lseek(fd, -11, SEEK_END), EINVAL);
  // A failed seek leaves the offset alone.
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 4);
  close(fd);
}

TEST(LseekTest, AnUnknownWhenceIsEINVAL) {
  TempDir dir;
  int fd = OpenWith(dir, "x");
  ASSERT_SYSCALL_OK(fd);
  EXPECT_SYSCALL_ERRNO(lseek(fd, 0, 42), EINVAL);
  close(fd);
}

TEST(LseekTest, APipeIsESPIPE) {
  int fds[2];
  ASSERT_SYSCALL_OK(pipe(fds));
  EXPECT_SYSCALL_ERRNO(lseek(fds[0], 0, SEEK_SET), ESPIPE);
  EXPECT_SYSCALL_ERRNO(lseek(fds[1], 0, SEEK_CUR), ESPIPE);
  close(fds[0]);
  close(fds[1]);
}

TEST(LseekTest, ABadFdIsEBADF) { EXPECT_SYSCALL_ERRNO(lseek(-1, 0, SEEK_SET), EBADF); }

TEST(LseekTest, ADirectoryCanBeRewound) {
  TempDir dir;
  int fd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
  close(fd);
}

TEST(LseekTest, SeekDataInDataReturnsTheOffset) {
  TempDir dir;
  int fd = OpenWith(dir, "0123456789");
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(lseek(fd, 3, SEEK_DATA), 3);
  close(fd);
}

TEST(LseekTest, SeekHoleInAFileWithoutHolesReturnsTheSize) {
  TempDir dir;
  int fd = OpenWith(dir, "0123456789");
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(lseek(fd, 0, SEEK_HOLE), 10);
  close(fd);
}

TEST(LseekTest, SeekDataOrHoleAtOrPastEofIsENXIO) {
  TempDir dir;
  int fd = OpenWith(dir, "0123456789");
  ASSERT_SYSCALL_OK(fd);
  EXPECT_SYSCALL_ERRNO(lseek(fd, 10, SEEK_DATA), ENXIO);
  EXPECT_SYSCALL_ERRNO(lseek(fd, 11, SEEK_HOLE), ENXIO);
  EXPECT_SYSCALL_ERRNO(lseek(fd, -1, SEEK_DATA), ENXIO);
  close(fd);
}

TEST(LseekTest, SeekHoleAndDataFindASparseRegion) {
  TempDir dir;
  int fd = open(dir.File("f").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_SYSCALL_OK(fd);
  constexpr off_t kFar = 1 << 20;
  ASSERT_EQ(pwrite(fd, "head", 4, 0), 4);
  ASSERT_EQ(pwrite(fd, "tail", 4, kFar), 4);
  off_t hole = lseek(fd, 0, SEEK_HOLE);
  off_t data = lseek(fd, hole, SEEK_DATA);
  // Every filesystem may report the whole file as data; those that track
  // holes must put the hole between the two writes.
  EXPECT_GE(hole, 4);
  EXPECT_LE(hole, kFar + 4);
  struct statfs fs;
  ASSERT_SYSCALL_OK(fstatfs(fd, &fs));
  if (fs.f_type == EXT4_SUPER_MAGIC || fs.f_type == TMPFS_MAGIC) {
    EXPECT_LT(hole, kFar);
    EXPECT_GT(data, hole);
    EXPECT_LE(data, kFar);
  } else if (hole < kFar + 4) {
    EXPECT_GE(data, hole);
  }
  close(fd);
}

}  // namespace
}  // namespace runsc::syscall_test
