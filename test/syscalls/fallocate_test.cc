// Family: fallocate, on a rootfs file (the test directory) and on a tmpfs
// file (a memfd): its modes, its errors in Linux's order, RLIMIT_FSIZE.
#include <fcntl.h>
#include <linux/falloc.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

constexpr off_t kPage = 4096;

off_t SizeOf(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return -1;
  return st.st_size;
}

// The bytes of fd at [offset, offset + len).
std::string ReadAt(int fd, off_t offset, size_t len) {
  std::string buf(len, '?');
  ssize_t n = pread(fd, buf.data(), len, offset);
  if (n < 0) return "<pread failed>";
  buf.resize(n);
  return buf;
}

// A rootfs file holding three pages of 'x', open read-write.
class RootfsFile {
 public:
  RootfsFile() {
    WriteFileOrDie(dir_.File("f"), std::string(3 * kPage, 'x'));
    fd_ = open(dir_.File("f").c_str(), O_RDWR);
    EXPECT_GE(fd_, 0) << strerror(errno);
  }
  ~RootfsFile() { close(fd_); }
  int fd() const { return fd_; }
  std::string path() const { return dir_.File("f"); }

 private:
  TempDir dir_;
  int fd_ = -1;
};

int NewMemfd() { return static_cast<int>(syscall(SYS_memfd_create, "fallocate_test", 0)); }

TEST(FallocateTest, ModeZeroGrowsARootfsFileWithZeros) {
  RootfsFile f;
  ASSERT_SYSCALL_OK(fallocate(f.fd(), 0, 2 * kPage, 3 * kPage));
  EXPECT_EQ(SizeOf(f.fd()), 5 * kPage);
  EXPECT_EQ(ReadAt(f.fd(), 3 * kPage, 2 * kPage), std::string(2 * kPage, '\0'));
  EXPECT_EQ(ReadAt(f.fd(), 0, 4), "xxxx");
}

TEST(FallocateTest, ModeZeroWithinTheFileChangesNothing) {
  RootfsFile f;
  ASSERT_SYSCALL_OK(fallocate(f.fd(), 0, 0, kPage));
  EXPECT_EQ(SizeOf(f.fd()), 3 * kPage);
  EXPECT_EQ(ReadAt(f.fd(), 0, kPage), std::string(kPage, 'x'));
}

TEST(FallocateTest, KeepSizeAllocatesWithoutGrowing) {
  RootfsFile f;
  struct stat before, after;
  ASSERT_SYSCALL_OK(fstat(f.fd(), &before));
  ASSERT_SYSCALL_OK(fallocate(f.fd(), FALLOC_FL_KEEP_SIZE, 0, 16 * kPage));
  ASSERT_SYSCALL_OK(fstat(f.fd(), &after));
  EXPECT_EQ(after.st_size, 3 * kPage);
  EXPECT_GE(after.st_blocks, 16 * kPage / 512);
  EXPECT_GT(after.st_blocks, before.st_blocks);
}

