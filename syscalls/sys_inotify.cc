// inotify_init, inotify_init1, inotify_add_watch and inotify_rm_watch: the
// instance is fs::InotifyFile, the watches fs::WatchTable, and the events
// come from the hooks of fs/fsnotify.h.
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/syscall.h>

#include "fs/file_access.h"
#include "fs/inotify_file.h"
#include "syscalls/helpers.h"

namespace runsc::syscalls {
namespace {

using sentry::Task;

// Linux's ALL_INOTIFY_BITS: the events and every flag add_watch knows.
constexpr uint32_t kAllInotifyBits = IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED |
                                     IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK |
                                     IN_MASK_CREATE | IN_MASK_ADD | IN_ISDIR | IN_ONESHOT;

SyscallResult DoInotifyInit(Task& t, uint64_t flags) {
  if (flags & ~static_cast<uint64_t>(IN_NONBLOCK | IN_CLOEXEC)) return SyscallResult::Error(EINVAL);
  absl::StatusOr<std::shared_ptr<fs::InotifyFile>> file = fs::InotifyFile::Create(
      t.kernel(), fs::WatchTable::Sentry(), t.creds.euid, flags & IN_NONBLOCK);
  if (!file.ok()) return FromStatus(file.status());
  absl::StatusOr<int> fd = Fds(t).Install(*file, flags & IN_CLOEXEC, 0, NofileLimit(t));
  if (!fd.ok()) return FromStatus(fd.status());
  return SyscallResult::Value(*fd);
}

SyscallResult InotifyInit1(Task& t, const SyscallArgs& a) { return DoInotifyInit(t, a[0]); }
SyscallResult InotifyInit(Task& t, const SyscallArgs& a) { return DoInotifyInit(t, 0); }

// The instance behind `fd`: EBADF for no file, EINVAL for another kind.
absl::StatusOr<std::shared_ptr<fs::InotifyFile>> InstanceOf(Task& t, int fd) {
  std::shared_ptr<fs::File> file = Fds(t).Get(fd);
  if (file == nullptr) return ErrnoError(EBADF, "bad fd");
  auto instance = std::dynamic_pointer_cast<fs::InotifyFile>(file);
  if (instance == nullptr) return ErrnoError(EINVAL, "not an inotify fd");
  return instance;
}

// Checks come in the order of Linux's inotify_add_watch: the mask, the fd,
// then the path (walk, IN_ONLYDIR, read permission).
SyscallResult InotifyAddWatch(Task& t, const SyscallArgs& a) {
  const uint32_t mask = static_cast<uint32_t>(a[2]);
  if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE)) return SyscallResult::Error(EINVAL);
  if ((mask & kAllInotifyBits) == 0) return SyscallResult::Error(EINVAL);
  absl::StatusOr<std::shared_ptr<fs::InotifyFile>> instance =
      InstanceOf(t, static_cast<int>(a[0]));
  if (!instance.ok()) return FromStatus(instance.status());
  absl::StatusOr<std::string> path = CopyInPath(t, a[1]);
  if (!path.ok()) return FromStatus(path.status());
  absl::StatusOr<std::shared_ptr<fs::Dentry>> d =
      VfsOf(t).ResolveAt(t, AT_FDCWD, *path, !(mask & IN_DONT_FOLLOW));
  if (!d.ok()) return FromStatus(d.status());
  std::shared_ptr<fs::Node> node = (*d)->node;
  if ((mask & IN_ONLYDIR) && node->Type() != S_IFDIR) return SyscallResult::Error(ENOTDIR);
  absl::StatusOr<struct stat> st = node->Stat();
  if (!st.ok()) return FromStatus(st.status());
  RUNSC_RETURN_IF_ERROR(fs::FileAccess::Of(*st).Check(t.creds, fs::kMayRead));
  absl::StatusOr<int> wd = (*instance)->AddWatch(std::move(node), *st, mask);
  if (!wd.ok()) return FromStatus(wd.status());
  return SyscallResult::Value(*wd);
}

SyscallResult InotifyRmWatch(Task& t, const SyscallArgs& a) {
  absl::StatusOr<std::shared_ptr<fs::InotifyFile>> instance =
      InstanceOf(t, static_cast<int>(a[0]));
  if (!instance.ok()) return FromStatus(instance.status());
  RUNSC_RETURN_IF_ERROR((*instance)->RemoveWatch(static_cast<int>(a[1])));
  return SyscallResult::Value(0);
}

}  // namespace

void RegisterInotify(SyscallTable& t) {
  constexpr const char* kSentryOnly =
      "events of the sandbox's own operations only: changes made outside it (on the host "
      "rootfs) are not seen, as in gVisor; IN_DELETE_SELF comes at the last unlink, not the "
      "last close; no IN_UNMOUNT";
  t[SYS_inotify_init] = {"inotify_init", InotifyInit, Support::kPartial, kSentryOnly};
  t[SYS_inotify_init1] = {"inotify_init1", InotifyInit1, Support::kPartial, kSentryOnly};
  t[SYS_inotify_add_watch] = {"inotify_add_watch", InotifyAddWatch, Support::kPartial,
                              kSentryOnly};
  t[SYS_inotify_rm_watch] = {"inotify_rm_watch", InotifyRmWatch, Support::kFull, ""};
}

}  // namespace runsc::syscalls
