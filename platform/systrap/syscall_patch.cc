#include "platform/systrap/syscall_patch.h"

#include <sys/mman.h>

namespace runsc::platform::systrap {
namespace {

constexpr uint8_t kMovImm32ToEax = 0xb8;
// Traps counted at distinct addresses before counting stops: a program that
// traps from more places than this is not one a few patches would help.
constexpr size_t kMaxCountedTrapSites = 4096;

}  // namespace

PatchBytes OriginalSequence(uint32_t nr) {
  return {kMovImm32ToEax,
          static_cast<uint8_t>(nr),
          static_cast<uint8_t>(nr >> 8),
          static_cast<uint8_t>(nr >> 16),
          static_cast<uint8_t>(nr >> 24),
          0x0f,
          0x05};
}

PatchBytes PatchSequence(int index) {
  return {0x31, 0xc0,                              // xor %eax, %eax
          0xb0, static_cast<uint8_t>(8 * index),   // mov $(8 * index), %al
          0x65, 0xff, 0x20};                       // jmp *%gs:(%rax)
}

bool IsPatchableSequence(absl::Span<const uint8_t> bytes, uint64_t nr) {
  if (bytes.size() != kPatchLength || nr >= kNrInRax) return false;
  const PatchBytes original = OriginalSequence(static_cast<uint32_t>(nr));
  for (int i = 0; i < kPatchLength; ++i) {
    if (bytes[i] != original[i]) return false;
  }
  return true;
}

CmpSiteBytes OriginalCmpSequence(int32_t imm) {
  const auto u = static_cast<uint32_t>(imm);
  return {0x0f, 0x05,              // syscall
          0x48, 0x3d,              // cmp $imm32, %rax
          static_cast<uint8_t>(u), static_cast<uint8_t>(u >> 8), static_cast<uint8_t>(u >> 16),
          static_cast<uint8_t>(u >> 24)};
}

CmpSiteBytes CmpPatchSequence(int index) {
  // jmp *%gs:disp32, with no base and no index (modrm 0x24, sib 0x25).
  return {0x65, 0xff, 0x24, 0x25, static_cast<uint8_t>(8 * index), 0, 0, 0};
}

std::optional<int32_t> SyscallCmpImmediate(absl::Span<const uint8_t> bytes) {
  if (bytes.size() != kCmpSiteLength || bytes[0] != 0x0f || bytes[1] != 0x05 || bytes[2] != 0x48 ||
      bytes[3] != 0x3d) {
    return std::nullopt;
  }
  const uint32_t u = bytes[4] | (uint32_t{bytes[5]} << 8) | (uint32_t{bytes[6]} << 16) |
                     (uint32_t{bytes[7]} << 24);
  return static_cast<int32_t>(u);
}

uint64_t FlagsAfterCmp(uint64_t eflags, uint64_t rax, int32_t imm) {
  constexpr uint64_t kCf = 1 << 0, kPf = 1 << 2, kAf = 1 << 4, kZf = 1 << 6, kSf = 1 << 7,
                     kOf = 1 << 11;
  // The immediate is sign-extended to 64 bits, as the instruction does.
  const uint64_t src = static_cast<uint64_t>(static_cast<int64_t>(imm));
  const uint64_t result = rax - src;
  uint64_t flags = eflags & ~(kCf | kPf | kAf | kZf | kSf | kOf);
  if (rax < src) flags |= kCf;
  if (__builtin_parity(static_cast<unsigned>(result & 0xff)) == 0) flags |= kPf;
  if (((rax ^ src ^ result) >> 4) & 1) flags |= kAf;
  if (result == 0) flags |= kZf;
  if (result >> 63) flags |= kSf;
  if (((rax ^ src) & (rax ^ result)) >> 63) flags |= kOf;
  return flags;
}

void SyscallPatchSites::SplitAt(uint64_t at) {
  auto it = private_regions_.upper_bound(at);
  if (it == private_regions_.begin()) return;
  --it;
  if (it->first == at || it->second.end <= at) return;
  Region tail = it->second;
  it->second.end = at;
  private_regions_[at] = tail;
}

void SyscallPatchSites::Erase(uint64_t addr, uint64_t end) {
  SplitAt(addr);
  SplitAt(end);
  private_regions_.erase(private_regions_.lower_bound(addr), private_regions_.lower_bound(end));
}

void SyscallPatchSites::Mapped(uint64_t addr, uint64_t length, int prot, int flags) {
  const uint64_t end = addr + length;
  if (length == 0 || end < addr) return;
  Erase(addr, end);
  if ((flags & MAP_TYPE) == MAP_PRIVATE) private_regions_[addr] = Region{end, prot};
}

void SyscallPatchSites::Unmapped(uint64_t addr, uint64_t length) {
  const uint64_t end = addr + length;
  if (length == 0 || end < addr) return;
  Erase(addr, end);
}

void SyscallPatchSites::Protected(uint64_t addr, uint64_t length, int prot) {
  const uint64_t end = addr + length;
  if (length == 0 || end < addr) return;
  SplitAt(addr);
  SplitAt(end);
  for (auto it = private_regions_.lower_bound(addr); it != private_regions_.end() && it->first < end;
       ++it) {
    it->second.prot = prot;
  }
}

std::optional<int> SyscallPatchSites::PrivateProtection(uint64_t addr, uint64_t length) const {
  auto it = private_regions_.upper_bound(addr);
  if (it == private_regions_.begin()) return std::nullopt;
  --it;
  if (addr + length < addr || it->second.end < addr + length) return std::nullopt;
  return it->second.prot;
}

int SyscallPatchSites::NoteTrap(uint64_t end) {
  auto it = traps_.find(end);
  if (it == traps_.end()) {
    if (traps_.size() >= kMaxCountedTrapSites) return 0;
    it = traps_.emplace(end, 0).first;
  }
  // Once: a hot site that cannot be patched is not looked at again (and
  // its count stops there, so it cannot wrap round to kHotTraps).
  if (it->second >= kHotTraps) return 0;
  return ++it->second;
}

std::optional<int> SyscallPatchSites::ClaimSite(const Site& site) {
  for (size_t i = 0; i < sites_.size(); ++i) {
    if (sites_[i].start == site.start) {
      sites_[i] = site;
      return static_cast<int>(i);
    }
  }
  if (sites_.size() >= static_cast<size_t>(kMaxPatchSites)) return std::nullopt;
  sites_.push_back(site);
  return static_cast<int>(sites_.size() - 1);
}

std::optional<int> SyscallPatchSites::Claim(uint64_t start, uint32_t nr) {
  return ClaimSite(Site{start, nr, Form::kMovSyscall, 0});
}

std::optional<int> SyscallPatchSites::ClaimCmp(uint64_t start, int32_t imm) {
  return ClaimSite(Site{start, 0, Form::kSyscallCmp, imm});
}

uint64_t SyscallPatchSites::TableEntry(const Site& site) {
  if (site.form == Form::kSyscallCmp) {
    return (uint64_t{kNrInRax} << 48) | (site.start + kSyscallLength);
  }
  return (static_cast<uint64_t>(site.nr) << 48) | (site.start + kPatchLength);
}

std::optional<int> SyscallPatchSites::SiteRewoundTo(uint64_t rip) const {
  for (size_t i = 0; i < sites_.size(); ++i) {
    if (sites_[i].form == Form::kMovSyscall && sites_[i].start + kPatchRewindOffset == rip) {
      return static_cast<int>(i);
    }
  }
  return std::nullopt;
}

}  // namespace runsc::platform::systrap
