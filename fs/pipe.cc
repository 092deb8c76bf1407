#include "fs/pipe.h"

#include <fcntl.h>
#include <sys/ioctl.h>

namespace runsc::fs {
namespace {

// One open end of a pipe: the read or write end of pipe(2), or what an open
// of a FIFO gave (O_RDWR makes both ends at once, as Linux).
class PipeEnd : public File {
 public:
  PipeEnd(int flags, std::shared_ptr<Pipe> pipe, bool reads, bool writes,
          std::shared_ptr<Node> fifo = nullptr)
      : File(flags), pipe_(std::move(pipe)), reads_(reads), writes_(writes),
        fifo_(std::move(fifo)) {
    // A FIFO shows its path (Vfs::Open sets it); an anonymous pipe its inode.
    if (fifo_ == nullptr) {
      set_path("pipe:[" + std::to_string(reinterpret_cast<uintptr_t>(pipe_.get()) & 0xffffff) + "]");
    }
  }
  ~PipeEnd() override {
    if (reads_) pipe_->CloseEnd(false);
    if (writes_) pipe_->CloseEnd(true);
  }

  absl::StatusOr<size_t> Read(sentry::Task& task, absl::Span<uint8_t> buf) override {
    if (!reads_) return ErrnoError(EBADF, "read from the write end of a pipe");
    return pipe_->Read(task, buf, flags() & O_NONBLOCK);
  }
  absl::StatusOr<size_t> Write(sentry::Task& task, absl::Span<const uint8_t> buf) override {
    if (!writes_) return ErrnoError(EBADF, "write to the read end of a pipe");
    return pipe_->Write(task, buf, flags() & O_NONBLOCK, flags() & O_DIRECT);
  }
  short PollLocked(sentry::Task& task, short events) override {
    short ready = 0;
    if (reads_) ready |= pipe_->PollLocked(false, events);
    if (writes_) ready |= pipe_->PollLocked(true, events);
    return ready;
  }
  uint64_t EventSeqLocked() const override {
    return (reads_ ? pipe_->EventSeqLocked(false) : 0) + (writes_ ? pipe_->EventSeqLocked(true) : 0);
  }
  absl::StatusOr<struct stat> Stat() override {
    if (fifo_ != nullptr) return fifo_->Stat();
    return pipe_->AnonymousStat();
  }
  absl::StatusOr<int64_t> PipeSize(std::optional<uint64_t> new_size) override {
    if (!new_size) return static_cast<int64_t>(pipe_->Capacity());
    absl::StatusOr<size_t> n = pipe_->SetCapacity(*new_size);
    if (!n.ok()) return n.status();
    return static_cast<int64_t>(*n);
  }
  const std::shared_ptr<Pipe>& pipe() const { return pipe_; }
  const std::shared_ptr<Node>& fifo() const { return fifo_; }

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
  const bool reads_;
  const bool writes_;
  std::shared_ptr<Node> fifo_;  // The FIFO's node, for fstat; null for pipe(2).
};

}  // namespace

std::pair<std::shared_ptr<File>, std::shared_ptr<File>> Pipe::Create(sentry::Kernel& kernel,
                                                                     int flags) {
  auto pipe = std::make_shared<Pipe>(kernel);
  // As Linux's create_pipe_files, O_DIRECT (packet mode) is the write
  // end's alone: it is the writer's flag that makes packets.
  const int nonblock = flags & O_NONBLOCK;
  return {std::make_shared<PipeEnd>(O_RDONLY | nonblock, pipe, true, false),
          std::make_shared<PipeEnd>(O_WRONLY | nonblock | (flags & O_DIRECT), pipe, false, true)};
}

absl::StatusOr<std::shared_ptr<File>> NamedPipe::Open(sentry::Task& task,
                                                      std::shared_ptr<Node> node, int flags) {
  sentry::Kernel& kernel = task.kernel();
  std::shared_ptr<Pipe> pipe;
  {
    absl::MutexLock lock(&kernel.mu);
    pipe = pipe_.lock();
    if (pipe == nullptr) {
      pipe = std::make_shared<Pipe>(kernel);
      pipe->readers_ = pipe->writers_ = 0;
      pipe_ = pipe;
    }
  }
  return Pipe::OpenEnd(task, std::move(pipe), flags, std::move(node));
}

absl::StatusOr<std::shared_ptr<File>> Pipe::OpenEnd(sentry::Task& task, std::shared_ptr<Pipe> pipe,
                                                    int flags, std::shared_ptr<Node> fifo) {
  sentry::Kernel& kernel = task.kernel();
  const int mode = flags & O_ACCMODE;
  const bool nonblock = flags & O_NONBLOCK;
  if (mode == (O_WRONLY | O_RDWR)) return ErrnoError(EINVAL, "bad access mode for a FIFO");
  {
    absl::MutexLock lock(&kernel.mu);
    if (pipe->readers_ == 0 && pipe->writers_ == 0) {
      // Linux frees a pipe when its last end closes: nothing written before
      // survives into the next rendezvous.
      pipe->buffer_.clear();
      pipe->segments_.clear();
      pipe->packet_slack_ = 0;
    }
    if (mode == O_WRONLY && nonblock && pipe->readers_ == 0) {
      return ErrnoError(ENXIO, "FIFO has no reader");
    }
    const bool reads = mode != O_WRONLY;
    const bool writes = mode != O_RDONLY;
    if (reads) {
      ++pipe->readers_;
      ++pipe->reader_opens_;
    }
    if (writes) {
      ++pipe->writers_;
      ++pipe->writer_opens_;
    }
    kernel.cv.SignalAll();
    // A blocking open of one end waits for the other end to be opened (not
    // for it to be open still: a writer that came and went releases us, as
    // Linux's r_counter/w_counter do).
    if (!nonblock && mode != O_RDWR) {
      const uint64_t seen = reads ? pipe->writer_opens_ : pipe->reader_opens_;
      for (;;) {
        const int others = reads ? pipe->writers_ : pipe->readers_;
        const uint64_t opens = reads ? pipe->writer_opens_ : pipe->reader_opens_;
        if (others > 0 || opens != seen) break;
        if (task.InterruptedLocked()) {
          (reads ? pipe->readers_ : pipe->writers_)--;
          ++(reads ? pipe->data_seq_ : pipe->room_seq_);
          kernel.cv.SignalAll();
          return ErrnoError(512 /*ERESTARTSYS*/, "interrupted while opening a FIFO");
        }
        sentry::Task::SleepingScope sleeping(task);
        kernel.cv.Wait(&kernel.mu);
      }
    }
  }
  return std::make_shared<PipeEnd>(flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY), pipe,
                                   mode != O_WRONLY, mode != O_RDONLY, std::move(fifo));
}

