// An application address space on the systrap platform: one stub process
// whose main thread is the syscall thread (memory operations, clones) and
// whose other threads run the application, one per slot of its control
// area. No ptrace anywhere.
#ifndef RUNSC_PLATFORM_SYSTRAP_SYSTRAP_ADDRESS_SPACE_H_
#define RUNSC_PLATFORM_SYSTRAP_SYSTRAP_ADDRESS_SPACE_H_

#include <bitset>
#include <map>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "platform/cpu_pairing.h"
#include "platform/platform.h"
#include "platform/systrap/cmp_site_set.h"
#include "platform/systrap/spin_policy.h"
#include "platform/systrap/syscall_patch.h"
#include "platform/systrap/systrap_control_area.h"

namespace runsc::platform::systrap {

// One application thread of the stub: its slot and what the sentry knows
// of it. Only the sentry thread that controls it touches it.
struct StubThread {
  int slot = 0;
  pid_t tid = 0;
  // Offset in the slot of the ucontext the thread will rt_sigreturn to,
  // as last checked by the sentry (never read back unchecked).
  uint64_t frame_offset = kInitialFrameOffset;
  bool gone = false;
  // Its last stop was a patched syscall's, with the patch frame and FP
  // state as the patch entry saved them: it may resume without
  // rt_sigreturn (stub_amd64.S .Lapp_run_fast).
  bool patched_stop = false;
  // That stop left the FP state in the thread's registers, not in the
  // patch frame (its fpstate is 0): SystrapContext::EnsureFpSaved.
  bool fp_in_registers = false;
  // Its CPU, shared with the sentry thread that controls it.
  CpuPairing::Pin pin;
  // Whether the two spin while they wait for each other.
  SpinPolicy spin;
};

// How long the two sides of a hand-off spin before they sleep.
struct HandoffSpin {
  uint64_t cycles = 0;  // The budget (TSC cycles); 0: never spin.
  // Spin only while SpinPolicy says so (and CpuPairing has the CPUs),
  // else on every wait.
  bool adaptive = true;
};

class SystrapAddressSpace : public AddressSpace {
 public:
  // Adopts stub process `pid`, whose syscall thread serves `area`. Each
  // attached thread is paired on one CPU with its sentry thread by
  // `pairing` (none if null).
  // `syscall_patching`: patch its hot syscall sites (syscall_patch.h).
  // `spin`: how the hand-offs with application threads spin (the area's
  // own budget is for its syscall thread).
  SystrapAddressSpace(pid_t pid, std::unique_ptr<ControlArea> area,
                      std::shared_ptr<CpuPairing> pairing = nullptr,
                      bool syscall_patching = false, HandoffSpin spin = {});
  // Kills the stub process; stub::StubReaper reaps it off the caller's path.
  ~SystrapAddressSpace() override;

  absl::Status Attach() override;
  absl::StatusOr<pid_t> NewThread() override;
  absl::Status AttachThread(pid_t thread) override;
  void ReleaseThread() override;
  absl::StatusOr<uint64_t> Map(uint64_t addr, uint64_t length, int prot, int flags, int host_fd,
                               uint64_t offset) override;
  absl::Status Unmap(uint64_t addr, uint64_t length) override;
  absl::Status Protect(uint64_t addr, uint64_t length, int prot) override;
  absl::StatusOr<uint64_t> MemorySyscall(int nr, absl::Span<const uint64_t> args) override;
  absl::StatusOr<size_t> Read(uint64_t addr, absl::Span<uint8_t> dst) override;
  absl::StatusOr<size_t> Write(uint64_t addr, absl::Span<const uint8_t> src) override;
  absl::StatusOr<size_t> WriteFromFileMapping(uint64_t addr,
                                              absl::Span<const uint8_t> src) override;
  absl::StatusOr<std::unique_ptr<AddressSpace>> Fork() override;
  pid_t HostPid() const override { return pid_; }

  // The thread the calling host thread controls here; null if none.
  StubThread* ThreadOfCaller();
  // The spin budget of the next hand-off with `thread`, both sides.
  uint64_t SpinCyclesFor(const StubThread& thread) const {
    return !spin_.adaptive || thread.spin.spinning() ? spin_.cycles : 0;
  }
  // After a round trip with `thread` (from its controlling sentry thread):
  // whether each side's wait ended within its spin; may start or stop the
  // pair's spinning (spin_policy.h).
  void AfterRoundTrip(StubThread& thread, bool sentry_spin_served, bool stub_spin_served);
  ControlArea& area() const { return *area_; }
  // Unique among all address spaces of the sentry's life, so a Context can
  // cache ThreadOfCaller() by it.
  uint64_t id() const { return id_; }

  // Everything the stub owns: its code and its control area.
  static uint64_t ProtectedEnd() { return kCtlBase + kCtlSize; }

  // Makes the first application thread now (NewThread), for Attach to
  // adopt later: a stub pool prepares its stubs this way off the critical
  // path. Call at most once, before Attach, from any thread.
  [[nodiscard]] absl::Status PrepareFirstThread();

  // Clones the stub process through its syscall thread into a new one
  // that serves `child_area`; returns the child's pid.
  [[nodiscard]] absl::StatusOr<pid_t> ForkInto(ControlArea& child_area);

