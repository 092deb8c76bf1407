// Family: read, write, pread64, pwrite64, readv, writev, preadv.
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

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

// Large reads and writes, which the sandbox may serve without its bounce
// buffer (straight from a mapping of the file), on a file of the test's
// directory and on tmpfs (/dev/shm): the same answers as Linux, whatever
// path they take.
class LargeIoTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (std::string(GetParam()) == "tmpfs") {
      char tmpl[] = "/dev/shm/read_write_test.XXXXXX";
      if (mkdtemp(tmpl) == nullptr) GTEST_SKIP() << "no /dev/shm: " << strerror(errno);
      shm_dir_ = tmpl;
      dir_path_ = shm_dir_;
    } else {
      dir_path_ = dir_.path();
    }
  }
  void TearDown() override {
    if (!shm_dir_.empty()) {
      unlink(File().c_str());
      rmdir(shm_dir_.c_str());
    }
  }
  std::string File() const { return dir_path_ + "/f"; }

  // A file of `size` bytes in which every offset's byte differs from its
  // neighbours', opened with `flags`.
  int MakeFile(size_t size, int flags = O_RDONLY) {
    std::string data(size, '\0');
    for (size_t i = 0; i < size; ++i) data[i] = Expected(i);
    WriteFileOrDie(File(), data);
    return open(File().c_str(), flags);
  }
  static char Expected(size_t offset) { return static_cast<char>(offset * 7 + offset / 4096); }
  static bool Matches(const char* got, size_t n, size_t offset) {
    for (size_t i = 0; i < n; ++i) {
      if (got[i] != Expected(offset + i)) return false;
    }
    return true;
  }

  // Two pages, the second unmapped: a buffer that ends after 4096 bytes.
  char* OnePageBuffer() {
    void* p = mmap(nullptr, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return nullptr;
    munmap(static_cast<char*>(p) + 4096, 4096);
    return static_cast<char*>(p);
  }

  TempDir dir_;
  std::string shm_dir_;
  std::string dir_path_;
};

INSTANTIATE_TEST_SUITE_P(Files, LargeIoTest, ::testing::Values("dir", "tmpfs"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param);
                         });

TEST_P(LargeIoTest, AReadLargerThanTheFileReturnsItAllThenZero) {
  const int fd = MakeFile(256 << 10);
  ASSERT_SYSCALL_OK(fd);
  std::vector<char> buf(1 << 20);
  EXPECT_EQ(read(fd, buf.data(), buf.size()), 256 << 10);
  EXPECT_TRUE(Matches(buf.data(), 256 << 10, 0));
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 256 << 10);
  EXPECT_EQ(read(fd, buf.data(), buf.size()), 0);
  EXPECT_EQ(pread(fd, buf.data(), buf.size(), 100000), (256 << 10) - 100000);
  EXPECT_TRUE(Matches(buf.data(), (256 << 10) - 100000, 100000));
  EXPECT_EQ(pread(fd, buf.data(), buf.size(), 256 << 10), 0);
  EXPECT_EQ(pread(fd, buf.data(), buf.size(), 1 << 30), 0);
  close(fd);
}

TEST_P(LargeIoTest, ReadsInARowMoveThroughTheFile) {
  const int fd = MakeFile(1 << 20);
  ASSERT_SYSCALL_OK(fd);
  std::vector<char> buf(100000);
  size_t at = 0;
  for (;;) {
    const ssize_t n = read(fd, buf.data(), buf.size());
    ASSERT_GE(n, 0);
    if (n == 0) break;
    ASSERT_TRUE(Matches(buf.data(), n, at)) << "at " << at;
    at += n;
  }
  EXPECT_EQ(at, 1u << 20);
  close(fd);
}

TEST_P(LargeIoTest, AReadOfSixMiBInOneCallIsWhole) {
  const int fd = MakeFile(6 << 20);
  ASSERT_SYSCALL_OK(fd);
  std::vector<char> buf(8 << 20);
  EXPECT_EQ(read(fd, buf.data(), buf.size()), 6 << 20);
  EXPECT_TRUE(Matches(buf.data(), 6 << 20, 0));
  close(fd);
}

// Linux copies what fits before the unmapped page and says so; the file's
// position moves by exactly that.
TEST_P(LargeIoTest, AReadIntoABufferThatEndsPartWayReturnsWhatFit) {
  const int fd = MakeFile(256 << 10);
  ASSERT_SYSCALL_OK(fd);
  char* buf = OnePageBuffer();
  ASSERT_NE(buf, nullptr);
  for (size_t count : {size_t{8192}, size_t{64 << 10}}) {
    ASSERT_EQ(lseek(fd, 100, SEEK_SET), 100);
    EXPECT_EQ(read(fd, buf, count), 4096) << count;
    EXPECT_TRUE(Matches(buf, 4096, 100));
    EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 4196) << count;
    EXPECT_EQ(pread(fd, buf, count, 5000), 4096) << count;
    EXPECT_TRUE(Matches(buf, 4096, 5000));
  }
  munmap(buf, 4096);
  close(fd);
}

TEST_P(LargeIoTest, AReadIntoAnUnmappedBufferIsEFAULTAndLeavesThePosition) {
  const int fd = MakeFile(256 << 10);
  ASSERT_SYSCALL_OK(fd);
  char* buf = OnePageBuffer();
  ASSERT_NE(buf, nullptr);
  for (size_t count : {size_t{4096}, size_t{64 << 10}}) {
    EXPECT_SYSCALL_ERRNO(read(fd, buf + 4096, count), EFAULT);
    EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 0);
    EXPECT_SYSCALL_ERRNO(pread(fd, buf + 4096, count, 0), EFAULT);
  }
  munmap(buf, 4096);
  close(fd);
}

