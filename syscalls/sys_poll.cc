// poll(2) and ppoll(2): waiting for any of several files to become ready.
// (busybox's `read` builtin polls its input before every read.)
#include <poll.h>
#include <sys/syscall.h>

#include <vector>

#include "sentry/kernel/signals.h"
#include "syscalls/helpers.h"

namespace runsc::syscalls {
namespace {

using sentry::Kernel;
using sentry::Task;

// While a poll waits for host streams and sentry-internal files at once,
// nothing wakes the host poll when a sentry file changes: it looks again
// this often. (Only mixed sets pay this; pure sets block until woken.)
constexpr absl::Duration kMixedPollSlice = absl::Milliseconds(10);

struct PollSet {
  std::vector<pollfd> fds;                      // As the application passed them.
  std::vector<std::shared_ptr<fs::File>> files;  // Null for fd < 0 and bad fds.
  std::vector<pollfd> host;                     // Host streams among them, for the host's poll.
  bool any_sentry_file = false;
};

// Fills in every revents; returns how many are non-zero. Requires k.mu.
int EvaluateLocked(Task& t, PollSet& set) {
  int ready = 0;
  for (size_t i = 0; i < set.fds.size(); ++i) {
    pollfd& p = set.fds[i];
    p.revents = 0;
    if (p.fd < 0) continue;  // Ignored, as Linux does.
    if (set.files[i] == nullptr) {
      p.revents = POLLNVAL;
    } else {
      p.revents = set.files[i]->PollLocked(t, p.events | POLLERR | POLLHUP) &
                  (p.events | POLLERR | POLLHUP | POLLNVAL);
    }
    if (p.revents != 0) ++ready;
  }
  return ready;
}

// Blocks in the host's poll on the host streams of `set` and the task's
// wake fd (Kick()) until one is ready or `until`.
void WaitOnHost(Task& t, PollSet& set, absl::Time until) {
  std::vector<pollfd> fds = set.host;
  fds.push_back({t.wake_fd(), POLLIN, 0});
  const absl::Duration left = std::max(until - absl::Now(), absl::ZeroDuration());
  const int timeout_ms =
      until == absl::InfiniteFuture()
          ? -1
          : static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(left + absl::Microseconds(999)),
                                               INT32_MAX));
  if (::poll(fds.data(), fds.size(), timeout_ms) > 0 && (fds.back().revents & POLLIN)) {
    t.DrainWakeFd();
  }
}

// The shared body: waits until a file of `set` is ready (returns how many
// are), `deadline` passes (0) or a signal interrupts the wait (EINTR).
SyscallResult DoPoll(Task& t, PollSet& set, absl::Time deadline) {
  for (size_t i = 0; i < set.fds.size(); ++i) {
    const int fd = set.fds[i].fd;
    std::shared_ptr<fs::File> f = fd >= 0 ? Fds(t).Get(fd) : nullptr;
    if (f != nullptr) {
      if (int host_fd = f->PollHostFd(); host_fd >= 0) {
        set.host.push_back({host_fd, set.fds[i].events, 0});
      } else {
        set.any_sentry_file = true;
      }
    }
    set.files.push_back(std::move(f));
  }
  Kernel& k = t.kernel();
  for (;;) {
    {
      absl::MutexLock lock(&k.mu);
      if (int ready = EvaluateLocked(t, set); ready > 0) return SyscallResult::Value(ready);
      if (absl::Now() >= deadline) return SyscallResult::Value(0);
      // poll is never restarted after a handler (Linux's
      // ERESTART_RESTARTBLOCK), and a signal that runs no handler is
      // dropped before it gets here: EINTR is the answer.
      if (t.InterruptedLocked()) return SyscallResult::Error(EINTR);
      if (set.host.empty()) {
        // Pipes and signals both signal k.cv: no wake-up can be missed.
        k.cv.WaitWithDeadline(&k.mu, deadline);
        continue;
      }
    }
    WaitOnHost(t, set,
               set.any_sentry_file ? std::min(deadline, absl::Now() + kMixedPollSlice) : deadline);
  }
}