  // Syscall patching (syscall_patch.h), all from the sentry thread that
  // controls the calling thread's stub thread, while it is stopped.
  bool syscall_patching() const { return syscall_patching_; }
  // After a SIGSYS from the syscall ending at `end`: patches the site if it
  // is hot and safe to patch.
  void MaybePatch(uint64_t end, uint64_t nr);
  // If `rip` is site + kPatchRewindOffset of a site patched in memory (a
  // restart rewound into it), that site's start.
  std::optional<uint64_t> PatchedSiteRewoundTo(uint64_t rip);
  // If a thread resumed at `rip` would run the `cmp` of a second-form site
  // this address space knows (syscall_patch.h), that cmp's immediate: the
  // caller runs it instead (FlagsAfterCmp) and resumes after it. Lock-free.
  std::optional<int32_t> CmpToRunAt(uint64_t rip) const {
    return syscall_patching_ ? cmp_sites_.Find(rip) : std::nullopt;
  }
  // Whether a SIGTRAP that stopped a thread at `rip` is the int3 guard of a
  // site being rewritten while other threads run (syscall_patch.h): the
  // thread is then to go back to rip - 1 and run what is there by now.
  bool IsPatchGuardTrap(uint64_t rip);
  // The host gs base for a thread in `slot` whose application gs base is
  // `app_gs`, and back.
  uint64_t HostGsBase(int slot, uint64_t app_gs);
  uint64_t AppGsBase(int slot, uint64_t host_gs) const;
  // Given the software-reserved bytes of an FP area the kernel built for a
  // signal, learns the xsave layout the patch entry must save with, once.
  void LearnXstateLayout(const uint8_t* sw_reserved);

 private:
  absl::StatusOr<uint64_t> Call(int nr, absl::Span<const uint64_t> args, const char* what);
  // Writes the frame a thread starts from: no signal has built one yet.
  void WriteInitialFrame(int slot);
  bool SingleThreaded();
  // Frees the slots of released threads that have exited.
  void ReclaimExitedSlotsLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes `bytes` (within one page) over `addr` in a private mapping with
  // `prot`, making its page writable meanwhile. With one thread, stopped.
  absl::Status RewriteText(uint64_t addr, absl::Span<const uint8_t> bytes, int prot);
  // The same while other threads may run the code: the int3 protocol of
  // syscall_patch.h. `old` are the bytes there now, which a thread that
  // is not a site's own can only see whole.
  absl::Status RewriteTextGuarded(uint64_t addr, absl::Span<const uint8_t> old,
                                  absl::Span<const uint8_t> bytes, int prot)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(patch_mu_);
  // Has every thread of the stub run a serialising instruction before it
  // runs more application code (membarrier SYNC_CORE).
  absl::Status SyncCores();
  // Registers the stub for SyncCores once; false if the host cannot.
  bool SyncCoresReadyLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(patch_mu_);
  // At a site's first trap: remembers it if it is `syscall; cmp`, before
  // the trapped thread resumes (syscall_patch.h says why then).
  void ClassifyLocked(uint64_t end) ABSL_EXCLUSIVE_LOCKS_REQUIRED(patch_mu_);
  void PatchMovSiteLocked(uint64_t end, uint64_t nr) ABSL_EXCLUSIVE_LOCKS_REQUIRED(patch_mu_);
  void PatchCmpSiteLocked(uint64_t end, int32_t imm) ABSL_EXCLUSIVE_LOCKS_REQUIRED(patch_mu_);
  // The application set a gs base of its own: restores every site and
  // patches no more.
  void StopPatchingLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(patch_mu_);
  // Makes site `index` of patch_ visible to the patched code (the request
  // page's table) and to PatchedSiteRewoundTo (the lock-free rewind list).
  void PublishSiteLocked(int index) ABSL_EXCLUSIVE_LOCKS_REQUIRED(patch_mu_);

  const pid_t pid_;
  const uint64_t id_;
  std::unique_ptr<ControlArea> area_;
  const std::shared_ptr<CpuPairing> pairing_;
  const HandoffSpin spin_;
  absl::Mutex mu_;
  std::bitset<kMaxThreads> slots_in_use_ ABSL_GUARDED_BY(mu_);
  // Slots of released threads, in use until their thread is seen gone.
  std::vector<int> exiting_slots_ ABSL_GUARDED_BY(mu_);
  // Threads made by NewThread and not attached yet, by tid.
  std::map<pid_t, std::unique_ptr<StubThread>> unattached_ ABSL_GUARDED_BY(mu_);
  // Attached threads by the host tid of the sentry thread that runs them.
  std::map<pid_t, std::unique_ptr<StubThread>> attached_ ABSL_GUARDED_BY(mu_);
  // The thread PrepareFirstThread made, until Attach takes it (0: none).
  pid_t prepared_first_thread_ ABSL_GUARDED_BY(mu_) = 0;
  const bool syscall_patching_;
  absl::Mutex patch_mu_;  // Taken before mu_ when both are.
  SyscallPatchSites patch_ ABSL_GUARDED_BY(patch_mu_);
  std::optional<std::array<uint8_t, SYSTRAP_XSTATE_SW_SIZE>> xstate_sw_ ABSL_GUARDED_BY(patch_mu_);
  // Lock-free views of the above for what every Switch asks: a trapped
  // syscall should not pay for patching's bookkeeping.
  std::atomic<bool> patching_stopped_{false};
  std::atomic<bool> xstate_known_{false};
  std::atomic<int> site_count_{0};
  std::array<std::atomic<uint64_t>, kMaxPatchSites> rewind_addresses_{};
  // Second-form sites by the address of their cmp; written under patch_mu_.
  CmpSiteSet cmp_sites_;
  // The start of the site whose int3 guard is in place, or 0.
  std::atomic<uint64_t> guard_in_flight_{0};
  enum class SyncCoreState { kUnknown, kReady, kUnsupported };
  SyncCoreState sync_cores_ ABSL_GUARDED_BY(patch_mu_) = SyncCoreState::kUnknown;
};

}  // namespace runsc::platform::systrap

#endif  // RUNSC_PLATFORM_SYSTRAP_SYSTRAP_ADDRESS_SPACE_H_
