// Fresh systrap address spaces forked ahead of need from the clean stub,
// so that an execve finds one ready instead of waiting for the host's fork
// of a stub and for the stub's first thread to set itself up (together
// 200-700 µs of every fork+exec on our 2-core VM, issue 7).
//
// What a pooled stub is: a child of the clean stub made exactly as
// SystrapPlatform::NewAddressSpace made one on demand (PDEATHSIG set by the
// stub itself, its own control area mapped over the inherited one), plus
// its first application thread, cloned and parked in stub code with the
// application-thread filter installed. No application code has run in it
// and none ever ran in its ancestors (the clean stub runs none), so it
// carries no state of any process; a stub leaves the pool only once, to be
// adopted by one execve, and is never returned to it.
//
// Bounded (`capacity` stubs, each two host tasks and a few KiB of memory),
// refilled by one thread that sleeps while the pool is full, and dormant
// until the platform's second address space is asked for: a container that
// only runs its init (a /bin/true start-up, an idle `sleep`) never pays for
// it. A refill that fails (a pids limit reached) is not retried until the
// next Take(), so a full cgroup does not make the thread spin.
#ifndef RUNSC_PLATFORM_SYSTRAP_SYSTRAP_STUB_POOL_H_
#define RUNSC_PLATFORM_SYSTRAP_SYSTRAP_STUB_POOL_H_

#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "platform/systrap/systrap_address_space.h"

namespace runsc::platform::systrap {

class SystrapStubPool {
 public:
  // Makes one fresh address space with its first thread ready
  // (SystrapAddressSpace::PrepareFirstThread); called on the pool's thread.
  using ForkFresh = std::function<absl::StatusOr<std::unique_ptr<SystrapAddressSpace>>()>;

  SystrapStubPool(size_t capacity, ForkFresh fork_fresh);
  // Stops the refill thread (after the fork it may be making); the stubs
  // still pooled are killed by their destructors.
  ~SystrapStubPool();
  SystrapStubPool(const SystrapStubPool&) = delete;
  SystrapStubPool& operator=(const SystrapStubPool&) = delete;

  // A pooled address space, or null if none is ready (the caller makes one
  // itself). Either way the pool starts refilling, once it has been asked
  // more than once.
  std::unique_ptr<SystrapAddressSpace> Take();

  // For tests: the host pids of the stubs ready now.
  std::vector<pid_t> ReadyPids() ABSL_LOCKS_EXCLUDED(mu_);
  // For tests: blocks until the pool is full or a refill failed.
  void WaitUntilSettled() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void RefillLoop();
  bool ShouldRefill() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t capacity_;
  const ForkFresh fork_fresh_;
  absl::Mutex mu_;
  std::deque<std::unique_ptr<SystrapAddressSpace>> ready_ ABSL_GUARDED_BY(mu_);
  size_t takes_ ABSL_GUARDED_BY(mu_) = 0;
  bool refill_failed_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread refill_;  // Started by the second Take().
};

}  // namespace runsc::platform::systrap

#endif  // RUNSC_PLATFORM_SYSTRAP_SYSTRAP_STUB_POOL_H_
