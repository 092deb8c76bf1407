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

  absl::StatusOr<size_t> Read(sentry::Task& task, absl::Span<uint8_t> buf, bool nonblock);
  absl::StatusOr<size_t> Write(sentry::Task& task, absl::Span<const uint8_t> buf, bool nonblock);
  void CloseEnd(bool write_end);
  size_t Available();
  // poll(2) readiness of one end; requires kernel().mu.
  short PollLocked(bool write_end, short events) const;
  // File::EventSeqLocked of one end: data in for the read end, room made
  // for the write end; closing an end counts for the other. Requires
  // kernel().mu.
  uint64_t EventSeqLocked(bool write_end) const { return write_end ? room_seq_ : data_seq_; }
  bool HasWriters();
  size_t Capacity();
  // F_SETPIPE_SZ: rounds `size` up to a power-of-two number of pages (at
  // least one) and returns it; EBUSY if more than that is buffered, EPERM
  // above kMaxCapacity (the sandbox has no CAP_SYS_RESOURCE).
  absl::StatusOr<size_t> SetCapacity(uint64_t size);

 private:
  friend class NamedPipe;
  sentry::Kernel& kernel_;
  // Guarded by kernel_.mu: blocked readers and writers wait on kernel_.cv.
  std::deque<uint8_t> buffer_;
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
  // open(2) of the FIFO `node` with `flags`: O_RDONLY waits for a writer
  // (O_NONBLOCK: does not), O_WRONLY for a reader (O_NONBLOCK: ENXIO if
  // none), O_RDWR never waits. Interruptible (ERESTARTSYS).
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, std::shared_ptr<Node> node,
                                             int flags);

 private:
  // Guarded by the kernel's mu, as the pipe's own state.
  std::weak_ptr<Pipe> pipe_;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_PIPE_H_
