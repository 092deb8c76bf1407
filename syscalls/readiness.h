// The one blocking loop of poll, select and epoll_wait (DESIGN §4: blocking
// logic lives in one helper), and the temporary signal mask of ppoll,
// pselect6 and epoll_pwait.
#ifndef RUNSC_SYSCALLS_READINESS_H_
#define RUNSC_SYSCALLS_READINESS_H_

#include <poll.h>

#include <optional>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "fs/file.h"
#include "sentry/kernel/signals.h"
#include "sentry/kernel/task.h"
#include "syscalls/syscall_table.h"

namespace runsc::syscalls {

// What a readiness wait waits on besides kernel().cv.
struct HostWaitSet {
  // Host streams (File::PollHostFd) with the events asked of them. Nothing
  // in the sentry signals kernel().cv when they become ready: the wait
  // polls them on the host, with the task's wake fd.
  std::vector<pollfd> fds;
  // Some sentry-internal file (pipe, eventfd) is in the set too. With
  // host fds as well, the host poll is cut into short slices so changes of
  // sentry files are seen.
  bool any_sentry_file = false;
  // Files kept alive for the length of the wait (an epoll's interests):
  // released with the set, never under kernel().mu.
  std::vector<std::shared_ptr<fs::File>> pinned;
};

// Adds what waiting for `events` on `file` takes: its host fd, or that a
// sentry file is in the set; for an epoll, what its interests take.
void AddToWaitSet(const std::shared_ptr<fs::File>& file, short events, HostWaitSet& set);

// Calls `evaluate_locked` (with kernel().mu held) until it returns a
// positive count, which is returned; 0 once `deadline` has passed; EINTR
// (or `interrupted`, e.g. ERESTARTNOHAND for select) when a signal is
// deliverable. `evaluate_locked` runs at least once, even with a past
// deadline.
SyscallResult WaitUntilReady(sentry::Task& t, const HostWaitSet& host, absl::Time deadline,
                             absl::FunctionRef<int()> evaluate_locked,
                             int64_t interrupted = -EINTR);

// The deadline of a relative timeout. Null `ts_addr`: none (infinite).
// A negative or unnormalized timespec is EINVAL; a bad pointer EFAULT.
absl::StatusOr<absl::Time> DeadlineFromTimespec(sentry::Task& t, uint64_t ts_addr);

// Copies in the (sigmask, sigsetsize) of ppoll/pselect6/epoll_pwait.
// Null `addr`: no mask (nullopt). A size other than 8 is EINVAL.
absl::StatusOr<std::optional<sentry::SignalSet>> CopyInSigmask(sentry::Task& t, uint64_t addr,
                                                               uint64_t size);

// Runs `wait` with the task's signal mask replaced by `mask` (if any), as
// sigsuspend does. If the wait was interrupted (EINTR, ERESTARTNOHAND),
// the old mask comes back through the signal frame, after the handler
// ran with the temporary one; otherwise it is restored here.
SyscallResult WithTemporarySigmask(sentry::Task& t, std::optional<sentry::SignalSet> mask,
                                   absl::FunctionRef<SyscallResult()> wait);

}  // namespace runsc::syscalls

#endif  // RUNSC_SYSCALLS_READINESS_H_