TEST(FallocateTest, PunchHoleZeroesTheRangeAndKeepsTheSize) {
  RootfsFile f;
  ASSERT_SYSCALL_OK(fallocate(f.fd(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, kPage, kPage));
  EXPECT_EQ(SizeOf(f.fd()), 3 * kPage);
  EXPECT_EQ(ReadAt(f.fd(), kPage, kPage), std::string(kPage, '\0'));
  EXPECT_EQ(ReadAt(f.fd(), 0, kPage), std::string(kPage, 'x'));
  EXPECT_EQ(ReadAt(f.fd(), 2 * kPage, kPage), std::string(kPage, 'x'));
  // The hole is a hole: SEEK_HOLE finds it.
  EXPECT_EQ(lseek(f.fd(), 0, SEEK_HOLE), kPage);
}

TEST(FallocateTest, ZeroRangeZeroesAndMayGrow) {
  RootfsFile f;
  ASSERT_SYSCALL_OK(fallocate(f.fd(), FALLOC_FL_ZERO_RANGE, 100, 200));
  EXPECT_EQ(ReadAt(f.fd(), 99, 202), "x" + std::string(200, '\0') + "x");
  ASSERT_SYSCALL_OK(fallocate(f.fd(), FALLOC_FL_ZERO_RANGE, 3 * kPage - 10, 20));
  EXPECT_EQ(SizeOf(f.fd()), 3 * kPage + 10);
  ASSERT_SYSCALL_OK(fallocate(f.fd(), FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, 8 * kPage));
  EXPECT_EQ(SizeOf(f.fd()), 3 * kPage + 10);
  EXPECT_EQ(ReadAt(f.fd(), 0, 10), std::string(10, '\0'));
}

TEST(FallocateTest, ModeChecksComeBeforeTheFile) {
  RootfsFile f;
  // PUNCH_HOLE without KEEP_SIZE, two modes at once, an unknown bit.
  EXPECT_SYSCALL_ERRNO(fallocate(f.fd(), FALLOC_FL_PUNCH_HOLE, 0, kPage), EOPNOTSUPP);
  EXPECT_SYSCALL_ERRNO(
      fallocate(f.fd(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, kPage),
      EOPNOTSUPP);
  EXPECT_SYSCALL_ERRNO(fallocate(f.fd(), 0x100, 0, kPage), EOPNOTSUPP);
  EXPECT_EQ(SizeOf(f.fd()), 3 * kPage);
}

TEST(FallocateTest, BadOffsetOrLengthIsEINVAL) {
  RootfsFile f;
  EXPECT_SYSCALL_ERRNO(fallocate(f.fd(), 0, 0, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(fallocate(f.fd(), 0, -1, kPage), EINVAL);
  EXPECT_SYSCALL_ERRNO(fallocate(f.fd(), 0, 0, -kPage), EINVAL);
  // EINVAL is checked before the mode.
  EXPECT_SYSCALL_ERRNO(fallocate(f.fd(), 0x100, 0, 0), EINVAL);
}

TEST(FallocateTest, AFileNotOpenForWritingIsEBADF) {
  RootfsFile f;
  int ro = open(f.path().c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(ro);
  EXPECT_SYSCALL_ERRNO(fallocate(ro, 0, 0, kPage), EBADF);
  close(ro);
  int path_fd = open(f.path().c_str(), O_PATH);
  ASSERT_SYSCALL_OK(path_fd);
  EXPECT_SYSCALL_ERRNO(fallocate(path_fd, 0, 0, kPage), EBADF);
  close(path_fd);
  EXPECT_SYSCALL_ERRNO(fallocate(-1, 0, 0, kPage), EBADF);
  EXPECT_SYSCALL_ERRNO(fallocate(1000000, 0, 0, kPage), EBADF);
}

TEST(FallocateTest, APipeIsESPIPE) {
  TestPipe p;
  EXPECT_SYSCALL_ERRNO(fallocate(p.write_fd(), 0, 0, kPage), ESPIPE);
}

TEST(FallocateTest, ADeviceOrASocketIsENODEV) {
  int null = open("/dev/null", O_WRONLY);
  ASSERT_SYSCALL_OK(null);
  EXPECT_SYSCALL_ERRNO(fallocate(null, 0, 0, kPage), ENODEV);
  close(null);
  int sv[2];
  ASSERT_SYSCALL_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
  EXPECT_SYSCALL_ERRNO(fallocate(sv[0], 0, 0, kPage), ENODEV);
  close(sv[0]);
  close(sv[1]);
}

TEST(FallocateTest, AnEndPastTheLargestOffsetIsEFBIG) {
  RootfsFile f;
  EXPECT_SYSCALL_ERRNO(fallocate(f.fd(), 0, std::numeric_limits<off_t>::max() - 10, 100), EFBIG);
  int memfd = NewMemfd();
  ASSERT_SYSCALL_OK(memfd);
  EXPECT_SYSCALL_ERRNO(fallocate(memfd, 0, std::numeric_limits<off_t>::max() - 10, 100), EFBIG);
  close(memfd);
}

volatile sig_atomic_t xfsz_signals = 0;
void CountXfsz(int) { xfsz_signals = xfsz_signals + 1; }

TEST(FallocateTest, GrowingPastRlimitFsizeIsEFBIGWithSIGXFSZ) {
  RootfsFile f;
  const int fd = f.fd();
  EXPECT_EQ(RunInChild([fd] {
              CHILD_CHECK(signal(SIGXFSZ, CountXfsz) != SIG_ERR);
              struct rlimit limit = {4 * kPage, 4 * kPage};
              CHILD_CHECK(setrlimit(RLIMIT_FSIZE, &limit) == 0);
              CHILD_CHECK(fallocate(fd, 0, 0, 8 * kPage) == -1 && errno == EFBIG);
              CHILD_CHECK(xfsz_signals == 1);
              CHILD_CHECK(SizeOf(fd) == 3 * kPage);
              // Up to the limit is fine.
              CHILD_CHECK(fallocate(fd, 0, 0, 4 * kPage) == 0);
              CHILD_CHECK(SizeOf(fd) == 4 * kPage);
              return 0;
            }),
            0);
}

TEST(FallocateTest, MemfdModeZeroGrowsAndPunchHoleZeroes) {
  int fd = NewMemfd();
  ASSERT_SYSCALL_OK(fd);
  ASSERT_SYSCALL_OK(fallocate(fd, 0, 0, 3 * kPage));
  EXPECT_EQ(SizeOf(fd), 3 * kPage);
  EXPECT_EQ(ReadAt(fd, 0, 3 * kPage), std::string(3 * kPage, '\0'));
  const std::string data(3 * kPage, 'y');
  ASSERT_EQ(pwrite(fd, data.data(), data.size(), 0), static_cast<ssize_t>(data.size()));
  ASSERT_SYSCALL_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, kPage, kPage));
  EXPECT_EQ(SizeOf(fd), 3 * kPage);
  EXPECT_EQ(ReadAt(fd, kPage - 1, kPage + 2), "y" + std::string(kPage, '\0') + "y");
  ASSERT_SYSCALL_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 10 * kPage));
  EXPECT_EQ(SizeOf(fd), 3 * kPage);
  close(fd);
}

TEST(FallocateTest, MemfdGrowthIsSeenThroughAMapping) {
  int fd = NewMemfd();
  ASSERT_SYSCALL_OK(fd);
  ASSERT_SYSCALL_OK(fallocate(fd, 0, 0, 2 * kPage));
  void* p = mmap(nullptr, 2 * kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ASSERT_NE(p, MAP_FAILED);
  static_cast<char*>(p)[kPage] = 'z';
  EXPECT_EQ(ReadAt(fd, kPage, 1), "z");
  munmap(p, 2 * kPage);
  close(fd);
}

TEST(FallocateTest, TmpfsHasNoZeroRange) {
  // shmem implements allocation and hole punching only.
  int fd = NewMemfd();
  ASSERT_SYSCALL_OK(fd);
  EXPECT_SYSCALL_ERRNO(fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, kPage), EOPNOTSUPP);
  EXPECT_EQ(SizeOf(fd), 0);
  close(fd);
}

TEST(FallocateTest, ASealedMemfdRefusesToGrow) {
  int fd = static_cast<int>(syscall(SYS_memfd_create, "sealed", MFD_ALLOW_SEALING));
  ASSERT_SYSCALL_OK(fd);
  ASSERT_SYSCALL_OK(ftruncate(fd, kPage));
  ASSERT_SYSCALL_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
  EXPECT_SYSCALL_ERRNO(fallocate(fd, 0, 0, 2 * kPage), EPERM);
  EXPECT_SYSCALL_OK(fallocate(fd, 0, 0, kPage));
  EXPECT_EQ(SizeOf(fd), kPage);
  ASSERT_SYSCALL_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
  EXPECT_SYSCALL_ERRNO(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, kPage), EPERM);
  close(fd);
}

}  // namespace
}  // namespace runsc::syscall_test
