// Internal to fs/tmpfs*.cc: tmpfs symlinks, FIFOs and sockets.
#ifndef RUNSC_FS_TMPFS_SPECIAL_H_
#define RUNSC_FS_TMPFS_SPECIAL_H_

#include <string>

#include "base/logging.h"
#include "fs/pipe.h"
#include "fs/tmpfs_node.h"

namespace runsc::fs::tmpfs_internal {

class TmpfsSymlink : public TmpfsNode {
 public:
  TmpfsSymlink(std::shared_ptr<Tmpfs> fs, uid_t uid, gid_t gid, std::string target)
      : TmpfsNode(std::move(fs), S_IFLNK | 0777, uid, gid), target_(std::move(target)) {}
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override {
    return ErrnoError(ELOOP, "open of a symlink");
  }
  absl::StatusOr<std::string> ReadLink(sentry::Task& task) override { return target_; }

 protected:
  void FillSizeLocked(struct stat& st) override { st.st_size = target_.size(); }

 private:
  const std::string target_;
};

class TmpfsSpecial : public TmpfsNode {
 public:
  using TmpfsNode::TmpfsNode;
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override {
    if (type_ == S_IFIFO) return fifo_.Open(task, shared_from_this(), flags);
    return ErrnoError(ENXIO, "open of a socket");
  }

 private:
  NamedPipe fifo_;
};

}  // namespace runsc::fs::tmpfs_internal

#endif  // RUNSC_FS_TMPFS_SPECIAL_H_
