// eventfd(2): a 64-bit counter that write(2) adds to and read(2) takes
// (all of it, or one in EFD_SEMAPHORE mode), living in the sentry.
#ifndef RUNSC_FS_EVENTFD_FILE_H_
#define RUNSC_FS_EVENTFD_FILE_H_

#include <cstdint>

#include "fs/file.h"
#include "sentry/kernel/kernel.h"

namespace runsc::fs {

class EventfdFile : public File {
 public:
  // The counter's maximum: a write that would pass it waits (or EAGAIN).
  static constexpr uint64_t kMaxCounter = 0xfffffffffffffffeULL;

  // `nonblock`: O_NONBLOCK (EFD_NONBLOCK). `semaphore`: EFD_SEMAPHORE.
  EventfdFile(sentry::Kernel& kernel, uint64_t initial, bool nonblock, bool semaphore);

  // Exactly 8 bytes move; a smaller buffer is EINVAL. Reading a zero
  // counter and writing past kMaxCounter wait, interruptibly (ERESTARTSYS),
  // or are EAGAIN with O_NONBLOCK. Writing ~0 is EINVAL.
  absl::StatusOr<size_t> Read(sentry::Task& task, absl::Span<uint8_t> buf) override;
  absl::StatusOr<size_t> Write(sentry::Task& task, absl::Span<const uint8_t> buf) override;
  // POLLIN while the counter is non-zero, POLLOUT while 1 can be added.
  short PollLocked(sentry::Task& task, short events) override;
  uint64_t EventSeqLocked() const override { return seq_; }
  std::string FdInfoLocked() const override;
  absl::StatusOr<struct stat> Stat() override;

  uint64_t CountForTest();

 private:
  sentry::Kernel& kernel_;
  const bool semaphore_;
  // Guarded by kernel_.mu; waiters wait on kernel_.cv.
  uint64_t counter_;
  uint64_t seq_ = 0;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_EVENTFD_FILE_H_