TEST_P(LargeIoTest, AReadAfterATruncationStopsAtTheNewEnd) {
  const int fd = MakeFile(256 << 10);
  ASSERT_SYSCALL_OK(fd);
  std::vector<char> buf(256 << 10);
  ASSERT_EQ(pread(fd, buf.data(), buf.size(), 0), 256 << 10);
  ASSERT_SYSCALL_OK(truncate(File().c_str(), 5000));
  EXPECT_EQ(pread(fd, buf.data(), buf.size(), 0), 5000);
  EXPECT_TRUE(Matches(buf.data(), 5000, 0));
  EXPECT_EQ(pread(fd, buf.data(), buf.size(), 8192), 0);
  // Grown again, the file reads as zeros past the old end.
  ASSERT_SYSCALL_OK(truncate(File().c_str(), 100000));
  EXPECT_EQ(pread(fd, buf.data(), buf.size(), 0), 100000);
  EXPECT_TRUE(Matches(buf.data(), 5000, 0));
  EXPECT_EQ(std::string(buf.data() + 5000, 95000), std::string(95000, '\0'));
  close(fd);
}

// Reads racing with truncations of the same file: every read returns at
// most what the file ever held, and the reader survives (a mapping read
// past a truncated file's end must not kill anyone with SIGBUS).
TEST_P(LargeIoTest, ReadsRacingWithTruncationsGiveAtMostTheFile) {
  const int fd = MakeFile(256 << 10);
  ASSERT_SYSCALL_OK(fd);
  const int writer = open(File().c_str(), O_WRONLY);
  ASSERT_SYSCALL_OK(writer);
  std::atomic<bool> stop{false};
  std::thread truncator([&] {
    for (int i = 0; !stop.load(); ++i) {
      if (ftruncate(writer, (i % 2) ? 256 << 10 : 3000) != 0) break;
    }
  });
  std::vector<char> buf(256 << 10);
  bool ok = true;
  for (int i = 0; i < 500 && ok; ++i) {
    const ssize_t n = pread(fd, buf.data(), buf.size(), 0);
    ok = n >= 0 && n <= (256 << 10) && Matches(buf.data(), std::min<ssize_t>(n, 3000), 0);
  }
  stop.store(true);
  truncator.join();
  EXPECT_TRUE(ok);
  close(writer);
  close(fd);
}

TEST_P(LargeIoTest, AWriteFromABufferThatEndsPartWayWritesWhatCame) {
  const int fd = MakeFile(0, O_RDWR);
  ASSERT_SYSCALL_OK(fd);
  char* buf = OnePageBuffer();
  ASSERT_NE(buf, nullptr);
  memset(buf, 'w', 4096);
  EXPECT_EQ(write(fd, buf, 64 << 10), 4096);
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 4096);
  EXPECT_SYSCALL_ERRNO(write(fd, buf + 4096, 64 << 10), EFAULT);
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fd, &st));
  EXPECT_EQ(st.st_size, 4096);
  munmap(buf, 4096);
  close(fd);
}

TEST_P(LargeIoTest, LargeAppendingWritesFollowEachOther) {
  const int fd = MakeFile(1000, O_WRONLY | O_APPEND);
  ASSERT_SYSCALL_OK(fd);
  const std::string a(300 << 10, 'a'), b(200 << 10, 'b');
  ASSERT_SYSCALL_OK(lseek(fd, 0, SEEK_SET));
  EXPECT_EQ(write(fd, a.data(), a.size()), static_cast<ssize_t>(a.size()));
  EXPECT_EQ(pwrite(fd, b.data(), b.size(), 0), static_cast<ssize_t>(b.size()));
  close(fd);
  const int in = open(File().c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(in);
  std::vector<char> got(1 << 20);
  ASSERT_EQ(read(in, got.data(), got.size()), 1000 + (500 << 10));
  EXPECT_TRUE(Matches(got.data(), 1000, 0));
  EXPECT_EQ(std::string(got.data() + 1000, a.size()), a);
  EXPECT_EQ(std::string(got.data() + 1000 + a.size(), b.size()), b);
  close(in);
}

TEST_P(LargeIoTest, ReadvOfLargeVectorsFillsThemInOrder) {
  const int fd = MakeFile(50000);
  ASSERT_SYSCALL_OK(fd);
  std::vector<char> a(20000), b(20000), c(20000);
  struct iovec iov[3] = {{a.data(), a.size()}, {b.data(), b.size()}, {c.data(), c.size()}};
  EXPECT_EQ(readv(fd, iov, 3), 50000);
  EXPECT_TRUE(Matches(a.data(), 20000, 0));
  EXPECT_TRUE(Matches(b.data(), 20000, 20000));
  EXPECT_TRUE(Matches(c.data(), 10000, 40000));
  EXPECT_EQ(preadv(fd, iov, 3, 30000), 20000);
  EXPECT_TRUE(Matches(a.data(), 20000, 30000));
  close(fd);
}

// A large read of a pipe returns what is there, without waiting for more.
TEST(ReadWriteTest, ALargeReadOfAPipeReturnsWhatIsThere) {
  TestPipe p;
  const std::string data(10000, 'p');
  ASSERT_EQ(write(p.write_fd(), data.data(), data.size()), 10000);
  std::vector<char> buf(1 << 20);
  EXPECT_EQ(read(p.read_fd(), buf.data(), buf.size()), 10000);
  EXPECT_EQ(std::string(buf.data(), 10000), data);
}

}  // namespace
}  // namespace runsc::syscall_test
