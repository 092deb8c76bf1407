#include "fs/mapped_file_reader.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

#include "base/errno_status.h"
#include "sentry/mm/bounce_buffer.h"

namespace runsc::fs {
namespace {

std::atomic<int> live_windows{0};
std::atomic<bool> enabled{true};

}  // namespace

// [start, start + kWindowSize) of the file, mapped at `data`.
class MappedFileReader::Window {
 public:
  Window(const uint8_t* data, int64_t start) : data_(data), start_(start) {}
  ~Window() {
    ::munmap(const_cast<uint8_t*>(data_), kWindowSize);
    live_windows.fetch_sub(1);
  }
  bool Holds(int64_t offset) const {
    return offset >= start_ && static_cast<uint64_t>(offset - start_) < kWindowSize;
  }
  // The bytes from `offset` to the window's end. Never read in user mode
  // (see the header).
  absl::Span<const uint8_t> From(int64_t offset) const {
    const uint64_t skip = static_cast<uint64_t>(offset - start_);
    return {data_ + skip, kWindowSize - skip};
  }

 private:
  const uint8_t* const data_;
  const int64_t start_;
};

MappedFileReader::MappedFileReader(int host_fd) : fd_(host_fd) {}

MappedFileReader::~MappedFileReader() = default;

int MappedFileReader::LiveWindows() { return live_windows.load(); }

void MappedFileReader::SetEnabled(bool on) { enabled.store(on); }

std::shared_ptr<const MappedFileReader::Window> MappedFileReader::WindowFor(int64_t offset) {
  absl::MutexLock lock(&mu_);
  if (window_ != nullptr && window_->Holds(offset)) return window_;
  if (unmappable_) return nullptr;
  if (live_windows.fetch_add(1) >= kMaxWindows) {
    live_windows.fetch_sub(1);
    return nullptr;
  }
  const int64_t start = offset & ~static_cast<int64_t>(kWindowSize - 1);
  void* data = ::mmap(nullptr, kWindowSize, PROT_READ, MAP_SHARED, fd_, start);
  if (data == MAP_FAILED) {
    live_windows.fetch_sub(1);
    unmappable_ = true;  // ENODEV, EACCES: this fd will not map later either.
    return nullptr;
  }
  window_ = std::make_shared<const Window>(static_cast<const uint8_t*>(data), start);
  return window_;
}

std::optional<absl::StatusOr<size_t>> MappedFileReader::PRead(sentry::MemoryManager& mm,
                                                              uint64_t addr, size_t count,
                                                              int64_t offset) {
  if (!enabled.load(std::memory_order_relaxed)) return std::nullopt;
  struct stat st;
  if (::fstat(fd_, &st) != 0) return HostError("fstat of a file to read");
  if (!S_ISREG(st.st_mode)) return std::nullopt;
  if (offset >= st.st_size || count == 0) return 0;
  const size_t want = std::min<uint64_t>(count, static_cast<uint64_t>(st.st_size - offset));

  size_t done = 0;
  while (done < want) {
    const int64_t at = offset + static_cast<int64_t>(done);
    std::shared_ptr<const Window> window = WindowFor(at);
    if (window == nullptr) {
      if (done == 0) return std::nullopt;
      break;
    }
    absl::Span<const uint8_t> from = window->From(at);
    from = from.first(std::min(from.size(), want - done));
    absl::StatusOr<size_t> n = mm.CopyOutFromFileMapping(addr + done, from);
    if (!n.ok()) break;
    done += *n;
    if (*n < from.size()) break;
  }

  // A truncation during the copy: pages past the new end failed it, and
  // the tail of the new last page read as zeros. What lies past the end
  // was never read, as a pread after the truncation would say.
  if (::fstat(fd_, &st) == 0 && offset + static_cast<int64_t>(done) > st.st_size) {
    return static_cast<size_t>(std::max<int64_t>(st.st_size - offset, 0));
  }
  if (done == want) return done;
  // Short for another reason: the application's buffer ended there, or the
  // page could not be read (an I/O error faults a mapping). pread says.
  return FinishThroughBuffer(mm, addr, offset, done, want);
}

absl::StatusOr<size_t> MappedFileReader::FinishThroughBuffer(sentry::MemoryManager& mm,
                                                             uint64_t addr, int64_t offset,
                                                             size_t done, size_t want) {
  // One buffer's worth settles it: the copy out fails again (the
  // application's buffer ends) or moves on, and a short read is a read.
  sentry::BounceBuffer buffer(std::min(want - done, sentry::BounceBuffer::kKeptSize));
  const ssize_t n = ::pread(fd_, buffer.span().data(), buffer.span().size(),
                            offset + static_cast<int64_t>(done));
  if (n < 0) {
    if (done > 0) return done;
    return HostError("pread");
  }
  if (n == 0) return done;
  absl::StatusOr<size_t> copied =
      mm.CopyOutPartial(addr + done, buffer.span().first(static_cast<size_t>(n)));
  if (!copied.ok()) {
    if (done > 0) return done;
    return copied.status();
  }
  return done + *copied;
}

}  // namespace runsc::fs
