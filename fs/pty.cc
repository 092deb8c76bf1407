#include "fs/pty.h"

#include <fcntl.h>
#include <signal.h>
#include <termios.h>

#include <atomic>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/errno_status.h"
#include "base/logging.h"
#include "fs/fd_table.h"

namespace runsc::fs {
namespace {

constexpr int kErrRestartSys = 512;  // ERESTARTSYS: the wait was interrupted.

// The flags an open file description of a pty end keeps.
int FileFlags(int flags) { return flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY | O_CLOEXEC); }

// Says once per ioctl number that a pty does not do it.
void LogUnsupportedIoctl(uint64_t cmd) {
  static std::atomic<uint64_t> last{0};
  if (last.exchange(cmd) != cmd) {
    LogWarning("pty: ioctl 0x", absl::Hex(cmd), " is not implemented on sentry ptys (ENOTTY)");
  }
}

class PtyMasterFile : public File {
 public:
  PtyMasterFile(int flags, std::shared_ptr<Pty> pty, struct stat st)
      : File(flags), pty_(std::move(pty)), stat_(st) {}
  ~PtyMasterFile() override { pty_->CloseMaster(); }

  absl::StatusOr<size_t> Read(sentry::Task& task, absl::Span<uint8_t> buf) override {
    return pty_->Read(task, /*master=*/true, buf, flags() & O_NONBLOCK);
  }
  absl::StatusOr<size_t> Write(sentry::Task& task, absl::Span<const uint8_t> buf) override {
    return pty_->Write(task, /*master=*/true, buf, flags() & O_NONBLOCK);
  }
  absl::StatusOr<int64_t> Ioctl(sentry::Task& task, uint64_t cmd, uint64_t arg) override {
    return pty_->Ioctl(task, /*master=*/true, cmd, arg, (flags() & O_ACCMODE) != O_WRONLY);
  }
  short PollLocked(sentry::Task& task, short events) override {
    return pty_->PollLocked(/*master=*/true, events);
  }
  uint64_t EventSeqLocked() const override { return pty_->EventSeqLocked(); }
  absl::StatusOr<struct stat> Stat() override { return stat_; }
  std::string FdInfoLocked() const override { return absl::StrCat("tty-index:\t", pty_->index(), "\n"); }

 private:
  std::shared_ptr<Pty> pty_;
  struct stat stat_;
};

class PtyReplicaFile : public File {
 public:
  PtyReplicaFile(int flags, std::shared_ptr<Pty> pty) : File(flags), pty_(std::move(pty)) {
    set_path(pty_->ReplicaPath());
  }
  ~PtyReplicaFile() override { pty_->CloseReplica(); }

  absl::StatusOr<size_t> Read(sentry::Task& task, absl::Span<uint8_t> buf) override {
    return pty_->Read(task, /*master=*/false, buf, flags() & O_NONBLOCK);
  }
  absl::StatusOr<size_t> Write(sentry::Task& task, absl::Span<const uint8_t> buf) override {
    return pty_->Write(task, /*master=*/false, buf, flags() & O_NONBLOCK);
  }
  absl::StatusOr<int64_t> Ioctl(sentry::Task& task, uint64_t cmd, uint64_t arg) override {
    return pty_->Ioctl(task, /*master=*/false, cmd, arg, (flags() & O_ACCMODE) != O_WRONLY);
  }
  short PollLocked(sentry::Task& task, short events) override {
    return pty_->PollLocked(/*master=*/false, events);
  }
  uint64_t EventSeqLocked() const override { return pty_->EventSeqLocked(); }
  absl::StatusOr<struct stat> Stat() override { return pty_->replica_stat(); }

 private:
  std::shared_ptr<Pty> pty_;
};

// The termios2 calls (asm-generic/ioctls.h), whose struct glibc's
// <termios.h> cannot be included with.
constexpr uint64_t kTcgets2 = 0x802c542a;
constexpr uint64_t kTcsets2 = 0x402c542b;
constexpr uint64_t kTcsetsw2 = 0x402c542c;
constexpr uint64_t kTcsetsf2 = 0x402c542d;
constexpr int kNTty = 0;  // N_TTY, the only line discipline there is.
constexpr uint32_t kBaud = 38400;

// Calls that change the terminal: a background group of the replica's
// session may not make them without passing the SIGTTOU check.
bool ChangesTheTerminal(uint64_t cmd) {
  return cmd == TCSETS || cmd == TCSETSW || cmd == TCSETSF || cmd == TCFLSH || cmd == TCXONC ||
         cmd == kTcsets2 || cmd == kTcsetsw2 || cmd == kTcsetsf2;
}

}  // namespace

