// The sentry's buffer between a host fd and application memory for one
// read(2) or write(2) that cannot copy directly (pipes, sockets, devices,
// writes, small reads): the host thread's own buffer, kept across calls.
//
// Why kept: a fresh 1 MiB new[] per call was a fifth of the cost of a
// sandboxed 1 MiB read (bench/copy_path_bench: 228 against 181 µs of CPU,
// pread and process_vm_writev included), since glibc hands such a block
// out as fresh pages that fault in and go back at every free. Each sentry
// host thread serves one application thread, so one buffer per host
// thread is never contended; a nested use on the same thread (none today)
// gets a buffer of its own rather than sharing.
#ifndef RUNSC_SENTRY_MM_BOUNCE_BUFFER_H_
#define RUNSC_SENTRY_MM_BOUNCE_BUFFER_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/types/span.h"

namespace runsc::sentry {

class BounceBuffer {
 public:
  // What a host thread keeps: larger buffers are allocated per use and
  // freed after it. Its pages are touched only as far as transfers reach,
  // so a thread that only ever moves 4 KiB keeps 4 KiB resident.
  static constexpr size_t kKeptSize = 1 << 20;

  // `size` bytes, not zeroed (the transfer fills what it copies out).
  explicit BounceBuffer(size_t size);
  ~BounceBuffer();
  BounceBuffer(const BounceBuffer&) = delete;
  BounceBuffer& operator=(const BounceBuffer&) = delete;

  absl::Span<uint8_t> span() const { return {data_, size_}; }
  // Whether this use has the thread's kept buffer (for tests).
  bool is_kept() const { return owned_ == nullptr; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  std::unique_ptr<uint8_t[]> owned_;  // Set when not the kept buffer.
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_MM_BOUNCE_BUFFER_H_
