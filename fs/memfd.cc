#include "fs/memfd.h"

#include "base/logging.h"
#include "fs/tmpfs_regular.h"

namespace runsc::fs {

using tmpfs_internal::Tmpfs;
using tmpfs_internal::TmpfsRegular;
using tmpfs_internal::TmpfsRegularFile;

namespace {

// Linux makes memfds on its internal shm mount: one device for all of them,
// no size= limit (the memory cgroup bounds them, here the sandbox's).
const std::shared_ptr<Tmpfs>& MemfdFilesystem() {
  static const auto* fs = new std::shared_ptr<Tmpfs>(std::make_shared<Tmpfs>(TmpfsOptions{}));
  return *fs;
}

}  // namespace

absl::StatusOr<std::shared_ptr<File>> NewMemfd(const std::string& name, unsigned flags, uid_t uid,
                                               gid_t gid) {
  constexpr unsigned kKnown = kMfdCloexec | kMfdAllowSealing | kMfdHugetlb | kMfdNoexecSeal | kMfdExec;
  if (flags & ~kKnown) return ErrnoError(EINVAL, "memfd_create: unknown flag");
  if ((flags & kMfdExec) && (flags & kMfdNoexecSeal)) {
    return ErrnoError(EINVAL, "memfd_create: MFD_EXEC with MFD_NOEXEC_SEAL");
  }
  if (flags & kMfdHugetlb) {
    LogInfo("memfd_create: MFD_HUGETLB is not supported (no huge pages in the sandbox)");
    return ErrnoError(EINVAL, "memfd_create: MFD_HUGETLB not supported");
  }
  if (name.size() > kMemfdMaxNameLength) return ErrnoError(EINVAL, "memfd_create: name too long");
  // MFD_NOEXEC_SEAL: not executable, and F_SEAL_EXEC set (so sealable).
  const bool noexec = flags & kMfdNoexecSeal;
  auto node = std::make_shared<TmpfsRegular>(MemfdFilesystem(), S_IFREG | (noexec ? 0666 : 0777),
                                             uid, gid);
  int seals = F_SEAL_SEAL;
  if (noexec) {
    seals = F_SEAL_EXEC;
  } else if (flags & kMfdAllowSealing) {
    seals = 0;
  }
  if (absl::Status s = node->MakeSealable(seals); !s.ok()) return s;
  {
    absl::MutexLock lock(&node->fs().mu);
    node->nlink_ = 0;  // Never had a name: fstat shows no link, the fd link "(deleted)".
  }
  auto file = std::make_shared<TmpfsRegularFile>(O_RDWR, node);
  file->set_path("/memfd:" + name + " (deleted)");
  // A dentry of no directory: what /proc/self/fd/N reopens, and the node
  // that fchmod, fstatfs and flock reach, as on Linux's internal mount.
  auto dentry = std::make_shared<Dentry>();
  dentry->node = std::move(node);
  dentry->path = file->Path();
  file->dentry = std::move(dentry);
  return file;
}

}  // namespace runsc::fs
