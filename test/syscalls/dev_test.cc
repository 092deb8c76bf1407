// Family: the standard character devices /dev/null, /dev/zero, /dev/full,
// /dev/random, /dev/urandom and /dev/tty.
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

int OpenDev(const char* path, int flags) {
  int fd = open(path, flags | O_CLOEXEC);
  if (fd < 0) ADD_FAILURE() << "open " << path << ": " << strerror(errno);
  return fd;
}

struct DeviceNumber {
  const char* path;
  unsigned major_number;
  unsigned minor_number;
};

TEST(DevTest, DevicesHaveTheirStandardNumbers) {
  for (const DeviceNumber& dev : {DeviceNumber{"/dev/null", 1, 3}, DeviceNumber{"/dev/zero", 1, 5},
                                  DeviceNumber{"/dev/full", 1, 7}, DeviceNumber{"/dev/random", 1, 8},
                                  DeviceNumber{"/dev/urandom", 1, 9}}) {
    struct stat st;
    ASSERT_SYSCALL_OK(stat(dev.path, &st));
    EXPECT_TRUE(S_ISCHR(st.st_mode)) << dev.path;
    EXPECT_EQ(major(st.st_rdev), dev.major_number) << dev.path;
    EXPECT_EQ(minor(st.st_rdev), dev.minor_number) << dev.path;
  }
}

TEST(DevTest, NullReadsEndOfFile) {
  int fd = OpenDev("/dev/null", O_RDWR);
  ASSERT_GE(fd, 0);
  char buf[16];
  EXPECT_EQ(read(fd, buf, sizeof(buf)), 0);
  EXPECT_EQ(pread(fd, buf, sizeof(buf), 1000), 0);
  close(fd);
}

TEST(DevTest, NullSwallowsWritesOfAnySize) {
  int fd = OpenDev("/dev/null", O_WRONLY);
  ASSERT_GE(fd, 0);
  std::vector<char> big(1 << 20, 'x');
  EXPECT_EQ(write(fd, big.data(), big.size()), static_cast<ssize_t>(big.size()));
  EXPECT_EQ(write(fd, big.data(), 0), 0);
  close(fd);
}

TEST(DevTest, NullSeeksToZero) {
  int fd = OpenDev("/dev/null", O_RDWR);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(lseek(fd, 100, SEEK_SET), 0);
  EXPECT_EQ(lseek(fd, 0, SEEK_END), 0);
  close(fd);
}

TEST(DevTest, ZeroReadsZeros) {
  int fd = OpenDev("/dev/zero", O_RDONLY);
  ASSERT_GE(fd, 0);
  std::vector<char> buf(10000, 'x');
  ASSERT_EQ(read(fd, buf.data(), buf.size()), static_cast<ssize_t>(buf.size()));
  for (char c : buf) ASSERT_EQ(c, 0);
  close(fd);
}

