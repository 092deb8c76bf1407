#include "sentry/mm/memory_manager.h"

#include <algorithm>

#include <errno.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <atomic>
#include <cstring>

#include "base/errno_status.h"

namespace runsc::sentry {

namespace {

// Numbers for anonymous shared memory, unique in the sentry.
std::atomic<uint64_t> next_anonymous_object{1};

}  // namespace

absl::StatusOr<uint64_t> MemoryManager::Map(uint64_t addr, uint64_t length, int prot, int flags,
                                            int host_fd, uint64_t offset, std::string name) {
  // MAP_SHARED_VALIDATE has the MAP_SHARED bit too.
  const bool shared = (flags & MAP_SHARED) != 0;
  SharedObject object;
  struct stat st {};
  if (host_fd >= 0) {
    if (::fstat(host_fd, &st) != 0) return HostError("fstat of a file to map");
    if (shared) object = {st.st_dev, st.st_ino};
  } else if (shared) {
    object = {0, next_anonymous_object.fetch_add(1)};
  }
  absl::StatusOr<uint64_t> at = as_->Map(addr, length, prot, flags, host_fd, offset);
  if (!at.ok()) return at;
  absl::MutexLock lock(&mu_);
  RecordMap(Mapping{*at, *at + PageRoundUp(length), prot, shared, offset, std::move(name), object,
                    st.st_dev, st.st_ino});
  return at;
}

absl::Status MemoryManager::Unmap(uint64_t addr, uint64_t length) {
  if (absl::Status s = as_->Unmap(addr, length); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  RecordUnmap(addr, addr + PageRoundUp(length));
  return absl::OkStatus();
}

absl::Status MemoryManager::Protect(uint64_t addr, uint64_t length, int prot) {
  if (absl::Status s = as_->Protect(addr, length, prot); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  const uint64_t end = addr + PageRoundUp(length);
  // Split the mappings at the edges, then set prot inside.
  std::vector<Mapping> inside;
  for (auto it = mappings_.begin(); it != mappings_.end(); ++it) {
    if (it->second.end > addr && it->second.start < end) inside.push_back(it->second);
  }
  for (Mapping m : inside) {
    RecordUnmap(m.start, m.end);
    Mapping before = m, middle = m, after = m;
    before.end = std::max(m.start, std::min(m.end, addr));
    middle.start = std::max(m.start, addr);
    middle.end = std::min(m.end, end);
    middle.offset = m.offset + (middle.start - m.start);
    middle.prot = prot;
    after.start = std::min(m.end, std::max(m.start, end));
    after.offset = m.offset + (after.start - m.start);
    for (const Mapping& part : {before, middle, after}) {
      if (part.end > part.start) mappings_[part.start] = part;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> MemoryManager::Remap(uint64_t old_addr, uint64_t old_size,
                                              uint64_t new_size, int flags, uint64_t new_addr) {
  const uint64_t args[] = {old_addr, old_size, new_size, static_cast<uint64_t>(flags), new_addr};
  // mu_ is held across the host call so that no other thread of the
  // process records a mapping between what the host did and our record.
  absl::MutexLock lock(&mu_);
  absl::StatusOr<uint64_t> at = as_->MemorySyscall(SYS_mremap, args);
  if (!at.ok()) return at;
  // The host accepted, so old_addr lies in one mapping (EFAULT otherwise).
  auto it = mappings_.upper_bound(old_addr);
  if (it == mappings_.begin() || std::prev(it)->second.end <= old_addr) {
    return at;  // Not one we recorded (the stub's own code): nothing to track.
  }
  Mapping moved = std::prev(it)->second;
  moved.offset += old_addr - moved.start;
  moved.start = *at;
  moved.end = *at + PageRoundUp(new_size);
  // old_size 0 (a shared mapping mapped again) and MREMAP_DONTUNMAP leave
  // the old range mapped; otherwise it is gone, even when the new range
  // starts at the same address (a shrink or an in-place grow).
  if (old_size != 0 && !(flags & MREMAP_DONTUNMAP)) {
    RecordUnmap(old_addr, old_addr + PageRoundUp(old_size));
  }
  RecordMap(moved);
  return at;
}

void MemoryManager::RecordMap(const Mapping& m) {
  RecordUnmap(m.start, m.end);  // MAP_FIXED replaces what was there.
  mappings_[m.start] = m;
}

void MemoryManager::RecordUnmap(uint64_t start, uint64_t end) {
  std::vector<Mapping> keep;
  for (auto it = mappings_.begin(); it != mappings_.end();) {
    Mapping& m = it->second;
    if (m.end <= start || m.start >= end) {
      ++it;
      continue;
    }
    if (m.start < start) {
      Mapping left = m;
      left.end = start;
      keep.push_back(left);
    }
    if (m.end > end) {
      Mapping right = m;
      right.offset += end - m.start;
      right.start = end;
      keep.push_back(right);
    }
    it = mappings_.erase(it);
  }
  for (const Mapping& m : keep) mappings_[m.start] = m;
}

void MemoryManager::SetBrkStart(uint64_t start) {
  absl::MutexLock lock(&mu_);
  brk_start_ = brk_ = start;
}

uint64_t MemoryManager::Brk(uint64_t requested) {
  absl::MutexLock lock(&mu_);
  constexpr uint64_t kMaxHeap = 1ull << 36;
  if (requested < brk_start_ || requested > brk_start_ + kMaxHeap) return brk_;
  const uint64_t old_top = PageRoundUp(brk_);
  const uint64_t new_top = PageRoundUp(requested);
  if (new_top > old_top) {
    // MAP_FIXED_NOREPLACE: the heap must not grow over another mapping.
    absl::StatusOr<uint64_t> r =
        as_->Map(old_top, new_top - old_top, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (!r.ok() || *r != old_top) return brk_;
    RecordMap(Mapping{brk_start_, new_top, PROT_READ | PROT_WRITE, false, 0, "[heap]"});
  } else if (new_top < old_top) {
    if (!as_->Unmap(new_top, old_top - new_top).ok()) return brk_;
    RecordUnmap(new_top, old_top);
    if (new_top > brk_start_) {
      RecordMap(Mapping{brk_start_, new_top, PROT_READ | PROT_WRITE, false, 0, "[heap]"});
    }
  }
  brk_ = requested;
  return brk_;
}

uint64_t MemoryManager::brk_start() const {
  absl::MutexLock lock(&mu_);
  return brk_start_;
}

uint64_t MemoryManager::brk() const {
  absl::MutexLock lock(&mu_);
  return brk_;
}

absl::Status MemoryManager::CheckAddressSpaceLimit(std::optional<uint64_t> fixed_addr,
                                                   uint64_t length, uint64_t limit) const {
  if (limit == RLIM_INFINITY) return absl::OkStatus();
  const uint64_t grow = PageRoundUp(length);
  uint64_t mapped = 0, replaced = 0;
  absl::MutexLock lock(&mu_);
  for (const auto& [start, m] : mappings_) {
    mapped += m.end - m.start;
    if (fixed_addr.has_value()) {
      const uint64_t lo = std::max(m.start, *fixed_addr), hi = std::min(m.end, *fixed_addr + grow);
      if (hi > lo) replaced += hi - lo;
    }
  }
  if (mapped - replaced + grow > limit) {
    return ErrnoError(ENOMEM, "mapping past RLIMIT_AS");
  }
  return absl::OkStatus();
}

absl::Status MemoryManager::CopyIn(uint64_t addr, absl::Span<uint8_t> dst) {
  if (dst.empty()) return absl::OkStatus();
  absl::StatusOr<size_t> n = as_->Read(addr, dst);
  if (!n.ok() || *n != dst.size()) return ErrnoError(EFAULT, "copy-in from a bad address");
  return absl::OkStatus();
}

absl::Status MemoryManager::CopyOut(uint64_t addr, absl::Span<const uint8_t> src) {
  if (src.empty()) return absl::OkStatus();
  absl::StatusOr<size_t> n = as_->Write(addr, src);
  if (!n.ok() || *n != src.size()) return ErrnoError(EFAULT, "copy-out to a bad address");
  return absl::OkStatus();
}

absl::StatusOr<size_t> MemoryManager::CopyInPartial(uint64_t addr, absl::Span<uint8_t> dst) {
  if (dst.empty()) return 0;
  absl::StatusOr<size_t> n = as_->Read(addr, dst);
  if (!n.ok() || *n == 0) return ErrnoError(EFAULT, "copy-in from a bad address");
  return n;
}

absl::StatusOr<size_t> MemoryManager::CopyOutPartial(uint64_t addr,
                                                     absl::Span<const uint8_t> src) {
  if (src.empty()) return 0;
  absl::StatusOr<size_t> n = as_->Write(addr, src);
  if (!n.ok() || *n == 0) return ErrnoError(EFAULT, "copy-out to a bad address");
  return n;
}

absl::StatusOr<size_t> MemoryManager::CopyOutFromFileMapping(uint64_t addr,
                                                             absl::Span<const uint8_t> src) {
  if (src.empty()) return 0;
  absl::StatusOr<size_t> n = as_->WriteFromFileMapping(addr, src);
  if (!n.ok() || *n == 0) return ErrnoError(EFAULT, "copy-out from a file mapping");
  return n;
}

absl::StatusOr<std::string> MemoryManager::CopyInString(uint64_t addr, size_t max) {
  std::string out;
  uint8_t chunk[256];
  while (out.size() < max) {
    // Read up to the end of the page so a string ending before an unmapped
    // page is still read in full.
    size_t want = std::min<size_t>(sizeof(chunk), kPageSize - ((addr + out.size()) % kPageSize));
    absl::StatusOr<size_t> n = as_->Read(addr + out.size(), absl::MakeSpan(chunk, want));
    if (!n.ok() || *n == 0) return ErrnoError(EFAULT, "string at a bad address");
    const void* nul = std::memchr(chunk, 0, *n);
    if (nul != nullptr) {
      out.append(reinterpret_cast<char*>(chunk), static_cast<const uint8_t*>(nul) - chunk);
      return out;
    }
    out.append(reinterpret_cast<char*>(chunk), *n);
  }
  return ErrnoError(ENAMETOOLONG, "string too long");
}

absl::StatusOr<std::vector<std::string>> MemoryManager::CopyInStringArray(uint64_t addr,
                                                                        size_t max_total) {
  std::vector<std::string> out;
  size_t total = 0;
  if (addr == 0) return out;
  for (;;) {
    uint64_t ptr = 0;
    if (absl::Status s = CopyInObject(addr + out.size() * 8, ptr); !s.ok()) return s;
    if (ptr == 0) return out;
    // Linux's MAX_ARG_STRLEN: one string, NUL included, fits in 32 pages.
    constexpr size_t kMaxArgStrlen = 32 * 4096;
    absl::StatusOr<std::string> s = CopyInString(ptr, std::min(max_total - total, kMaxArgStrlen - 1));
    if (!s.ok()) {
      if (ErrnoOf(s.status()) == ENAMETOOLONG) return ErrnoError(E2BIG, "argument list too long");
      return s.status();
    }
    total += s->size() + 1;
    out.push_back(std::move(*s));
    if (total >= max_total) return ErrnoError(E2BIG, "argument list too long");
  }
}

absl::StatusOr<std::unique_ptr<MemoryManager>> MemoryManager::Fork() {
  absl::StatusOr<std::unique_ptr<platform::AddressSpace>> as = as_->Fork();
  if (!as.ok()) return as.status();
  auto child = std::make_unique<MemoryManager>(std::move(*as));
  absl::MutexLock lock(&mu_);
  child->mappings_ = mappings_;
  child->brk_start_ = brk_start_;
  child->brk_ = brk_;
  child->arg_start = arg_start;
  child->arg_end = arg_end;
  child->env_start = env_start;
  child->env_end = env_end;
  child->stack_top = stack_top;
  child->set_dumpable(dumpable());
  return child;
}

std::optional<SharedLocation> MemoryManager::SharedLocationOf(uint64_t addr) const {
  absl::MutexLock lock(&mu_);
  auto it = mappings_.upper_bound(addr);
  if (it == mappings_.begin()) return std::nullopt;
  const Mapping& m = std::prev(it)->second;
  if (addr >= m.end || !m.shared) return std::nullopt;
  return SharedLocation{m.object, m.offset + (addr - m.start)};
}

std::vector<Mapping> MemoryManager::Mappings() const {
  absl::MutexLock lock(&mu_);
  std::vector<Mapping> out;
  for (const auto& [start, m] : mappings_) out.push_back(m);
  return out;
}

}  // namespace runsc::sentry
