// pread(2) of a host fd straight into application memory, in one copy:
// page cache → application, by process_vm_writev from a read-only mapping
// of the fd in the sentry, instead of pread into a sentry buffer and
// process_vm_writev out of it (two copies, the second from a buffer that
// a 1 MiB read has pushed out of L2).
//
// Measured (bench/copy_path_bench, 1 MiB, CPU time, a 2-core VM under
// load): pread into a fresh buffer + process_vm_writev 228 µs, into a kept
// buffer 181 µs, from a kept mapping 133 µs; a native pread is 49 µs. What
// is left is process_vm_writev itself: it pins the application's pages
// one at a time (GUP, ~40 % of it) and copies 4 KiB at a time.
//
// Safety. The mapping is PROT_READ, MAP_SHARED, of an fd the sentry
// already holds and reads, in the sentry only: no stub, application or
// gofer gets anything it did not have. The application can truncate the
// file under the mapping at any moment; a user-mode read past the new end
// would be SIGBUS in the sentry, so the mapping is only ever read by the
// kernel's copy in process_vm_writev (MemoryManager::CopyOutFromFileMapping),
// where such a page fails the copy short. A short copy is then settled by
// the file's size (fstat) and, if not by that, by pread through a buffer:
// the result is always one pread(2) could give.
//
// Not for small reads: below kMinReadSize the two fstats cost more than the
// second copy saves.
#ifndef RUNSC_FS_MAPPED_FILE_READER_H_
#define RUNSC_FS_MAPPED_FILE_READER_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "sentry/mm/memory_manager.h"

namespace runsc::fs {

class MappedFileReader {
 public:
  // bench/copy_path_bench: at 4 KiB the kept buffer wins (2.8 against 3.1
  // µs), at 16 KiB the mapping (4.4 against 5.2 µs).
  static constexpr size_t kMinReadSize = 16 << 10;
  // What is mapped at once, at a multiple of its size: one mmap serves a
  // file read from start to end 64 times in 1 MiB reads, and virtual
  // address space is what it costs (pages are mapped as the copies touch
  // them).
  static constexpr uint64_t kWindowSize = 64 << 20;
  // At most this many windows are mapped in the sentry at once, across all
  // readers (each is one VMA, of vm.max_map_count's 65530); past it, reads
  // take the buffer.
  static constexpr int kMaxWindows = 1024;

  // `host_fd` is a regular file's (or memfd's) and outlives this reader.
  explicit MappedFileReader(int host_fd);
  ~MappedFileReader();
  MappedFileReader(const MappedFileReader&) = delete;
  MappedFileReader& operator=(const MappedFileReader&) = delete;

  // pread(2) of up to `count` bytes at `offset` into `mm`'s memory at
  // `addr`: the bytes delivered, short at the end of the file or where the
  // application's buffer stops being writable, ErrnoError(EFAULT) if not
  // one byte could be, a host error as pread would give it. nullopt when
  // this file cannot be mapped (the caller reads it into a buffer; a file
  // mmap refuses is not tried again) or too many windows are mapped.
  [[nodiscard]] std::optional<absl::StatusOr<size_t>> PRead(sentry::MemoryManager& mm,
                                                            uint64_t addr, size_t count,
                                                            int64_t offset);

  // runsc --direct-file-reads: false makes every PRead nullopt. Set once,
  // before the application runs.
  static void SetEnabled(bool enabled);

  // How many windows are mapped in the sentry now (for tests).
  static int LiveWindows();

 private:
  class Window;
  // The window holding `offset`, mapped if need be; null if it cannot be.
  std::shared_ptr<const Window> WindowFor(int64_t offset);
  // The rest of a read the mapping left short, through a buffer.
  absl::StatusOr<size_t> FinishThroughBuffer(sentry::MemoryManager& mm, uint64_t addr,
                                             int64_t offset, size_t done, size_t want);

  const int fd_;
  absl::Mutex mu_;
  // Held by every copy from it, so replacing it never unmaps under one.
  std::shared_ptr<const Window> window_ ABSL_GUARDED_BY(mu_);
  bool unmappable_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_MAPPED_FILE_READER_H_