Pty::Pty(sentry::Kernel& kernel, int index, struct stat replica_stat,
         std::function<void(int)> release)
    : kernel_(kernel), index_(index), replica_stat_(replica_stat), release_(std::move(release)) {}

Pty::~Pty() {
  if (release_) release_(index_);
}

std::string Pty::ReplicaPath() const { return absl::StrCat("/dev/pts/", index_); }

std::shared_ptr<File> Pty::NewMaster(int flags, struct stat ptmx_stat) {
  {
    absl::MutexLock lock(&kernel_.mu);
    master_open_ = true;
  }
  return std::make_shared<PtyMasterFile>(FileFlags(flags), shared_from_this(), ptmx_stat);
}

void Pty::SetLocked(bool locked) {
  absl::MutexLock lock(&kernel_.mu);
  locked_ = locked;
}

bool Pty::MasterOpen() {
  absl::MutexLock lock(&kernel_.mu);
  return master_open_;
}

absl::StatusOr<std::shared_ptr<File>> Pty::OpenReplica(sentry::Task& task, int flags) {
  {
    absl::MutexLock lock(&kernel_.mu);
    if (!master_open_ || hung_up_) return ErrnoError(EIO, "the pty's master is closed");
    if (locked_) return ErrnoError(EIO, "the pty is locked (unlockpt(3) not called)");
    ++replicas_;
    replica_opened_ = true;
    ChangedLocked();
  }
  auto file = std::make_shared<PtyReplicaFile>(FileFlags(flags), shared_from_this());
  if (!(flags & O_NOCTTY)) {
    // Linux's tty_open_proc_set_tty: a session leader without a
    // controlling terminal gets this one, if no other session has it.
    // TIOCSCTTY (arg 0) makes exactly those checks; its refusal is no error.
    (void)job_control_.Ioctl(task, TIOCSCTTY, 0, /*readable=*/true);
  }
  return file;
}

void Pty::ChangedLocked() {
  ++seq_;
  kernel_.cv.SignalAll();
}

void Pty::NotePacketEventsLocked(uint8_t extra) {
  const uint8_t events = discipline_.TakePacketEvents() | extra;
  if (!packet_ || events == 0) return;
  // A stop undoes a start not yet read, and the other way round.
  if (events & (TIOCPKT_STOP | TIOCPKT_START)) packet_status_ &= ~(TIOCPKT_STOP | TIOCPKT_START);
  if (events & (TIOCPKT_DOSTOP | TIOCPKT_NOSTOP)) {
    packet_status_ &= ~(TIOCPKT_DOSTOP | TIOCPKT_NOSTOP);
  }
  packet_status_ |= events;
  ChangedLocked();
}

void Pty::CloseMaster() {
  absl::MutexLock lock(&kernel_.mu);
  master_open_ = false;
  hung_up_ = true;
  job_control_.HangUpLocked(kernel_);
  ChangedLocked();
}

void Pty::CloseReplica() {
  absl::MutexLock lock(&kernel_.mu);
  --replicas_;
  ChangedLocked();
}

absl::StatusOr<size_t> Pty::Read(sentry::Task& task, bool master, absl::Span<uint8_t> buf,
                                 bool nonblock) {
  if (!master) {
    if (absl::Status s = job_control_.CheckRead(task); !s.ok()) return s;
  }
  absl::MutexLock lock(&kernel_.mu);
  return master ? ReadMasterLocked(task, buf, nonblock) : ReadReplicaLocked(task, buf, nonblock);
}

