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
  absl::StatusOr<gofer::FileStat> st = client_->Stat(file_.id);
  if (!st.ok()) return st.status();
  return ToStat(*st);
}

GoferNode* GoferNode::SameFilesystem(Node& other) const {
  auto* gofer = dynamic_cast<GoferNode*>(&other);
  return gofer != nullptr && gofer->client_ == client_ ? gofer : nullptr;
}

absl::StatusOr<CreatedNode> GoferNode::Create(sentry::Task& task, const std::string& name,
                                              int flags, mode_t mode) {
  // What the created file's open keeps; O_CREAT|O_EXCL are the gofer's, and
  // O_TRUNC means nothing for a new file.
  const int gofer_flags = flags & (O_ACCMODE | O_APPEND);
  absl::StatusOr<gofer::CreatedFile> created =
      client_->Create(file_.id, name, gofer_flags, mode & 07777);
  if (!created.ok()) return created.status();
  auto node = std::make_shared<GoferNode>(client_, created->file);
  auto file = std::make_shared<HostFile>(flags, std::move(created->fd), /*seekable=*/true);
  return CreatedNode{.node = std::move(node), .file = std::move(file)};
}

absl::StatusOr<std::shared_ptr<Node>> GoferNode::Mkdir(sentry::Task& task,
                                                       const std::string& name, mode_t mode) {
  absl::StatusOr<gofer::WalkedFile> made = client_->Mkdir(file_.id, name, mode & 07777);
  if (!made.ok()) return made.status();
  return std::make_shared<GoferNode>(client_, *made);
}

absl::StatusOr<std::shared_ptr<Node>> GoferNode::Mknod(sentry::Task& task,
                                                       const std::string& name, mode_t mode) {
  absl::StatusOr<gofer::WalkedFile> made = client_->Mknod(file_.id, name, mode);
  if (!made.ok()) return made.status();
  return std::make_shared<GoferNode>(client_, *made);
}

absl::StatusOr<std::shared_ptr<Node>> GoferNode::Symlink(sentry::Task& task,
                                                         const std::string& name,
                                                         const std::string& target) {
  absl::StatusOr<gofer::WalkedFile> made = client_->Symlink(file_.id, name, target);
  if (!made.ok()) return made.status();
  return std::make_shared<GoferNode>(client_, *made);
}

absl::Status GoferNode::Link(sentry::Task& task, const std::string& name, Node& target) {
  GoferNode* same = SameFilesystem(target);
  if (same == nullptr) return ErrnoError(EXDEV, "link across filesystems");
  absl::StatusOr<gofer::WalkedFile> made = client_->Link(same->file_.id, file_.id, name);
  if (!made.ok()) return made.status();
  // The new id is not needed: the next walk of the name makes its own.
  return client_->Close(made->id);
}

absl::Status GoferNode::Unlink(sentry::Task& task, const std::string& name, bool directory) {
  return client_->Unlink(file_.id, name, directory ? AT_REMOVEDIR : 0);
}

absl::Status GoferNode::Rename(sentry::Task& task, const std::string& old_name, Node& new_dir,
                               const std::string& new_name, unsigned flags) {
  GoferNode* same = SameFilesystem(new_dir);
  if (same == nullptr) return ErrnoError(EXDEV, "rename across filesystems");
  return client_->Rename(file_.id, old_name, same->file_.id, new_name, flags);
}

absl::Status GoferNode::SetAttr(sentry::Task& task, const SetAttrs& attrs) {
  gofer::SetAttrRequest request;
  if (attrs.mode) request.mode = *attrs.mode & 07777;
  if (attrs.owner) request.owner = std::pair<uint32_t, uint32_t>(attrs.owner->first, attrs.owner->second);
  request.size = attrs.size;
  request.times = attrs.times;
  return client_->SetAttr(file_.id, request).status();
}

absl::StatusOr<struct statfs> GoferNode::StatFs(sentry::Task& task) {
  absl::StatusOr<gofer::FsStat> in = client_->StatFs(file_.id);
  if (!in.ok()) return in.status();
  struct statfs st {};
  st.f_type = in->type;
  st.f_bsize = in->bsize;
  st.f_blocks = in->blocks;
  st.f_bfree = in->bfree;
  st.f_bavail = in->bavail;
  st.f_files = in->files;
  st.f_ffree = in->ffree;
  st.f_namelen = in->namelen;
  st.f_frsize = in->frsize;
  st.f_flags = in->flags;
  return st;
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
