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

}  // namespace runsc::fs::tmpfs_internal