absl::StatusOr<size_t> Pty::ReadMasterLocked(sentry::Task& task, absl::Span<uint8_t> buf,
                                             bool nonblock) {
  if (buf.empty()) return 0;
  for (;;) {
    if (packet_ && packet_status_ != 0) {
      buf[0] = std::exchange(packet_status_, 0);
      ChangedLocked();
      return 1;
    }
    if (discipline_.OutputAvailable() > 0) break;
    if (ReplicaGoneLocked()) return ErrnoError(EIO, "every replica of the pty is closed");
    if (nonblock) return ErrnoError(EAGAIN, "nothing written to the pty");
    if (task.InterruptedLocked()) return ErrnoError(kErrRestartSys, "interrupted");
    sentry::Task::SleepingScope sleeping(task);
    kernel_.cv.Wait(&kernel_.mu);
  }
  size_t n = 0;
  if (packet_) {
    buf[0] = TIOCPKT_DATA;
    n = 1 + discipline_.ReadOutput(buf.subspan(1));
  } else {
    n = discipline_.ReadOutput(buf);
  }
  ChangedLocked();
  return n;
}

absl::StatusOr<size_t> Pty::ReadReplicaLocked(sentry::Task& task, absl::Span<uint8_t> buf,
                                              bool nonblock) {
  if (hung_up_) return 0;
  if (buf.empty()) return 0;
  const KernelTermios& t = discipline_.termios();
  const bool canonical = t.c_lflag & ICANON;
  const size_t vmin = canonical ? 1 : t.c_cc[VMIN];
  const absl::Duration vtime = canonical ? absl::ZeroDuration() : absl::Milliseconds(100) * t.c_cc[VTIME];
  // termios(3): VMIN == 0 returns what is there, waiting at most VTIME for
  // a first byte; VMIN > 0 waits for min(VMIN, count) bytes, and with VTIME
  // only VTIME after the last byte that came in.
  const size_t want = vmin == 0 ? 1 : std::min(vmin, buf.size());
  std::optional<absl::Time> deadline;
  if (!canonical && vmin == 0) deadline = absl::Now() + vtime;
  size_t seen = discipline_.InputAvailable();
  for (;;) {
    if (hung_up_) return 0;
    if (canonical ? discipline_.InputReadable() : discipline_.InputAvailable() >= want) break;
    const size_t available = discipline_.InputAvailable();
    if (!canonical && vmin > 0 && vtime > absl::ZeroDuration() && available > 0) {
      // The inter-byte timer runs from the last byte that came in.
      if (!deadline || available != seen) deadline = absl::Now() + vtime;
      seen = available;
    }
    if (deadline && absl::Now() >= *deadline) break;
    if (nonblock) {
      if (!canonical && available > 0) break;
      return ErrnoError(EAGAIN, "nothing typed at the pty");
    }
    if (task.InterruptedLocked()) return ErrnoError(kErrRestartSys, "interrupted");
    sentry::Task::SleepingScope sleeping(task);
    if (deadline) {
      kernel_.cv.WaitWithDeadline(&kernel_.mu, *deadline);
    } else {
      kernel_.cv.Wait(&kernel_.mu);
    }
  }
  const size_t n = discipline_.ReadInput(buf);
  ChangedLocked();
  return n;
}

absl::StatusOr<size_t> Pty::Write(sentry::Task& task, bool master, absl::Span<const uint8_t> buf,
                                  bool nonblock) {
  if (!master) {
    bool tostop;
    {
      absl::MutexLock lock(&kernel_.mu);
      tostop = discipline_.termios().c_lflag & TOSTOP;
    }
    if (tostop) {
      if (absl::Status s = job_control_.CheckChange(task); !s.ok()) return s;
    }
  }
  absl::MutexLock lock(&kernel_.mu);
  size_t done = 0;
  std::vector<int> signals;
  while (done < buf.size()) {
    if (!master && hung_up_) {
      if (done > 0) return done;
      return ErrnoError(EIO, "the pty's master is closed");
    }
    size_t n;
    if (master) {
      signals.clear();
      n = discipline_.ReceiveInput(buf.subspan(done), signals);
      for (int sig : signals) job_control_.SignalForegroundLocked(kernel_, sig);
      NotePacketEventsLocked();
    } else {
      n = discipline_.WriteOutput(buf.subspan(done));
    }
    if (n > 0) {
      done += n;
      ChangedLocked();
      continue;
    }
    // The other side's queue is full: wait for it to read.
    if (nonblock) {
      if (done > 0) return done;
      return ErrnoError(EAGAIN, "the pty's queue is full");
    }
    if (task.InterruptedLocked()) {
      if (done > 0) return done;
      return ErrnoError(kErrRestartSys, "interrupted");
    }
    sentry::Task::SleepingScope sleeping(task);
    kernel_.cv.Wait(&kernel_.mu);
  }
  return done;
}

