// One stub process's control area (platform/stub/systrap_layout.h) seen
// from the sentry: the memfd behind it, the sentry's own mapping of it, and
// the request/reply protocol with the stub's syscall thread, which carries
// out the memory operations and clones the sentry asks for without any
// ptrace stop.
#ifndef RUNSC_PLATFORM_SYSTRAP_SYSTRAP_CONTROL_AREA_H_
#define RUNSC_PLATFORM_SYSTRAP_SYSTRAP_CONTROL_AREA_H_

#include <sys/types.h>

#include <array>
#include <atomic>
#include <cstring>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "base/unique_fd.h"
#include "platform/stub/systrap_layout.h"

namespace runsc::platform::systrap {

class ControlArea {
 public:
  // A zeroed area whose request page holds the spin budget and the
  // application-thread filter, ready to be mapped by a stub.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<ControlArea>> Create(uint64_t spin_cycles);
  ~ControlArea();
  ControlArea(const ControlArea&) = delete;
  ControlArea& operator=(const ControlArea&) = delete;

  // The memfd (a sentry fd, which stubs share through CLONE_FILES).
  int fd() const { return fd_.get(); }
  uint64_t spin_cycles() const { return spin_cycles_; }

  // The stub process this area belongs to, once it exists.
  void set_pid(pid_t pid) { pid_ = pid; }

  // Sentry-side view of slot `slot` (its context page first).
  uint8_t* SlotBytes(int slot) const { return base_ + SlotOffset(slot); }
  ThreadContext& Context(int slot) const {
    return *reinterpret_cast<ThreadContext*>(SlotBytes(slot));
  }
  // The same slot's address in the stub.
  static uint64_t StubSlotAddress(int slot) { return kCtlBase + SlotOffset(slot); }

  // Has the syscall thread run syscall `nr` (kind SYSTRAP_KIND_*) and
  // returns its raw result (-errno on failure). One request at a time.
  [[nodiscard]] absl::StatusOr<int64_t> CallSyscallThread(uint64_t kind, int nr,
                                                          absl::Span<const uint64_t> args);

  // Entry `index` of the patched-site table (SYSTRAP_REQ_PATCH_SITES) in
  // the request page, which only the sentry writes.
  // The kernel's xsave frame description (SYSTRAP_REQ_XSTATE_SW), checked
  // by the caller.
  void SetXstateLayout(const std::array<uint8_t, SYSTRAP_XSTATE_SW_SIZE>& sw) const {
    std::memcpy(base_ + SYSTRAP_REQ_XSTATE_SW, sw.data(), sw.size());
  }
  void SetPatchSite(int index, uint64_t entry) const {
    std::atomic_ref<uint64_t>(
        reinterpret_cast<uint64_t*>(base_ + SYSTRAP_REQ_PATCH_SITES)[index])
        .store(entry, std::memory_order_release);
  }

 private:
  ControlArea(UniqueFd fd, uint8_t* base, uint64_t spin_cycles)
      : fd_(std::move(fd)), base_(base), spin_cycles_(spin_cycles) {}
  RequestPage& request() const { return *reinterpret_cast<RequestPage*>(base_); }
  ReplyPage& reply() const { return *reinterpret_cast<ReplyPage*>(base_ + kPageSize); }

  UniqueFd fd_;
  uint8_t* const base_;
  const uint64_t spin_cycles_;
  pid_t pid_ = 0;
  absl::Mutex mu_;
  uint32_t seq_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace runsc::platform::systrap

#endif  // RUNSC_PLATFORM_SYSTRAP_SYSTRAP_CONTROL_AREA_H_
