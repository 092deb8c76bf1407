#include "syscalls/readiness.h"

#include <algorithm>

#include "base/errno_status.h"
#include "fs/epoll_file.h"
#include "sentry/kernel/kernel.h"

namespace runsc::syscalls {
namespace {

// While a wait is for host streams and sentry-internal files at once,
// nothing wakes the host poll when a sentry file changes: it looks again
// this often. (Only mixed sets pay this; pure sets block until woken.)
constexpr absl::Duration kMixedPollSlice = absl::Milliseconds(10);

// Blocks in the host's poll on `host` and the task's wake fd (Kick())
// until one is ready or `until`.
void WaitOnHost(sentry::Task& t, const std::vector<pollfd>& host, absl::Time until) {
  std::vector<pollfd> fds = host;
  fds.push_back({t.wake_fd(), POLLIN, 0});
  const absl::Duration left = std::max(until - absl::Now(), absl::ZeroDuration());
  const int timeout_ms =
      until == absl::InfiniteFuture()
          ? -1
          : static_cast<int>(std::min<int64_t>(
                absl::ToInt64Milliseconds(left + absl::Microseconds(999)), INT32_MAX));
  if (::poll(fds.data(), fds.size(), timeout_ms) > 0 && (fds.back().revents & POLLIN)) {
    t.DrainWakeFd();
  }
}

}  // namespace

void AddToWaitSet(const std::shared_ptr<fs::File>& file, short events, HostWaitSet& set) {
  if (int host_fd = file->PollHostFd(); host_fd >= 0) {
    set.fds.push_back({host_fd, events, 0});
  } else if (auto* ep = dynamic_cast<fs::EpollFile*>(file.get()); ep != nullptr) {
    fs::EpollFile::WaitSet inner = ep->Pin();
    set.fds.insert(set.fds.end(), inner.host_fds.begin(), inner.host_fds.end());
    set.any_sentry_file |= inner.any_sentry_file;
    for (std::shared_ptr<fs::File>& f : inner.files) set.pinned.push_back(std::move(f));
  } else {
    set.any_sentry_file = true;
  }
}

SyscallResult WaitUntilReady(sentry::Task& t, const HostWaitSet& host, absl::Time deadline,
                             absl::FunctionRef<int()> evaluate_locked, int64_t interrupted) {
  sentry::Kernel& k = t.kernel();
  for (;;) {
    {
      absl::MutexLock lock(&k.mu);
      if (int ready = evaluate_locked(); ready != 0) return SyscallResult::Value(ready);
      if (absl::Now() >= deadline) return SyscallResult::Value(0);
      // A signal that runs no handler is dropped before it gets here.
      if (t.InterruptedLocked()) return SyscallResult::Value(interrupted);
      if (host.fds.empty()) {
        // Sentry files and signals both signal k.cv: no wake-up is missed.
        sentry::Task::SleepingScope sleeping(t);
        k.cv.WaitWithDeadline(&k.mu, deadline);
        continue;
      }
    }
    WaitOnHost(t, host.fds,
               host.any_sentry_file ? std::min(deadline, absl::Now() + kMixedPollSlice) : deadline);
  }
}

absl::StatusOr<absl::Time> DeadlineFromTimespec(sentry::Task& t, uint64_t ts_addr) {
  if (ts_addr == 0) return absl::InfiniteFuture();
  struct timespec ts;
  if (absl::Status s = t.mm->CopyInObject(ts_addr, ts); !s.ok()) return s;
  if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) {
    return ErrnoError(EINVAL, "bad timeout");
  }
  return absl::Now() + absl::DurationFromTimespec(ts);
}

absl::StatusOr<std::optional<sentry::SignalSet>> CopyInSigmask(sentry::Task& t, uint64_t addr,
                                                               uint64_t size) {
  if (addr == 0) return std::nullopt;
  if (size != sizeof(sentry::SignalSet)) return ErrnoError(EINVAL, "sigsetsize is not 8");
  sentry::SignalSet mask = 0;
  if (absl::Status s = t.mm->CopyInObject(addr, mask); !s.ok()) return s;
  return mask;
}

SyscallResult WithTemporarySigmask(sentry::Task& t, std::optional<sentry::SignalSet> mask,
                                   absl::FunctionRef<SyscallResult()> wait) {
  if (!mask.has_value()) return wait();
  sentry::SignalSet old_mask = 0;
  {
    absl::MutexLock lock(&t.kernel().mu);
    old_mask = t.blocked;
    t.blocked = *mask & ~sentry::kUnblockableSignals;
  }
  SyscallResult r = wait();
  absl::MutexLock lock(&t.kernel().mu);
  if (r.value == -EINTR || r.value == sentry::kErrRestartNoHand) {
    // The handler runs with the temporary mask; its frame restores the old.
    t.saved_mask_for_sigsuspend = old_mask;
    t.restore_mask_after_signal = true;
  } else {
    t.blocked = old_mask;
  }
  return r;
}

}  // namespace runsc::syscalls