short Pty::PollLocked(bool master, short events) const {
  short ready = 0;
  if (master) {
    if (discipline_.OutputAvailable() > 0) ready |= POLLIN | POLLRDNORM;
    if (packet_ && packet_status_ != 0) ready |= POLLIN | POLLRDNORM | POLLPRI;
    if (discipline_.InputHasRoom()) ready |= POLLOUT | POLLWRNORM;
    ready &= events;
    if (ReplicaGoneLocked()) ready |= POLLHUP;
    return ready;
  }
  if (hung_up_) return (events & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)) | POLLERR | POLLHUP;
  const KernelTermios& t = discipline_.termios();
  // As Linux's n_tty_poll: a non-canonical reader with VMIN and no VTIME
  // is ready once VMIN bytes are there.
  const size_t min_bytes = (!(t.c_lflag & ICANON) && t.c_cc[VTIME] == 0 && t.c_cc[VMIN] > 0)
                               ? t.c_cc[VMIN] : 1;
  if (discipline_.InputReadable(min_bytes)) ready |= POLLIN | POLLRDNORM;
  if (discipline_.OutputHasRoom()) ready |= POLLOUT | POLLWRNORM;
  return ready & events;
}

absl::StatusOr<int64_t> Pty::Ioctl(sentry::Task& task, bool master, uint64_t cmd, uint64_t arg,
                                   bool readable) {
  if (!master) {
    {
      absl::MutexLock lock(&kernel_.mu);
      // Linux's hung_up_tty_ioctl.
      if (hung_up_) return ErrnoError(cmd == TIOCSPGRP ? ENOTTY : EIO, "the pty hung up");
    }
    if (TtyJobControl::IsJobControlIoctl(cmd)) return job_control_.Ioctl(task, cmd, arg, readable);
    // The master's own calls, made on the replica (Linux: not the ptm driver).
    if (cmd == TIOCGPTPEER) return ErrnoError(EIO, "TIOCGPTPEER on a pty replica");
    if (cmd == TIOCGPTN || cmd == TIOCSPTLCK || cmd == TIOCGPTLCK || cmd == TIOCPKT ||
        cmd == TIOCGPKT) {
      return ErrnoError(ENOTTY, "a pty master's ioctl on its replica");
    }
    if (ChangesTheTerminal(cmd)) {
      if (absl::Status s = job_control_.CheckChange(task); !s.ok()) return s;
    }
  } else {
    if (std::optional<absl::StatusOr<int64_t>> r = MasterIoctl(task, cmd, arg)) return *r;
  }
  return TerminalIoctl(task, master, cmd, arg);
}

