#include "fs/gofer_node.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <unistd.h>

#include "base/logging.h"
#include "fs/gofer_regular_file.h"
#include "fs/host_file.h"

namespace runsc::fs {
namespace {

// A directory of the root filesystem: entries come from the gofer.
class GoferDirFile : public DirectoryFile {
 public:
  GoferDirFile(int flags, std::shared_ptr<Node> node, std::shared_ptr<gofer::GoferClient> client,
               gofer::WalkedFile file, std::shared_ptr<GoferFsCache> cache)
      : DirectoryFile(flags),
        node_(std::move(node)),
        client_(std::move(client)),
        file_(file),
        cache_(std::move(cache)) {}
  absl::StatusOr<struct stat> Stat() override { return node_->Stat(); }
  absl::StatusOr<std::vector<DirEntry>> ReadDir() override {
    absl::StatusOr<std::vector<gofer::DirEntry>> entries = client_->ReadDir(file_.id);
    // getdents moves the directory's atime on the host.
    if (cache_ != nullptr) cache_->Invalidate();
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
  const std::shared_ptr<Node> node_;
  std::shared_ptr<gofer::GoferClient> client_;
  gofer::WalkedFile file_;
  const std::shared_ptr<GoferFsCache> cache_;
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
  absl::MutexLock lock(&kept_fd_mu_);
  if (kept_fd_.valid()) cache_->ReturnKeptFdSlot();
}

absl::StatusOr<struct stat> GoferNode::Stat() {
  if (cache_ != nullptr) {
    absl::MutexLock lock(&access_mu_);
    if (kept_stat_.has_value() && cache_->Current(Inode(), kept_stamp_)) return ToStat(*kept_stat_);
  }
  const std::optional<GoferFsCache::Stamp> stamp = StampNow();
  // With a kept fd, the host answers for the inode itself (exactly, open
  // writers or not) without a round trip: an fstat.
  if (std::optional<gofer::FileStat> host = StatKeptFd(); host.has_value()) {
    Remember(*host, stamp);
    return ToStat(*host);
  }
  absl::StatusOr<gofer::FileStat> st = client_->Stat(file_.id);
  if (!st.ok()) return st.status();
  Remember(*st, stamp);
  return ToStat(*st);
}

FileAccess GoferNode::access() const {
  absl::MutexLock lock(&access_mu_);
  return access_;
}

void GoferNode::Remember(const gofer::FileStat& st,
                         std::optional<GoferFsCache::Stamp> stamp) {
  absl::MutexLock lock(&access_mu_);
  access_ = AccessOf(st);
  if (stamp.has_value() && cache_->MayKeep(Inode(), *stamp)) {
    kept_stat_ = st;
    kept_stamp_ = *stamp;
  } else {
    kept_stat_.reset();
  }
}

void GoferNode::RememberAbsent(const std::string& name, const GoferFsCache::Stamp& stamp) {
  // Bounded: past this many names (a directory probed by a long search), the
  // other misses ask the gofer each time until a change clears the set.
  constexpr size_t kMaxAbsentNames = 1024;
  absl::MutexLock lock(&access_mu_);
  if (absent_stamp_.changes != stamp.changes) {
    absent_.clear();
    absent_stamp_ = stamp;
  }
  if (!cache_->Unchanged(stamp) || absent_.size() >= kMaxAbsentNames) return;
  absent_.insert(name);
}

std::optional<gofer::FileStat> GoferNode::StatKeptFd() {
  absl::MutexLock lock(&kept_fd_mu_);
  struct stat st;
  if (!kept_fd_.valid() || ::fstat(kept_fd_.get(), &st) != 0) return std::nullopt;
  return gofer::FileStat{.dev = st.st_dev,
                         .ino = st.st_ino,
                         .mode = st.st_mode,
                         .nlink = st.st_nlink,
                         .uid = st.st_uid,
                         .gid = st.st_gid,
                         .rdev = st.st_rdev,
                         .size = st.st_size,
                         .blksize = st.st_blksize,
                         .blocks = st.st_blocks,
                         .atime_sec = st.st_atim.tv_sec,
                         .atime_nsec = st.st_atim.tv_nsec,
                         .mtime_sec = st.st_mtim.tv_sec,
                         .mtime_nsec = st.st_mtim.tv_nsec,
                         .ctime_sec = st.st_ctim.tv_sec,
                         .ctime_nsec = st.st_ctim.tv_nsec};
}

std::optional<GoferFsCache::Stamp> GoferNode::StampNow() const {
  if (cache_ == nullptr) return std::nullopt;
  return cache_->Now();
}

void GoferNode::Changed() {
  if (cache_ != nullptr) cache_->Invalidate();
}

absl::Status GoferNode::CheckCanModify(const sentry::Task& task) const {
  return access().Check(task.creds, kMayWrite | kMayExec);
}

absl::Status GoferNode::CheckStickyEntry(const sentry::Task& task, const std::string& name) {
  const FileAccess dir = access();
  const sentry::Credentials& c = task.creds;
  if (!(dir.mode() & S_ISVTX) || c.fsuid == dir.uid() || c.HasCapability(CAP_FOWNER)) {
    return absl::OkStatus();
  }
  absl::StatusOr<gofer::WalkedFile> child = client_->Walk(file_.id, name);
  if (!child.ok()) return child.status();
  absl::Status verdict = dir.CheckSticky(c, AccessOf(child->stat));
  if (absl::Status s = client_->Close(child->id); !s.ok()) {
    LogDebug("gofer close of file ", child->id, " failed: ", s.message());
  }
  return verdict;
}

absl::Status GoferNode::OwnNewFile(const sentry::Task& task, gofer::WalkedFile& made) {
  const FileAccess::NewOwner owner =
      access().NewChild(task.creds, made.stat.mode & S_IFMT, made.stat.mode & 07777);
  if (made.stat.uid == owner.uid && made.stat.gid == owner.gid) return absl::OkStatus();
  gofer::SetAttrRequest chown;
  chown.owner = std::pair<uint32_t, uint32_t>(owner.uid, owner.gid);
  absl::StatusOr<gofer::FileStat> st = client_->SetAttr(made.id, chown);
  Changed();
  if (!st.ok()) {
    // The file exists, but with the gofer's ids: fail loudly.
    LogWarning("gofer could not chown a new file to ", owner.uid, ":", owner.gid, ": ",
               st.status().message());
    return st.status();
  }
  made.stat = *st;
  return absl::OkStatus();
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
  if (absl::Status s = CheckCanModify(task); !s.ok()) return s;
  absl::StatusOr<gofer::CreatedFile> created =
      client_->Create(file_.id, name, gofer_flags, mode & 07777);
  Changed();
  if (!created.ok()) return created.status();
  if (absl::Status s = OwnNewFile(task, created->file); !s.ok()) return s;
  auto node = std::make_shared<GoferNode>(client_, created->file, cache_);
  std::unique_ptr<GoferFsCache::OpenFile> open_file;
  if (cache_ != nullptr) open_file = std::make_unique<GoferFsCache::OpenFile>(cache_, node->Inode());
  auto file = std::make_shared<GoferRegularFile>(flags, std::move(created->fd), std::move(open_file),
                                                 GoferRegularFile::Offset::kHostDescription);
  return CreatedNode{.node = std::move(node), .file = std::move(file)};
}

absl::StatusOr<std::shared_ptr<Node>> GoferNode::Mkdir(sentry::Task& task,
                                                       const std::string& name, mode_t mode) {
  if (absl::Status s = CheckCanModify(task); !s.ok()) return s;
  // Under a set-gid directory the new one is set-gid too: asked for, or the
  // gofer's chmod to the exact mode would clear what the host inherited.
  const mode_t perm = access().NewChild(task.creds, S_IFDIR, mode & 07777).perm;
  absl::StatusOr<gofer::WalkedFile> made = client_->Mkdir(file_.id, name, perm);
  Changed();
  if (!made.ok()) return made.status();
  if (absl::Status s = OwnNewFile(task, *made); !s.ok()) return s;
  return std::make_shared<GoferNode>(client_, *made, cache_);
}

absl::StatusOr<std::shared_ptr<Node>> GoferNode::Mknod(sentry::Task& task,
                                                       const std::string& name, mode_t mode) {
  if (absl::Status s = CheckCanModify(task); !s.ok()) return s;
  absl::StatusOr<gofer::WalkedFile> made = client_->Mknod(file_.id, name, mode);
  Changed();
  if (!made.ok()) return made.status();
  if (absl::Status s = OwnNewFile(task, *made); !s.ok()) return s;
  return std::make_shared<GoferNode>(client_, *made, cache_);
}

absl::StatusOr<std::shared_ptr<Node>> GoferNode::Symlink(sentry::Task& task,
                                                         const std::string& name,
                                                         const std::string& target) {
  if (absl::Status s = CheckCanModify(task); !s.ok()) return s;
  absl::StatusOr<gofer::WalkedFile> made = client_->Symlink(file_.id, name, target);
  Changed();
  if (!made.ok()) return made.status();
  if (absl::Status s = OwnNewFile(task, *made); !s.ok()) return s;
  return std::make_shared<GoferNode>(client_, *made, cache_);
}

absl::Status GoferNode::Link(sentry::Task& task, const std::string& name, Node& target) {
  GoferNode* same = SameFilesystem(target);
  if (same == nullptr) return ErrnoError(EXDEV, "link across filesystems");
  if (absl::Status s = CheckCanModify(task); !s.ok()) return s;
  if (absl::Status s = same->access().CheckHardLink(task.creds); !s.ok()) return s;
  absl::StatusOr<gofer::WalkedFile> made = client_->Link(same->file_.id, file_.id, name);
  Changed();
  if (!made.ok()) return made.status();
  // The new id is not needed: the next walk of the name makes its own.
  return client_->Close(made->id);
}

absl::Status GoferNode::Unlink(sentry::Task& task, const std::string& name, bool directory) {
  if (absl::Status s = CheckCanModify(task); !s.ok()) return s;
  if (absl::Status s = CheckStickyEntry(task, name); !s.ok()) return s;
  absl::Status unlinked = client_->Unlink(file_.id, name, directory ? AT_REMOVEDIR : 0);
  Changed();
  return unlinked;
}

absl::Status GoferNode::Rename(sentry::Task& task, const std::string& old_name, Node& new_dir,
                               const std::string& new_name, unsigned flags) {
  GoferNode* same = SameFilesystem(new_dir);
  if (same == nullptr) return ErrnoError(EXDEV, "rename across filesystems");
  if (absl::Status s = CheckCanModify(task); !s.ok()) return s;
  if (same != this) {
    if (absl::Status s = same->CheckCanModify(task); !s.ok()) return s;
  }
  if (absl::Status s = CheckStickyEntry(task, old_name); !s.ok()) return s;
  if (absl::Status s = same->CheckStickyEntry(task, new_name); !s.ok() && ErrnoOf(s) != ENOENT) {
    return s;
  }
  // Not checked (yet): write permission on a directory that moves to a new
  // parent (its ".." changes), which Linux also requires.
  absl::Status renamed = client_->Rename(file_.id, old_name, same->file_.id, new_name, flags);
  Changed();
  return renamed;
}

absl::Status GoferNode::SetAttr(sentry::Task& task, const SetAttrs& asked) {
  // Decide on fresh attributes: this is where ownership changes.
  if (absl::StatusOr<struct stat> st = Stat(); !st.ok()) return st.status();
  absl::StatusOr<SetAttrs> prepared = access().PrepareSetAttr(task.creds, asked);
  if (!prepared.ok()) return prepared.status();
  const SetAttrs& attrs = *prepared;
  gofer::SetAttrRequest request;
  if (attrs.mode) request.mode = *attrs.mode & 07777;
  if (attrs.owner) request.owner = std::pair<uint32_t, uint32_t>(attrs.owner->first, attrs.owner->second);
  request.size = attrs.size;
  request.times = attrs.times;
  absl::StatusOr<gofer::FileStat> after = client_->SetAttr(file_.id, request);
  Changed();
  if (!after.ok()) return after.status();
  Remember(*after);
  return absl::OkStatus();
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

absl::StatusOr<std::string> GoferNode::GetXattr(const std::string& name) {
  return client_->GetXattr(file_.id, name);
}

absl::Status GoferNode::SetXattr(const std::string& name, const std::string& value, int flags) {
  absl::StatusOr<gofer::FileStat> after = client_->SetXattr(file_.id, name, value, flags);
  // Refused before sending (another namespace): nothing changed.
  if (!after.ok() && ErrnoOf(after.status()) == EOPNOTSUPP) return after.status();
  Changed();
  if (!after.ok()) return after.status();
  Remember(*after);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> GoferNode::ListXattr() {
  return client_->ListXattr(file_.id);
}

absl::Status GoferNode::RemoveXattr(const std::string& name) {
  absl::StatusOr<gofer::FileStat> after = client_->RemoveXattr(file_.id, name);
  if (!after.ok() && ErrnoOf(after.status()) == EOPNOTSUPP) return after.status();
  Changed();
  if (!after.ok()) return after.status();
  Remember(*after);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<Node>> GoferNode::Lookup(sentry::Task& task,
                                                        const std::string& name) {
  if (absl::Status s = access().Check(task.creds, kMayExec); !s.ok()) return s;
  if (cache_ != nullptr) {
    absl::MutexLock lock(&access_mu_);
    if (cache_->Unchanged(absent_stamp_) && absent_.contains(name)) {
      return ErrnoError(ENOENT, "no such file (known missing since the last change)");
    }
  }
  const std::optional<GoferFsCache::Stamp> stamp = StampNow();
  absl::StatusOr<gofer::WalkedFile> child = client_->Walk(file_.id, name);
  if (!child.ok()) {
    if (stamp.has_value() && ErrnoOf(child.status()) == ENOENT) RememberAbsent(name, *stamp);
    return child.status();
  }
  auto node = std::make_shared<GoferNode>(client_, *child, cache_);
  // The walk's stat answers the first stat of the name too.
  node->Remember(child->stat, stamp);
  return node;
}

absl::StatusOr<std::shared_ptr<File>> GoferNode::Open(sentry::Task& task, int flags) {
  const mode_t type = file_.stat.mode & S_IFMT;
  if (absl::Status s = access().Check(task.creds, FileAccess::WantForOpen(flags)); !s.ok()) {
    return s;
  }
  if (type == S_IFDIR) {
    return std::make_shared<GoferDirFile>(flags, shared_from_this(), client_, file_, cache_);
  }
  // The host FIFO is only a name: the data goes through a sentry pipe, so a
  // blocking open never blocks a thread in the host.
  if (type == S_IFIFO) return fifo_.Open(task, shared_from_this(), flags);
  if (type != S_IFREG) {
    return ErrnoError(ENXIO, "only regular files and directories of the rootfs can be opened");
  }
  const int gofer_flags = flags & (O_ACCMODE | O_TRUNC | O_APPEND);
  if (cache_ != nullptr && gofer_flags == O_RDONLY) {
    absl::StatusOr<std::shared_ptr<File>> file = OpenFromKeptFd(flags);
    if (!file.ok() || *file != nullptr) return file;
  }
  // Open from the request on: an O_TRUNC changes the file in the gofer.
  std::unique_ptr<GoferFsCache::OpenFile> open_file;
  if (cache_ != nullptr) open_file = std::make_unique<GoferFsCache::OpenFile>(cache_, Inode());
  absl::StatusOr<UniqueFd> fd = client_->Open(file_.id, gofer_flags);
  if (!fd.ok()) return fd.status();
  return std::make_shared<GoferRegularFile>(flags, std::move(*fd), std::move(open_file),
                                            GoferRegularFile::Offset::kHostDescription);
}

absl::StatusOr<std::shared_ptr<File>> GoferNode::OpenFromKeptFd(int flags) {
  auto open_file = std::make_unique<GoferFsCache::OpenFile>(cache_, Inode());
  absl::MutexLock lock(&kept_fd_mu_);
  if (!kept_fd_.valid()) {
    if (!cache_->TakeKeptFdSlot()) return std::shared_ptr<File>();
    absl::StatusOr<UniqueFd> fd = client_->Open(file_.id, O_RDONLY);
    if (!fd.ok()) {
      cache_->ReturnKeptFdSlot();
      return fd.status();
    }
    kept_fd_ = std::move(*fd);
  }
  UniqueFd dup(::fcntl(kept_fd_.get(), F_DUPFD_CLOEXEC, 0));
  if (!dup.valid()) return HostError("dup of a kept gofer fd");
  return std::make_shared<GoferRegularFile>(flags, std::move(dup), std::move(open_file),
                                            GoferRegularFile::Offset::kOwn);
}

absl::StatusOr<std::string> GoferNode::ReadLink(sentry::Task& task) {
  if ((file_.stat.mode & S_IFMT) != S_IFLNK) return ErrnoError(EINVAL, "not a symlink");
  if (cache_ != nullptr) {
    absl::MutexLock lock(&access_mu_);
    if (kept_target_.has_value()) return *kept_target_;
  }
  absl::StatusOr<std::string> target = client_->ReadLink(file_.id);
  // readlink moves the symlink's atime on the host (once, under relatime).
  Changed();
  if (!target.ok() || cache_ == nullptr) return target;
  // A symlink's target never changes: a new one is a new file (and id).
  absl::MutexLock lock(&access_mu_);
  kept_target_ = *target;
  return target;
}

}  // namespace runsc::fs
