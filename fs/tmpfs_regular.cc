#include "fs/tmpfs_regular.h"

namespace runsc::fs::tmpfs_internal {

absl::StatusOr<std::shared_ptr<File>> TmpfsRegular::Open(sentry::Task& task, int flags) {
  const int access = flags & O_ACCMODE;
  const bool writes = access != O_RDONLY || (flags & O_TRUNC);
  int want = 0;
  if (access != O_WRONLY) want |= kMayRead;
  if (writes) want |= kMayWrite;
  if (writes && fs_->options().read_only) return ReadOnlyError();
  {
    absl::MutexLock lock(&fs_->mu);
    if (absl::Status s = CheckLocked(task, want); !s.ok()) return s;
  }
  auto self = std::static_pointer_cast<TmpfsRegular>(shared_from_this());
  if (flags & O_TRUNC) {
    if (absl::Status s = Resize(0); !s.ok()) return s;
  }
  return std::make_shared<TmpfsRegularFile>(flags, std::move(self));
}

absl::Status TmpfsRegular::MakeSealable(int initial_seals) {
  absl::MutexLock lock(&io_mu_);
  if (memfd_.valid()) return ErrnoError(EINVAL, "MakeSealable: the memfd exists already");
  int fd = ::memfd_create("runsc-memfd", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return HostError("memfd_create: host memfd_create");
  memfd_.reset(fd);
  seals_ = 0;
  if (initial_seals != 0 && ::fcntl(memfd_.get(), F_ADD_SEALS, initial_seals) != 0) {
    return HostError("memfd_create: host F_ADD_SEALS");
  }
  seals_ = initial_seals;
  return absl::OkStatus();
}

absl::Status TmpfsRegular::AddSeals(int seals) {
  constexpr int kKnownSeals =
      F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC;
  if (seals & ~kKnownSeals) return ErrnoError(EINVAL, "F_ADD_SEALS: unknown seal");
  absl::MutexLock lock(&io_mu_);
  if (seals_ & F_SEAL_SEAL) return ErrnoError(EPERM, "F_ADD_SEALS: the file is sealed");
  // Only sealable files (MakeSealable) get here, and theirs is a sealable
  // memfd made at creation. The host checks its own mappings: EBUSY.
  if (::fcntl(memfd_.get(), F_ADD_SEALS, seals) != 0) return HostError("F_ADD_SEALS on the memfd");
  seals_ |= seals;
  return absl::OkStatus();
}

}  // namespace runsc::fs::tmpfs_internal
