// Family: mmap, munmap, mprotect.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

const size_t kPage = static_cast<size_t>(sysconf(_SC_PAGESIZE));

// msync fails with ENOMEM on any unmapped page of the range, which tells
// mapped from unmapped without touching (and faulting on) the memory.
bool IsMapped(void* addr, size_t length) { return msync(addr, length, MS_ASYNC) == 0; }

void* MapAnonymous(size_t length, int prot = PROT_READ | PROT_WRITE, int flags = MAP_PRIVATE) {
  return mmap(nullptr, length, prot, flags | MAP_ANONYMOUS, -1, 0);
}

TEST(MmapTest, AnonymousPrivateMemoryIsZeroFilledAndWritable) {
  char* p = static_cast<char*>(MapAnonymous(2 * kPage));
  ASSERT_NE(p, MAP_FAILED) << strerrorname_np(errno);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % kPage, 0u);
  for (size_t i = 0; i < 2 * kPage; i += 512) EXPECT_EQ(p[i], 0) << i;
  p[0] = 'a';
  p[2 * kPage - 1] = 'z';
  EXPECT_EQ(p[0], 'a');
  EXPECT_EQ(p[2 * kPage - 1], 'z');
  EXPECT_SYSCALL_OK(munmap(p, 2 * kPage));
}

TEST(MmapTest, SharedAnonymousMemoryIsSeenByTheParentAfterAChildWrites) {
  char* p = static_cast<char*>(MapAnonymous(kPage, PROT_READ | PROT_WRITE, MAP_SHARED));
  ASSERT_NE(p, MAP_FAILED) << strerrorname_np(errno);
  EXPECT_EQ(RunInChild([p] {
              strcpy(p, "from child");
              return 0;
            }),
            0);
  EXPECT_STREQ(p, "from child");
  munmap(p, kPage);
}

TEST(MmapTest, PrivateAnonymousMemoryIsNotSharedWithAChild) {
  char* p = static_cast<char*>(MapAnonymous(kPage));
  ASSERT_NE(p, MAP_FAILED) << strerrorname_np(errno);
  strcpy(p, "parent");
  EXPECT_EQ(RunInChild([p] {
              CHILD_CHECK(strcmp(p, "parent") == 0);
              strcpy(p, "child");
              return 0;
            }),
            0);
  EXPECT_STREQ(p, "parent");
  munmap(p, kPage);
}

TEST(MmapTest, ZeroLengthIsEINVAL) {
  EXPECT_EQ(MapAnonymous(0), MAP_FAILED);
  EXPECT_EQ(errno, EINVAL);
}

TEST(MmapTest, NeitherPrivateNorSharedIsEINVAL) {
  EXPECT_EQ(mmap(nullptr, kPage, PROT_READ, MAP_ANONYMOUS, -1, 0), MAP_FAILED);
  EXPECT_EQ(errno, EINVAL);
}

