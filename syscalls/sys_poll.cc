// poll(2) and ppoll(2): waiting for any of several files to become ready.
// (busybox's `read` builtin polls its input before every read.)
#include <poll.h>
#include <sys/syscall.h>

#include <vector>

#include "sentry/kernel/signals.h"
#include "syscalls/helpers.h"
#include "syscalls/readiness.h"

namespace runsc::syscalls {
namespace {

using sentry::Kernel;
using sentry::Task;

struct PollSet {
  std::vector<pollfd> fds;                      // As the application passed them.
  std::vector<std::shared_ptr<fs::File>> files;  // Null for fd < 0 and bad fds.
  HostWaitSet host;                             // Host streams among them.
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

// The shared body: waits until a file of `set` is ready (returns how many
// are), `deadline` passes (0) or a signal interrupts the wait (EINTR).
SyscallResult DoPoll(Task& t, PollSet& set, absl::Time deadline) {
  for (size_t i = 0; i < set.fds.size(); ++i) {
    const int fd = set.fds[i].fd;
    std::shared_ptr<fs::File> f = fd >= 0 ? Fds(t).Get(fd) : nullptr;
    if (f != nullptr) AddToWaitSet(f, set.fds[i].events, set.host);
    set.files.push_back(std::move(f));
  }
  // poll is never restarted after a handler (Linux's
  // ERESTART_RESTARTBLOCK), so EINTR is the answer to a signal.
  return WaitUntilReady(t, set.host, deadline, [&] { return EvaluateLocked(t, set); });
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
  absl::StatusOr<absl::Time> deadline = DeadlineFromTimespec(t, a[2]);
  if (!deadline.ok()) return FromStatus(deadline.status());
  absl::StatusOr<std::optional<sentry::SignalSet>> mask = CopyInSigmask(t, a[3], a[4]);
  if (!mask.ok()) return FromStatus(mask.status());
  SyscallResult r = WithTemporarySigmask(t, *mask, [&] { return DoPoll(t, *set, *deadline); });
  if (r.value >= 0) RUNSC_RETURN_IF_ERROR(CopyOutRevents(t, a[0], *set));
  if (a[2] != 0) {
    // Linux reports the time left; a copy-out failure here is not an error.
    struct timespec left = absl::ToTimespec(std::max(*deadline - absl::Now(), absl::ZeroDuration()));
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
