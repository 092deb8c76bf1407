// futex(2): FUTEX_WAIT, FUTEX_WAKE and their _BITSET forms, on the kernel's
// FutexTable. What glibc needs for its locks, condition variables, once
// and thread exit; the requeue, wake-op and priority-inheritance
// operations answer ENOSYS.
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>

#include <array>
#include <atomic>

#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "sentry/kernel/futex_table.h"
#include "syscalls/helpers.h"

namespace runsc::syscalls {
namespace {

using sentry::FutexKey;
using sentry::FutexWaitResult;
using sentry::Task;

constexpr int kCmdMask = ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);

const char* OpName(int cmd) {
  switch (cmd) {
    case FUTEX_FD: return "FUTEX_FD";
    case FUTEX_REQUEUE: return "FUTEX_REQUEUE";
    case FUTEX_CMP_REQUEUE: return "FUTEX_CMP_REQUEUE";
    case FUTEX_WAKE_OP: return "FUTEX_WAKE_OP";
    case FUTEX_LOCK_PI: return "FUTEX_LOCK_PI";
    case FUTEX_UNLOCK_PI: return "FUTEX_UNLOCK_PI";
    case FUTEX_TRYLOCK_PI: return "FUTEX_TRYLOCK_PI";
    case FUTEX_WAIT_REQUEUE_PI: return "FUTEX_WAIT_REQUEUE_PI";
    case FUTEX_CMP_REQUEUE_PI: return "FUTEX_CMP_REQUEUE_PI";
    case 13: return "FUTEX_LOCK_PI2";
    default: return nullptr;
  }
}

// The operations the kernel takes a timeout for (futex_cmd_has_timeout).
bool HasTimeout(int cmd) {
  return cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_LOCK_PI ||
         cmd == 13 /*FUTEX_LOCK_PI2*/ || cmd == FUTEX_WAIT_REQUEUE_PI;
}

// An operation this sentry does not implement: ENOSYS, logged once per
// operation per sandbox (an application may retry it in a loop).
SyscallResult Unsupported(int cmd) {
  static std::array<std::atomic<bool>, 32> reported{};
  const char* name = OpName(cmd);
  if (cmd >= 0 && cmd < static_cast<int>(reported.size())) {
    if (reported[cmd].exchange(true)) return SyscallResult::Error(ENOSYS);
  }
  LogWarning("futex operation ", name != nullptr ? name : absl::StrCat(cmd),
             " is not supported: returning ENOSYS");
  return SyscallResult::Error(ENOSYS);
}

// Linux's get_futex_key: the word must be aligned and in the user half
// (EINVAL, EFAULT). A private futex is named by its address alone; a
// shared one needs its page, so an unmapped one is EFAULT even for a wake.
absl::StatusOr<FutexKey> KeyOf(Task& t, uint64_t addr, bool is_private) {
  if (addr % sizeof(uint32_t) != 0) return ErrnoError(EINVAL, "misaligned futex");
  if (!AccessOk(addr, sizeof(uint32_t))) return ErrnoError(EFAULT, "futex outside user memory");
  if (!is_private) {
    uint32_t unused;
    if (absl::Status s = t.mm->CopyInObject(addr, unused); !s.ok()) return s;
  }
  return sentry::FutexKeyOf(*t.mm, addr, is_private);
}

// The wait itself, also what restart_syscall(2) runs to finish one that a
// signal without a handler interrupted. `deadline` is absolute.
int64_t DoWait(Task& t, uint64_t addr, bool is_private, uint32_t val, uint32_t bitset,
               absl::Time deadline, bool has_timeout) {
  if (bitset == 0) return -EINVAL;
  absl::StatusOr<FutexKey> key = KeyOf(t, addr, is_private);
  if (!key.ok()) return FromStatus(key.status()).value;
  absl::StatusOr<FutexWaitResult> r = t.kernel().futexes().Wait(
      *key, bitset, deadline,
      [&]() -> absl::Status {
        uint32_t current;
        if (absl::Status s = t.mm->CopyInObject(addr, current); !s.ok()) return s;
        if (current != val) return ErrnoError(EAGAIN, "futex word changed");
        return absl::OkStatus();
      },
      [&] { return t.InterruptedLocked(); }, &t.sleeping);
  if (!r.ok()) return FromStatus(r.status()).value;
  switch (*r) {
    case FutexWaitResult::kWoken:
      return 0;
    case FutexWaitResult::kTimedOut:
      return -ETIMEDOUT;
    case FutexWaitResult::kInterrupted:
      break;
  }
  // As Linux's futex_wait: without a timeout the call restarts if the
  // handler has SA_RESTART (or none runs); with one, a handler always
  // means EINTR, and a signal without a handler resumes the wait until the
  // same deadline through restart_syscall(2).
  if (!has_timeout) return sentry::kErrRestartSys;
  t.restart_block = [=](Task& task) {
    return DoWait(task, addr, is_private, val, bitset, deadline, true);
  };
  return sentry::kErrRestartRestartBlock;
}

SyscallResult DoWake(Task& t, uint64_t addr, bool is_private, int max, uint32_t bitset) {
  if (bitset == 0) return SyscallResult::Error(EINVAL);
  absl::StatusOr<FutexKey> key = KeyOf(t, addr, is_private);
  if (!key.ok()) return FromStatus(key.status());
  return SyscallResult::Value(t.kernel().futexes().Wake(*key, bitset, max));
}

// FUTEX_REQUEUE and FUTEX_CMP_REQUEUE (`cmp`: only if the word at `addr`
// still holds `expected`, else EAGAIN). The timeout argument is the
// number to move, as Linux reads it (val2).
SyscallResult DoRequeue(Task& t, uint64_t addr, uint64_t addr2, bool is_private, int max_wake,
                        int max_requeue, bool cmp, uint32_t expected) {
  if (max_wake < 0 || max_requeue < 0) return SyscallResult::Error(EINVAL);
  absl::StatusOr<FutexKey> from = KeyOf(t, addr, is_private);
  if (!from.ok()) return FromStatus(from.status());
  absl::StatusOr<FutexKey> to = KeyOf(t, addr2, is_private);
  if (!to.ok()) return FromStatus(to.status());
  absl::StatusOr<int> n = t.kernel().futexes().Requeue(
      *from, *to, max_wake, max_requeue, [&]() -> absl::Status {
        if (!cmp) return absl::OkStatus();
        uint32_t current;
        if (absl::Status s = t.mm->CopyInObject(addr, current); !s.ok()) return s;
        if (current != expected) return ErrnoError(EAGAIN, "futex word is not val3");
        return absl::OkStatus();
      });
  return n.ok() ? SyscallResult::Value(*n) : FromStatus(n.status());
}

// The timeout as an absolute deadline: FUTEX_WAIT's is relative, every
// other operation's absolute, on CLOCK_MONOTONIC unless FUTEX_CLOCK_REALTIME.
absl::StatusOr<absl::Time> DeadlineOf(Task& t, uint64_t addr, int cmd, bool realtime) {
  struct timespec ts;
  if (absl::Status s = t.mm->CopyInObject(addr, ts); !s.ok()) return s;
  if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) {
    return ErrnoError(EINVAL, "bad futex timeout");
  }
  const absl::Duration d = absl::DurationFromTimespec(ts);
  if (cmd == FUTEX_WAIT) return absl::Now() + d;
  if (realtime) return absl::TimeFromTimespec(ts);
  struct timespec now;
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return absl::Now() + (d - absl::DurationFromTimespec(now));
}

