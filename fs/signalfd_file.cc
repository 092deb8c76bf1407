#include "fs/signalfd_file.h"

#include <fcntl.h>

#include <cstring>

#include "absl/strings/str_format.h"
#include "fs/anon_inode.h"
#include "sentry/kernel/dequeue_signal.h"

namespace runsc::fs {

SignalfdFile::SignalfdFile(sentry::Kernel& kernel, sentry::SignalSet mask, bool nonblock)
    : File(O_RDWR | (nonblock ? O_NONBLOCK : 0)),
      kernel_(kernel),
      mask_(mask & ~sentry::kUnblockableSignals) {
  set_path("anon_inode:[signalfd]");
}

void SignalfdFile::SetMask(sentry::SignalSet mask) {
  absl::MutexLock lock(&kernel_.mu);
  mask_ = mask & ~sentry::kUnblockableSignals;
  // A reader may now have something to take, or a poller something to see.
  kernel_.cv.SignalAll();
}

sentry::SignalSet SignalfdFile::MaskForTest() {
  absl::MutexLock lock(&kernel_.mu);
  return mask_;
}

struct signalfd_siginfo SignalfdFile::ToSignalfdSiginfo(const siginfo_t& info) {
  struct signalfd_siginfo out {};
  const int sig = info.si_signo;
  out.ssi_signo = sig;
  out.ssi_errno = info.si_errno;
  out.ssi_code = info.si_code;
  // Which members of the siginfo union hold something depends on the
  // signal and the code (Linux's siginfo_layout).
  const bool from_kernel = info.si_code > 0;
  if (info.si_code == SI_TIMER) {
    out.ssi_tid = info.si_timerid;
    out.ssi_overrun = info.si_overrun;
    out.ssi_int = info.si_value.sival_int;
    out.ssi_ptr = reinterpret_cast<uint64_t>(info.si_value.sival_ptr);
  } else if (from_kernel && sig == SIGCHLD) {
    out.ssi_pid = info.si_pid;
    out.ssi_uid = info.si_uid;
    out.ssi_status = info.si_status;
    out.ssi_utime = info.si_utime;
    out.ssi_stime = info.si_stime;
  } else if (from_kernel && (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL ||
                             sig == SIGFPE || sig == SIGTRAP)) {
    out.ssi_addr = reinterpret_cast<uint64_t>(info.si_addr);
  } else if (from_kernel && sig == SIGPOLL) {
    out.ssi_band = info.si_band;
    out.ssi_fd = info.si_fd;
  } else {
    out.ssi_pid = info.si_pid;
    out.ssi_uid = info.si_uid;
    if (info.si_code == SI_QUEUE || info.si_code == SI_MESGQ || sig >= SIGRTMIN) {
      out.ssi_int = info.si_value.sival_int;
      out.ssi_ptr = reinterpret_cast<uint64_t>(info.si_value.sival_ptr);
    }
  }
  return out;
}

absl::StatusOr<size_t> SignalfdFile::Read(sentry::Task& task, absl::Span<uint8_t> buf) {
  constexpr size_t kRecord = sizeof(struct signalfd_siginfo);
  static_assert(kRecord == 128);
  if (buf.size() < kRecord) return ErrnoError(EINVAL, "signalfd read of less than 128 bytes");
  size_t done = 0;
  absl::MutexLock lock(&kernel_.mu);
  siginfo_t info;
  while (!sentry::DequeueSignalLocked(task, mask_, info)) {
    if (flags() & O_NONBLOCK) return ErrnoError(EAGAIN, "no signal of the mask is pending");
    if (task.InterruptedLocked()) return ErrnoError(512 /*ERESTARTSYS*/, "interrupted");
    sentry::Task::SleepingScope sleeping(task);
    kernel_.cv.Wait(&kernel_.mu);
  }
  do {
    struct signalfd_siginfo rec = ToSignalfdSiginfo(info);
    std::memcpy(buf.data() + done, &rec, kRecord);
    done += kRecord;
  } while (buf.size() - done >= kRecord && sentry::DequeueSignalLocked(task, mask_, info));
  return done;
}

short SignalfdFile::PollLocked(sentry::Task& task, short events) {
  return sentry::HasPendingInLocked(task, mask_) ? events & (POLLIN | POLLRDNORM) : 0;
}

absl::StatusOr<struct stat> SignalfdFile::Stat() { return AnonymousInodeStat(this); }

std::string SignalfdFile::FdInfoLocked() const {
  return absl::StrFormat("sigmask:\t%016x\n", mask_);
}

}  // namespace runsc::fs