namespace {

// What /proc/<pid>/fd/N of a pipe(2) end reaches: the pipe's inode, which
// stats as the end does and opens the same pipe again.
class AnonymousPipeNode : public Node {
 public:
  explicit AnonymousPipeNode(std::shared_ptr<Pipe> pipe) : pipe_(std::move(pipe)) {}
  absl::StatusOr<struct stat> Stat() override { return pipe_->AnonymousStat(); }
  // The reopened end has this node's dentry: fstatfs of it still says pipefs.
  absl::StatusOr<struct statfs> StatFs(sentry::Task& task) override {
    absl::StatusOr<struct statfs> st = Node::StatFs(task);
    if (st.ok()) st->f_type = 0x50495045;  // PIPEFS_MAGIC.
    return st;
  }
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override {
    return Pipe::OpenEnd(task, pipe_, flags, nullptr);
  }
  bool Cacheable() const override { return false; }

 private:
  // The pipe, not the end: an O_PATH open of the link must not keep an
  // end open (a reader would never see EOF).
  const std::shared_ptr<Pipe> pipe_;
};

}  // namespace

std::shared_ptr<Node> Pipe::AnonymousPipeNodeOf(const std::shared_ptr<File>& file) {
  auto* end = dynamic_cast<PipeEnd*>(file.get());
  if (end == nullptr || end->fifo() != nullptr) return nullptr;
  return std::make_shared<AnonymousPipeNode>(end->pipe());
}