// futex(uaddr, op, val, timeout, uaddr2, val3)
SyscallResult Futex(Task& t, const SyscallArgs& a) {
  const uint64_t addr = a[0];
  const int op = static_cast<int>(a[1]);
  const uint32_t val = static_cast<uint32_t>(a[2]);
  const uint32_t val3 = static_cast<uint32_t>(a[5]);
  const int cmd = op & kCmdMask;
  const bool is_private = op & FUTEX_PRIVATE_FLAG;
  const bool realtime = op & FUTEX_CLOCK_REALTIME;
  // In the kernel's order: the timeout is read and checked first (EFAULT,
  // EINVAL), then FUTEX_CLOCK_REALTIME is refused where it has no meaning.
  absl::Time deadline = absl::InfiniteFuture();
  const bool has_timeout = a[3] != 0 && HasTimeout(cmd);
  if (has_timeout) {
    absl::StatusOr<absl::Time> d = DeadlineOf(t, a[3], cmd, realtime);
    if (!d.ok()) return FromStatus(d.status());
    deadline = *d;
  }
  if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT_REQUEUE_PI &&
      cmd != 13 /*FUTEX_LOCK_PI2*/) {
    return SyscallResult::Error(ENOSYS);
  }
  switch (cmd) {
    case FUTEX_WAIT:
      return SyscallResult::Value(
          DoWait(t, addr, is_private, val, sentry::kFutexBitsetAny, deadline, has_timeout));
    case FUTEX_WAIT_BITSET:
      return SyscallResult::Value(DoWait(t, addr, is_private, val, val3, deadline, has_timeout));
    case FUTEX_WAKE:
      return DoWake(t, addr, is_private, static_cast<int>(val), sentry::kFutexBitsetAny);
    case FUTEX_WAKE_BITSET:
      return DoWake(t, addr, is_private, static_cast<int>(val), val3);
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE:
      return DoRequeue(t, addr, a[4], is_private, static_cast<int>(val), static_cast<int>(a[3]),
                       cmd == FUTEX_CMP_REQUEUE, val3);
    default:
      return Unsupported(cmd);
  }
}

}  // namespace

void RegisterFutex(SyscallTable& t) {
  t[SYS_futex] = {"futex", Futex, Support::kPartial,
                  "WAIT, WAKE and their BITSET forms, private and shared (MAP_SHARED memory "
                  "keyed by object and offset), REQUEUE and CMP_REQUEUE; WAKE_OP and the PI "
                  "operations give ENOSYS"};
}

}  // namespace runsc::syscalls