absl::StatusOr<PollSet> CopyInPollFds(Task& t, uint64_t addr, uint64_t nfds) {
  if (nfds > static_cast<uint64_t>(NofileLimit(t))) return ErrnoError(EINVAL, "nfds over RLIMIT_NOFILE");
  PollSet set;
  set.fds.resize(nfds);
  if (absl::Status s = t.mm->CopyIn(addr, absl::MakeSpan(reinterpret_cast<uint8_t*>(set.fds.data()),
                                                        nfds * sizeof(pollfd)));
      !s.ok()) {
    return s;
  }
  return set;
}

// Copies the revents back. Linux writes only that field of each entry.
absl::Status CopyOutRevents(Task& t, uint64_t addr, const PollSet& set) {
  for (size_t i = 0; i < set.fds.size(); ++i) {
    if (absl::Status s = t.mm->CopyOutObject(addr + i * sizeof(pollfd) + offsetof(pollfd, revents),
                                             set.fds[i].revents);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

SyscallResult Poll(Task& t, const SyscallArgs& a) {
  absl::StatusOr<PollSet> set = CopyInPollFds(t, a[0], a[1]);
  if (!set.ok()) return FromStatus(set.status());
  const int timeout_ms = static_cast<int>(a[2]);
  const absl::Time deadline =
      timeout_ms < 0 ? absl::InfiniteFuture() : absl::Now() + absl::Milliseconds(timeout_ms);
  SyscallResult r = DoPoll(t, *set, deadline);
  if (r.value >= 0) RUNSC_RETURN_IF_ERROR(CopyOutRevents(t, a[0], *set));
  return r;
}

// ppoll(fds, nfds, timeout, sigmask, sigsetsize): poll with a timespec and,
// like sigsuspend, a signal mask that holds only while it waits.
SyscallResult Ppoll(Task& t, const SyscallArgs& a) {
  absl::StatusOr<PollSet> set = CopyInPollFds(t, a[0], a[1]);
  if (!set.ok()) return FromStatus(set.status());
  absl::Time deadline = absl::InfiniteFuture();
  if (a[2] != 0) {
    struct timespec ts;
    RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[2], ts));
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) return SyscallResult::Error(EINVAL);
    deadline = absl::Now() + absl::DurationFromTimespec(ts);
  }
  sentry::SignalSet mask = 0;
  if (a[3] != 0) {
    if (a[4] != sizeof(sentry::SignalSet)) return SyscallResult::Error(EINVAL);
    RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[3], mask));
  }
  sentry::SignalSet old_mask = 0;
  if (a[3] != 0) {
    absl::MutexLock lock(&t.kernel().mu);
    old_mask = t.blocked;
    t.blocked = mask & ~sentry::kUnblockableSignals;
  }
  SyscallResult r = DoPoll(t, *set, deadline);
  if (a[3] != 0) {
    absl::MutexLock lock(&t.kernel().mu);
    if (r.value == -EINTR) {
      // The handler runs with the ppoll mask; its frame restores the old one.
      t.saved_mask_for_sigsuspend = old_mask;
      t.restore_mask_after_signal = true;
    } else {
      t.blocked = old_mask;
    }
  }
  if (r.value >= 0) RUNSC_RETURN_IF_ERROR(CopyOutRevents(t, a[0], *set));
  if (a[2] != 0 && deadline != absl::InfiniteFuture()) {
    // Linux reports the time left; a copy-out failure here is not an error.
    struct timespec left = absl::ToTimespec(std::max(deadline - absl::Now(), absl::ZeroDuration()));
    (void)t.mm->CopyOutObject(a[2], left);
  }
  return r;
}

}  // namespace

void RegisterPoll(SyscallTable& t) {
  t[SYS_poll] = {"poll", Poll, Support::kFull, "sets mixing host streams and sentry files re-checked every 10 ms"};
  t[SYS_ppoll] = {"ppoll", Ppoll, Support::kFull, "sets mixing host streams and sentry files re-checked every 10 ms"};
}

}  // namespace runsc::syscalls
