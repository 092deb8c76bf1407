#include "platform/systrap/syscall_patch.h"

#include <sys/mman.h>
#include <sys/syscall.h>

#include <vector>

#include "gtest/gtest.h"

namespace runsc::platform::systrap {
namespace {

TEST(SyscallPatchTest, MatchesOnlyMovOfTheTrappedNumberThenSyscall) {
  const std::vector<uint8_t> getppid = {0xb8, SYS_getppid, 0, 0, 0, 0x0f, 0x05};
  EXPECT_TRUE(IsPatchableSequence(getppid, SYS_getppid));
  // eax is not the number that trapped: something between set it.
  EXPECT_FALSE(IsPatchableSequence(getppid, SYS_getpid));
  // mov $nr, %eax then sysenter, or a different first instruction.
  EXPECT_FALSE(IsPatchableSequence({0xb8, SYS_getppid, 0, 0, 0, 0x0f, 0x34}, SYS_getppid));
  EXPECT_FALSE(IsPatchableSequence({0xb9, SYS_getppid, 0, 0, 0, 0x0f, 0x05}, SYS_getppid));
  // Too short, and a number too wide for a site table entry.
  EXPECT_FALSE(IsPatchableSequence({0x0f, 0x05}, SYS_getppid));
  EXPECT_FALSE(IsPatchableSequence({0xb8, 0, 0, 1, 0, 0x0f, 0x05}, 0x10000));
  const PatchBytes original = OriginalSequence(0x1234);
  EXPECT_TRUE(IsPatchableSequence(original, 0x1234));
}

TEST(SyscallPatchTest, PatchIsXorMovAlJmpThroughGs) {
  const PatchBytes expected = {0x31, 0xc0, 0xb0, 8 * 5, 0x65, 0xff, 0x20};
  EXPECT_EQ(PatchSequence(5), expected);
  // A restart's rip - 2 lands on the jmp's modrm-less tail, never on a
  // valid start of the original: Switch must recognise it.
  EXPECT_EQ(kPatchRewindOffset, 5u);
}

TEST(SyscallPatchTest, KnowsPrivateMappingsAndTheirProtection) {
  SyscallPatchSites sites;
  sites.Mapped(0x400000, 0x3000, PROT_READ | PROT_EXEC, MAP_PRIVATE);
  sites.Mapped(0x800000, 0x1000, PROT_READ | PROT_EXEC, MAP_SHARED);
  EXPECT_EQ(sites.PrivateProtection(0x401ff9, 7), PROT_READ | PROT_EXEC);
  EXPECT_FALSE(sites.PrivateProtection(0x800000, 7).has_value());  // shared
  EXPECT_FALSE(sites.PrivateProtection(0x402ffc, 7).has_value());  // runs past the end
  // mprotect of the middle page splits the region.
  sites.Protected(0x401000, 0x1000, PROT_READ);
  EXPECT_EQ(sites.PrivateProtection(0x400000, 7), PROT_READ | PROT_EXEC);
  EXPECT_EQ(sites.PrivateProtection(0x401000, 7), PROT_READ);
  EXPECT_EQ(sites.PrivateProtection(0x402000, 7), PROT_READ | PROT_EXEC);
  EXPECT_FALSE(sites.PrivateProtection(0x400ffc, 7).has_value());  // spans two protections
  // munmap in the middle, then a shared mapping over the first page.
  sites.Unmapped(0x401000, 0x1000);
  EXPECT_FALSE(sites.PrivateProtection(0x401000, 7).has_value());
  EXPECT_EQ(sites.PrivateProtection(0x402000, 7), PROT_READ | PROT_EXEC);
  sites.Mapped(0x400000, 0x1000, PROT_READ | PROT_EXEC, MAP_SHARED);
  EXPECT_FALSE(sites.PrivateProtection(0x400000, 7).has_value());
}

TEST(SyscallPatchTest, ASiteIsHotOnceAtItsSecondTrap) {
  SyscallPatchSites sites;
  EXPECT_FALSE(sites.NoteTrap(0x401007));
  EXPECT_FALSE(sites.NoteTrap(0x402007));
  EXPECT_TRUE(sites.NoteTrap(0x401007));
  EXPECT_FALSE(sites.NoteTrap(0x401007));  // Tried once: not again.
}

TEST(SyscallPatchTest, ClaimsUpToThirtyTwoSitesAndFindsRewinds) {
  SyscallPatchSites sites;
  EXPECT_EQ(sites.Claim(0x401000, SYS_getppid), 0);
  EXPECT_EQ(sites.Claim(0x402000, SYS_read), 1);
  // The same place again (new code mapped there): same index, new number.
  EXPECT_EQ(sites.Claim(0x401000, SYS_getpid), 0);
  EXPECT_EQ(sites.sites()[0].nr, static_cast<uint32_t>(SYS_getpid));
  EXPECT_EQ(SyscallPatchSites::TableEntry(sites.sites()[1]),
            (uint64_t{SYS_read} << 48) | (0x402000 + kPatchLength));
  EXPECT_EQ(sites.SiteRewoundTo(0x402000 + kPatchRewindOffset), 1);
  EXPECT_FALSE(sites.SiteRewoundTo(0x402000 + kPatchLength).has_value());
  for (int i = 2; i < kMaxPatchSites; ++i) {
    EXPECT_EQ(sites.Claim(0x500000 + 0x10 * i, SYS_write), i);
  }
  EXPECT_FALSE(sites.Claim(0x600000, SYS_write).has_value());

  // A fork child gets a copy: the same sites.
  SyscallPatchSites child = sites;
  EXPECT_EQ(child.SiteRewoundTo(0x401000 + kPatchRewindOffset), 0);
}

}  // namespace
}  // namespace runsc::platform::systrap
