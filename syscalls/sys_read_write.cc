// read(2), write(2) and their vector and positional forms.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/inotify.h>
#include <sys/uio.h>

#include <memory>
#include <vector>

#include "base/logging.h"
#include "fs/fsnotify.h"
#include "sentry/mm/bounce_buffer.h"
#include "syscalls/helpers.h"
#include "syscalls/sys_socket.h"

namespace runsc::syscalls {
namespace {

// One call through a bounce buffer moves at most this much (a short count).
constexpr size_t kMaxIo = 4 << 20;
// MAX_RW_COUNT: what one read, write or sendfile moves at most.
constexpr size_t kMaxRwCount = 0x7ffff000;
constexpr int kIovMax = 1024;

using sentry::Task;

SyscallResult ErrorOf(Task& t, const absl::Status& s) {
  if (ErrnoOf(s) == EPIPE) {
    absl::MutexLock lock(&t.kernel().mu);
    siginfo_t info{};
    info.si_signo = SIGPIPE;
    info.si_pid = t.tgid();
    t.kernel().SendSignalLocked(t, info);
  }
  return FromStatus(s);
}

// read(2) and pread(2) (offset >= 0). Straight into the application's
// memory where the file can (File::ReadToApplication), else into this
// thread's bounce buffer and out. Like Linux, a buffer that stops being
// writable part way gives the bytes copied before it, and EFAULT only if
// there were none.
SyscallResult DoRead(Task& t, int fd, uint64_t addr, size_t count, int64_t offset) {
  std::shared_ptr<fs::File> file = Fds(t).Get(fd);
  if (!file) return SyscallResult::Error(EBADF);
  if ((file->flags() & O_ACCMODE) == O_WRONLY) return SyscallResult::Error(EBADF);
  if (!AccessOk(addr, count)) return SyscallResult::Error(EFAULT);
  if (std::optional<absl::StatusOr<size_t>> direct =
          file->ReadToApplication(t, addr, std::min(count, kMaxRwCount), offset)) {
    if (!direct->ok()) return ErrorOf(t, direct->status());
    if (**direct > 0) fs::NotifyFileEvent(*file, IN_ACCESS);
    return SyscallResult::Value(static_cast<int64_t>(**direct));
  }
  sentry::BounceBuffer buffer(std::min(count, kMaxIo));
  const absl::Span<uint8_t> buf = buffer.span();
  absl::StatusOr<size_t> n = offset < 0 ? file->Read(t, buf) : file->PRead(t, buf, offset);
  if (!n.ok()) return ErrorOf(t, n.status());
  absl::StatusOr<size_t> copied = t.mm->CopyOutPartial(addr, buf.first(*n));
  if (!copied.ok()) copied = 0;
  if (*copied < *n && offset < 0) {
    // The file's position moved past what the application got: move it
    // back, so that the next read starts there, as on Linux (a stream
    // cannot, and loses the rest as before; a reader sharing the
    // description in between would see the position move back).
    (void)file->Seek(-static_cast<int64_t>(*n - *copied), SEEK_CUR);
  }
  if (*n > 0 && *copied == 0) return SyscallResult::Error(EFAULT);
  if (*copied > 0) fs::NotifyFileEvent(*file, IN_ACCESS);
  return SyscallResult::Value(static_cast<int64_t>(*copied));
}

// write(2) and pwrite(2): through this thread's bounce buffer, kMaxIo at a
// time, as long as each step is written whole (a regular file's write is
// not short on Linux; a blocking pipe's writes all of it too). Like Linux, a
// buffer that stops being readable part way writes what came before it.
// (An O_APPEND write of more than kMaxIo is appended in steps, which
// another appender may come between.)
SyscallResult DoWrite(Task& t, int fd, uint64_t addr, size_t count, int64_t offset) {
  std::shared_ptr<fs::File> file = Fds(t).Get(fd);
  if (!file) return SyscallResult::Error(EBADF);
  if ((file->flags() & O_ACCMODE) == O_RDONLY) return SyscallResult::Error(EBADF);
  if (!AccessOk(addr, count)) return SyscallResult::Error(EFAULT);
  count = std::min(count, kMaxRwCount);
  sentry::BounceBuffer buffer(std::min(count, kMaxIo));
  size_t total = 0;
  do {
    const absl::Span<uint8_t> step = buffer.span().first(std::min(count - total, kMaxIo));
    absl::StatusOr<size_t> copied = t.mm->CopyInPartial(addr + total, step);
    if (!copied.ok()) {
      if (total > 0) break;
      return FromStatus(copied.status());
    }
    const absl::Span<const uint8_t> data = step.first(*copied);
    absl::StatusOr<size_t> n =
        offset < 0 ? file->Write(t, data) : file->PWrite(t, data, offset + total);
    if (!n.ok()) {
      if (total > 0) break;
      return ErrorOf(t, n.status());
    }
    total += *n;
    if (*n < step.size()) break;
  } while (total < count);
  if (total > 0) fs::NotifyFileEvent(*file, IN_MODIFY);
  return SyscallResult::Value(static_cast<int64_t>(total));
}

absl::StatusOr<std::vector<iovec>> CopyInIovecs(Task& t, uint64_t addr, int64_t count) {
  if (count < 0 || count > kIovMax) return ErrnoError(EINVAL, "bad iovec count");
  std::vector<iovec> iovs(count);
  if (absl::Status s = t.mm->CopyIn(addr, absl::MakeSpan(reinterpret_cast<uint8_t*>(iovs.data()),
                                                         iovs.size() * sizeof(iovec)));
      !s.ok()) {
    return s;
  }
  for (const iovec& v : iovs) {
    if (static_cast<int64_t>(v.iov_len) < 0) return ErrnoError(EINVAL, "bad iovec length");
  }
  return iovs;
}

// readv/writev as a loop over single transfers, stopping at the first short one.
SyscallResult DoVector(Task& t, const SyscallArgs& a, bool write, int64_t offset) {
  absl::StatusOr<std::vector<iovec>> iovs = CopyInIovecs(t, a[1], static_cast<int64_t>(a[2]));
  if (!iovs.ok()) return FromStatus(iovs.status());
  if (offset < 0) {
    if (std::optional<SyscallResult> r = SocketReadvWritev(t, static_cast<int>(a[0]), *iovs, write)) {
      return *r;
    }
  }
  int64_t total = 0;
  for (const iovec& v : *iovs) {
    if (v.iov_len == 0) continue;
    const uint64_t base = reinterpret_cast<uint64_t>(v.iov_base);
    SyscallResult r = write ? DoWrite(t, static_cast<int>(a[0]), base, v.iov_len,
                                      offset < 0 ? -1 : offset + total)
                            : DoRead(t, static_cast<int>(a[0]), base, v.iov_len,
                                     offset < 0 ? -1 : offset + total);
    if (r.value < 0) return total > 0 ? SyscallResult::Value(total) : r;
    total += r.value;
    if (static_cast<size_t>(r.value) < v.iov_len) break;
  }
  if (iovs->empty() || total == 0) {
    // Still validate the fd, as Linux does for an all-empty vector.
    if (!Fds(t).Get(static_cast<int>(a[0]))) return SyscallResult::Error(EBADF);
  }
  return SyscallResult::Value(total);
}

SyscallResult Read(Task& t, const SyscallArgs& a) { return DoRead(t, static_cast<int>(a[0]), a[1], a[2], -1); }
SyscallResult Write(Task& t, const SyscallArgs& a) { return DoWrite(t, static_cast<int>(a[0]), a[1], a[2], -1); }
SyscallResult Pread64(Task& t, const SyscallArgs& a) {
  if (static_cast<int64_t>(a[3]) < 0) return SyscallResult::Error(EINVAL);
  return DoRead(t, static_cast<int>(a[0]), a[1], a[2], static_cast<int64_t>(a[3]));
}
SyscallResult Pwrite64(Task& t, const SyscallArgs& a) {
  if (static_cast<int64_t>(a[3]) < 0) return SyscallResult::Error(EINVAL);
  return DoWrite(t, static_cast<int>(a[0]), a[1], a[2], static_cast<int64_t>(a[3]));
}
SyscallResult Readv(Task& t, const SyscallArgs& a) { return DoVector(t, a, false, -1); }
SyscallResult Writev(Task& t, const SyscallArgs& a) { return DoVector(t, a, true, -1); }

// preadv/pwritev(fd, iov, iovcnt, pos_l, pos_h): on amd64 the offset is
// pos_l whole (Linux's pos_from_hilo shifts pos_h out of a 64-bit loff_t).
SyscallResult PositionedVector(Task& t, const SyscallArgs& a, bool write) {
  const int64_t offset = static_cast<int64_t>(a[3]);
  if (offset < 0) return SyscallResult::Error(EINVAL);
  return DoVector(t, a, write, offset);
}
SyscallResult Preadv(Task& t, const SyscallArgs& a) { return PositionedVector(t, a, false); }
SyscallResult Pwritev(Task& t, const SyscallArgs& a) { return PositionedVector(t, a, true); }

// preadv2/pwritev2 add flags (a[5]) and offset -1 for the file position.
// The RWF_* hints change nothing a sandbox can promise, so only flags 0 and
// RWF_HIPRI (a polling hint) are taken; the others are EOPNOTSUPP, as a
// kernel without them says.
SyscallResult PositionedVector2(Task& t, const SyscallArgs& a, bool write) {
  constexpr uint64_t kRwfHipri = 0x1;
  if (a[5] & ~kRwfHipri) {
    LogWarning("p", write ? "writev2" : "readv2", ": flags ", a[5], " are not supported");
    return SyscallResult::Error(EOPNOTSUPP);
  }
  const int64_t offset = static_cast<int64_t>(a[3]);
  if (offset == -1) return DoVector(t, a, write, -1);
  return PositionedVector(t, a, write);
}
SyscallResult Preadv2(Task& t, const SyscallArgs& a) { return PositionedVector2(t, a, false); }
SyscallResult Pwritev2(Task& t, const SyscallArgs& a) { return PositionedVector2(t, a, true); }

SyscallResult Lseek(Task& t, const SyscallArgs& a) {
  std::shared_ptr<fs::File> file = Fds(t).Get(static_cast<int>(a[0]));
  if (!file) return SyscallResult::Error(EBADF);
  absl::StatusOr<int64_t> off = file->Seek(static_cast<int64_t>(a[1]), static_cast<int>(a[2]));
  if (!off.ok()) return FromStatus(off.status());
  return SyscallResult::Value(*off);
}

// sendfile(2) moves data through a sentry buffer of this size per step.
constexpr size_t kSendfileChunk = 64 << 10;

bool Readable(const fs::File& f) {
  return !(f.flags() & O_PATH) && (f.flags() & O_ACCMODE) != O_WRONLY;
}
bool Writable(const fs::File& f) {
  return !(f.flags() & O_PATH) && (f.flags() & O_ACCMODE) != O_RDONLY;
}
mode_t TypeOf(fs::File& f) {
  absl::StatusOr<struct stat> st = f.Stat();
  return st.ok() ? (st->st_mode & S_IFMT) : 0;
}

// sendfile's body: copies up to `count` bytes from in_fd, at *ppos (then
// moved) or, with no ppos, at its file offset (then moved), to out_fd.
// Checks come in Linux's order (do_sendfile), and like Linux the input
// must be a file one can read at an offset or a device: pipes, sockets and
// directories are EINVAL. The offset moves by what was written.
SyscallResult DoSendfile(Task& t, int out_fd, int in_fd, int64_t* ppos, size_t count) {
  std::shared_ptr<fs::File> in = Fds(t).Get(in_fd);
  if (!in || !Readable(*in)) return SyscallResult::Error(EBADF);
  const mode_t in_type = TypeOf(*in);
  // Whether in_fd is read at an offset (pread, then the offset is moved
  // once) or as a stream (a tty given as stdio, say: plain reads).
  bool positional = true;
  int64_t pos = 0;
  if (in_type == S_IFDIR) {
    // Refused below, after the checks Linux makes first.
  } else if (ppos != nullptr) {
    if (in_type == S_IFIFO || in_type == S_IFSOCK || !in->Seek(0, SEEK_CUR).ok()) {
      return SyscallResult::Error(ESPIPE);
    }
    pos = *ppos;
  } else {
    absl::StatusOr<int64_t> cur = in->Seek(0, SEEK_CUR);
    positional = cur.ok();
    pos = cur.ok() ? *cur : 0;
  }
  // rw_verify_area: no negative count or offset, no offset overflow.
  if (static_cast<int64_t>(count) < 0 || pos < 0 ||
      static_cast<int64_t>(static_cast<uint64_t>(pos) + count) < 0) {
    return SyscallResult::Error(EINVAL);
  }
  count = std::min(count, kMaxRwCount);

  std::shared_ptr<fs::File> out = Fds(t).Get(out_fd);
  if (!out || !Writable(*out)) return SyscallResult::Error(EBADF);
  // Into a pipe the data is spliced; into anything else it goes through
  // do_splice_direct, which refuses appending and a source it cannot
  // splice from.
  if (TypeOf(*out) != S_IFIFO && (out->flags() & O_APPEND)) return SyscallResult::Error(EINVAL);
  if (in_type == S_IFDIR || in_type == S_IFIFO || in_type == S_IFSOCK) {
    return SyscallResult::Error(EINVAL);
  }

  sentry::BounceBuffer buffer(std::min(count, kSendfileChunk));
  const absl::Span<uint8_t> buf = buffer.span();
  size_t total = 0;
  absl::Status error;
  while (total < count) {
    if (total > 0) {
      // A long copy between files that never block (/dev/zero to
      // /dev/null) still yields to a signal, with what it has moved.
      absl::MutexLock lock(&t.kernel().mu);
      if (t.InterruptedLocked()) break;
    }
    const absl::Span<uint8_t> chunk(buf.data(), std::min(buf.size(), count - total));
    absl::StatusOr<size_t> n = positional ? in->PRead(t, chunk, pos) : in->Read(t, chunk);
    if (!n.ok()) {
      error = n.status();
      break;
    }
    if (*n == 0) break;  // End of the input.
    absl::StatusOr<size_t> w = out->Write(t, absl::MakeConstSpan(buf.data(), *n));
    if (!w.ok()) {
      error = w.status();
      break;
    }
    total += *w;
    pos += static_cast<int64_t>(*w);
    if (*w < *n) break;  // The output is full (a non-blocking pipe, a full disk).
  }
  if (total == 0 && !error.ok()) return ErrorOf(t, error);
  if (total > 0) {
    fs::NotifyFileEvent(*in, IN_ACCESS);
    fs::NotifyFileEvent(*out, IN_MODIFY);
  }
  if (ppos != nullptr) {
    *ppos = pos;
  } else if (positional && total > 0) {
    (void)in->Seek(pos, SEEK_SET);
  }
  return SyscallResult::Value(static_cast<int64_t>(total));
}

// sendfile(out_fd, in_fd, offset, count). As Linux, *offset is read first
// and written back whatever the outcome (and EFAULT if it cannot be).
SyscallResult Sendfile(Task& t, const SyscallArgs& a) {
  const int out_fd = static_cast<int>(a[0]);
  const int in_fd = static_cast<int>(a[1]);
  if (a[2] == 0) return DoSendfile(t, out_fd, in_fd, nullptr, a[3]);
  int64_t pos;
  RUNSC_RETURN_IF_ERROR(t.mm->CopyInObject(a[2], pos));
  SyscallResult r = DoSendfile(t, out_fd, in_fd, &pos, a[3]);
  RUNSC_RETURN_IF_ERROR(t.mm->CopyOutObject(a[2], pos));
  return r;
}

}  // namespace

void RegisterReadWrite(SyscallTable& t) {
  t[SYS_read] = {"read", Read, Support::kFull, ""};
  t[SYS_write] = {"write", Write, Support::kFull, ""};
  t[SYS_pread64] = {"pread64", Pread64, Support::kFull, ""};
  t[SYS_pwrite64] = {"pwrite64", Pwrite64, Support::kFull, ""};
  t[SYS_preadv] = {"preadv", Preadv, Support::kFull, ""};
  t[SYS_pwritev] = {"pwritev", Pwritev, Support::kFull, ""};
  t[SYS_preadv2] = {"preadv2", Preadv2, Support::kPartial, "flags 0 and RWF_HIPRI only"};
  t[SYS_pwritev2] = {"pwritev2", Pwritev2, Support::kPartial, "flags 0 and RWF_HIPRI only"};
  t[SYS_readv] = {"readv", Readv, Support::kFull, ""};
  t[SYS_writev] = {"writev", Writev, Support::kFull, ""};
  t[SYS_lseek] = {"lseek", Lseek, Support::kFull, ""};
  t[SYS_sendfile] = {"sendfile", Sendfile, Support::kFull,
                     "through a sentry buffer; like Linux, not from pipes, sockets or directories"};
}

}  // namespace runsc::syscalls
