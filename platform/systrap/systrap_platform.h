// The systrap platform (DESIGN §3): application syscalls trap to a SIGSYS
// handler in the stub (seccomp SECCOMP_RET_TRAP), which hands them to the
// sentry over shared memory; memory operations and clones are requests to
// the stub's syscall thread. No ptrace stop anywhere.
//
// Trust analysis (the application is hostile and shares the stub's mm):
// - It can make host syscalls only from stub code (the IP filter traps all
//   others to the sentry). From stub code its threads' second filter lets
//   through only futex WAIT/WAKE, rt_sigreturn and exit, each acting on the
//   caller itself; anything else kills the stub process. It cannot change
//   the stub code (read-only, and mprotect/munmap/mmap over the stub area
//   are refused by the sentry and killed from stub code).
// - The syscall thread, which may make any syscall from stub code, runs no
//   application code and reads its requests from a page mapped read-only
//   in the stub, under a seqlock, so only whole requests the sentry wrote
//   and checked (no range over the stub area) ever run.
// - Everything else in the control area is writable by the application:
//   its registers (its own anyway), the state words (it can at most fake a
//   stop, a syscall of its own, or its own death: each is self-harm), the
//   frame pointer (checked to lie in the slot before the sentry follows it),
//   the syscall thread's results (an mmap result over the stub area is
//   refused; a fork child pid must be a real child of the sentry).
// - Known limit: with a forged rt_sigreturn frame from stub code a thread
//   can block host signals, and so ignore Interrupt() while it spins in its
//   own code. That only stalls the application itself; killing the sandbox
//   still works (the sentry SIGKILLs stub processes, and PDEATHSIG).
// - Syscall patching (syscall_patch.h) adds one entry to stub code, the
//   patch entry, which any application code may jump to, patched or not.
//   It makes only syscalls the thread filter already allows from stub code
//   (futex, rt_sigreturn: each on the caller only), so it
//   opens nothing: the host still serves no syscall the application chose.
//   The sentry writes patches itself (process_vm_writev, after an injected
//   mprotect of the one page) and only over the `mov; syscall` it just
//   trapped from, in a private executable mapping.
// - Stubs forked ahead (systrap_stub_pool.h) are made exactly as on
//   demand and have run no application code; each is adopted by one
//   execve and never pooled again, so none carries a previous process.
// - If the sentry dies, PR_SET_PDEATHSIG (set by each stub itself after it
//   is forked) kills the stub; its filter keeps it from reaching the host.
#ifndef RUNSC_PLATFORM_SYSTRAP_SYSTRAP_PLATFORM_H_
#define RUNSC_PLATFORM_SYSTRAP_SYSTRAP_PLATFORM_H_

#include <memory>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "platform/platform.h"
#include "platform/systrap/systrap_address_space.h"
#include "platform/systrap/systrap_stub_pool.h"

namespace runsc::platform::systrap {

struct SystrapOptions {
  // How long each side of a hand-off between an application thread and its
  // sentry thread spins for the other before it sleeps in FUTEX_WAIT.
  // bench/getppid_bench.cc sweeps it (BM_SystrapGetppidRoundTrip/<µs>, not
  // adaptive). Spinning pays only with a CPU for each side and a peer that
  // answers within the budget; with `adaptive_spin` (the default) the
  // budget is used only while that holds (spin_policy.h), else not at all.
  // Measured on the 2-core CI VM (README "Benchmarks"): ...
  uint64_t spin_ns = kDefaultSpinNs;
  // False: spin `spin_ns` at every wait, whatever the load (the sweep's
  // numbers, and what the budget used to mean).
  bool adaptive_spin = true;
  // Pairs application threads with their sentry threads on one CPU (none
  // if null).
  std::shared_ptr<CpuPairing> pairing;
  // Rewrite hot application syscall sites into jumps to the stub's patch
  // entry (syscall_patch.h), which hands the syscall over without SIGSYS.
  bool syscall_patching = true;

  // Longer than a cross-CPU wake-up of an idle CPU on a VM (tens of µs):
  // a shorter budget turns the one miss a preemption causes into a chain
  // of them, as each side in turn sleeps while the other wakes it
  // (runsc --debug's "spin policy" line: at 10 µs a getppid loop spun for
  // only 1 round trip in 6, stopped by 4 misses in a row every ~1600).
  static constexpr uint64_t kDefaultSpinNs = 50'000;
};

class SystrapPlatform : public Platform {
 public:
  // Maps the stub code, forks the clean stub.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<SystrapPlatform>> Create(
      SystrapOptions options = {});
  ~SystrapPlatform() override;

  // Forks the clean stub now, from the calling thread, for a later
  // Create() to adopt. A sentry that installs its own seccomp filter calls
  // this just before: stubs forked after it would inherit that filter, whose
  // KILL for syscalls the sentry itself never makes outranks the stub's
  // RET_TRAP, so an application syscall would kill the stub instead of
  // reaching the sentry. The calling thread must live as long as the
  // sentry: it is the parent whose death kills every stub (PDEATHSIG).
  [[nodiscard]] static absl::Status ForkCleanStubEarly();
  absl::string_view Name() const override { return "systrap"; }
  absl::StatusOr<std::unique_ptr<AddressSpace>> NewAddressSpace() override;
  std::unique_ptr<Context> NewContext() override;

  // The stubs forked ahead for execve (for tests).
  SystrapStubPool& stub_pool() { return *pool_; }

 private:
  SystrapPlatform() = default;
  // The thread that forks the clean stub and then just lives: stubs (all
  // CLONE_PARENT children of it) get PDEATHSIG when it exits.
  void ParentLoop();
  // A new stub forked from the clean one; with `first_thread`, its first
  // application thread is made too (for the pool).
  absl::StatusOr<std::unique_ptr<SystrapAddressSpace>> ForkFresh(bool first_thread);

  absl::Mutex mu_;
  bool ready_ ABSL_GUARDED_BY(mu_) = false;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<SystrapAddressSpace> clean_;  // Set before ready_.
  uint64_t spin_cycles_ = 0;                    // For the application's stubs.
  bool adaptive_spin_ = true;
  std::shared_ptr<CpuPairing> pairing_;
  bool syscall_patching_ = false;
  std::thread parent_;
  // Stubs forked ahead for execve (systrap_stub_pool.h). Destroyed first:
  // its thread forks from clean_.
  std::unique_ptr<SystrapStubPool> pool_;
};

}  // namespace runsc::platform::systrap

#endif  // RUNSC_PLATFORM_SYSTRAP_SYSTRAP_PLATFORM_H_