absl::StatusOr<size_t> Pipe::Read(sentry::Task& task, absl::Span<uint8_t> buf, bool nonblock) {
  if (buf.empty()) return 0;
  absl::MutexLock lock(&kernel_.mu);
  while (buffer_.empty()) {
    if (writers_ == 0) return 0;  // EOF.
    if (nonblock) return ErrnoError(EAGAIN, "pipe empty");
    if (task.InterruptedLocked()) return ErrnoError(512 /*ERESTARTSYS*/, "interrupted");
    sentry::Task::SleepingScope sleeping(task);
    kernel_.cv.Wait(&kernel_.mu);
  }
  size_t n = 0;
  while (n < buf.size() && !segments_.empty()) {
    const Segment seg = segments_.front();
    const size_t take = std::min(buf.size() - n, seg.length);
    std::copy(buffer_.begin(), buffer_.begin() + take, buf.begin() + n);
    n += take;
    if (seg.packet) {
      ConsumeLocked(seg.length);  // The rest of the packet is dropped.
      break;
    }
    ConsumeLocked(take);
  }
  ++room_seq_;
  kernel_.cv.SignalAll();
  return n;
}

void Pipe::ConsumeLocked(size_t n) {
  buffer_.erase(buffer_.begin(), buffer_.begin() + n);
  while (n > 0) {
    Segment& seg = segments_.front();
    const size_t take = std::min(n, seg.length);
    seg.length -= take;
    n -= take;
    if (seg.length == 0) {
      if (seg.packet) packet_slack_ -= kAtomicWrite - take;
      segments_.pop_front();
    } else if (seg.packet) {
      packet_slack_ += take;
    }
  }
}

absl::StatusOr<size_t> Pipe::Write(sentry::Task& task, absl::Span<const uint8_t> buf,
                                   bool nonblock, bool packets) {
  absl::MutexLock lock(&kernel_.mu);
  size_t done = 0;
  while (done < buf.size()) {
    if (readers_ == 0) {
      if (done > 0) return done;
      return ErrnoError(EPIPE, "pipe has no readers");
    }
    const size_t room = capacity_ - std::min(capacity_, UsedLocked());
    const size_t left = buf.size() - done;
    // Small writes are atomic: wait for room for all of it. A packet takes
    // a page of the pipe whatever its length.
    const bool blocked = packets ? room < kAtomicWrite
                                 : room == 0 || (left <= kAtomicWrite && room < left);
    if (blocked) {
      if (nonblock) {
        if (done > 0) return done;
        return ErrnoError(EAGAIN, "pipe full");
      }
      if (task.InterruptedLocked()) {
        if (done > 0) return done;
        return ErrnoError(512 /*ERESTARTSYS*/, "interrupted");
      }
      sentry::Task::SleepingScope sleeping(task);
      kernel_.cv.Wait(&kernel_.mu);
      continue;
    }
    const size_t n = packets ? std::min(left, kAtomicWrite) : std::min(room, left);
    buffer_.insert(buffer_.end(), buf.begin() + done, buf.begin() + done + n);
    if (packets) {
      segments_.push_back({n, true});
      packet_slack_ += kAtomicWrite - n;
    } else if (!segments_.empty() && !segments_.back().packet) {
      segments_.back().length += n;
    } else {
      segments_.push_back({n, false});
    }
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
    if (capacity_ - std::min(capacity_, UsedLocked()) >= std::min(capacity_, kAtomicWrite)) {
      ready |= events & (POLLOUT | POLLWRNORM);
    }
    if (readers_ == 0) ready |= POLLERR;
  } else {
    if (!buffer_.empty()) ready |= events & (POLLIN | POLLRDNORM);
    if (writers_ == 0) ready |= POLLHUP;
  }
  return ready;
}

struct stat Pipe::AnonymousStat() const {
  struct stat st {};
  st.st_mode = S_IFIFO | 0600;
  st.st_nlink = 1;
  st.st_blksize = 4096;
  st.st_ino = reinterpret_cast<uintptr_t>(this) & 0xffffff;
  return st;
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
  if (UsedLocked() > rounded) return ErrnoError(EBUSY, "more data buffered than the new size");
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
