// Anonymous pipes (pipe2) living entirely in the sentry.
#ifndef RUNSC_FS_PIPE_H_
#define RUNSC_FS_PIPE_H_

#include <deque>
#include <memory>
#include <utility>

#include "fs/file.h"
#include "sentry/kernel/kernel.h"

namespace runsc::fs {

class Pipe {
 public:
  // The capacity of a new pipe (F_GETPIPE_SZ), and the most an
  // unprivileged F_SETPIPE_SZ may ask for (/proc/sys/fs/pipe-max-size).
  static constexpr size_t kCapacity = 65536;
  static constexpr size_t kMaxCapacity = 1048576;
  // PIPE_BUF: writes up to this size are atomic.
  static constexpr size_t kAtomicWrite = 4096;

  explicit Pipe(sentry::Kernel& kernel) : kernel_(kernel) {}

  // The read and write ends, as open files with `flags` (O_NONBLOCK).
  static std::pair<std::shared_ptr<File>, std::shared_ptr<File>> Create(sentry::Kernel& kernel,
                                                                        int flags);

  // A read takes bytes across writes, but never past the end of a packet
  // (what a write in packet mode made); what it leaves of that packet is
  // dropped, as man 2 pipe says of O_DIRECT.
  // open(2) of an end of `pipe` with `flags` (a FIFO named `fifo`, or an
  // anonymous pipe reopened through /proc/<pid>/fd/N, fifo null), as
  // Linux's fifo_open: O_RDONLY waits for a writer (O_NONBLOCK: does not),
  // O_WRONLY for a reader (O_NONBLOCK: ENXIO if none), O_RDWR never waits.
  // Interruptible (ERESTARTSYS).
  static absl::StatusOr<std::shared_ptr<File>> OpenEnd(sentry::Task& task,
                                                       std::shared_ptr<Pipe> pipe, int flags,
                                                       std::shared_ptr<Node> fifo);
  // The node /proc/<pid>/fd/N of a pipe(2) end reaches: it stats as the
  // end, and opening it opens the same pipe with the new flags (Linux
  // reopens the pipe's inode). Null if `file` is no anonymous pipe end.
  static std::shared_ptr<Node> AnonymousPipeNodeOf(const std::shared_ptr<File>& file);

  absl::StatusOr<size_t> Read(sentry::Task& task, absl::Span<uint8_t> buf, bool nonblock);
  // `packets`: the writer's file has O_DIRECT (pipe2's packet mode, also
  // settable with F_SETFL): each write becomes packets of at most
  // kAtomicWrite bytes that reads return one at a time.
  absl::StatusOr<size_t> Write(sentry::Task& task, absl::Span<const uint8_t> buf, bool nonblock,
                               bool packets = false);
  void CloseEnd(bool write_end);
  size_t Available();
  // poll(2) readiness of one end; requires kernel().mu.
  short PollLocked(bool write_end, short events) const;
  // File::EventSeqLocked of one end: data in for the read end, room made
  // for the write end; closing an end counts for the other. Requires
  // kernel().mu.
  uint64_t EventSeqLocked(bool write_end) const { return write_end ? room_seq_ : data_seq_; }
  bool HasWriters();
  // fstat(2) of an end of an anonymous pipe: a FIFO whose inode number
  // names this pipe.
  struct stat AnonymousStat() const;
  size_t Capacity();
  // F_SETPIPE_SZ: rounds `size` up to a power-of-two number of pages (at
  // least one) and returns it; EBUSY if more than that is buffered, EPERM
  // above kMaxCapacity (the sandbox has no CAP_SYS_RESOURCE).
  absl::StatusOr<size_t> SetCapacity(uint64_t size);

 private:
  friend class NamedPipe;
  sentry::Kernel& kernel_;
  // One stretch of buffer_: bytes of ordinary writes (merged), or one packet.
  struct Segment {
    size_t length = 0;
    bool packet = false;
  };
  // How much of the capacity is taken: as Linux gives each packet a whole
  // page of the pipe's ring, a packet counts as kAtomicWrite bytes whatever
  // its length. Requires kernel_.mu.
  size_t UsedLocked() const { return buffer_.size() + packet_slack_; }
  void ConsumeLocked(size_t n);

  // Guarded by kernel_.mu: blocked readers and writers wait on kernel_.cv.
  std::deque<uint8_t> buffer_;
  // The stretches buffer_ is made of, oldest first; their lengths sum to
  // buffer_.size().
  std::deque<Segment> segments_;
  // What the queued packets take beyond their bytes (kAtomicWrite - length each).
  size_t packet_slack_ = 0;
  size_t capacity_ = kCapacity;
  int readers_ = 1;
  int writers_ = 1;
  uint64_t data_seq_ = 0;
  uint64_t room_seq_ = 0;
  // Opens of each end of a FIFO so far: a blocked open waits for the other
  // count to move.
  uint64_t reader_opens_ = 0;
  uint64_t writer_opens_ = 0;
};

// What a FIFO node (mkfifo on tmpfs or the rootfs) keeps: the pipe that
// everyone opening the node shares while any end is open. The data never
// touches the host; the gofer's FIFO is only a name.
class NamedPipe {
 public:
  // open(2) of the FIFO `node` with `flags`: Pipe::OpenEnd of the pipe
  // that the node's open ends share (a new one if none is open).
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, std::shared_ptr<Node> node,
                                             int flags);

 private:
  // Guarded by the kernel's mu, as the pipe's own state.
  std::weak_ptr<Pipe> pipe_;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_PIPE_H_