TEST(MmapTest, FixedAtAnUnalignedAddressIsEINVAL) {
  char* p = static_cast<char*>(MapAnonymous(2 * kPage));
  ASSERT_NE(p, MAP_FAILED);
  EXPECT_EQ(mmap(p + 1, kPage, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
            MAP_FAILED);
  EXPECT_EQ(errno, EINVAL);
  munmap(p, 2 * kPage);
}

TEST(MmapTest, FixedReplacesThePagesItCovers) {
  char* p = static_cast<char*>(MapAnonymous(3 * kPage));
  ASSERT_NE(p, MAP_FAILED);
  memset(p, 'x', 3 * kPage);
  void* middle =
      mmap(p + kPage, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  ASSERT_EQ(middle, p + kPage) << strerrorname_np(errno);
  EXPECT_EQ(p[0], 'x');
  EXPECT_EQ(p[kPage], 0);
  EXPECT_EQ(p[2 * kPage - 1], 0);
  EXPECT_EQ(p[2 * kPage], 'x');
  munmap(p, 3 * kPage);
}

TEST(MmapTest, FixedNoreplaceOverAMappingIsEEXIST) {
  char* p = static_cast<char*>(MapAnonymous(2 * kPage));
  ASSERT_NE(p, MAP_FAILED);
  EXPECT_EQ(mmap(p + kPage, kPage, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                 -1, 0),
            MAP_FAILED);
  EXPECT_EQ(errno, EEXIST);
  munmap(p, 2 * kPage);
}

TEST(MmapTest, AccessToProtNoneMemoryRaisesSIGSEGV) {
  char* p = static_cast<char*>(MapAnonymous(kPage, PROT_NONE));
  ASSERT_NE(p, MAP_FAILED);
  EXPECT_EQ(RunInChild([p] {
              DisableCoreDumps();
              volatile char c = *p;
              (void)c;
              return 0;
            }),
            128 + SIGSEGV);
  munmap(p, kPage);
}

TEST(MmapTest, MprotectReadOnlyMakesWritesRaiseSIGSEGVButKeepsContents) {
  char* p = static_cast<char*>(MapAnonymous(kPage));
  ASSERT_NE(p, MAP_FAILED);
  p[0] = 'r';
  ASSERT_SYSCALL_OK(mprotect(p, kPage, PROT_READ));
  EXPECT_EQ(p[0], 'r');
  EXPECT_EQ(RunInChild([p] {
              DisableCoreDumps();
              *reinterpret_cast<volatile char*>(p) = 'w';
              return 0;
            }),
            128 + SIGSEGV);
  EXPECT_EQ(p[0], 'r');
  munmap(p, kPage);
}

TEST(MmapTest, AccessAfterMunmapRaisesSIGSEGV) {
  char* p = static_cast<char*>(MapAnonymous(kPage));
  ASSERT_NE(p, MAP_FAILED);
  ASSERT_SYSCALL_OK(munmap(p, kPage));
  EXPECT_FALSE(IsMapped(p, kPage));
  EXPECT_EQ(RunInChild([p] {
              DisableCoreDumps();
              volatile char c = *p;
              (void)c;
              return 0;
            }),
            128 + SIGSEGV);
}

TEST(MmapTest, MunmapOfTheMiddleLeavesBothEnds) {
  char* p = static_cast<char*>(MapAnonymous(3 * kPage));
  ASSERT_NE(p, MAP_FAILED);
  ASSERT_SYSCALL_OK(munmap(p + kPage, kPage));
  EXPECT_TRUE(IsMapped(p, kPage));
  EXPECT_FALSE(IsMapped(p + kPage, kPage));
  EXPECT_TRUE(IsMapped(p + 2 * kPage, kPage));
  munmap(p, 3 * kPage);
}

TEST(MmapTest, MunmapOfAnUnalignedAddressOrZeroLengthIsEINVAL) {
  char* p = static_cast<char*>(MapAnonymous(kPage));
  ASSERT_NE(p, MAP_FAILED);
  EXPECT_SYSCALL_ERRNO(munmap(p + 1, kPage), EINVAL);
  EXPECT_SYSCALL_ERRNO(munmap(p, 0), EINVAL);
  munmap(p, kPage);
}

TEST(MmapTest, MunmapOfAnUnmappedRangeSucceeds) {
  char* p = static_cast<char*>(MapAnonymous(kPage));
  ASSERT_NE(p, MAP_FAILED);
  ASSERT_SYSCALL_OK(munmap(p, kPage));
  EXPECT_SYSCALL_OK(munmap(p, kPage));
}

TEST(MmapTest, MprotectOfAnUnalignedAddressIsEINVAL) {
  char* p = static_cast<char*>(MapAnonymous(kPage));
  ASSERT_NE(p, MAP_FAILED);
  EXPECT_SYSCALL_ERRNO(mprotect(p + 1, kPage, PROT_READ), EINVAL);
  EXPECT_SYSCALL_ERRNO(mprotect(p, kPage, 0x10000), EINVAL);
  munmap(p, kPage);
}

TEST(MmapTest, MprotectOfAnUnmappedRangeIsENOMEM) {
  char* p = static_cast<char*>(MapAnonymous(kPage));
  ASSERT_NE(p, MAP_FAILED);
  ASSERT_SYSCALL_OK(munmap(p, kPage));
  EXPECT_SYSCALL_ERRNO(mprotect(p, kPage, PROT_READ), ENOMEM);
}

TEST(MmapTest, SharedFileMappingReadsTheFileAndWritesReachIt) {
  TempDir dir;
  const std::string path = dir.File("f");
  WriteFileOrDie(path, std::string(kPage, 'a'));
  int fd = open(path.c_str(), O_RDWR);
  ASSERT_SYSCALL_OK(fd);
  char* p = static_cast<char*>(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  ASSERT_NE(p, MAP_FAILED) << strerrorname_np(errno);
  EXPECT_EQ(p[0], 'a');
  EXPECT_EQ(p[kPage - 1], 'a');
  memcpy(p, "mapped", 6);
  ASSERT_SYSCALL_OK(msync(p, kPage, MS_SYNC));
  char buf[6] = {};
  ASSERT_EQ(pread(fd, buf, sizeof(buf), 0), 6);
  EXPECT_EQ(std::string(buf, 6), "mapped");
  munmap(p, kPage);
  close(fd);
}

TEST(MmapTest, PrivateFileMappingWritesDoNotReachTheFile) {
  TempDir dir;
  const std::string path = dir.File("f");
  WriteFileOrDie(path, "original");
  int fd = open(path.c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  char* p = static_cast<char*>(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
  ASSERT_NE(p, MAP_FAILED) << strerrorname_np(errno);
  EXPECT_EQ(std::string(p, 8), "original");
  // The rest of the last page past EOF reads as zeros.
  EXPECT_EQ(p[8], 0);
  memcpy(p, "changed!", 8);
  char buf[8] = {};
  ASSERT_EQ(pread(fd, buf, sizeof(buf), 0), 8);
  EXPECT_EQ(std::string(buf, 8), "original");
  munmap(p, kPage);
  close(fd);
}

TEST(MmapTest, AccessToAPageWhollyPastEndOfFileRaisesSIGBUS) {
  TempDir dir;
  const std::string path = dir.File("f");
  WriteFileOrDie(path, "x");
  int fd = open(path.c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  char* p = static_cast<char*>(mmap(nullptr, 2 * kPage, PROT_READ, MAP_SHARED, fd, 0));
  ASSERT_NE(p, MAP_FAILED) << strerrorname_np(errno);
  EXPECT_EQ(p[0], 'x');
  EXPECT_EQ(RunInChild([p] {
              DisableCoreDumps();
              volatile char c = p[kPage];
              (void)c;
              return 0;
            }),
            128 + SIGBUS);
  munmap(p, 2 * kPage);
  close(fd);
}

TEST(MmapTest, FileMappingAtAnUnalignedOffsetIsEINVAL) {
  TempDir dir;
  const std::string path = dir.File("f");
  WriteFileOrDie(path, std::string(2 * kPage, 'a'));
  int fd = open(path.c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(mmap(nullptr, kPage, PROT_READ, MAP_PRIVATE, fd, 1), MAP_FAILED);
  EXPECT_EQ(errno, EINVAL);
  close(fd);
}

TEST(MmapTest, FileMappingOfABadFdIsEBADF) {
  EXPECT_EQ(mmap(nullptr, kPage, PROT_READ, MAP_PRIVATE, -1, 0), MAP_FAILED);
  EXPECT_EQ(errno, EBADF);
}

TEST(MmapTest, SharedWritableMappingOfAReadOnlyFdIsEACCES) {
  TempDir dir;
  const std::string path = dir.File("f");
  WriteFileOrDie(path, std::string(kPage, 'a'));
  int fd = open(path.c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), MAP_FAILED);
  EXPECT_EQ(errno, EACCES);
  close(fd);
}

}  // namespace
}  // namespace runsc::syscall_test
