// Family: read, write, pread64, pwrite64, readv, writev, preadv.
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

void* const kBadPointer = reinterpret_cast<void*>(1);

TEST(ReadWriteTest, ReadOfZeroBytesReturnsZero) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "abc");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  char buf[1];
  EXPECT_EQ(read(fd, buf, 0), 0);
  // A zero-length read does not consume anything.
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 0);
  close(fd);
}

TEST(ReadWriteTest, ReadReturnsContentsThenZeroAtEof) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "hello");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  char buf[16] = {};
  EXPECT_EQ(read(fd, buf, sizeof(buf)), 5);
  EXPECT_EQ(std::string(buf, 5), "hello");
  EXPECT_EQ(read(fd, buf, sizeof(buf)), 0);
  close(fd);
}

TEST(ReadWriteTest, ReadOfBadFdIsEBADF) {
  char buf[1];
  EXPECT_SYSCALL_ERRNO(read(-1, buf, 1), EBADF);
  EXPECT_SYSCALL_ERRNO(write(-1, buf, 1), EBADF);
}

TEST(ReadWriteTest, ReadOfWriteOnlyFdIsEBADF) {
  TempDir dir;
  int fd = open(dir.File("f").c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_SYSCALL_OK(fd);
  char buf[1];
  EXPECT_SYSCALL_ERRNO(read(fd, buf, 1), EBADF);
  close(fd);
}

TEST(ReadWriteTest, WriteToReadOnlyFdIsEBADF) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "x");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_SYSCALL_ERRNO(write(fd, "y", 1), EBADF);
  close(fd);
}

TEST(ReadWriteTest, ReadIntoBadPointerIsEFAULT) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "data");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_read, fd, kBadPointer, 4), EFAULT);
  close(fd);
}

TEST(ReadWriteTest, WriteFromBadPointerIsEFAULT) {
  TempDir dir;
  int fd = open(dir.File("f").c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_write, fd, kBadPointer, 4), EFAULT);
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fd, &st));
  EXPECT_EQ(st.st_size, 0);
  close(fd);
}

TEST(ReadWriteTest, ReadOfDirectoryIsEISDIR) {
  TempDir dir;
  int fd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(fd);
  char buf[8];
  EXPECT_SYSCALL_ERRNO(read(fd, buf, sizeof(buf)), EISDIR);
  close(fd);
}

TEST(ReadWriteTest, PreadOfDirectoryIsEISDIR) {
  int fd = open("/", O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(fd);
  char buf[8];
  EXPECT_SYSCALL_ERRNO(pread(fd, buf, sizeof(buf), 0), EISDIR);
  // A bad buffer is found first.
  EXPECT_SYSCALL_ERRNO(read(fd, reinterpret_cast<void*>(-4096L), sizeof(buf)), EFAULT);
  close(fd);
}

TEST(ReadWriteTest, WriteAdvancesTheOffset) {
  TempDir dir;
  int fd = open(dir.File("f").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(write(fd, "abc", 3), 3);
  EXPECT_EQ(write(fd, "de", 2), 2);
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 5);
  char buf[8] = {};
  EXPECT_EQ(pread(fd, buf, sizeof(buf), 0), 5);
  EXPECT_EQ(std::string(buf, 5), "abcde");
  close(fd);
}

TEST(ReadWriteTest, PreadDoesNotMoveTheOffset) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "0123456789");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  char buf[4] = {};
  EXPECT_EQ(pread(fd, buf, 3, 4), 3);
  EXPECT_EQ(std::string(buf, 3), "456");
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 0);
  EXPECT_EQ(read(fd, buf, 2), 2);
  EXPECT_EQ(std::string(buf, 2), "01");
  close(fd);
}

TEST(ReadWriteTest, PreadPastEofReturnsZero) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "abc");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  char buf[4];
  EXPECT_EQ(pread(fd, buf, sizeof(buf), 3), 0);
  EXPECT_EQ(pread(fd, buf, sizeof(buf), 1 << 20), 0);
  close(fd);
}

TEST(ReadWriteTest, PreadWithNegativeOffsetIsEINVAL) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "abc");
  int fd = open(dir.File("f").c_str(), O_RDWR);
  ASSERT_SYSCALL_OK(fd);
  char buf[4];
  EXPECT_SYSCALL_ERRNO(pread(fd, buf, sizeof(buf), -1), EINVAL);
  EXPECT_SYSCALL_ERRNO(pwrite(fd, "x", 1, -1), EINVAL);
  close(fd);
}

TEST(ReadWriteTest, PwritePastEofLeavesAHoleOfZeros) {
  TempDir dir;
  int fd = open(dir.File("f").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(pwrite(fd, "xy", 2, 100), 2);
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fd, &st));
  EXPECT_EQ(st.st_size, 102);
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 0);
  char buf[102];
  ASSERT_EQ(read(fd, buf, sizeof(buf)), 102);
  EXPECT_EQ(std::string(buf, 100), std::string(100, '\0'));
  EXPECT_EQ(std::string(buf + 100, 2), "xy");
  close(fd);
}

