#include "platform/systrap/cmp_site_set.h"

namespace runsc::platform::systrap {
namespace {

constexpr uint64_t kSiteBefore = 2;  // the `syscall` before the cmp
constexpr uint64_t kSiteAfter = 6;   // the cmp itself

}  // namespace

size_t CmpSiteSet::Home(uint64_t address) {
  return static_cast<size_t>((address * 0x9e3779b97f4a7c15ull) >> 56) % kSlots;
}

std::optional<int32_t> CmpSiteSet::Find(uint64_t cmp_address) const {
  if (size_.load(std::memory_order_acquire) == 0) return std::nullopt;
  for (size_t i = 0, slot = Home(cmp_address); i < kSlots; ++i, slot = (slot + 1) % kSlots) {
    const uint64_t word = slots_[slot].load(std::memory_order_acquire);
    if (word == kEmpty) return std::nullopt;
    if ((word & kAddressMask) == cmp_address) {
      return static_cast<int32_t>(static_cast<int16_t>(word >> 48));
    }
  }
  return std::nullopt;
}

bool CmpSiteSet::Insert(uint64_t cmp_address, int32_t imm) {
  if (cmp_address <= kTombstone || cmp_address > kAddressMask || imm < INT16_MIN ||
      imm > INT16_MAX) {
    return false;
  }
  const uint64_t word = (static_cast<uint64_t>(static_cast<uint16_t>(imm)) << 48) | cmp_address;
  std::optional<size_t> free_slot;
  for (size_t i = 0, slot = Home(cmp_address); i < kSlots; ++i, slot = (slot + 1) % kSlots) {
    const uint64_t current = slots_[slot].load(std::memory_order_relaxed);
    if ((current & kAddressMask) == cmp_address && current != kTombstone) {
      slots_[slot].store(word, std::memory_order_release);
      return true;
    }
    if (current == kTombstone && !free_slot.has_value()) free_slot = slot;
    if (current == kEmpty) {
      if (!free_slot.has_value()) free_slot = slot;
      break;
    }
  }
  if (!free_slot.has_value() || size() >= kMaxEntries) return false;
  slots_[*free_slot].store(word, std::memory_order_release);
  size_.fetch_add(1, std::memory_order_release);
  return true;
}

void CmpSiteSet::EraseOverlapping(uint64_t begin, uint64_t end) {
  if (size() == 0 || end <= begin) return;
  for (std::atomic<uint64_t>& slot : slots_) {
    const uint64_t word = slot.load(std::memory_order_relaxed);
    if (word == kEmpty || word == kTombstone) continue;
    const uint64_t address = word & kAddressMask;
    if (address - kSiteBefore < end && address + kSiteAfter > begin) {
      slot.store(kTombstone, std::memory_order_release);
      size_.fetch_sub(1, std::memory_order_release);
    }
  }
}

void CmpSiteSet::CopyFrom(const CmpSiteSet& other) {
  for (size_t i = 0; i < kSlots; ++i) {
    slots_[i].store(other.slots_[i].load(std::memory_order_relaxed), std::memory_order_relaxed);
  }
  size_.store(other.size(), std::memory_order_release);
}

}  // namespace runsc::platform::systrap
