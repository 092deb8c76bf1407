#include "fs/fd_table.h"

#include <fcntl.h>

namespace runsc::fs {

namespace {

// POSIX record locks belong to the fd table (Linux's fl_owner is the
// files_struct): closing any fd of a file drops the table's locks on it.
void DropRecordLocks(const FdTable* table, const std::shared_ptr<File>& file) {
  if (file == nullptr) return;
  if (std::shared_ptr<FileLocks> locks = LocksIfAny(*file)) locks->record.ReleaseOwner(table);
}

}  // namespace

FdTable::~FdTable() {
  // The last task using this table is gone: its POSIX locks go with it.
  for (auto& [fd, entry] : fds_) DropRecordLocks(this, entry.file);
}

absl::StatusOr<int> FdTable::Install(std::shared_ptr<File> file, bool cloexec, int min_fd,
                                     int limit) {
  // Callers check the application's argument (fcntl's EINVAL), but a
  // negative minimum would otherwise install an fd no syscall can name.
  if (min_fd < 0) return ErrnoError(EINVAL, "negative minimum fd");
  absl::MutexLock lock(&mu_);
  int fd = min_fd;
  for (auto it = fds_.lower_bound(min_fd); it != fds_.end() && it->first == fd; ++it) ++fd;
  if (fd >= limit || fd >= kMaxFds) return ErrnoError(EMFILE, "too many open files");
  fds_[fd] = Entry{std::move(file), cloexec};
  return fd;
}

void FdTable::InstallAt(int fd, std::shared_ptr<File> file, bool cloexec) {
  std::shared_ptr<File> old;  // Released outside the lock.
  {
    absl::MutexLock lock(&mu_);
    auto it = fds_.find(fd);
    if (it != fds_.end()) old = std::move(it->second.file);
    fds_[fd] = Entry{std::move(file), cloexec};
  }
  DropRecordLocks(this, old);
}

std::shared_ptr<File> FdTable::Get(int fd) const {
  std::shared_ptr<File> file = GetIncludingOPath(fd);
  return file != nullptr && (file->flags() & O_PATH) ? nullptr : file;
}

std::shared_ptr<File> FdTable::GetIncludingOPath(int fd) const {
  absl::MutexLock lock(&mu_);
  auto it = fds_.find(fd);
  return it == fds_.end() ? nullptr : it->second.file;
}

absl::StatusOr<FdTable::Entry> FdTable::GetEntry(int fd) const {
  absl::MutexLock lock(&mu_);
  auto it = fds_.find(fd);
  if (it == fds_.end()) return ErrnoError(EBADF, "bad file descriptor");
  return it->second;
}

absl::Status FdTable::SetCloexec(int fd, bool cloexec) {
  absl::MutexLock lock(&mu_);
  auto it = fds_.find(fd);
  if (it == fds_.end()) return ErrnoError(EBADF, "bad file descriptor");
  it->second.cloexec = cloexec;
  return absl::OkStatus();
}

absl::Status FdTable::Close(int fd) {
  std::shared_ptr<File> old;
  {
    absl::MutexLock lock(&mu_);
    auto it = fds_.find(fd);
    if (it == fds_.end()) return ErrnoError(EBADF, "bad file descriptor");
    old = std::move(it->second.file);
    fds_.erase(it);
  }
  DropRecordLocks(this, old);
  return absl::OkStatus();
}

void FdTable::CloseOnExec() {
  std::vector<std::shared_ptr<File>> closing;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = fds_.begin(); it != fds_.end();) {
      if (it->second.cloexec) {
        closing.push_back(std::move(it->second.file));
        it = fds_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const std::shared_ptr<File>& f : closing) DropRecordLocks(this, f);
}

std::shared_ptr<FdTable> FdTable::Fork() const {
  auto copy = std::make_shared<FdTable>();
  absl::MutexLock lock(&mu_);
  copy->fds_ = fds_;
  return copy;
}

std::map<int, FdTable::Entry> FdTable::Snapshot() const {
  absl::MutexLock lock(&mu_);
  return fds_;
}

}  // namespace runsc::fs
