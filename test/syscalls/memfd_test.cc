// Family: memfd_create and file sealing (F_ADD_SEALS/F_GET_SEALS).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// The longest name memfd_create accepts (MFD_NAME_MAX_LEN).
constexpr size_t kMaxNameLength = 249;

int Memfd(const char* name, unsigned flags) {
  int fd = memfd_create(name, flags);
  if (fd < 0) ADD_FAILURE() << "memfd_create: " << strerror(errno);
  return fd;
}

TEST(MemfdTest, NewMemfdIsAnEmptyWritableRegularFile) {
  int fd = Memfd("empty", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fd, &st));
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_size, 0);
  EXPECT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
  close(fd);
}

TEST(MemfdTest, WrittenDataReadsBack) {
  int fd = Memfd("data", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "memory file", 11), 11);
  char buf[16] = {};
  EXPECT_EQ(pread(fd, buf, sizeof(buf), 0), 11);
  EXPECT_STREQ(buf, "memory file");
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fd, &st));
  EXPECT_EQ(st.st_size, 11);
  close(fd);
}

TEST(MemfdTest, SharedMappingAndFileSeeTheSameBytes) {
  int fd = Memfd("mapped", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_SYSCALL_OK(ftruncate(fd, 4096));
  auto* mem = static_cast<char*>(mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  ASSERT_NE(mem, MAP_FAILED) << strerror(errno);
  memcpy(mem, "via mmap", 8);
  char buf[9] = {};
  EXPECT_EQ(pread(fd, buf, 8, 0), 8);
  EXPECT_STREQ(buf, "via mmap");
  ASSERT_EQ(pwrite(fd, "VIA", 3, 0), 3);
  EXPECT_EQ(memcmp(mem, "VIA mmap", 8), 0);
  munmap(mem, 4096);
  close(fd);
}

TEST(MemfdTest, SharedMappingIsSharedWithAForkedChild) {
  int fd = Memfd("forked", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_SYSCALL_OK(ftruncate(fd, 4096));
  auto* mem = static_cast<char*>(mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  ASSERT_NE(mem, MAP_FAILED);
  EXPECT_EQ(RunInChild([mem] {
              memcpy(mem, "child", 6);
              return 0;
            }),
            0);
  char buf[6] = {};
  EXPECT_EQ(pread(fd, buf, 6, 0), 6);
  EXPECT_STREQ(buf, "child");
  munmap(mem, 4096);
  close(fd);
}

TEST(MemfdTest, CloexecFlagSetsFdCloexec) {
  int with = Memfd("cloexec", MFD_CLOEXEC);
  int without = Memfd("inherit", 0);
  ASSERT_GE(with, 0);
  ASSERT_GE(without, 0);
  EXPECT_EQ(fcntl(with, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  EXPECT_EQ(fcntl(without, F_GETFD) & FD_CLOEXEC, 0);
  close(with);
  close(without);
}

TEST(MemfdTest, ProcFdLinkShowsTheName) {
  int fd = Memfd("shown-name", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  char target[256] = {};
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  ASSERT_GT(readlink(link.c_str(), target, sizeof(target) - 1), 0) << strerror(errno);
  EXPECT_STREQ(target, "/memfd:shown-name (deleted)");
  close(fd);
}

TEST(MemfdTest, NameOfTheMaximumLengthIsAcceptedAndLongerIsEINVAL) {
  const std::string longest(kMaxNameLength, 'n');
  int fd = memfd_create(longest.c_str(), MFD_CLOEXEC);
  EXPECT_GE(fd, 0) << strerror(errno);
  if (fd >= 0) close(fd);
  const std::string too_long(kMaxNameLength + 1, 'n');
  EXPECT_SYSCALL_ERRNO(memfd_create(too_long.c_str(), MFD_CLOEXEC), EINVAL);
}

TEST(MemfdTest, UnknownFlagIsEINVAL) {
  EXPECT_SYSCALL_ERRNO(memfd_create("bad", 0x1000), EINVAL);
}

TEST(MemfdTest, BadNamePointerIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(syscall(SYS_memfd_create, 1, MFD_CLOEXEC), EFAULT);
}

TEST(MemfdTest, WithoutAllowSealingTheSealSealIsSet) {
  int fd = Memfd("unsealable", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SEAL);
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
  close(fd);
}

TEST(MemfdTest, AllowSealingStartsUnsealedAndAccumulatesSeals) {
  int fd = Memfd("sealable", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(fcntl(fd, F_GET_SEALS), 0);
  ASSERT_SYSCALL_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
  ASSERT_SYSCALL_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
  EXPECT_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK | F_SEAL_GROW);
  close(fd);
}

TEST(MemfdTest, SealWriteMakesWritesEPERM) {
  int fd = Memfd("write-sealed", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "before", 6), 6);
  ASSERT_SYSCALL_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
  EXPECT_SYSCALL_ERRNO(write(fd, "after", 5), EPERM);
  EXPECT_SYSCALL_ERRNO(pwrite(fd, "x", 1, 0), EPERM);
  EXPECT_EQ(mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), MAP_FAILED);
  EXPECT_EQ(errno, EPERM);
  // Reading and read-only mappings still work.
  char buf[7] = {};
  EXPECT_EQ(pread(fd, buf, 6, 0), 6);
  EXPECT_STREQ(buf, "before");
  void* ro = mmap(nullptr, 4096, PROT_READ, MAP_SHARED, fd, 0);
  EXPECT_NE(ro, MAP_FAILED) << strerror(errno);
  if (ro != MAP_FAILED) munmap(ro, 4096);
  close(fd);
}

TEST(MemfdTest, SealWriteWhileAWritableMappingExistsIsEBUSY) {
  int fd = Memfd("busy", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  ASSERT_GE(fd, 0);
  ASSERT_SYSCALL_OK(ftruncate(fd, 4096));
  void* mem = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ASSERT_NE(mem, MAP_FAILED);
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
  munmap(mem, 4096);
  EXPECT_SYSCALL_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
  close(fd);
}

TEST(MemfdTest, SealShrinkAndGrowFixTheSize) {
  int fd = Memfd("sized", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  ASSERT_GE(fd, 0);
  ASSERT_SYSCALL_OK(ftruncate(fd, 100));
  ASSERT_SYSCALL_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
  EXPECT_SYSCALL_ERRNO(ftruncate(fd, 50), EPERM);
  EXPECT_SYSCALL_OK(ftruncate(fd, 200));
  ASSERT_SYSCALL_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
  EXPECT_SYSCALL_ERRNO(ftruncate(fd, 300), EPERM);
  EXPECT_SYSCALL_ERRNO(pwrite(fd, "x", 1, 200), EPERM);
  // Writing inside the current size is still allowed.
  EXPECT_EQ(pwrite(fd, "x", 1, 10), 1);
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fd, &st));
  EXPECT_EQ(st.st_size, 200);
  close(fd);
}

TEST(MemfdTest, SealSealForbidsFurtherSeals) {
  int fd = Memfd("sealed", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  ASSERT_GE(fd, 0);
  ASSERT_SYSCALL_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), EPERM);
  EXPECT_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SEAL);
  close(fd);
}

TEST(MemfdTest, UnknownSealIsEINVAL) {
  int fd = Memfd("unknown-seal", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  ASSERT_GE(fd, 0);
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_ADD_SEALS, 0x100000), EINVAL);
  close(fd);
}

TEST(MemfdTest, SealsOnAFileThatCannotBeSealedAreEINVAL) {
  TestPipe p;
  EXPECT_SYSCALL_ERRNO(fcntl(p.write_fd(), F_ADD_SEALS, F_SEAL_WRITE), EINVAL);
  EXPECT_SYSCALL_ERRNO(fcntl(p.write_fd(), F_GET_SEALS), EINVAL);
}

TEST(MemfdTest, AddingSealsThroughAReadOnlyFdIsEPERM) {
  int fd = Memfd("ro", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  ASSERT_GE(fd, 0);
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  int ro = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(ro, 0) << strerror(errno);
  EXPECT_SYSCALL_ERRNO(fcntl(ro, F_ADD_SEALS, F_SEAL_GROW), EPERM);
  EXPECT_EQ(fcntl(ro, F_GET_SEALS), 0);
  close(ro);
  close(fd);
}

}  // namespace
}  // namespace runsc::syscall_test
