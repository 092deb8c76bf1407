#include "fs/eventfd_file.h"

#include <fcntl.h>

#include <cstring>

#include "absl/strings/str_format.h"
#include "fs/anon_inode.h"

namespace runsc::fs {

EventfdFile::EventfdFile(sentry::Kernel& kernel, uint64_t initial, bool nonblock, bool semaphore)
    : File(O_RDWR | (nonblock ? O_NONBLOCK : 0)),
      kernel_(kernel),
      semaphore_(semaphore),
      counter_(initial) {
  set_path("anon_inode:[eventfd]");
}

absl::StatusOr<size_t> EventfdFile::Read(sentry::Task& task, absl::Span<uint8_t> buf) {
  if (buf.size() < sizeof(uint64_t)) return ErrnoError(EINVAL, "eventfd read of less than 8 bytes");
  uint64_t value = 0;
  {
    absl::MutexLock lock(&kernel_.mu);
    while (counter_ == 0) {
      if (flags() & O_NONBLOCK) return ErrnoError(EAGAIN, "eventfd counter is zero");
      if (task.InterruptedLocked()) return ErrnoError(512 /*ERESTARTSYS*/, "interrupted");
      sentry::Task::SleepingScope sleeping(task);
      kernel_.cv.Wait(&kernel_.mu);
    }
    value = semaphore_ ? 1 : counter_;
    counter_ -= value;
    ++seq_;
    kernel_.cv.SignalAll();
  }
  std::memcpy(buf.data(), &value, sizeof(value));
  return sizeof(value);
}

absl::StatusOr<size_t> EventfdFile::Write(sentry::Task& task, absl::Span<const uint8_t> buf) {
  if (buf.size() < sizeof(uint64_t)) return ErrnoError(EINVAL, "eventfd write of less than 8 bytes");
  uint64_t value;
  std::memcpy(&value, buf.data(), sizeof(value));
  if (value == ~uint64_t{0}) return ErrnoError(EINVAL, "eventfd write of 0xffffffffffffffff");
  absl::MutexLock lock(&kernel_.mu);
  while (kMaxCounter - counter_ < value) {
    if (flags() & O_NONBLOCK) return ErrnoError(EAGAIN, "eventfd counter would overflow");
    if (task.InterruptedLocked()) return ErrnoError(512 /*ERESTARTSYS*/, "interrupted");
    sentry::Task::SleepingScope sleeping(task);
    kernel_.cv.Wait(&kernel_.mu);
  }
  if (value != 0) {
    counter_ += value;
    ++seq_;
    kernel_.cv.SignalAll();
  }
  return sizeof(value);
}

short EventfdFile::PollLocked(sentry::Task& task, short events) {
  short ready = 0;
  if (counter_ > 0) ready |= POLLIN | POLLRDNORM;
  if (counter_ < kMaxCounter) ready |= POLLOUT | POLLWRNORM;
  return ready & events;
}

absl::StatusOr<struct stat> EventfdFile::Stat() { return AnonymousInodeStat(this); }

std::string EventfdFile::FdInfoLocked() const {
  // Linux's eventfd_show_fdinfo, but for eventfd-id: no ids are kept.
  return absl::StrFormat("eventfd-count: %16x\neventfd-semaphore: %d\n", counter_,
                         semaphore_ ? 1 : 0);
}

uint64_t EventfdFile::CountForTest() {
  absl::MutexLock lock(&kernel_.mu);
  return counter_;
}

}  // namespace runsc::fs
