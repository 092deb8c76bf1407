// Internal to fs/tmpfs*.cc: a tmpfs regular file (its bytes in a memfd) and
// its open file description.
#ifndef RUNSC_FS_TMPFS_REGULAR_H_
#define RUNSC_FS_TMPFS_REGULAR_H_

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/unique_fd.h"
#include "fs/file_size_limit.h"
#include "fs/mapped_file_reader.h"
#include "fs/tmpfs_node.h"

// Linux 6.3's seal; older C headers do not name it.
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

namespace runsc::fs::tmpfs_internal {

class TmpfsRegular : public TmpfsNode {
 public:
  using TmpfsNode::TmpfsNode;
  ~TmpfsRegular() override { fs_->Uncharge(charged_); }

  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override;

  // The memfd holding the bytes, made on first need; -1 if it could not be.
  int MemFd() {
    absl::MutexLock lock(&io_mu_);
    if (!EnsureMemFdLocked().ok()) return -1;
    return memfd_.get();
  }
  int64_t size() const { return size_.load(); }

  // lseek(2) SEEK_DATA/SEEK_HOLE: the memfd's pages are the file's, so the
  // host's answer is the hole map; ENXIO at or past the end.
  absl::StatusOr<int64_t> SeekDataOrHole(int64_t offset, int whence) {
    absl::MutexLock lock(&io_mu_);
    const int64_t size = size_.load();
    if (offset < 0 || offset >= size || !memfd_.valid()) {
      return ErrnoError(ENXIO, "seek past the end of data");
    }
    off_t at = ::lseek(memfd_.get(), offset, whence);
    if (at < 0) return HostError("tmpfs lseek: SEEK_DATA/SEEK_HOLE on the memfd");
    return std::min<int64_t>(at, size);
  }

  // File seals (fcntl(2) F_ADD_SEALS/F_GET_SEALS; memfd_create(2)).
  //
  // Every tmpfs file starts with F_SEAL_SEAL, as in Linux; MakeSealable()
  // (memfd_create with MFD_ALLOW_SEALING) opens it to more. The sentry
  // checks the seals on write and truncate, and each seal added is added to
  // the host memfd as well: the stubs' MAP_SHARED mappings are host mappings
  // of it, so the host kernel refuses F_SEAL_WRITE while a writable one
  // exists (EBUSY), refuses new writable shared mappings and mprotect to
  // PROT_WRITE of a sealed file, exactly as Linux does for the application.
  absl::Status MakeSealable(int initial_seals);
  // Adds `seals`; EPERM if F_SEAL_SEAL is set, EBUSY if F_SEAL_WRITE is
  // asked while the file is mapped writable, EINVAL for unknown bits.
  absl::Status AddSeals(int seals);
  int Seals() {
    absl::MutexLock lock(&io_mu_);
    return seals_;
  }

  absl::StatusOr<size_t> PRead(absl::Span<uint8_t> buf, int64_t offset) {
    if (offset < 0) return ErrnoError(EINVAL, "negative offset");
    int fd;
    {
      absl::MutexLock lock(&io_mu_);
      if (!memfd_.valid() || offset >= size_.load()) return 0;
      fd = memfd_.get();
    }
    // The fd lives as long as this node, which the caller's file holds.
    ssize_t n = ::pread(fd, buf.data(), buf.size(), offset);
    if (n < 0) return HostError("tmpfs read: pread of the memfd");
    return static_cast<size_t>(n);
  }