TEST(DevTest, ZeroSwallowsWrites) {
  int fd = OpenDev("/dev/zero", O_WRONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(write(fd, "abc", 3), 3);
  close(fd);
}

TEST(DevTest, ZeroCanBeMappedPrivatelyAndIsZeroFilled) {
  int fd = OpenDev("/dev/zero", O_RDWR);
  ASSERT_GE(fd, 0);
  void* mem = mmap(nullptr, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  ASSERT_NE(mem, MAP_FAILED) << strerror(errno);
  auto* bytes = static_cast<unsigned char*>(mem);
  for (int i = 0; i < 8192; ++i) ASSERT_EQ(bytes[i], 0);
  bytes[100] = 7;
  EXPECT_EQ(bytes[100], 7);
  munmap(mem, 8192);
  close(fd);
}

TEST(DevTest, SharedZeroMappingIsSharedWithAChild) {
  int fd = OpenDev("/dev/zero", O_RDWR);
  ASSERT_GE(fd, 0);
  void* mem = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ASSERT_NE(mem, MAP_FAILED) << strerror(errno);
  close(fd);
  auto* word = static_cast<volatile int*>(mem);
  EXPECT_EQ(RunInChild([word] {
              *word = 42;
              return 0;
            }),
            0);
  EXPECT_EQ(*word, 42);
  munmap(mem, 4096);
}

TEST(DevTest, FullWritesAreENOSPC) {
  int fd = OpenDev("/dev/full", O_WRONLY);
  ASSERT_GE(fd, 0);
  EXPECT_SYSCALL_ERRNO(write(fd, "x", 1), ENOSPC);
  close(fd);
}

TEST(DevTest, FullReadsZeros) {
  int fd = OpenDev("/dev/full", O_RDONLY);
  ASSERT_GE(fd, 0);
  char buf[64];
  memset(buf, 'x', sizeof(buf));
  ASSERT_EQ(read(fd, buf, sizeof(buf)), 64);
  for (char c : buf) EXPECT_EQ(c, 0);
  close(fd);
}

TEST(DevTest, UrandomGivesDifferentBytesEachRead) {
  int fd = OpenDev("/dev/urandom", O_RDONLY);
  ASSERT_GE(fd, 0);
  unsigned char a[32], b[32];
  ASSERT_EQ(read(fd, a, sizeof(a)), 32);
  ASSERT_EQ(read(fd, b, sizeof(b)), 32);
  EXPECT_NE(memcmp(a, b, sizeof(a)), 0);
  close(fd);
}

TEST(DevTest, RandomDoesNotBlockOnceInitialized) {
  int fd = OpenDev("/dev/random", O_RDONLY | O_NONBLOCK);
  ASSERT_GE(fd, 0);
  unsigned char buf[64];
  EXPECT_EQ(read(fd, buf, sizeof(buf)), 64);
  pollfd pfd = {fd, POLLIN, 0};
  EXPECT_EQ(poll(&pfd, 1, 0), 1);
  close(fd);
}

TEST(DevTest, RandomDevicesReadIntoABadBufferAreEFAULT) {
  int fd = OpenDev("/dev/urandom", O_RDONLY);
  ASSERT_GE(fd, 0);
  EXPECT_SYSCALL_ERRNO(read(fd, reinterpret_cast<void*>(1), 16), EFAULT);
  close(fd);
}

TEST(DevTest, TtyWithoutAControllingTerminalIsENXIO) {
  struct stat st;
  if (stat("/dev/tty", &st) != 0) GTEST_SKIP() << "no /dev/tty here";
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(major(st.st_rdev), 5u);
  EXPECT_EQ(minor(st.st_rdev), 0u);
  // A new session has no controlling terminal, whatever the test was run from.
  int status = RunInChild([] {
    if (setsid() < 0) return 2;
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd >= 0) return 1;
    return errno == ENXIO ? 0 : 3;
  });
  EXPECT_EQ(status, 0);
}

TEST(DevTest, PtmxIsTheMultiplexerDevice) {
  struct stat st;
  ASSERT_SYSCALL_OK(stat("/dev/ptmx", &st));
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(major(st.st_rdev), 5u);
  EXPECT_EQ(minor(st.st_rdev), 2u);
}

TEST(DevTest, PtsAndShmAreDirectories) {
  for (const char* dir : {"/dev/pts", "/dev/shm"}) {
    struct stat st;
    ASSERT_SYSCALL_OK(stat(dir, &st));
    EXPECT_TRUE(S_ISDIR(st.st_mode)) << dir;
  }
}

TEST(DevTest, FdLinksToProcSelfFd) {
  char target[64] = {};
  ASSERT_GT(readlink("/dev/fd", target, sizeof(target) - 1), 0) << strerror(errno);
  EXPECT_STREQ(target, "/proc/self/fd");
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "x");
  int fd = open(dir.File("f").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  struct stat via_dev, direct;
  ASSERT_SYSCALL_OK(fstat(fd, &direct));
  ASSERT_SYSCALL_OK(stat(("/dev/fd/" + std::to_string(fd)).c_str(), &via_dev));
  EXPECT_EQ(via_dev.st_ino, direct.st_ino);
  close(fd);
}

TEST(DevTest, FdLinkOfAPipeReachesThePipe) {
  // /proc/self/fd/N is a "magic" link: it reaches the open file, whatever
  // its name says ("pipe:[ino]").
  TestPipe p;
  struct stat via_dev, direct;
  ASSERT_SYSCALL_OK(fstat(p.read_fd(), &direct));
  ASSERT_SYSCALL_OK(stat(("/dev/fd/" + std::to_string(p.read_fd())).c_str(), &via_dev));
  EXPECT_TRUE(S_ISFIFO(via_dev.st_mode));
  EXPECT_EQ(via_dev.st_ino, direct.st_ino);
}

TEST(DevTest, SharedZeroMappingIsNamedDevZero) {
  int fd = OpenDev("/dev/zero", O_RDWR);
  ASSERT_GE(fd, 0);
  void* mem = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ASSERT_NE(mem, MAP_FAILED) << strerror(errno);
  close(fd);
  char prefix[64];
  snprintf(prefix, sizeof(prefix), "%08lx-", reinterpret_cast<unsigned long>(mem));
  int maps = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(maps, 0);
  std::string contents;
  char buf[4096];
  ssize_t n;
  while ((n = read(maps, buf, sizeof(buf))) > 0) contents.append(buf, n);
  close(maps);
  munmap(mem, 4096);
  size_t at = contents.find(prefix);
  ASSERT_NE(at, std::string::npos) << contents;
  const std::string line = contents.substr(at, contents.find('\n', at) - at);
  EXPECT_NE(line.find(" rw-s 00000000 "), std::string::npos) << line;
  EXPECT_NE(line.find("/dev/zero (deleted)"), std::string::npos) << line;
}

TEST(DevTest, OpeningAMissingDeviceIsENOENT) {
  EXPECT_SYSCALL_ERRNO(open("/dev/runsc-no-such-device", O_RDONLY | O_CLOEXEC), ENOENT);
}

}  // namespace
}  // namespace runsc::syscall_test
