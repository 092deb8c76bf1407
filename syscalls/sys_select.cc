// select(2) and pselect6(2): poll(2) with the files named by three bitmaps.
// The readiness of each file and the wait are poll's (syscalls/readiness.h);
// this file only translates fd_sets to events and back, as Linux's
// core_sys_select does.
#include <poll.h>
#include <sys/syscall.h>
#include <sys/time.h>

#include <algorithm>
#include <array>
#include <vector>

#include "syscalls/helpers.h"
#include "syscalls/readiness.h"

namespace runsc::syscalls {
namespace {

using sentry::Task;

// Which poll events satisfy each set (Linux's POLLIN_SET, POLLOUT_SET,
// POLLEX_SET): a hung-up or failed file is "readable", so that the read
// that follows reports it.
constexpr short kInSet = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR;
constexpr short kOutSet = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR;
constexpr short kExSet = POLLPRI;
constexpr std::array<short, 3> kSetEvents = {kInSet, kOutSet, kExSet};

using Bitmap = std::vector<uint64_t>;  // As the kernel sees an fd_set: longs.

struct Watched {
  int fd;
  std::shared_ptr<fs::File> file;
  std::array<bool, 3> in_set;  // Asked for in readfds, writefds, exceptfds.
};

struct SelectSet {
  int nfds = 0;
  std::array<uint64_t, 3> addrs{};  // 0: that set was not given.
  std::array<Bitmap, 3> bits;       // In: as given. Out: the ready ones.
  std::vector<Watched> watched;
  HostWaitSet host;
};

bool TestBit(const Bitmap& b, int fd) { return (b[fd / 64] >> (fd % 64)) & 1; }
void SetBit(Bitmap& b, int fd) { b[fd / 64] |= uint64_t{1} << (fd % 64); }
size_t BitmapBytes(int nfds) { return (static_cast<size_t>(nfds) + 63) / 64 * sizeof(uint64_t); }

// Copies in the sets and looks up every fd in them (EBADF for a closed one).
absl::StatusOr<SelectSet> CopyInSets(Task& t, int64_t nfds, uint64_t in, uint64_t out,
                                     uint64_t ex) {
  if (static_cast<int>(nfds) < 0) return ErrnoError(EINVAL, "negative nfds");
  SelectSet set;
  // As Linux, bits past the largest possible fd are not looked at.
  set.nfds = std::min(static_cast<int>(nfds), NofileLimit(t));
  set.addrs = {in, out, ex};
  for (int i = 0; i < 3; ++i) {
    set.bits[i].assign(BitmapBytes(set.nfds) / sizeof(uint64_t), 0);
    if (set.addrs[i] == 0 || set.nfds == 0) continue;
    if (absl::Status s = t.mm->CopyIn(set.addrs[i],
                                      absl::MakeSpan(reinterpret_cast<uint8_t*>(set.bits[i].data()),
                                                     BitmapBytes(set.nfds)));
        !s.ok()) {
      return s;
    }
  }
  for (int fd = 0; fd < set.nfds; ++fd) {
    Watched w{fd, nullptr, {}};
    short events = 0;
    for (int i = 0; i < 3; ++i) {
      w.in_set[i] = TestBit(set.bits[i], fd);
      if (w.in_set[i]) events |= kSetEvents[i];
    }
    if (events == 0) continue;
    w.file = Fds(t).Get(fd);
    if (w.file == nullptr) return ErrnoError(EBADF, "closed fd in a set");
    AddToWaitSet(w.file, events, set.host);
    set.watched.push_back(std::move(w));
  }
  return set;
}

// Rewrites the sets to hold the ready fds; returns how many bits are set.
// Requires k.mu.
int EvaluateLocked(Task& t, SelectSet& set) {
  for (Bitmap& b : set.bits) std::fill(b.begin(), b.end(), 0);
  int ready = 0;
  for (Watched& w : set.watched) {
    short events = POLLERR | POLLHUP;
    for (int i = 0; i < 3; ++i) {
      if (w.in_set[i]) events |= kSetEvents[i];
    }
    const short revents = w.file->PollLocked(t, events);
    for (int i = 0; i < 3; ++i) {
      if (w.in_set[i] && (revents & kSetEvents[i])) {
        SetBit(set.bits[i], w.fd);
        ++ready;
      }
    }
  }
  return ready;
}

absl::Status CopyOutSets(Task& t, const SelectSet& set) {
  for (int i = 0; i < 3; ++i) {
    if (set.addrs[i] == 0 || set.nfds == 0) continue;
    if (absl::Status s = t.mm->CopyOut(
            set.addrs[i], absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(set.bits[i].data()),
                                              BitmapBytes(set.nfds)));
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// The shared body. A signal gives ERESTARTNOHAND (as Linux): EINTR if a
// handler ran, else the call restarts with the time left, which the
// caller has written back.
SyscallResult DoSelect(Task& t, const SyscallArgs& a, absl::Time deadline,
                       std::optional<sentry::SignalSet> mask) {
  absl::StatusOr<SelectSet> set = CopyInSets(t, static_cast<int64_t>(a[0]), a[1], a[2], a[3]);
  if (!set.ok()) return FromStatus(set.status());
  SyscallResult r = WithTemporarySigmask(t, mask, [&] {
    return WaitUntilReady(t, set->host, deadline, [&] { return EvaluateLocked(t, *set); },
                          sentry::kErrRestartNoHand);
  });
  if (r.value >= 0) RUNSC_RETURN_IF_ERROR(CopyOutSets(t, *set));
  return r;
}

absl::Duration TimeLeft(absl::Time deadline) {
  return std::max(deadline - absl::Now(), absl::ZeroDuration());
}

// select(nfds, readfds, writefds, exceptfds, timeval*).
SyscallResult Select(Task& t, const SyscallArgs& a) {
  absl::Time deadline = absl::InfiniteFuture();
  if (a[4] != 0) {
    struct timeval tv;
    RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[4], tv));
    // Linux normalizes tv_usec >= 1s; negative parts are EINVAL.
    if (tv.tv_sec < 0 || tv.tv_usec < 0) return SyscallResult::Error(EINVAL);
    deadline = absl::Now() + absl::Seconds(tv.tv_sec) + absl::Microseconds(tv.tv_usec);
  }
  SyscallResult r = DoSelect(t, a, deadline, std::nullopt);
  if (a[4] != 0) {
    // The time left, whatever the outcome; a failed copy-out is no error.
    struct timeval left = absl::ToTimeval(TimeLeft(deadline));
    (void)t.mm->CopyOutObject(a[4], left);
  }
  return r;
}

// pselect6(nfds, readfds, writefds, exceptfds, timespec*, {sigset*, size}*).
SyscallResult Pselect6(Task& t, const SyscallArgs& a) {
  absl::StatusOr<absl::Time> deadline = DeadlineFromTimespec(t, a[4]);
  if (!deadline.ok()) return FromStatus(deadline.status());
  std::optional<sentry::SignalSet> mask;
  if (a[5] != 0) {
    struct {
      uint64_t addr;
      uint64_t size;
    } arg;
    RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[5], arg));
    absl::StatusOr<std::optional<sentry::SignalSet>> m = CopyInSigmask(t, arg.addr, arg.size);
    if (!m.ok()) return FromStatus(m.status());
    mask = *m;
  }
  SyscallResult r = DoSelect(t, a, *deadline, mask);
  if (a[4] != 0) {
    struct timespec left = absl::ToTimespec(TimeLeft(*deadline));
    (void)t.mm->CopyOutObject(a[4], left);
  }
  return r;
}

}  // namespace

void RegisterSelect(SyscallTable& t) {
  t[SYS_select] = {"select", Select, Support::kFull, "poll's readiness; mixed host/sentry sets re-checked every 10 ms"};
  t[SYS_pselect6] = {"pselect6", Pselect6, Support::kFull, "poll's readiness; mixed host/sentry sets re-checked every 10 ms"};
}

}  // namespace runsc::syscalls
