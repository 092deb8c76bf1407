#include "fs/pipe.h"

#include <fcntl.h>
#include <sys/ioctl.h>

namespace runsc::fs {
namespace {

class PipeEnd : public File {
 public:
  PipeEnd(int flags, std::shared_ptr<Pipe> pipe, bool write_end)
      : File(flags), pipe_(std::move(pipe)), write_end_(write_end) {
    set_path("pipe:[" + std::to_string(reinterpret_cast<uintptr_t>(pipe_.get()) & 0xffffff) + "]");
  }
  ~PipeEnd() override { pipe_->CloseEnd(write_end_); }

  absl::StatusOr<size_t> Read(sentry::Task& task, absl::Span<uint8_t> buf) override {
    if (write_end_) return ErrnoError(EBADF, "read from the write end of a pipe");
    return pipe_->Read(task, buf, flags() & O_NONBLOCK);
  }
  absl::StatusOr<size_t> Write(sentry::Task& task, absl::Span<const uint8_t> buf) override {
    if (!write_end_) return ErrnoError(EBADF, "write to the read end of a pipe");
    return pipe_->Write(task, buf, flags() & O_NONBLOCK);
  }
  short PollLocked(sentry::Task& task, short events) override {
    return pipe_->PollLocked(write_end_, events);
  }
  uint64_t EventSeqLocked() const override { return pipe_->EventSeqLocked(write_end_); }
  absl::StatusOr<struct stat> Stat() override {
    struct stat st {};
    st.st_mode = S_IFIFO | 0600;
    st.st_nlink = 1;
    st.st_blksize = 4096;
    st.st_ino = reinterpret_cast<uintptr_t>(pipe_.get()) & 0xffffff;
    return st;
  }
  absl::StatusOr<int64_t> PipeSize(std::optional<uint64_t> new_size) override {
    if (!new_size) return static_cast<int64_t>(pipe_->Capacity());
    absl::StatusOr<size_t> n = pipe_->SetCapacity(*new_size);
    if (!n.ok()) return n.status();
    return static_cast<int64_t>(*n);
  }
  absl::StatusOr<int64_t> Ioctl(sentry::Task& task, uint64_t cmd, uint64_t arg) override {
    if (cmd == FIONREAD) {
      int32_t n = static_cast<int32_t>(pipe_->Available());
      if (absl::Status s = task.mm->CopyOutObject(arg, n); !s.ok()) return s;
      return 0;
    }
    return ErrnoError(ENOTTY, "not a tty");
  }

 private:
  std::shared_ptr<Pipe> pipe_;
  const bool write_end_;
};

}  // namespace

std::pair<std::shared_ptr<File>, std::shared_ptr<File>> Pipe::Create(sentry::Kernel& kernel,
                                                                     int flags) {
  auto pipe = std::make_shared<Pipe>(kernel);
  const int nonblock = flags & O_NONBLOCK;
  return {std::make_shared<PipeEnd>(O_RDONLY | nonblock, pipe, false),
          std::make_shared<PipeEnd>(O_WRONLY | nonblock, pipe, true)};
}

absl::StatusOr<size_t> Pipe::Read(sentry::Task& task, absl::Span<uint8_t> buf, bool nonblock) {
  if (buf.empty()) return 0;
  absl::MutexLock lock(&kernel_.mu);
  while (buffer_.empty()) {
    if (writers_ == 0) return 0;  // EOF.
    if (nonblock) return ErrnoError(EAGAIN, "pipe empty");
    if (task.InterruptedLocked()) return ErrnoError(512 /*ERESTARTSYS*/, "interrupted");
    kernel_.cv.Wait(&kernel_.mu);
  }
  size_t n = std::min(buf.size(), buffer_.size());
  std::copy(buffer_.begin(), buffer_.begin() + n, buf.begin());
  buffer_.erase(buffer_.begin(), buffer_.begin() + n);
  ++room_seq_;
  kernel_.cv.SignalAll();
  return n;
}

absl::StatusOr<size_t> Pipe::Write(sentry::Task& task, absl::Span<const uint8_t> buf,
                                   bool nonblock) {
  absl::MutexLock lock(&kernel_.mu);
  size_t done = 0;
  while (done < buf.size()) {
    if (readers_ == 0) {
      if (done > 0) return done;
      return ErrnoError(EPIPE, "pipe has no readers");
    }
    const size_t room = capacity_ - std::min(capacity_, buffer_.size());
    const size_t left = buf.size() - done;
    // Small writes are atomic: wait for room for all of it.
    if (room == 0 || (left <= kAtomicWrite && room < left)) {
      if (nonblock) {
        if (done > 0) return done;
        return ErrnoError(EAGAIN, "pipe full");
      }
      if (task.InterruptedLocked()) {
        if (done > 0) return done;
        return ErrnoError(512 /*ERESTARTSYS*/, "interrupted");
      }
      kernel_.cv.Wait(&kernel_.mu);
      continue;
    }
    size_t n = std::min(room, left);
    buffer_.insert(buffer_.end(), buf.begin() + done, buf.begin() + done + n);
    done += n;
    ++data_seq_;
    kernel_.cv.SignalAll();
  }
  return done;
}

void Pipe::CloseEnd(bool write_end) {
  absl::MutexLock lock(&kernel_.mu);
  (write_end ? writers_ : readers_)--;
  ++(write_end ? data_seq_ : room_seq_);
  kernel_.cv.SignalAll();
}

short Pipe::PollLocked(bool write_end, short events) const {
  short ready = 0;
  if (write_end) {
    // As Linux: writable while there is room for an atomic write; an error
    // once nobody can read.
    if (capacity_ - std::min(capacity_, buffer_.size()) >= std::min(capacity_, kAtomicWrite)) ready |= events & (POLLOUT | POLLWRNORM);
    if (readers_ == 0) ready |= POLLERR;
  } else {
    if (!buffer_.empty()) ready |= events & (POLLIN | POLLRDNORM);
    if (writers_ == 0) ready |= POLLHUP;
  }
  return ready;
}

size_t Pipe::Capacity() {
  absl::MutexLock lock(&kernel_.mu);
  return capacity_;
}

absl::StatusOr<size_t> Pipe::SetCapacity(uint64_t size) {
  if (size > kMaxCapacity) return ErrnoError(EPERM, "pipe size above pipe-max-size");
  size_t rounded = 4096;
  while (rounded < size) rounded *= 2;
  absl::MutexLock lock(&kernel_.mu);
  if (buffer_.size() > rounded) return ErrnoError(EBUSY, "more data buffered than the new size");
  capacity_ = rounded;
  ++room_seq_;
  kernel_.cv.SignalAll();
  return rounded;
}

size_t Pipe::Available() {
  absl::MutexLock lock(&kernel_.mu);
  return buffer_.size();
}

}  // namespace runsc::fs
