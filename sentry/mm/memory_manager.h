// The application's view of its memory (DESIGN §3-4): one per address space.
//
// Wraps the platform's AddressSpace with what Linux tracks per mm: the brk
// heap, a list of mappings for /proc/self/maps, and copy-in/copy-out helpers
// that turn a bad application pointer into EFAULT.
#ifndef RUNSC_SENTRY_MM_MEMORY_MANAGER_H_
#define RUNSC_SENTRY_MM_MEMORY_MANAGER_H_

#include <atomic>
#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "platform/platform.h"

namespace runsc::sentry {

inline constexpr uint64_t kPageSize = 4096;
inline uint64_t PageRoundDown(uint64_t x) { return x & ~(kPageSize - 1); }
inline uint64_t PageRoundUp(uint64_t x) { return (x + kPageSize - 1) & ~(kPageSize - 1); }

// What a MAP_SHARED mapping maps, named the same in every address space
// that maps it: a host file by its (device, inode), or anonymous shared
// memory by a number of its own (device 0), which fork keeps. Shared
// futexes are keyed by it.
struct SharedObject {
  uint64_t dev = 0, ino = 0;
  auto operator<=>(const SharedObject&) const = default;
};

// One mapping, as /proc/self/maps shows it.
struct Mapping {
  uint64_t start = 0, end = 0;
  int prot = 0;
  bool shared = false;
  uint64_t offset = 0;
  std::string name;     // File path, "[heap]", "[stack]" or "".
  SharedObject object;  // What it maps, if shared.
  // The mapped file's device and inode (as stat(2) in the sandbox shows
  // them), for /proc/<pid>/maps; 0 for anonymous memory.
  uint64_t dev = 0, ino = 0;
};

// Where an address lies in a shared object.
struct SharedLocation {
  SharedObject object;
  uint64_t offset = 0;
};

class MemoryManager {
 public:
  explicit MemoryManager(std::unique_ptr<platform::AddressSpace> as) : as_(std::move(as)) {}

  platform::AddressSpace& address_space() { return *as_; }

  // mmap/munmap/mprotect applied to the stub and recorded.
  [[nodiscard]] absl::StatusOr<uint64_t> Map(uint64_t addr, uint64_t length, int prot, int flags,
                                             int host_fd, uint64_t offset, std::string name);
  [[nodiscard]] absl::Status Unmap(uint64_t addr, uint64_t length);
  [[nodiscard]] absl::Status Protect(uint64_t addr, uint64_t length, int prot);
  // mremap(2), carried out by the host kernel in the stub (which checks
  // every argument as Linux does: the errors are the host's), then
  // recorded: the moved range keeps what it maps (file, offset, sharing),
  // the old range goes unless MREMAP_DONTUNMAP kept it or old_size was 0.
  // Returns the new address.
  [[nodiscard]] absl::StatusOr<uint64_t> Remap(uint64_t old_addr, uint64_t old_size,
                                               uint64_t new_size, int flags, uint64_t new_addr);

  // Sets where brk starts (just past the loaded image) and answers brk(2):
  // returns the new break, or the old one when the request cannot be met.
  void SetBrkStart(uint64_t start);
  uint64_t Brk(uint64_t requested);
  // Where the heap starts and where the break is now.
  uint64_t brk_start() const;
  uint64_t brk() const;

  // RLIMIT_AS, as Linux's may_expand_vm: ENOMEM if mapping `length` more
  // bytes would map more than `limit` bytes in all. For a MAP_FIXED mapping
  // at `fixed_addr`, what it replaces does not count twice.
  [[nodiscard]] absl::Status CheckAddressSpaceLimit(std::optional<uint64_t> fixed_addr,
                                                    uint64_t length, uint64_t limit) const;

  // Copies; a bad pointer gives ErrnoError(EFAULT).
  [[nodiscard]] absl::Status CopyIn(uint64_t addr, absl::Span<uint8_t> dst);
  [[nodiscard]] absl::Status CopyOut(uint64_t addr, absl::Span<const uint8_t> src);
  // Copies that may stop short, as Linux's read(2) and write(2) do when the
  // application's buffer runs into unmapped memory part way: the number of
  // bytes copied from the start, ErrnoError(EFAULT) if not even one could be.
  [[nodiscard]] absl::StatusOr<size_t> CopyInPartial(uint64_t addr, absl::Span<uint8_t> dst);
  [[nodiscard]] absl::StatusOr<size_t> CopyOutPartial(uint64_t addr,
                                                      absl::Span<const uint8_t> src);
  // CopyOutPartial from the sentry's mapping of a file that may be
  // truncated under it (platform::AddressSpace::WriteFromFileMapping): a
  // page past the file's end stops the copy short, as a bad application
  // address does; the caller tells the two apart by the file's size.
  [[nodiscard]] absl::StatusOr<size_t> CopyOutFromFileMapping(uint64_t addr,
                                                              absl::Span<const uint8_t> src);
  // A NUL-terminated string of at most `max` bytes (ENAMETOOLONG beyond).
  [[nodiscard]] absl::StatusOr<std::string> CopyInString(uint64_t addr, size_t max);
  // A NULL-terminated array of string pointers (argv/envp).
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> CopyInStringArray(uint64_t addr,
                                                                         size_t max_total);

  template <typename T>
  absl::Status CopyInObject(uint64_t addr, T& obj) {
    return CopyIn(addr, absl::MakeSpan(reinterpret_cast<uint8_t*>(&obj), sizeof(T)));
  }
  template <typename T>
  absl::Status CopyOutObject(uint64_t addr, const T& obj) {
    return CopyOut(addr, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(&obj), sizeof(T)));
  }

  // A copy of this memory manager over a forked address space.
  [[nodiscard]] absl::StatusOr<std::unique_ptr<MemoryManager>> Fork();

  std::vector<Mapping> Mappings() const;

  // The shared object and offset behind `addr`, if it lies in a MAP_SHARED
  // mapping; nullopt for private memory and unmapped addresses.
  std::optional<SharedLocation> SharedLocationOf(uint64_t addr) const;

  // prctl(PR_GET/SET_DUMPABLE): a property of the address space, as in
  // Linux: 1 (SUID_DUMP_USER) for a new image, copied by fork.
  int dumpable() const { return dumpable_.load(); }
  void set_dumpable(int dumpable) { dumpable_.store(dumpable); }

  // Where the initial stack, argv and environment are (for /proc).
  uint64_t arg_start = 0, arg_end = 0, env_start = 0, env_end = 0;
  uint64_t stack_top = 0;

 private:
  void RecordMap(const Mapping& m) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RecordUnmap(uint64_t start, uint64_t end) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::unique_ptr<platform::AddressSpace> as_;
  mutable absl::Mutex mu_;
  std::map<uint64_t, Mapping> mappings_ ABSL_GUARDED_BY(mu_);  // Keyed by start.
  uint64_t brk_start_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t brk_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<int> dumpable_{1};
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_MM_MEMORY_MANAGER_H_
