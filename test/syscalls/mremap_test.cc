// Family: mremap (and msync, mincore).
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

const size_t kPage = static_cast<size_t>(sysconf(_SC_PAGESIZE));

// msync fails with ENOMEM on any unmapped page of the range, which tells
// mapped from unmapped without touching the memory.
bool IsMapped(void* addr, size_t length) { return msync(addr, length, MS_ASYNC) == 0; }

char* MapAnonymous(size_t length, int flags = MAP_PRIVATE) {
  void* p = mmap(nullptr, length, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : static_cast<char*>(p);
}

// mremap through the raw syscall, so that glibc's variadic wrapper cannot
// drop or invent the new_address argument.
void* Mremap(void* old_address, size_t old_size, size_t new_size, int flags,
             void* new_address = nullptr) {
  return reinterpret_cast<void*>(
      syscall(SYS_mremap, old_address, old_size, new_size, flags, new_address));
}

TEST(MremapTest, ShrinkKeepsTheAddressAndContentsAndUnmapsTheTail) {
  char* p = MapAnonymous(3 * kPage);
  ASSERT_NE(p, nullptr);
  memset(p, 's', 3 * kPage);
  ASSERT_EQ(Mremap(p, 3 * kPage, kPage, 0), p) << strerrorname_np(errno);
  EXPECT_EQ(p[0], 's');
  EXPECT_EQ(p[kPage - 1], 's');
  EXPECT_FALSE(IsMapped(p + kPage, kPage));
  EXPECT_FALSE(IsMapped(p + 2 * kPage, kPage));
  munmap(p, kPage);
}

TEST(MremapTest, GrowInPlaceWhenTheFollowingSpaceIsFree) {
  char* p = MapAnonymous(2 * kPage);
  ASSERT_NE(p, nullptr);
  ASSERT_SYSCALL_OK(munmap(p + kPage, kPage));
  p[0] = 'g';
  ASSERT_EQ(Mremap(p, kPage, 2 * kPage, 0), p) << strerrorname_np(errno);
  EXPECT_EQ(p[0], 'g');
  // The new page is fresh anonymous memory.
  EXPECT_EQ(p[kPage], 0);
  p[2 * kPage - 1] = 'e';
  munmap(p, 2 * kPage);
}

TEST(MremapTest, GrowWithoutMaymoveWhenTheNextPageIsTakenIsENOMEM) {
  char* p = MapAnonymous(2 * kPage);
  ASSERT_NE(p, nullptr);
  // Make the second page a separate mapping so that it blocks growth.
  ASSERT_SYSCALL_OK(mprotect(p + kPage, kPage, PROT_READ));
  EXPECT_EQ(Mremap(p, kPage, 2 * kPage, 0), MAP_FAILED);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_TRUE(IsMapped(p, 2 * kPage));
  munmap(p, 2 * kPage);
}

TEST(MremapTest, GrowWithMaymoveMovesAndKeepsContents) {
  char* p = MapAnonymous(2 * kPage);
  ASSERT_NE(p, nullptr);
  ASSERT_SYSCALL_OK(mprotect(p + kPage, kPage, PROT_READ));
  strcpy(p, "moved");
  char* q = static_cast<char*>(Mremap(p, kPage, 4 * kPage, MREMAP_MAYMOVE));
  ASSERT_NE(q, MAP_FAILED) << strerrorname_np(errno);
  EXPECT_NE(q, p);
  EXPECT_STREQ(q, "moved");
  q[4 * kPage - 1] = 'x';
  // The old first page is gone; the page after it was not part of the move.
  EXPECT_FALSE(IsMapped(p, kPage));
  EXPECT_TRUE(IsMapped(p + kPage, kPage));
  munmap(q, 4 * kPage);
  munmap(p + kPage, kPage);
}

TEST(MremapTest, FixedMovesToTheGivenAddressReplacingWhatWasThere) {
  char* p = MapAnonymous(kPage);
  char* target = MapAnonymous(2 * kPage);
  ASSERT_NE(p, nullptr);
  ASSERT_NE(target, nullptr);
  strcpy(p, "fixed");
  memset(target, 't', 2 * kPage);
  ASSERT_EQ(Mremap(p, kPage, 2 * kPage, MREMAP_MAYMOVE | MREMAP_FIXED, target), target)
      << strerrorname_np(errno);
  EXPECT_STREQ(target, "fixed");
  EXPECT_EQ(target[kPage], 0);
  EXPECT_FALSE(IsMapped(p, kPage));
  munmap(target, 2 * kPage);
}

TEST(MremapTest, FixedWithoutMaymoveIsEINVAL) {
  char* p = MapAnonymous(kPage);
  char* target = MapAnonymous(kPage);
  ASSERT_NE(p, nullptr);
  ASSERT_NE(target, nullptr);
  EXPECT_EQ(Mremap(p, kPage, kPage, MREMAP_FIXED, target), MAP_FAILED);
  EXPECT_EQ(errno, EINVAL);
  munmap(p, kPage);
  munmap(target, kPage);
}

TEST(MremapTest, FixedOntoAnOverlappingRangeIsEINVAL) {
  char* p = MapAnonymous(2 * kPage);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(Mremap(p, 2 * kPage, 2 * kPage, MREMAP_MAYMOVE | MREMAP_FIXED, p + kPage), MAP_FAILED);
  EXPECT_EQ(errno, EINVAL);
  munmap(p, 2 * kPage);
}

TEST(MremapTest, FixedToAnUnalignedAddressIsEINVAL) {
  char* p = MapAnonymous(kPage);
  char* target = MapAnonymous(2 * kPage);
  ASSERT_NE(p, nullptr);
  ASSERT_NE(target, nullptr);
  EXPECT_EQ(Mremap(p, kPage, kPage, MREMAP_MAYMOVE | MREMAP_FIXED, target + 1), MAP_FAILED);
  EXPECT_EQ(errno, EINVAL);
  munmap(p, kPage);
  munmap(target, 2 * kPage);
}

TEST(MremapTest, UnalignedOldAddressIsEINVAL) {
  char* p = MapAnonymous(kPage);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(Mremap(p + 1, kPage - 1, kPage, MREMAP_MAYMOVE), MAP_FAILED);
  EXPECT_EQ(errno, EINVAL);
  munmap(p, kPage);
}

TEST(MremapTest, ZeroNewSizeIsEINVAL) {
  char* p = MapAnonymous(kPage);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(Mremap(p, kPage, 0, MREMAP_MAYMOVE), MAP_FAILED);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_TRUE(IsMapped(p, kPage));
  munmap(p, kPage);
}

TEST(MremapTest, UnknownFlagIsEINVAL) {
  char* p = MapAnonymous(kPage);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(Mremap(p, kPage, 2 * kPage, 0x100), MAP_FAILED);
  EXPECT_EQ(errno, EINVAL);
  munmap(p, kPage);
}

TEST(MremapTest, UnmappedOldAddressIsEFAULT) {
  char* p = MapAnonymous(kPage);
  ASSERT_NE(p, nullptr);
  ASSERT_SYSCALL_OK(munmap(p, kPage));
  EXPECT_EQ(Mremap(p, kPage, 2 * kPage, MREMAP_MAYMOVE), MAP_FAILED);
  EXPECT_EQ(errno, EFAULT);
}

TEST(MremapTest, OldRangeAcrossTwoMappingsIsEFAULT) {
  char* p = MapAnonymous(2 * kPage);
  ASSERT_NE(p, nullptr);
  ASSERT_SYSCALL_OK(mprotect(p + kPage, kPage, PROT_READ));
  EXPECT_EQ(Mremap(p, 2 * kPage, 4 * kPage, MREMAP_MAYMOVE), MAP_FAILED);
  EXPECT_EQ(errno, EFAULT);
  munmap(p, 2 * kPage);
}

TEST(MremapTest, ZeroOldSizeOfASharedMappingMapsTheSamePagesAgain) {
  char* p = MapAnonymous(kPage, MAP_SHARED);
  ASSERT_NE(p, nullptr);
  char* q = static_cast<char*>(Mremap(p, 0, kPage, MREMAP_MAYMOVE));
  ASSERT_NE(q, MAP_FAILED) << strerrorname_np(errno);
  EXPECT_NE(q, p);
  strcpy(p, "alias");
  EXPECT_STREQ(q, "alias");
  munmap(p, kPage);
  munmap(q, kPage);
}

TEST(MremapTest, ZeroOldSizeOfAPrivateMappingIsEINVAL) {
  char* p = MapAnonymous(kPage);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(Mremap(p, 0, kPage, MREMAP_MAYMOVE), MAP_FAILED);
  EXPECT_EQ(errno, EINVAL);
  munmap(p, kPage);
}

TEST(MremapTest, DontunmapMovesThePagesAndLeavesTheOldRangeEmpty) {
  char* p = MapAnonymous(kPage);
  ASSERT_NE(p, nullptr);
  strcpy(p, "kept");
  char* q = static_cast<char*>(Mremap(p, kPage, kPage, MREMAP_MAYMOVE | MREMAP_DONTUNMAP));
  ASSERT_NE(q, MAP_FAILED) << strerrorname_np(errno);
  EXPECT_NE(q, p);
  EXPECT_STREQ(q, "kept");
  // The old range stays mapped, but its pages went with the move.
  EXPECT_TRUE(IsMapped(p, kPage));
  EXPECT_EQ(p[0], 0);
  munmap(p, kPage);
  munmap(q, kPage);
}

// /proc/self/maps follows the move: the new range is listed, the old not.
TEST(MremapTest, ProcSelfMapsShowsTheMovedRange) {
  char* p = MapAnonymous(2 * kPage);
  ASSERT_NE(p, nullptr);
  ASSERT_SYSCALL_OK(mprotect(p + kPage, kPage, PROT_READ));
  char* q = static_cast<char*>(Mremap(p, kPage, 3 * kPage, MREMAP_MAYMOVE));
  ASSERT_NE(q, MAP_FAILED) << strerrorname_np(errno);
  FILE* f = fopen("/proc/self/maps", "r");
  ASSERT_NE(f, nullptr);
  bool saw_new = false, saw_old = false;
  char line[512];
  while (fgets(line, sizeof(line), f)) {
    unsigned long start = 0, end = 0;
    if (sscanf(line, "%lx-%lx", &start, &end) != 2) continue;
    if (start <= reinterpret_cast<uintptr_t>(q) && end >= reinterpret_cast<uintptr_t>(q + 3 * kPage)) {
      saw_new = true;
    }
    if (start <= reinterpret_cast<uintptr_t>(p) && end > reinterpret_cast<uintptr_t>(p)) saw_old = true;
  }
  fclose(f);
  EXPECT_TRUE(saw_new);
  EXPECT_FALSE(saw_old);
  munmap(q, 3 * kPage);
  munmap(p + kPage, kPage);
}

TEST(MsyncTest, BadFlagsAreEINVAL) {
  char* p = MapAnonymous(kPage);
  ASSERT_NE(p, nullptr);
  EXPECT_SYSCALL_ERRNO(msync(p, kPage, MS_SYNC | MS_ASYNC), EINVAL);
  EXPECT_SYSCALL_ERRNO(msync(p, kPage, 0x100), EINVAL);
  EXPECT_SYSCALL_ERRNO(msync(p + 1, kPage, MS_SYNC), EINVAL);
  munmap(p, kPage);
}

TEST(MincoreTest, ReportsTouchedPagesAndFaultsOnABadVector) {
  char* p = MapAnonymous(2 * kPage);
  ASSERT_NE(p, nullptr);
  p[0] = 1;  // Only the first page is made resident.
  unsigned char vec[2] = {0xff, 0xff};
  ASSERT_SYSCALL_OK(mincore(p, 2 * kPage, vec));
  EXPECT_EQ(vec[0] & 1, 1);
  EXPECT_EQ(vec[1] & 1, 0);
  EXPECT_SYSCALL_ERRNO(mincore(p, 2 * kPage, reinterpret_cast<unsigned char*>(8)), EFAULT);
  ASSERT_SYSCALL_OK(munmap(p + kPage, kPage));
  EXPECT_SYSCALL_ERRNO(mincore(p, 2 * kPage, vec), ENOMEM);
  munmap(p, kPage);
}

}  // namespace
}  // namespace runsc::syscall_test
