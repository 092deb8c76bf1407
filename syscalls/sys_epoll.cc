// epoll_create(2), epoll_create1(2), epoll_ctl(2), epoll_wait(2),
// epoll_pwait(2), epoll_pwait2(2). The interest list and readiness rules
// are fs::EpollFile's; the wait is poll's (syscalls/readiness.h).
#include <sys/epoll.h>
#include <sys/syscall.h>

#include <climits>

#include "fs/epoll_file.h"
#include "syscalls/helpers.h"
#include "syscalls/readiness.h"

namespace runsc::syscalls {
namespace {

using sentry::Task;

SyscallResult NewEpoll(Task& t, bool cloexec) {
  auto file = std::make_shared<fs::EpollFile>(t.kernel());
  absl::StatusOr<int> fd = Fds(t).Install(std::move(file), cloexec, 0, NofileLimit(t));
  if (!fd.ok()) return FromStatus(fd.status());
  return SyscallResult::Value(*fd);
}

SyscallResult EpollCreate(Task& t, const SyscallArgs& a) {
  // The size is only a hint since Linux 2.6.8, but must be positive.
  if (static_cast<int>(a[0]) <= 0) return SyscallResult::Error(EINVAL);
  return NewEpoll(t, false);
}

SyscallResult EpollCreate1(Task& t, const SyscallArgs& a) {
  if (static_cast<int>(a[0]) & ~EPOLL_CLOEXEC) return SyscallResult::Error(EINVAL);
  return NewEpoll(t, a[0] & EPOLL_CLOEXEC);
}

// The epoll behind `epfd`: EBADF if nothing is open there, EINVAL if it is
// another kind of file.
absl::StatusOr<std::shared_ptr<fs::EpollFile>> EpollOf(Task& t, uint64_t epfd) {
  std::shared_ptr<fs::File> file = Fds(t).Get(static_cast<int>(epfd));
  if (file == nullptr) return ErrnoError(EBADF, "bad epoll fd");
  auto ep = std::dynamic_pointer_cast<fs::EpollFile>(file);
  if (ep == nullptr) return ErrnoError(EINVAL, "not an epoll fd");
  return ep;
}

// epoll_ctl(epfd, op, fd, event*), with Linux's order of checks.
SyscallResult EpollCtl(Task& t, const SyscallArgs& a) {
  const int op = static_cast<int>(a[1]);
  const int fd = static_cast<int>(a[2]);
  struct epoll_event ev {};
  if (op != EPOLL_CTL_DEL) RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[3], ev));
  std::shared_ptr<fs::File> epfile = Fds(t).Get(static_cast<int>(a[0]));
  std::shared_ptr<fs::File> target = Fds(t).Get(fd);
  if (epfile == nullptr || target == nullptr) return SyscallResult::Error(EBADF);
  // Files with no readiness to watch (regular files, directories).
  absl::StatusOr<struct stat> st = target->Stat();
  if (st.ok() && (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode))) return SyscallResult::Error(EPERM);
  auto ep = std::dynamic_pointer_cast<fs::EpollFile>(epfile);
  if (ep == nullptr || epfile == target) return SyscallResult::Error(EINVAL);
  if ((ev.events & EPOLLEXCLUSIVE) && op == EPOLL_CTL_ADD &&
      (std::dynamic_pointer_cast<fs::EpollFile>(target) != nullptr ||
       (ev.events & ~(EPOLLEXCLUSIVE | EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP |
                      EPOLLET)))) {
    return SyscallResult::Error(EINVAL);
  }
  switch (op) {
    case EPOLL_CTL_ADD:
      RUNSC_RETURN_IF_ERROR(ep->Add(fd, target, ev.events, ev.data.u64));
      break;
    case EPOLL_CTL_MOD:
      RUNSC_RETURN_IF_ERROR(ep->Modify(fd, target, ev.events, ev.data.u64));
      break;
    case EPOLL_CTL_DEL:
      RUNSC_RETURN_IF_ERROR(ep->Remove(fd, target));
      break;
    default:
      return SyscallResult::Error(EINVAL);
  }
  return SyscallResult::Value(0);
}

