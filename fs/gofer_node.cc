#include "fs/gofer_node.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "base/logging.h"
#include "fs/host_file.h"

namespace runsc::fs {
namespace {

// A directory of the root filesystem: entries come from the gofer.
class GoferDirFile : public File {
 public:
  GoferDirFile(int flags, std::shared_ptr<gofer::GoferClient> client, gofer::WalkedFile file)
      : File(flags), client_(std::move(client)), file_(file) {}
  absl::StatusOr<struct stat> Stat() override {
    absl::StatusOr<gofer::FileStat> st = client_->Stat(file_.id);
    if (!st.ok()) return st.status();
    return ToStat(*st);
  }
  absl::StatusOr<std::vector<DirEntry>> ReadDir() override {
    absl::StatusOr<std::vector<gofer::DirEntry>> entries = client_->ReadDir(file_.id);
    if (!entries.ok()) return entries.status();
    std::vector<DirEntry> out;
    for (const auto& e : *entries) out.push_back(DirEntry{e.name, e.ino, e.type});
    return out;
  }
  absl::StatusOr<int64_t> Seek(int64_t offset, int whence) override {
    if (whence != SEEK_SET || offset < 0) return ErrnoError(EINVAL, "directory seek");
    dir_pos = offset;
    return offset;
  }

 private:
  std::shared_ptr<gofer::GoferClient> client_;
  gofer::WalkedFile file_;
};

}  // namespace

struct stat ToStat(const gofer::FileStat& s) {
  struct stat st {};
  st.st_dev = s.dev;
  st.st_ino = s.ino;
  st.st_mode = s.mode;
  st.st_nlink = s.nlink;
  st.st_uid = s.uid;
  st.st_gid = s.gid;
  st.st_rdev = s.rdev;
  st.st_size = s.size;
  st.st_blksize = s.blksize;
  st.st_blocks = s.blocks;
  st.st_atim = {s.atime_sec, s.atime_nsec};
  st.st_mtim = {s.mtime_sec, s.mtime_nsec};
  st.st_ctim = {s.ctime_sec, s.ctime_nsec};
  return st;
}

GoferNode::~GoferNode() {
  if (absl::Status s = client_->Close(file_.id); !s.ok()) {
    LogDebug("gofer close of file ", file_.id, " failed: ", s.message());
  }
}

absl::StatusOr<struct stat> GoferNode::Stat() {
  // The root filesystem only changes through this sandbox, and writes go
  // through donated fds, which HostFile stats directly: the walk's stat
  // stays valid for type and identity.
  return ToStat(file_.stat);
}

absl::StatusOr<std::shared_ptr<Node>> GoferNode::Lookup(sentry::Task& task,
                                                        const std::string& name) {
  absl::StatusOr<gofer::WalkedFile> child = client_->Walk(file_.id, name);
  if (!child.ok()) return child.status();
  return std::make_shared<GoferNode>(client_, *child);
}

absl::StatusOr<std::shared_ptr<File>> GoferNode::Open(sentry::Task& task, int flags) {
  const mode_t type = file_.stat.mode & S_IFMT;
  if (type == S_IFDIR) return std::make_shared<GoferDirFile>(flags, client_, file_);
  if (type != S_IFREG) {
    return ErrnoError(ENXIO, "only regular files and directories of the rootfs can be opened");
  }
  const int gofer_flags = flags & (O_ACCMODE | O_TRUNC | O_APPEND);
  absl::StatusOr<UniqueFd> fd = client_->Open(file_.id, gofer_flags);
  if (!fd.ok()) return fd.status();
  return std::make_shared<HostFile>(flags, std::move(*fd), /*seekable=*/true);
}

absl::StatusOr<std::string> GoferNode::ReadLink(sentry::Task& task) {
  if ((file_.stat.mode & S_IFMT) != S_IFLNK) return ErrnoError(EINVAL, "not a symlink");
  return client_->ReadLink(file_.id);
}

}  // namespace runsc::fs
