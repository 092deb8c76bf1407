// How the sentry and a systrap stub hand control to each other over a
// shared futex word: the side that waits spins for a budget (a reply often
// comes within microseconds, and a futex wake-up across CPUs costs ~20 µs on
// the VMs we run on), then announces that it sleeps and sleeps in FUTEX_WAIT,
// so an idle sandbox uses no CPU. The side that posts wakes the other only
// when it announced sleeping: no wake syscall on the fast path.
//
// Both sides write their flag and then re-read the word with full barriers
// (xchg in the stub, seq_cst here), so a post between a sleeper's check and
// its FUTEX_WAIT is never lost: either the poster sees the flag and wakes,
// or FUTEX_WAIT sees the new value and returns at once.
#ifndef RUNSC_PLATFORM_SYSTRAP_SYSTRAP_WAIT_H_
#define RUNSC_PLATFORM_SYSTRAP_SYSTRAP_WAIT_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"

namespace runsc::platform::systrap {

inline uint64_t ReadTsc() { return __builtin_ia32_rdtsc(); }

// TSC cycles in `ns` nanoseconds, measured once per process.
uint64_t TscCyclesFor(uint64_t ns);

// Stores `value` into `word` and wakes its sleeper, if it said it sleeps.
// True if it did: the peer's spin had run out.
bool Post(std::atomic<uint32_t>& word, uint32_t value, std::atomic<uint32_t>& peer_sleeping);

// Waits until `done(word)` is true: spins for `spin_cycles` TSC cycles, then
// sleeps on the futex, raising `sleeping` meanwhile. Every 100 ms of sleep
// it checks that stub process `pid` still lives: the kernel does not clear
// a dead process's last futex word for us. Unavailable if it died.
// `served_by_spin`, if given, tells whether the wait ended while spinning.
[[nodiscard]] absl::Status WaitUntil(std::atomic<uint32_t>& word, std::atomic<uint32_t>& sleeping,
                                     uint64_t spin_cycles, pid_t pid,
                                     absl::FunctionRef<bool(uint32_t)> done,
                                     bool* served_by_spin = nullptr);

// Whether stub process `pid` (a child of the sentry) has not exited yet.
// Does not reap it.
bool StubAlive(pid_t pid);

}  // namespace runsc::platform::systrap

#endif  // RUNSC_PLATFORM_SYSTRAP_SYSTRAP_WAIT_H_