std::optional<absl::StatusOr<int64_t>> Pty::MasterIoctl(sentry::Task& task, uint64_t cmd, uint64_t arg) {
  sentry::MemoryManager& mm = *task.mm;
  switch (cmd) {
    case TIOCGPTN: {
      const uint32_t n = static_cast<uint32_t>(index_);
      if (absl::Status s = mm.CopyOutObject(arg, n); !s.ok()) return s;
      return 0;
    }
    case TIOCSPTLCK: {
      int32_t lock_it;
      if (absl::Status s = mm.CopyInObject(arg, lock_it); !s.ok()) return s;
      SetLocked(lock_it != 0);
      return 0;
    }
    case TIOCGPTLCK: {
      int32_t is_locked;
      {
        absl::MutexLock lock(&kernel_.mu);
        is_locked = locked_ ? 1 : 0;
      }
      if (absl::Status s = mm.CopyOutObject(arg, is_locked); !s.ok()) return s;
      return 0;
    }
    case TIOCGPTPEER: {
      // arg: the open flags of the replica's new file.
      const int flags = static_cast<int>(arg);
      if (flags & ~(O_ACCMODE | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) {
        return ErrnoError(EINVAL, "TIOCGPTPEER: bad open flags");
      }
      absl::StatusOr<std::shared_ptr<File>> file = OpenReplica(task, flags);
      if (!file.ok()) return file.status();
      const int limit = static_cast<int>(
          std::min<uint64_t>(task.rlimits[RLIMIT_NOFILE].rlim_cur, FdTable::kMaxFds));
      absl::StatusOr<int> fd = task.fds->Install(*file, flags & O_CLOEXEC, 0, limit);
      if (!fd.ok()) return fd.status();
      return *fd;
    }
    case TIOCGPGRP: {
      // On the master: the replica's foreground group, whoever asks (Linux's
      // tiocgpgrp with tty != real_tty).
      const int32_t pgid = job_control_.foreground_pgid(kernel_);
      if (absl::Status s = mm.CopyOutObject(arg, pgid); !s.ok()) return s;
      return 0;
    }
    case TIOCSCTTY:
      // Linux would make the master itself the controlling terminal, which
      // no program wants; refused, and said.
      LogWarning("pty: TIOCSCTTY on a pty master is not implemented (EPERM)");
      return ErrnoError(EPERM, "a pty master is not made a controlling terminal here");
    case TIOCNOTTY:
      return ErrnoError(ENOTTY, "a pty master is nobody's controlling terminal");
    case TIOCSPGRP:
    case TIOCGSID:
      return job_control_.Ioctl(task, cmd, arg, true);
    case TIOCPKT: {
      int32_t on;
      if (absl::Status s = mm.CopyInObject(arg, on); !s.ok()) return s;
      absl::MutexLock lock(&kernel_.mu);
      if (on && !packet_) {
        packet_status_ = 0;
        (void)discipline_.TakePacketEvents();  // Only what happens from now on.
      }
      packet_ = on != 0;
      ChangedLocked();
      return 0;
    }
    case TIOCGPKT: {
      int32_t on;
      {
        absl::MutexLock lock(&kernel_.mu);
        on = packet_ ? 1 : 0;
      }
      if (absl::Status s = mm.CopyOutObject(arg, on); !s.ok()) return s;
      return 0;
    }
  }
  return std::nullopt;  // One both ends have.
}

absl::StatusOr<int64_t> Pty::TerminalIoctl(sentry::Task& task, bool master, uint64_t cmd,
                                           uint64_t arg) {
  sentry::MemoryManager& mm = *task.mm;
  switch (cmd) {
    case TCGETS: {
      KernelTermios t;
      {
        absl::MutexLock lock(&kernel_.mu);
        t = discipline_.termios();
      }
      if (absl::Status s = mm.CopyOutObject(arg, t); !s.ok()) return s;
      return 0;
    }
    case TCSETS:
    case TCSETSW:
    case TCSETSF: {
      // TCSETSW would wait for the output to drain; a pty has no device
      // behind its output queue, so as on Linux there is nothing to wait for.
      KernelTermios t;
      if (absl::Status s = mm.CopyInObject(arg, t); !s.ok()) return s;
      absl::MutexLock lock(&kernel_.mu);
      if (cmd == TCSETSF) discipline_.FlushInput();
      discipline_.SetTermios(t);
      NotePacketEventsLocked();
      ChangedLocked();
      return 0;
    }
    case kTcgets2: {
      KernelTermios2 t{};
      {
        absl::MutexLock lock(&kernel_.mu);
        t.termios = discipline_.termios();
      }
      // A pty has no line speed; Linux shows what the termios says: 38400.
      t.c_ispeed = t.c_ospeed = kBaud;
      if (absl::Status s = mm.CopyOutObject(arg, t); !s.ok()) return s;
      return 0;
    }
    case kTcsets2:
    case kTcsetsw2:
    case kTcsetsf2: {
      KernelTermios2 t;
      if (absl::Status s = mm.CopyInObject(arg, t); !s.ok()) return s;
      absl::MutexLock lock(&kernel_.mu);
      if (cmd == kTcsetsf2) discipline_.FlushInput();
      discipline_.SetTermios(t.termios);
      NotePacketEventsLocked();
      ChangedLocked();
      return 0;
    }
    case TCSBRK:
    case TCSBRKP:
      // tcdrain(3) and tcsendbreak(3): a pty has nothing to drain and no
      // break to send (no break_ctl), so Linux answers 0 as well.
      return 0;
    case TCXONC: {
      if (master) break;
      absl::MutexLock lock(&kernel_.mu);
      const KernelTermios& t = discipline_.termios();
      switch (arg) {
        case TCOOFF: discipline_.SetOutputStopped(true); break;
        case TCOON: discipline_.SetOutputStopped(false); break;
        case TCIOFF:
          if (t.c_cc[VSTOP] != 0) discipline_.SendChar(t.c_cc[VSTOP]);
          break;
        case TCION:
          if (t.c_cc[VSTART] != 0) discipline_.SendChar(t.c_cc[VSTART]);
          break;
        default: return ErrnoError(EINVAL, "TCXONC: bad action");
      }
      NotePacketEventsLocked();
      ChangedLocked();
      return 0;
    }
    case TIOCGETD: {
      const int32_t ldisc = kNTty;
      if (absl::Status s = mm.CopyOutObject(arg, ldisc); !s.ok()) return s;
      return 0;
    }
    case TIOCSETD: {
      int32_t ldisc;
      if (absl::Status s = mm.CopyInObject(arg, ldisc); !s.ok()) return s;
      if (ldisc == kNTty) return 0;
      LogWarning("pty: line discipline ", ldisc, " is not implemented, only N_TTY (EINVAL)");
      return ErrnoError(EINVAL, "only the N_TTY line discipline is implemented");
    }
    case TIOCGWINSZ: {
      struct winsize ws;
      {
        absl::MutexLock lock(&kernel_.mu);
        ws = winsize_;
      }
      if (absl::Status s = mm.CopyOutObject(arg, ws); !s.ok()) return s;
      return 0;
    }
    case TIOCSWINSZ: {
      struct winsize ws;
      if (absl::Status s = mm.CopyInObject(arg, ws); !s.ok()) return s;
      absl::MutexLock lock(&kernel_.mu);
      const bool changed = ws.ws_row != winsize_.ws_row || ws.ws_col != winsize_.ws_col ||
                           ws.ws_xpixel != winsize_.ws_xpixel || ws.ws_ypixel != winsize_.ws_ypixel;
      winsize_ = ws;
      if (changed) job_control_.SignalForegroundLocked(kernel_, SIGWINCH);
      return 0;
    }
    case FIONREAD: {  // Also TIOCINQ.
      int32_t n;
      {
        absl::MutexLock lock(&kernel_.mu);
        n = static_cast<int32_t>(master ? discipline_.OutputAvailable()
                                        : discipline_.InputAvailable());
      }
      if (absl::Status s = mm.CopyOutObject(arg, n); !s.ok()) return s;
      return 0;
    }
    case TIOCOUTQ: {
      // Linux counts nothing as queued for output on a pty (it has no
      // chars_in_buffer operation): always 0, as there.
      const int32_t n = 0;
      if (absl::Status s = mm.CopyOutObject(arg, n); !s.ok()) return s;
      return 0;
    }
    case TCFLSH: {
      // Each end flushes what it would read: the master's input is what
      // the replica wrote. An output flush drops nothing, as a pty's
      // flush_buffer has not since Linux 4.x.
      if (arg != TCIFLUSH && arg != TCOFLUSH && arg != TCIOFLUSH) {
        return ErrnoError(EINVAL, "TCFLSH: bad queue selector");
      }
      absl::MutexLock lock(&kernel_.mu);
      if (arg != TCOFLUSH) {
        if (master) {
          discipline_.FlushOutput();
        } else {
          discipline_.FlushInput();
        }
      }
      if (!master) {
        // Packet mode hears of the replica's flushes.
        NotePacketEventsLocked((arg != TCOFLUSH ? TIOCPKT_FLUSHREAD : 0) |
                               (arg != TCIFLUSH ? TIOCPKT_FLUSHWRITE : 0));
      }
      ChangedLocked();
      return 0;
    }
  }
  LogUnsupportedIoctl(cmd);
  return ErrnoError(ENOTTY, "not a pty ioctl");
}

}  // namespace runsc::fs