  // Writes at `offset`, or at the end (and reports where) if `append`, no
  // further than the task's RLIMIT_FSIZE.
  absl::StatusOr<size_t> PWrite(sentry::Task& task, absl::Span<const uint8_t> buf,
                                int64_t& offset, bool append) {
    absl::MutexLock lock(&io_mu_);
    if (append) offset = size_.load();
    if (offset < 0) return ErrnoError(EINVAL, "negative offset");
    if (buf.empty()) return 0;
    absl::StatusOr<size_t> allowed = LengthWithinFileSizeLimit(task, offset, buf.size());
    if (!allowed.ok()) return allowed.status();
    if (offset >= kMaxFileSize) return ErrnoError(EFBIG, "write past the largest file size");
    size_t len = std::min<uint64_t>(*allowed, kMaxFileSize - offset);
    if (absl::Status s = CheckWriteSealsLocked(offset, len); !s.ok()) return s;
    const uint64_t end = static_cast<uint64_t>(offset) + len;
    if (end > charged_) {
      // Whatever fits in the limit is written (a short write), as Linux does.
      const uint64_t want = PageRoundUp(end) - charged_;
      const uint64_t room = std::min(want, fs_->Available() & ~(kPage - 1));
      if (charged_ + room <= static_cast<uint64_t>(offset)) {
        return ErrnoError(ENOSPC, "tmpfs size limit reached");
      }
      if (absl::Status s = fs_->Charge(room); !s.ok()) return s;
      charged_ += room;
      len = std::min<uint64_t>(len, charged_ - offset);
    }
    if (absl::Status s = EnsureMemFdLocked(); !s.ok()) return s;
    ssize_t n = ::pwrite(memfd_.get(), buf.data(), len, offset);
    if (n < 0) return HostError("tmpfs write: pwrite to the memfd");
    if (offset + n > size_.load()) size_.store(offset + n);
    ReleaseUnusedChargeLocked();
    absl::MutexLock meta(&fs_->mu);
    TouchMtimeLocked();
    return static_cast<size_t>(n);
  }

  absl::Status Resize(int64_t size) override {
    if (size < 0) return ErrnoError(EINVAL, "negative size");
    if (size > kMaxFileSize) return ErrnoError(EFBIG, "size past the largest file size");
    absl::MutexLock lock(&io_mu_);
    if ((seals_ & F_SEAL_SHRINK) && size < size_.load()) {
      return ErrnoError(EPERM, "truncate: the file is sealed against shrinking");
    }
    if ((seals_ & F_SEAL_GROW) && size > size_.load()) {
      return ErrnoError(EPERM, "truncate: the file is sealed against growing");
    }
    const uint64_t needed = PageRoundUp(size);
    if (needed > charged_) {
      if (absl::Status s = fs_->Charge(needed - charged_); !s.ok()) return s;
      charged_ = needed;
    }
    if (memfd_.valid() || size > 0) {
      if (absl::Status s = EnsureMemFdLocked(); !s.ok()) return s;
      if (::ftruncate(memfd_.get(), size) != 0) return HostError("tmpfs truncate: ftruncate");
    }
    size_.store(size);
    ReleaseUnusedChargeLocked();
    absl::MutexLock meta(&fs_->mu);
    TouchMtimeLocked();
    return absl::OkStatus();
  }

  // fallocate(2): the memfd does the work, so the modes are shmem's
  // (allocate, KEEP_SIZE, PUNCH_HOLE|KEEP_SIZE; anything else EOPNOTSUPP).
  // The sentry keeps the size, the size= charge and the seals as for a
  // write or truncate. Space allocated past the size with KEEP_SIZE is not
  // charged (the charge follows the size).
  absl::Status Allocate(int mode, int64_t offset, int64_t len) {
    if (offset > kMaxFileSize - len) return ErrnoError(EFBIG, "fallocate past the largest file size");
    const int64_t end = offset + len;
    absl::MutexLock lock(&io_mu_);
    const bool grows = !(mode & FALLOC_FL_KEEP_SIZE) && end > size_.load();
    if ((mode & FALLOC_FL_PUNCH_HOLE) && (seals_ & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))) {
      return ErrnoError(EPERM, "fallocate: the file is sealed against writing");
    }
    if (grows && (seals_ & F_SEAL_GROW)) {
      return ErrnoError(EPERM, "fallocate: the file is sealed against growing");
    }
    if (grows && PageRoundUp(end) > charged_) {
      if (absl::Status s = fs_->Charge(PageRoundUp(end) - charged_); !s.ok()) return s;
      charged_ = PageRoundUp(end);
    }
    absl::Status result = EnsureMemFdLocked();
    if (result.ok() && ::fallocate(memfd_.get(), mode, offset, len) != 0) {
      result = HostError("tmpfs fallocate: fallocate of the memfd");
    }
    if (result.ok() && grows) size_.store(end);
    ReleaseUnusedChargeLocked();
    if (!result.ok()) return result;
    absl::MutexLock meta(&fs_->mu);
    TouchMtimeLocked();
    return absl::OkStatus();
  }

