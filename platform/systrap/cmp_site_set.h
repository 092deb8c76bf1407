// The second-form syscall sites of one address space (syscall_patch.h:
// `syscall; cmp $imm, %rax`) that have trapped at least once, by the
// address of their `cmp`, with its immediate. Every Switch of the address
// space asks whether it resumes a thread at one of them, to run that cmp
// in the sentry (FlagsAfterCmp): so the lookup is lock-free and costs a
// hash and one or two loads, while the (rare) changes come from one writer
// at a time, under the caller's lock.
//
// Open addressing, linear probing, 256 slots of which at most 192 are used
// (a program with more distinct syscall sites than that gets no more of
// them patched; they trap as before). A slot's word is
// (imm & 0xffff) << 48 | address: user addresses fit 47 bits, and the
// immediates glibc uses (-4096, -4095) fit 16 (others are refused). An
// erased slot keeps a tombstone so that probes go on past it, and is reused
// by the next insert that probes it; a table never rehashed (readers hold
// no lock) may so fill with tombstones in a program that maps and unmaps
// its libraries over and over, and a miss then reads all 256 slots
// (~0.1 µs): slower, never wrong.
#ifndef RUNSC_PLATFORM_SYSTRAP_CMP_SITE_SET_H_
#define RUNSC_PLATFORM_SYSTRAP_CMP_SITE_SET_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace runsc::platform::systrap {

class CmpSiteSet {
 public:
  static constexpr size_t kSlots = 256;
  static constexpr size_t kMaxEntries = 192;

  CmpSiteSet() = default;
  CmpSiteSet(const CmpSiteSet&) = delete;
  CmpSiteSet& operator=(const CmpSiteSet&) = delete;

  // The cmp's immediate if `cmp_address` is in the set. Any thread.
  std::optional<int32_t> Find(uint64_t cmp_address) const;

  // The rest from one writer at a time.
  // Adds (or updates) an entry; false if the set is full, the address is
  // not a user address or the immediate does not fit 16 bits.
  bool Insert(uint64_t cmp_address, int32_t imm);
  // Removes every entry whose site, [address - 2, address + 6), overlaps
  // [begin, end): the code there was unmapped or replaced.
  void EraseOverlapping(uint64_t begin, uint64_t end);
  // Makes this set a copy of `other` (a fork child's, before it runs).
  void CopyFrom(const CmpSiteSet& other);
  size_t size() const { return size_.load(std::memory_order_relaxed); }

 private:
  static constexpr uint64_t kEmpty = 0;
  static constexpr uint64_t kTombstone = 1;  // never a site's address
  static constexpr uint64_t kAddressMask = (uint64_t{1} << 48) - 1;
  static size_t Home(uint64_t address);

  std::array<std::atomic<uint64_t>, kSlots> slots_{};
  std::atomic<size_t> size_{0};  // live entries
};

}  // namespace runsc::platform::systrap

#endif  // RUNSC_PLATFORM_SYSTRAP_CMP_SITE_SET_H_
