// The futex wait queues (futex(2)): tasks sleeping on a 32-bit word of
// application memory until another task wakes that word.
//
// A futex is named by a FutexKey, as Linux's get_futex_key names it: a
// private futex (FUTEX_PRIVATE_FLAG, or a word in private memory) by the
// address space and the address; a shared one, a word in a MAP_SHARED
// mapping, by the memory object behind it and the offset into it, so that
// processes that map the same page (after fork, or the same file) meet on
// it whatever address each sees it at.
//
// Locking: the table runs under a mutex and condition variable it is given
// (the kernel's `mu` and `cv`, DESIGN §4), because a waiter must also wake
// when a signal arrives, and signals are sent under that mutex and announced
// on that condition variable.
#ifndef RUNSC_SENTRY_KERNEL_FUTEX_TABLE_H_
#define RUNSC_SENTRY_KERNEL_FUTEX_TABLE_H_

#include <compare>
#include <cstdint>
#include <list>
#include <map>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sentry/mm/memory_manager.h"

namespace runsc::sentry {

struct FutexKey {
  static FutexKey Private(const void* address_space, uint64_t address) {
    return {address_space, {}, address};
  }
  static FutexKey Shared(const SharedObject& object, uint64_t offset) {
    return {nullptr, object, offset};
  }

  const void* address_space = nullptr;  // A private futex's MemoryManager.
  SharedObject object;                  // A shared futex's memory object.
  uint64_t offset = 0;                  // The address, for a private futex.
  auto operator<=>(const FutexKey&) const = default;
};

// The key of the futex word at `address` of `mm`: shared if it is not
// `is_private` and lies in a MAP_SHARED mapping, private otherwise.
FutexKey FutexKeyOf(const MemoryManager& mm, uint64_t address, bool is_private);

// FUTEX_BITSET_MATCH_ANY: what FUTEX_WAIT and FUTEX_WAKE use.
inline constexpr uint32_t kFutexBitsetAny = 0xffffffff;

enum class FutexWaitResult {
  kWoken,        // A Wake() for the key with an intersecting bitset took it.
  kTimedOut,     // The deadline passed first.
  kInterrupted,  // interrupted() held first (a signal, or the task exits).
};

class FutexTable {
 public:
  // `mu` guards the table; `cv` is what Wait() sleeps on, signalled by
  // Wake() and by whoever makes interrupted() true.
  FutexTable(absl::Mutex& mu, absl::CondVar& cv) : mu_(mu), cv_(cv) {}
  FutexTable(const FutexTable&) = delete;
  FutexTable& operator=(const FutexTable&) = delete;

  // FUTEX_WAIT(_BITSET)'s body. Takes the mutex, then calls `check`, which
  // reads the futex word and returns OK if it still holds the expected
  // value, or the error the syscall fails with (EAGAIN, EFAULT): Wait then
  // returns that error without sleeping. Since the check and the queueing
  // are one step under the mutex, a Wake() made after the application
  // changed the word cannot be missed. Then sleeps until a Wake() for `key`
  // whose bitset intersects `bitset` (non-zero: the caller checks), until
  // `deadline`, or until `interrupted()` (called with the mutex held) is
  // true. The waiter is off the queue whatever the outcome. `asleep`, if
  // given, is a flag guarded by the same mutex that is true while the
  // waiter is queued (a Task's `sleeping`, so /proc shows 'S').
  [[nodiscard]] absl::StatusOr<FutexWaitResult> Wait(const FutexKey& key, uint32_t bitset,
                                                     absl::Time deadline,
                                                     absl::FunctionRef<absl::Status()> check,
                                                     absl::FunctionRef<bool()> interrupted,
                                                     bool* asleep = nullptr)
      ABSL_LOCKS_EXCLUDED(mu_);

  // FUTEX_WAKE(_BITSET): wakes waiters of `key` whose bitset intersects
  // `bitset`, oldest first, and returns how many. As Linux, it stops once
  // it has woken `max` of them, so a `max` of 0 or less still wakes one.
  int Wake(const FutexKey& key, uint32_t bitset, int max) ABSL_LOCKS_EXCLUDED(mu_);

  // FUTEX_REQUEUE and FUTEX_CMP_REQUEUE: under the mutex, calls `check`
  // (the CMP_ form's comparison of the word with val3: EAGAIN, EFAULT) and
  // fails with its error; else wakes up to `max_wake` waiters of `from`,
  // oldest first, and moves up to `max_requeue` of the rest onto `to`,
  // where they then wait as if they had waited there (a Wake() of `to`
  // takes them). Returns how many were woken plus how many moved, as
  // Linux's futex_requeue.
  [[nodiscard]] absl::StatusOr<int> Requeue(const FutexKey& from, const FutexKey& to,
                                            int max_wake, int max_requeue,
                                            absl::FunctionRef<absl::Status()> check)
      ABSL_LOCKS_EXCLUDED(mu_);

  // How many tasks wait on `key` (for tests and debugging).
  int WaitersOf(const FutexKey& key) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Waiter {
    FutexKey key;  // The queue it is on: a requeue moves it.
    uint32_t bitset = 0;
    bool woken = false;
  };

  void RemoveLocked(Waiter* waiter) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex& mu_;
  absl::CondVar& cv_;
  // Waiters live on their own threads' stacks while they are queued here.
  std::map<FutexKey, std::list<Waiter*>> queues_ ABSL_GUARDED_BY(mu_);
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_KERNEL_FUTEX_TABLE_H_