// The shared body of the waits: up to `max` events into `events_addr`.
SyscallResult DoEpollWait(Task& t, uint64_t epfd, uint64_t events_addr, int max,
                          absl::Time deadline, std::optional<sentry::SignalSet> mask) {
  if (max <= 0 || max > INT_MAX / static_cast<int>(sizeof(struct epoll_event))) {
    return SyscallResult::Error(EINVAL);
  }
  if (!AccessOk(events_addr, static_cast<uint64_t>(max) * sizeof(struct epoll_event))) {
    return SyscallResult::Error(EFAULT);
  }
  absl::StatusOr<std::shared_ptr<fs::EpollFile>> ep = EpollOf(t, epfd);
  if (!ep.ok()) return FromStatus(ep.status());
  std::vector<struct epoll_event> ready;
  SyscallResult r;
  {
    HostWaitSet host;  // What the interests take (their files kept alive).
    AddToWaitSet(*ep, POLLIN, host);
    // epoll_wait is never restarted (Linux returns EINTR).
    r = WithTemporarySigmask(t, mask, [&] {
      return WaitUntilReady(t, host, deadline, [&] {
        ready.clear();
        return (*ep)->CollectLocked(t, ready, max);
      });
    });
  }
  (*ep)->ReleaseDeferred();
  if (r.value > 0) {
    RUNSC_RETURN_IF_ERROR(t.mm->CopyOut(
        events_addr, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(ready.data()),
                                         ready.size() * sizeof(struct epoll_event))));
  }
  return r;
}

absl::Time DeadlineFromMillis(int timeout_ms) {
  return timeout_ms < 0 ? absl::InfiniteFuture() : absl::Now() + absl::Milliseconds(timeout_ms);
}

SyscallResult EpollWait(Task& t, const SyscallArgs& a) {
  return DoEpollWait(t, a[0], a[1], static_cast<int>(a[2]),
                     DeadlineFromMillis(static_cast<int>(a[3])), std::nullopt);
}

// epoll_pwait(epfd, events, maxevents, timeout_ms, sigmask, sigsetsize).
SyscallResult EpollPwait(Task& t, const SyscallArgs& a) {
  absl::StatusOr<std::optional<sentry::SignalSet>> mask = CopyInSigmask(t, a[4], a[5]);
  if (!mask.ok()) return FromStatus(mask.status());
  return DoEpollWait(t, a[0], a[1], static_cast<int>(a[2]),
                     DeadlineFromMillis(static_cast<int>(a[3])), *mask);
}

// epoll_pwait2: epoll_pwait with a timespec timeout.
SyscallResult EpollPwait2(Task& t, const SyscallArgs& a) {
  absl::StatusOr<absl::Time> deadline = DeadlineFromTimespec(t, a[3]);
  if (!deadline.ok()) return FromStatus(deadline.status());
  absl::StatusOr<std::optional<sentry::SignalSet>> mask = CopyInSigmask(t, a[4], a[5]);
  if (!mask.ok()) return FromStatus(mask.status());
  return DoEpollWait(t, a[0], a[1], static_cast<int>(a[2]), *deadline, *mask);
}

}  // namespace

void RegisterEpoll(SyscallTable& t) {
  constexpr const char* kNote = "readiness re-evaluated on every wait; mixed host/sentry sets re-checked every 10 ms";
  t[SYS_epoll_create] = {"epoll_create", EpollCreate, Support::kFull, ""};
  t[SYS_epoll_create1] = {"epoll_create1", EpollCreate1, Support::kFull, ""};
  t[SYS_epoll_ctl] = {"epoll_ctl", EpollCtl, Support::kFull, "EPOLLEXCLUSIVE accepted, wakes like any interest"};
  t[SYS_epoll_wait] = {"epoll_wait", EpollWait, Support::kFull, kNote};
  t[SYS_epoll_pwait] = {"epoll_pwait", EpollPwait, Support::kFull, kNote};
#ifdef SYS_epoll_pwait2
  t[SYS_epoll_pwait2] = {"epoll_pwait2", EpollPwait2, Support::kFull, kNote};
#else
  t[441] = {"epoll_pwait2", EpollPwait2, Support::kFull, kNote};
#endif
}

}  // namespace runsc::syscalls