 protected:
  void FillSizeLocked(struct stat& st) override {
    st.st_size = size_.load();
    st.st_blocks = static_cast<blkcnt_t>(PageRoundUp(st.st_size) / 512);
  }

 private:
  // Linux's shmem_write_begin(): a write-sealed file takes no write; a
  // grow-sealed one takes the pages of the write that end within the size
  // (a short write), EPERM if the first one does not.
  absl::Status CheckWriteSealsLocked(int64_t offset, size_t& len)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_) {
    if (seals_ & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) {
      return ErrnoError(EPERM, "write: the file is sealed against writing");
    }
    const int64_t size = size_.load();
    if (!(seals_ & F_SEAL_GROW) || offset + static_cast<int64_t>(len) <= size) {
      return absl::OkStatus();
    }
    const int64_t writable_end = static_cast<int64_t>(size) & ~static_cast<int64_t>(kPage - 1);
    if (writable_end <= offset) return ErrnoError(EPERM, "write: the file is sealed against growing");
    len = static_cast<size_t>(writable_end - offset);
    return absl::OkStatus();
  }

  absl::Status EnsureMemFdLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_) {
    if (memfd_.valid()) return absl::OkStatus();
    int fd = ::memfd_create("runsc-tmpfs", MFD_CLOEXEC);
    if (fd < 0) return HostError("tmpfs: memfd_create");
    memfd_.reset(fd);
    return absl::OkStatus();
  }
  // Charge beyond the size rounded up to pages goes back (a short write, a
  // shrinking truncate).
  void ReleaseUnusedChargeLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_) {
    const uint64_t needed = PageRoundUp(size_.load());
    if (charged_ > needed) {
      fs_->Uncharge(charged_ - needed);
      charged_ = needed;
    }
  }

  // Serializes writes and truncates, so size and charge move together.
  absl::Mutex io_mu_;
  UniqueFd memfd_ ABSL_GUARDED_BY(io_mu_);
  std::atomic<int64_t> size_{0};
  uint64_t charged_ ABSL_GUARDED_BY(io_mu_) = 0;  // Bytes of size= this file holds.
  int seals_ ABSL_GUARDED_BY(io_mu_) = F_SEAL_SEAL;
};

class TmpfsRegularFile : public File {
 public:
  TmpfsRegularFile(int flags, std::shared_ptr<TmpfsRegular> node)
      : File(flags), node_(std::move(node)) {}