TEST(ReadWriteTest, PwriteOnAnAppendFdAppends) {
  // Linux ignores pwrite's offset for O_APPEND files (man 2 pwrite, BUGS).
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "abc");
  int fd = open(dir.File("f").c_str(), O_WRONLY | O_APPEND);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(pwrite(fd, "Z", 1, 0), 1);
  close(fd);
  fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  char buf[8] = {};
  EXPECT_EQ(read(fd, buf, sizeof(buf)), 4);
  EXPECT_EQ(std::string(buf, 4), "abcZ");
  close(fd);
}

TEST(ReadWriteTest, PreadOnAPipeIsESPIPE) {
  int fds[2];
  ASSERT_SYSCALL_OK(pipe(fds));
  char buf[1];
  EXPECT_SYSCALL_ERRNO(pread(fds[0], buf, 1, 0), ESPIPE);
  EXPECT_SYSCALL_ERRNO(pwrite(fds[1], "x", 1, 0), ESPIPE);
  close(fds[0]);
  close(fds[1]);
}

TEST(ReadWriteTest, ReadvScattersInOrder) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "abcdefgh");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  char a[3] = {}, b[2] = {}, c[8] = {};
  struct iovec iov[3] = {{a, sizeof(a)}, {b, sizeof(b)}, {c, sizeof(c)}};
  EXPECT_EQ(readv(fd, iov, 3), 8);
  EXPECT_EQ(std::string(a, 3), "abc");
  EXPECT_EQ(std::string(b, 2), "de");
  EXPECT_EQ(std::string(c, 3), "fgh");
  close(fd);
}

TEST(ReadWriteTest, WritevGathersInOrder) {
  TempDir dir;
  int fd = open(dir.File("f").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_SYSCALL_OK(fd);
  char one[] = "one", empty[] = "", two[] = "two";
  struct iovec iov[3] = {{one, 3}, {empty, 0}, {two, 3}};
  EXPECT_EQ(writev(fd, iov, 3), 6);
  char buf[8] = {};
  EXPECT_EQ(pread(fd, buf, sizeof(buf), 0), 6);
  EXPECT_EQ(std::string(buf, 6), "onetwo");
  close(fd);
}

TEST(ReadWriteTest, WritevWithNoVectorsReturnsZero) {
  TempDir dir;
  int fd = open(dir.File("f").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(writev(fd, nullptr, 0), 0);
  close(fd);
}

TEST(ReadWriteTest, ReadvWithBadIovcntIsEINVAL) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "abc");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  char buf[1];
  struct iovec iov = {buf, 1};
  EXPECT_SYSCALL_ERRNO(syscall(SYS_readv, fd, &iov, -1), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_readv, fd, &iov, IOV_MAX + 1), EINVAL);
  close(fd);
}

TEST(ReadWriteTest, ReadvWithBadIovecPointerIsEFAULT) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "abc");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_readv, fd, kBadPointer, 1), EFAULT);
  close(fd);
}

TEST(ReadWriteTest, PreadvReadsAtTheOffsetWithoutMovingIt) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "0123456789");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  char a[2] = {}, b[3] = {};
  struct iovec iov[2] = {{a, sizeof(a)}, {b, sizeof(b)}};
  EXPECT_EQ(preadv(fd, iov, 2, 5), 5);
  EXPECT_EQ(std::string(a, 2), "56");
  EXPECT_EQ(std::string(b, 3), "789");
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 0);
  EXPECT_SYSCALL_ERRNO(preadv(fd, iov, 2, -1), EINVAL);
  close(fd);
}

}  // namespace
}  // namespace runsc::syscall_test

namespace runsc::syscall_test {
namespace {

TEST(ReadWriteTest, PwritevWritesAtTheOffsetWithoutMovingIt) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "0123456789");
  int fd = open(dir.File("f").c_str(), O_RDWR);
  ASSERT_SYSCALL_OK(fd);
  char a[] = "ab", b[] = "c";
  struct iovec iov[2] = {{a, 2}, {b, 1}};
  EXPECT_EQ(pwritev(fd, iov, 2, 4), 3);
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 0);
  char got[11] = {};
  EXPECT_EQ(pread(fd, got, 10, 0), 10);
  EXPECT_EQ(std::string(got), "0123abc789");
  EXPECT_SYSCALL_ERRNO(preadv(fd, iov, 2, -1), EINVAL);
  close(fd);
}

TEST(ReadWriteTest, Preadv2AtOffsetMinusOneUsesAndMovesTheFilePosition) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "0123456789");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  ASSERT_EQ(lseek(fd, 3, SEEK_SET), 3);
  char a[4] = {};
  struct iovec iov = {a, 3};
  EXPECT_EQ(preadv2(fd, &iov, 1, -1, 0), 3);
  EXPECT_EQ(std::string(a), "345");
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 6);
  EXPECT_EQ(preadv2(fd, &iov, 1, 0, 0), 3);
  EXPECT_EQ(std::string(a), "012");
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 6);
  close(fd);
}

TEST(ReadWriteTest, Preadv2WithAnUnknownFlagIsEOPNOTSUPP) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "x");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  char a[1];
  struct iovec iov = {a, 1};
  EXPECT_SYSCALL_ERRNO(preadv2(fd, &iov, 1, 0, 0x40000000), EOPNOTSUPP);
  close(fd);
}

}  // namespace
}  // namespace runsc::syscall_test
