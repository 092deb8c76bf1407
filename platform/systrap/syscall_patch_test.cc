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

TEST(SyscallPatchTest, ASiteIsSeenAtItsFirstTrapAndHotOnceAtItsSecond) {
  SyscallPatchSites sites;
  EXPECT_EQ(sites.NoteTrap(0x401007), 1);
  EXPECT_EQ(sites.NoteTrap(0x402007), 1);
  EXPECT_EQ(sites.NoteTrap(0x401007), kHotTraps);
  EXPECT_EQ(sites.NoteTrap(0x401007), 0);  // Tried once: not again.
  EXPECT_EQ(sites.NoteTrap(0x401007), 0);
}

TEST(SyscallPatchTest, MatchesOnlySyscallThenCmpOfRax) {
  // glibc's syscall(2): ...; syscall; cmp $-4095, %rax; jae.
  const std::vector<uint8_t> wrapper = {0x0f, 0x05, 0x48, 0x3d, 0x01, 0xf0, 0xff, 0xff};
  EXPECT_EQ(SyscallCmpImmediate(wrapper), -4095);
  EXPECT_EQ(SyscallCmpImmediate(OriginalCmpSequence(-4096)), -4096);
  // cmp $imm, %eax (no REX.W: 32 bits), cmp of another register (48 81 fa:
  // %rdx), sysenter, and too short.
  EXPECT_FALSE(SyscallCmpImmediate({0x0f, 0x05, 0x3d, 0x01, 0xf0, 0xff, 0xff, 0x73}).has_value());
  EXPECT_FALSE(SyscallCmpImmediate({0x0f, 0x05, 0x48, 0x81, 0xfa, 0x01, 0xf0, 0xff}).has_value());
  EXPECT_FALSE(SyscallCmpImmediate({0x0f, 0x34, 0x48, 0x3d, 0x01, 0xf0, 0xff, 0xff}).has_value());
  EXPECT_FALSE(SyscallCmpImmediate({0x0f, 0x05, 0x48, 0x3d, 0x01, 0xf0, 0xff}).has_value());
  // The patched bytes are not a site any more.
  EXPECT_FALSE(SyscallCmpImmediate(CmpPatchSequence(3)).has_value());
}

TEST(SyscallPatchTest, CmpPatchIsAJmpThroughGsAtTheSitesTableEntry) {
  const CmpSiteBytes expected = {0x65, 0xff, 0x24, 0x25, 8 * 31, 0, 0, 0};
  EXPECT_EQ(CmpPatchSequence(31), expected);
  // A restart's rip - 2 from the reported rip (after the syscall) is the
  // site's first byte: the jmp itself, no special case.
  EXPECT_EQ(kSyscallLength, 2u);
  EXPECT_EQ(kSyscallLength + kCmpLength, static_cast<uint64_t>(kCmpSiteLength));
}

// The flags the instruction itself sets, for the same rax and immediate:
// lahf puts SF ZF AF PF CF in ah, seto OF in al.
uint64_t NativeCmpFlags(uint64_t rax, int32_t imm) {
  const int64_t src = imm;
  uint64_t out;
  asm("cmp %[src], %[rax]\n\tlahf\n\tseto %%al"
      : "=&a"(out)
      : [rax] "r"(rax), [src] "r"(src)
      : "cc");
  return ((out >> 8) & 0xd5) | ((out & 1) << 11);
}

TEST(SyscallPatchTest, FlagsAfterCmpAreTheInstructionsFlags) {
  constexpr uint64_t kArithmetic = 0x8d5;
  const uint64_t results[] = {0, 1, 42, 0x7fffffffffffffff, 0x8000000000000000,
                              static_cast<uint64_t>(-1), static_cast<uint64_t>(-4095),
                              static_cast<uint64_t>(-4096), static_cast<uint64_t>(-4094),
                              static_cast<uint64_t>(-22), 0xfff, 0x1000, 0x10};
  for (int32_t imm : {-4095, -4096, 0, 1, -1, 0x7fffffff, INT32_MIN}) {
    for (uint64_t rax : results) {
      // Other flags (IF, DF, the reserved bit) are kept.
      const uint64_t flags = FlagsAfterCmp(0x602 | kArithmetic, rax, imm);
      EXPECT_EQ(flags & ~kArithmetic, 0x602u);
      EXPECT_EQ(flags & kArithmetic, NativeCmpFlags(rax, imm)) << rax << " " << imm;
      EXPECT_EQ(FlagsAfterCmp(0x202, rax, imm) & kArithmetic, NativeCmpFlags(rax, imm));
    }
  }
  // What glibc's jae after cmp $-4095 reads: CF clear means an error.
  EXPECT_EQ(FlagsAfterCmp(0x202, static_cast<uint64_t>(-22), -4095) & 1, 0u);
  EXPECT_EQ(FlagsAfterCmp(0x202, 4242, -4095) & 1, 1u);
}

TEST(SyscallPatchTest, CmpSitesHaveTheirOwnTableEntryAndNoRewindAddress) {
  SyscallPatchSites sites;
  EXPECT_EQ(sites.ClaimCmp(0x7f0000101827, -4095), 0);
  EXPECT_EQ(sites.Claim(0x401000, SYS_getppid), 1);
  EXPECT_EQ(sites.sites()[0].form, SyscallPatchSites::Form::kSyscallCmp);
  // The number is in rax; the return address is after the syscall.
  EXPECT_EQ(SyscallPatchSites::TableEntry(sites.sites()[0]),
            (uint64_t{kNrInRax} << 48) | 0x7f0000101829);
  EXPECT_FALSE(sites.SiteRewoundTo(0x7f0000101827 + kPatchRewindOffset).has_value());
  // The same place again as the other form (new code mapped there).
  EXPECT_EQ(sites.Claim(0x7f0000101827, SYS_getpid), 0);
  EXPECT_EQ(sites.sites()[0].form, SyscallPatchSites::Form::kMovSyscall);
  // kNrInRax is never a first-form number.
  EXPECT_FALSE(IsPatchableSequence({0xb8, 0xff, 0xff, 0, 0, 0x0f, 0x05}, kNrInRax));
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