  absl::StatusOr<size_t> Read(sentry::Task& task, absl::Span<uint8_t> buf) override {
    absl::MutexLock lock(&offset_mu_);
    absl::StatusOr<size_t> n = node_->PRead(buf, offset_);
    if (n.ok()) offset_ += *n;
    return n;
  }
  absl::StatusOr<size_t> Write(sentry::Task& task, absl::Span<const uint8_t> buf) override {
    absl::MutexLock lock(&offset_mu_);
    int64_t at = offset_;
    absl::StatusOr<size_t> n = node_->PWrite(task, buf, at, flags() & O_APPEND);
    if (n.ok()) offset_ = at + *n;
    return n;
  }
  absl::StatusOr<size_t> PRead(sentry::Task& task, absl::Span<uint8_t> buf,
                               int64_t offset) override {
    return node_->PRead(buf, offset);
  }
  absl::StatusOr<size_t> PWrite(sentry::Task& task, absl::Span<const uint8_t> buf,
                                int64_t offset) override {
    // Linux's pwrite on an O_APPEND file appends, whatever the offset.
    return node_->PWrite(task, buf, offset, flags() & O_APPEND);
  }
  // Through a mapping of the memfd (MappedFileReader), for a read large
  // enough of a file that has bytes.
  std::optional<absl::StatusOr<size_t>> ReadToApplication(sentry::Task& task, uint64_t addr,
                                                          size_t count,
                                                          int64_t offset) override {
    if (count < MappedFileReader::kMinReadSize) return std::nullopt;
    MappedFileReader* reader = Reader();
    if (reader == nullptr) return std::nullopt;
    if (offset >= 0) return reader->PRead(*task.mm, addr, count, offset);
    absl::MutexLock lock(&offset_mu_);
    std::optional<absl::StatusOr<size_t>> n = reader->PRead(*task.mm, addr, count, offset_);
    if (n.has_value() && n->ok()) offset_ += static_cast<int64_t>(**n);
    return n;
  }
  absl::StatusOr<int64_t> Seek(int64_t offset, int whence) override {
    absl::MutexLock lock(&offset_mu_);
    const int64_t size = node_->size();
    int64_t base;
    switch (whence) {
      case SEEK_SET: base = 0; break;
      case SEEK_CUR: base = offset_; break;
      case SEEK_END: base = size; break;
      case SEEK_DATA:
      case SEEK_HOLE: {
        absl::StatusOr<int64_t> at = node_->SeekDataOrHole(offset, whence);
        if (!at.ok()) return at.status();
        offset_ = *at;
        return offset_;
      }
      default: return ErrnoError(EINVAL, "bad whence");
    }
    if ((offset > 0 && base > std::numeric_limits<int64_t>::max() - offset) || base + offset < 0) {
      return ErrnoError(EINVAL, "seek out of range");
    }
    offset_ = base + offset;
    return offset_;
  }
  absl::StatusOr<struct stat> Stat() override { return node_->Stat(); }
  absl::Status Truncate(int64_t size) override { return node_->Resize(size); }
  absl::Status Allocate(int mode, int64_t offset, int64_t len) override {
    return node_->Allocate(mode, offset, len);
  }
  int HostFd() const override { return node_->MemFd(); }
  // Linux checks FMODE_WRITE of the description that adds seals.
  absl::Status AddSeals(int seals) override {
    if ((flags() & O_ACCMODE) == O_RDONLY) return ErrnoError(EPERM, "F_ADD_SEALS: not open for writing");
    return node_->AddSeals(seals);
  }
  absl::StatusOr<int> GetSeals() override { return node_->Seals(); }

 private:
  // Made once the file has a memfd with bytes in it (an empty file has
  // none, and reads of it are 0 without one); the memfd lives as long as
  // node_, which outlives the reader.
  MappedFileReader* Reader() {
    absl::MutexLock lock(&reader_mu_);
    if (reader_ == nullptr && node_->size() > 0) {
      const int fd = node_->MemFd();
      if (fd >= 0) reader_ = std::make_unique<MappedFileReader>(fd);
    }
    return reader_.get();
  }

  const std::shared_ptr<TmpfsRegular> node_;
  absl::Mutex reader_mu_;
  std::unique_ptr<MappedFileReader> reader_ ABSL_GUARDED_BY(reader_mu_);
  absl::Mutex offset_mu_;
  int64_t offset_ ABSL_GUARDED_BY(offset_mu_) = 0;
};

}  // namespace runsc::fs::tmpfs_internal

#endif  // RUNSC_FS_TMPFS_REGULAR_H_
