// The sentry's buffer between a host fd and application memory for one
// read(2) or write(2) that cannot copy directly (pipes, sockets, devices,
// writes, small reads): the host thread's own buffer, kept across calls.
//
// Why kept, and only small ones: outside a sandbox a kept 1 MiB buffer
// beat a fresh new[] per call (bench/copy_path_bench: 181 against 228 µs of
// CPU for pread + process_vm_writev), but in the sandbox a kept 1 MiB
// buffer made read_1m 4x slower (1,224 against 282 µs, --direct-file-reads
// =false, one run at load 7), for a reason not yet found (perf shows the
// time in pread's copy into the buffer). So only buffers up to 64 KiB are
// kept (small reads, sendfile's steps: no malloc per call, read_4k the
// same either way) and larger ones are allocated per use, as before. Each
// sentry host thread serves one application thread, so one buffer per host
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
  // freed after it.
  static constexpr size_t kKeptSize = 64 << 10;

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
