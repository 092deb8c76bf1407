// Family: madvise.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

const size_t kPage = static_cast<size_t>(sysconf(_SC_PAGESIZE));

char* MapAnonymous(size_t length, int flags = MAP_PRIVATE) {
  void* p = mmap(nullptr, length, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : static_cast<char*>(p);
}

TEST(MadviseTest, DontneedZeroesPrivateAnonymousMemory) {
  char* p = MapAnonymous(2 * kPage);
  ASSERT_NE(p, nullptr);
  memset(p, 'd', 2 * kPage);
  ASSERT_SYSCALL_OK(madvise(p, 2 * kPage, MADV_DONTNEED));
  EXPECT_EQ(p[0], 0);
  EXPECT_EQ(p[2 * kPage - 1], 0);
  munmap(p, 2 * kPage);
}

TEST(MadviseTest, DontneedOfOnePageLeavesTheOthers) {
  char* p = MapAnonymous(3 * kPage);
  ASSERT_NE(p, nullptr);
  memset(p, 'd', 3 * kPage);
  ASSERT_SYSCALL_OK(madvise(p + kPage, kPage, MADV_DONTNEED));
  EXPECT_EQ(p[kPage - 1], 'd');
  EXPECT_EQ(p[kPage], 0);
  EXPECT_EQ(p[2 * kPage - 1], 0);
  EXPECT_EQ(p[2 * kPage], 'd');
  munmap(p, 3 * kPage);
}

TEST(MadviseTest, DontneedKeepsSharedAnonymousContents) {
  char* p = MapAnonymous(kPage, MAP_SHARED);
  ASSERT_NE(p, nullptr);
  strcpy(p, "shared");
  ASSERT_SYSCALL_OK(madvise(p, kPage, MADV_DONTNEED));
  EXPECT_STREQ(p, "shared");
  munmap(p, kPage);
}

TEST(MadviseTest, DontneedOfAPrivateFileMappingRevertsToTheFile) {
  TempDir dir;
  const std::string path = dir.File("f");
  WriteFileOrDie(path, "file data");
  int fd = open(path.c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  char* p = static_cast<char*>(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
  ASSERT_NE(p, MAP_FAILED) << strerrorname_np(errno);
  memcpy(p, "mine", 4);
  EXPECT_EQ(std::string(p, 9), "mine data");
  ASSERT_SYSCALL_OK(madvise(p, kPage, MADV_DONTNEED));
  EXPECT_EQ(std::string(p, 9), "file data");
  munmap(p, kPage);
  close(fd);
}

TEST(MadviseTest, UnknownAdviceIsEINVAL) {
  char* p = MapAnonymous(kPage);
  ASSERT_NE(p, nullptr);
  EXPECT_SYSCALL_ERRNO(madvise(p, kPage, 999), EINVAL);
  munmap(p, kPage);
}

TEST(MadviseTest, MisalignedAddressIsEINVAL) {
  char* p = MapAnonymous(2 * kPage);
  ASSERT_NE(p, nullptr);
  EXPECT_SYSCALL_ERRNO(madvise(p + 1, kPage, MADV_DONTNEED), EINVAL);
  munmap(p, 2 * kPage);
}

TEST(MadviseTest, ZeroLengthSucceeds) {
  char* p = MapAnonymous(kPage);
  ASSERT_NE(p, nullptr);
  p[0] = 'k';
  EXPECT_SYSCALL_OK(madvise(p, 0, MADV_DONTNEED));
  EXPECT_EQ(p[0], 'k');
  munmap(p, kPage);
}

TEST(MadviseTest, UnmappedRangeIsENOMEM) {
  char* p = MapAnonymous(kPage);
  ASSERT_NE(p, nullptr);
  ASSERT_SYSCALL_OK(munmap(p, kPage));
  EXPECT_SYSCALL_ERRNO(madvise(p, kPage, MADV_NORMAL), ENOMEM);
}

TEST(MadviseTest, AccessPatternAdviceKeepsContents) {
  char* p = MapAnonymous(kPage);
  ASSERT_NE(p, nullptr);
  p[0] = 'a';
  for (int advice : {MADV_SEQUENTIAL, MADV_RANDOM, MADV_WILLNEED, MADV_NORMAL}) {
    EXPECT_SYSCALL_OK(madvise(p, kPage, advice));
    EXPECT_EQ(p[0], 'a') << advice;
  }
  munmap(p, kPage);
}

TEST(MadviseTest, DontforkMemoryIsAbsentInAChild) {
  char* p = MapAnonymous(kPage);
  ASSERT_NE(p, nullptr);
  p[0] = 'p';
  ASSERT_SYSCALL_OK(madvise(p, kPage, MADV_DONTFORK));
  EXPECT_EQ(RunInChild([p] {
              DisableCoreDumps();
              volatile char c = *p;
              (void)c;
              return 0;
            }),
            128 + SIGSEGV);
  EXPECT_EQ(p[0], 'p');
  munmap(p, kPage);
}

TEST(MadviseTest, WipeonforkMemoryIsZeroInAChild) {
  char* p = MapAnonymous(kPage);
  ASSERT_NE(p, nullptr);
  p[0] = 'p';
  ASSERT_SYSCALL_OK(madvise(p, kPage, MADV_WIPEONFORK));
  EXPECT_EQ(RunInChild([p] { return p[0] == 0 ? 0 : 1; }), 0);
  EXPECT_EQ(p[0], 'p');
  munmap(p, kPage);
}

TEST(MadviseTest, WipeonforkOfSharedMemoryIsEINVAL) {
  char* p = MapAnonymous(kPage, MAP_SHARED);
  ASSERT_NE(p, nullptr);
  EXPECT_SYSCALL_ERRNO(madvise(p, kPage, MADV_WIPEONFORK), EINVAL);
  munmap(p, kPage);
}

TEST(MadviseTest, FreeOfSharedMemoryIsEINVAL) {
  char* p = MapAnonymous(kPage, MAP_SHARED);
  ASSERT_NE(p, nullptr);
  EXPECT_SYSCALL_ERRNO(madvise(p, kPage, MADV_FREE), EINVAL);
  munmap(p, kPage);
}

TEST(MadviseTest, RemoveOfPrivateMemoryIsEINVAL) {
  char* p = MapAnonymous(kPage);
  ASSERT_NE(p, nullptr);
  EXPECT_SYSCALL_ERRNO(madvise(p, kPage, MADV_REMOVE), EINVAL);
  munmap(p, kPage);
}

}  // namespace
}  // namespace runsc::syscall_test
