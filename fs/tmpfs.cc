#include "fs/tmpfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>  // RENAME_*.
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <atomic>
#include <limits>
#include <map>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "base/unique_fd.h"

namespace runsc::fs {
namespace {

constexpr uint64_t kPage = 4096;
constexpr long kTmpfsMagic = 0x01021994;
// Linux's tmpfs reports this much st_size per directory entry.
constexpr off_t kBogoDirentSize = 20;
// MAY_* of Linux's inode_permission().
constexpr int kMayExec = 1, kMayWrite = 2, kMayRead = 4;
// Largest file: what an off_t holds, in whole pages.
constexpr int64_t kMaxFileSize = std::numeric_limits<int64_t>::max() & ~int64_t{kPage - 1};

uint64_t PageRoundUp(uint64_t n) { return (n + kPage - 1) & ~(kPage - 1); }

struct timespec Now() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts;
}

bool InGroup(const sentry::Credentials& c, gid_t gid) {
  return c.fsgid == gid || std::binary_search(c.groups.begin(), c.groups.end(), gid);
}

// Each tmpfs instance is its own device, as Linux gives each an anonymous one.
dev_t NextDevice() {
  static std::atomic<unsigned> next{0x40};
  return makedev(0, next++);
}

class TmpfsDir;
class TmpfsRegular;

// The filesystem: its lock, its limits and what is used of them.
class Tmpfs {
 public:
  explicit Tmpfs(const TmpfsOptions& options) : options_(options), dev_(NextDevice()) {}

  const TmpfsOptions& options() const { return options_; }
  dev_t dev() const { return dev_; }
  uint64_t NextIno() { return next_ino_++; }

  // Takes `bytes` more of size=; ENOSPC if they do not fit.
  absl::Status Charge(uint64_t bytes) {
    absl::MutexLock lock(&space_mu_);
    if (options_.size_bytes != 0 && used_ + bytes > options_.size_bytes) {
      return ErrnoError(ENOSPC, "tmpfs size limit reached");
    }
    used_ += bytes;
    return absl::OkStatus();
  }
  void Uncharge(uint64_t bytes) {
    absl::MutexLock lock(&space_mu_);
    used_ -= std::min(used_, bytes);
  }
  // Bytes still free under size= (the maximum when there is no limit).
  uint64_t Available() {
    absl::MutexLock lock(&space_mu_);
    if (options_.size_bytes == 0) return std::numeric_limits<int64_t>::max();
    return options_.size_bytes - std::min(used_, options_.size_bytes);
  }
  uint64_t Used() {
    absl::MutexLock lock(&space_mu_);
    return used_;
  }

  // Guards the tree (directory entries, parents) and every node's metadata.
  // Never held while a file's io_mu_ is taken (lock order: io_mu_, then mu).
  absl::Mutex mu;

 private:
  const TmpfsOptions options_;
  const dev_t dev_;
  std::atomic<uint64_t> next_ino_{1};
  // Leaf lock: taken under mu and io_mu_, and by destructors of nodes that
  // may run under either.
  absl::Mutex space_mu_;
  uint64_t used_ ABSL_GUARDED_BY(space_mu_) = 0;
};

// What every tmpfs inode has. Metadata members are guarded by fs_->mu.
class TmpfsNode : public Node {
 public:
  TmpfsNode(std::shared_ptr<Tmpfs> fs, mode_t mode, uid_t uid, gid_t gid)
      : fs_(std::move(fs)), ino_(fs_->NextIno()), type_(mode & S_IFMT), perm_(mode & 07777),
        uid_(uid), gid_(gid) {
    atime_ = mtime_ = ctime_ = Now();
  }

  mode_t Type() override { return type_; }
  absl::StatusOr<struct stat> Stat() override {
    absl::MutexLock lock(&fs_->mu);
    return StatLocked();
  }
  absl::Status SetAttr(sentry::Task& task, const SetAttrs& attrs) override;
  absl::StatusOr<struct statfs> StatFs(sentry::Task& task) override;
  // Each lookup asks the directory (a map lookup), so the search
  // permission of every directory on the way is checked each time.
  bool Cacheable() const override { return false; }

  Tmpfs& fs() const { return *fs_; }
  const std::shared_ptr<Tmpfs>& fs_ptr() const { return fs_; }

  // Requires fs().mu.
  struct stat StatLocked() {
    struct stat st {};
    st.st_dev = fs_->dev();
    st.st_ino = ino_;
    st.st_mode = type_ | perm_;
    st.st_nlink = nlink_;
    st.st_uid = uid_;
    st.st_gid = gid_;
    st.st_blksize = kPage;
    st.st_atim = atime_;
    st.st_mtim = mtime_;
    st.st_ctim = ctime_;
    FillSizeLocked(st);
    return st;
  }
  // inode_permission(): `want` is a mask of kMay*. Requires fs().mu.
  bool PermittedLocked(const sentry::Credentials& c, int want) const {
    int bits;
    if (c.fsuid == uid_) {
      bits = (perm_ >> 6) & 7;
    } else if (InGroup(c, gid_)) {
      bits = (perm_ >> 3) & 7;
    } else {
      bits = perm_ & 7;
    }
    if ((bits & want) == want) return true;
    const bool dir = type_ == S_IFDIR;
    if (c.HasCapability(CAP_DAC_OVERRIDE) && (!(want & kMayExec) || dir || (perm_ & 0111))) {
      return true;
    }
    return c.HasCapability(CAP_DAC_READ_SEARCH) &&
           (want == kMayRead || (dir && !(want & kMayWrite)));
  }
  // inode_owner_or_capable(). Requires fs().mu.
  bool OwnerOrCapableLocked(const sentry::Credentials& c) const {
    return c.fsuid == uid_ || c.HasCapability(CAP_FOWNER);
  }
  absl::Status CheckLocked(const sentry::Task& task, int want) const {
    if (!PermittedLocked(task.creds, want)) return ErrnoError(EACCES, "permission denied");
    return absl::OkStatus();
  }

  // Link count and ctime, kept by the directories. Require fs().mu.
  nlink_t nlink_ = 1;
  // An O_TMPFILE file made without O_EXCL, not linked yet: linkat may name it.
  bool linkable_tmpfile_ = false;
  uid_t uid_locked() const { return uid_; }
  void TouchCtimeLocked() { ctime_ = Now(); }
  void TouchMtimeLocked() { mtime_ = ctime_ = Now(); }
  uint64_t ino() const { return ino_; }

 protected:
  // st_size and st_blocks. Requires fs().mu.
  virtual void FillSizeLocked(struct stat& st) {}
  // SetAttrs::size for regular files; others refuse.
  virtual absl::Status Resize(int64_t size) {
    return ErrnoError(type_ == S_IFDIR ? EISDIR : EINVAL, "truncate of a non-regular file");
  }

  const std::shared_ptr<Tmpfs> fs_;
  const uint64_t ino_;
  const mode_t type_;
  mode_t perm_;
  uid_t uid_;
  gid_t gid_;
  struct timespec atime_, mtime_, ctime_;
};

absl::Status ReadOnlyError() { return ErrnoError(EROFS, "read-only tmpfs"); }

// ---- regular files ----

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

  // Writes at `offset`, or at the end (and reports where) if `append`.
  absl::StatusOr<size_t> PWrite(absl::Span<const uint8_t> buf, int64_t& offset, bool append) {
    absl::MutexLock lock(&io_mu_);
    if (append) offset = size_.load();
    if (offset < 0) return ErrnoError(EINVAL, "negative offset");
    if (buf.empty()) return 0;
    if (offset >= kMaxFileSize) return ErrnoError(EFBIG, "write past the largest file size");
    size_t len = std::min<uint64_t>(buf.size(), kMaxFileSize - offset);
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

 protected:
  void FillSizeLocked(struct stat& st) override {
    st.st_size = size_.load();
    st.st_blocks = static_cast<blkcnt_t>(PageRoundUp(st.st_size) / 512);
  }

 private:
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
    absl::StatusOr<size_t> n = node_->PWrite(buf, at, flags() & O_APPEND);
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
    return node_->PWrite(buf, offset, flags() & O_APPEND);
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
      case SEEK_HOLE:
        // Holes are not tracked: all of [0, size) is data.
        if (offset < 0 || offset >= size) return ErrnoError(ENXIO, "seek past the end of data");
        offset_ = whence == SEEK_DATA ? offset : size;
        return offset_;
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
  int HostFd() const override { return node_->MemFd(); }

 private:
  const std::shared_ptr<TmpfsRegular> node_;
  absl::Mutex offset_mu_;
  int64_t offset_ ABSL_GUARDED_BY(offset_mu_) = 0;
};

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

// ---- symlinks, FIFOs, sockets ----

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
    if (type_ == S_IFIFO) {
      LogDebug("open of a FIFO in tmpfs: named pipes are not supported yet (ENXIO)");
      return ErrnoError(ENXIO, "FIFOs in tmpfs cannot be opened yet");
    }
    return ErrnoError(ENXIO, "open of a socket");
  }
};

// ---- directories ----

class TmpfsDirFile : public File {
 public:
  TmpfsDirFile(int flags, std::shared_ptr<TmpfsDir> dir) : File(flags), dir_(std::move(dir)) {}
  absl::StatusOr<std::vector<DirEntry>> ReadDir() override;
  absl::StatusOr<struct stat> Stat() override;
  absl::StatusOr<int64_t> Seek(int64_t offset, int whence) override {
    if (whence != SEEK_SET || offset < 0) return ErrnoError(EINVAL, "directory seek");
    dir_pos = offset;
    return offset;
  }

 private:
  const std::shared_ptr<TmpfsDir> dir_;
  // The listing getdents walks through, taken when reading starts (again
  // after a rewind), so entries do not shift under the position.
  std::vector<DirEntry> snapshot_;
};

uint8_t DirentType(mode_t type) {
  switch (type) {
    case S_IFDIR: return DT_DIR;
    case S_IFLNK: return DT_LNK;
    case S_IFIFO: return DT_FIFO;
    case S_IFSOCK: return DT_SOCK;
    case S_IFCHR: return DT_CHR;
    case S_IFBLK: return DT_BLK;
    default: return DT_REG;
  }
}

class TmpfsDir : public TmpfsNode {
 public:
  TmpfsDir(std::shared_ptr<Tmpfs> fs, mode_t perm, uid_t uid, gid_t gid, TmpfsDir* parent)
      : TmpfsNode(std::move(fs), S_IFDIR | perm, uid, gid), parent_(parent == nullptr ? this : parent) {
    nlink_ = 2;
  }

  absl::StatusOr<std::shared_ptr<Node>> Lookup(sentry::Task& task,
                                               const std::string& name) override {
    absl::MutexLock lock(&fs_->mu);
    if (absl::Status s = CheckLocked(task, kMayExec); !s.ok()) return s;
    auto it = children_.find(name);
    if (it == children_.end()) return ErrnoError(ENOENT, "no such file in tmpfs");
    return std::shared_ptr<Node>(it->second);
  }

  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override {
    if ((flags & O_ACCMODE) != O_RDONLY) return ErrnoError(EISDIR, "is a directory");
    absl::MutexLock lock(&fs_->mu);
    if (absl::Status s = CheckLocked(task, kMayRead); !s.ok()) return s;
    return std::make_shared<TmpfsDirFile>(flags,
                                          std::static_pointer_cast<TmpfsDir>(shared_from_this()));
  }

  absl::StatusOr<CreatedNode> Create(sentry::Task& task, const std::string& name, int flags,
                                     mode_t mode) override {
    absl::StatusOr<std::shared_ptr<TmpfsNode>> node = MakeChild(task, name, S_IFREG | mode, "");
    if (!node.ok()) return node.status();
    // The creator may open what it made whatever the mode says (open(2)).
    auto regular = std::static_pointer_cast<TmpfsRegular>(*node);
    auto file = std::make_shared<TmpfsRegularFile>(flags, regular);
    return CreatedNode{.node = std::move(regular), .file = std::move(file)};
  }

  absl::StatusOr<CreatedNode> CreateTmpfile(sentry::Task& task, int flags, mode_t mode) override {
    if (fs_->options().read_only) return ReadOnlyError();
    std::shared_ptr<TmpfsRegular> node;
    {
      absl::MutexLock lock(&fs_->mu);
      if (absl::Status s = CheckLocked(task, kMayWrite | kMayExec); !s.ok()) return s;
      if (nlink_ == 0) return ErrnoError(ENOENT, "directory was removed");
      auto [uid, gid, perm] = NewOwnerLocked(task, S_IFREG, mode);
      node = std::make_shared<TmpfsRegular>(fs_, S_IFREG | perm, uid, gid);
      node->nlink_ = 0;
      node->linkable_tmpfile_ = !(flags & O_EXCL);
    }
    auto file = std::make_shared<TmpfsRegularFile>(flags, node);
    return CreatedNode{.node = std::move(node), .file = std::move(file)};
  }

  absl::StatusOr<std::shared_ptr<Node>> Mkdir(sentry::Task& task, const std::string& name,
                                              mode_t mode) override {
    absl::StatusOr<std::shared_ptr<TmpfsNode>> node = MakeChild(task, name, S_IFDIR | mode, "");
    if (!node.ok()) return node.status();
    return std::shared_ptr<Node>(*node);
  }

  absl::StatusOr<std::shared_ptr<Node>> Mknod(sentry::Task& task, const std::string& name,
                                              mode_t mode) override {
    const mode_t type = mode & S_IFMT;
    if (type == S_IFCHR || type == S_IFBLK) {
      LogDebug("mknod of a device node in tmpfs refused: device nodes are not supported");
      return ErrnoError(EPERM, "device nodes cannot be made in tmpfs");
    }
    if (type != S_IFREG && type != S_IFIFO && type != S_IFSOCK) {
      return ErrnoError(EINVAL, "mknod of an unknown file type");
    }
    absl::StatusOr<std::shared_ptr<TmpfsNode>> node = MakeChild(task, name, mode, "");
    if (!node.ok()) return node.status();
    return std::shared_ptr<Node>(*node);
  }

  absl::StatusOr<std::shared_ptr<Node>> Symlink(sentry::Task& task, const std::string& name,
                                                const std::string& target) override {
    absl::StatusOr<std::shared_ptr<TmpfsNode>> node = MakeChild(task, name, S_IFLNK | 0777, target);
    if (!node.ok()) return node.status();
    return std::shared_ptr<Node>(*node);
  }

  absl::Status Link(sentry::Task& task, const std::string& name, Node& target) override;
  absl::Status Unlink(sentry::Task& task, const std::string& name, bool directory) override;
  absl::Status Rename(sentry::Task& task, const std::string& old_name, Node& new_dir,
                      const std::string& new_name, unsigned flags) override;

  // A snapshot of the entries, "." and ".." first.
  std::vector<DirEntry> List() {
    absl::MutexLock lock(&fs_->mu);
    std::vector<DirEntry> out = {{".", ino_, DT_DIR},
                                 {"..", parent_ != nullptr ? parent_->ino() : ino_, DT_DIR}};
    for (const auto& [name, child] : children_) {
      out.push_back({name, child->ino(), DirentType(child->Type())});
    }
    return out;
  }

 protected:
  void FillSizeLocked(struct stat& st) override {
    st.st_size = kBogoDirentSize * static_cast<off_t>(children_.size() + 2);
  }

 private:
  // (uid, gid, permission bits) of a file `task` makes here: the task's fs
  // ids, or this directory's group under S_ISGID, which new directories
  // inherit. Requires fs().mu.
  std::tuple<uid_t, gid_t, mode_t> NewOwnerLocked(const sentry::Task& task, mode_t type,
                                                  mode_t perm) const {
    gid_t gid = task.creds.fsgid;
    if (perm_ & S_ISGID) {
      gid = gid_;
      if (type == S_IFDIR) perm |= S_ISGID;
    }
    return {task.creds.fsuid, gid, perm & 07777};
  }

  // The checks every name-making call shares: a writable, searchable,
  // still-linked directory with no entry `name`. Requires fs().mu.
  absl::Status CheckCanAddLocked(const sentry::Task& task, const std::string& name) {
    if (fs_->options().read_only) return ReadOnlyError();
    if (absl::Status s = CheckLocked(task, kMayWrite | kMayExec); !s.ok()) return s;
    if (nlink_ == 0) return ErrnoError(ENOENT, "directory was removed");
    if (children_.contains(name)) return ErrnoError(EEXIST, "name exists");
    return absl::OkStatus();
  }

  absl::StatusOr<std::shared_ptr<TmpfsNode>> MakeChild(sentry::Task& task, const std::string& name,
                                                       mode_t mode, const std::string& target) {
    absl::MutexLock lock(&fs_->mu);
    if (absl::Status s = CheckCanAddLocked(task, name); !s.ok()) return s;
    const mode_t type = mode & S_IFMT;
    auto [uid, gid, perm] = NewOwnerLocked(task, type, mode & 07777);
    std::shared_ptr<TmpfsNode> node;
    switch (type) {
      case S_IFREG: node = std::make_shared<TmpfsRegular>(fs_, type | perm, uid, gid); break;
      case S_IFDIR:
        node = std::make_shared<TmpfsDir>(fs_, perm, uid, gid, this);
        ++nlink_;
        break;
      case S_IFLNK: node = std::make_shared<TmpfsSymlink>(fs_, uid, gid, target); break;
      default: node = std::make_shared<TmpfsSpecial>(fs_, type | perm, uid, gid); break;
    }
    children_.emplace(name, node);
    TouchMtimeLocked();
    return node;
  }

  // The sticky-bit rule (restricted deletion): in a S_ISVTX directory only
  // the owner of the entry or of the directory (or CAP_FOWNER) may remove
  // or rename it. Requires fs().mu.
  absl::Status CheckStickyLocked(const sentry::Task& task, const TmpfsNode& child) const {
    if (!(perm_ & S_ISVTX)) return absl::OkStatus();
    const auto& c = task.creds;
    if (c.fsuid == uid_ || c.fsuid == child.uid_locked() || c.HasCapability(CAP_FOWNER)) {
      return absl::OkStatus();
    }
    return ErrnoError(EPERM, "sticky directory: not the owner");
  }

  // True if `dir` is `ancestor` or below it. Requires fs().mu.
  static bool IsAtOrBelow(const TmpfsDir* dir, const TmpfsDir* ancestor) {
    for (const TmpfsDir* d = dir; d != nullptr; d = d->parent_ == d ? nullptr : d->parent_) {
      if (d == ancestor) return true;
    }
    return false;
  }

  // Takes `child` (a directory being removed or replaced) out of the tree.
  // Requires fs().mu.
  void DetachDirLocked(TmpfsDir& child) {
    child.nlink_ = 0;
    child.parent_ = nullptr;
    --nlink_;
  }

  std::map<std::string, std::shared_ptr<TmpfsNode>> children_;  // Guarded by fs_->mu.
  // The directory ".." names: itself for the root, null once removed.
  // Guarded by fs_->mu; the parent owns this directory through children_.
  TmpfsDir* parent_;
};

// The same tmpfs instance as `fs`, or null.
TmpfsNode* SameTmpfs(Node& other, const Tmpfs& fs) {
  auto* node = dynamic_cast<TmpfsNode*>(&other);
  return node != nullptr && &node->fs() == &fs ? node : nullptr;
}

absl::Status TmpfsDir::Link(sentry::Task& task, const std::string& name, Node& target) {
  TmpfsNode* node = SameTmpfs(target, *fs_);
  if (node == nullptr) return ErrnoError(EXDEV, "link across filesystems");
  if (node->Type() == S_IFDIR) return ErrnoError(EPERM, "hard link to a directory");
  std::shared_ptr<TmpfsNode> shared = std::static_pointer_cast<TmpfsNode>(node->shared_from_this());
  absl::MutexLock lock(&fs_->mu);
  if (absl::Status s = CheckCanAddLocked(task, name); !s.ok()) return s;
  // fs.protected_hardlinks (on by default): who does not own the file may
  // link only a regular, non-set-id file it can read and write.
  const auto& c = task.creds;
  if (c.fsuid != node->uid_locked() && !c.HasCapability(CAP_FOWNER)) {
    struct stat st = node->StatLocked();
    const bool setid = (st.st_mode & S_ISUID) || ((st.st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP));
    if (!S_ISREG(st.st_mode) || setid || !node->PermittedLocked(c, kMayRead | kMayWrite)) {
      return ErrnoError(EPERM, "protected_hardlinks: not the owner of the target");
    }
  }
  if (node->nlink_ == 0) {
    // Only an O_TMPFILE file opened without O_EXCL gets a name after all.
    if (!node->linkable_tmpfile_) return ErrnoError(ENOENT, "link of a file that was removed");
    node->linkable_tmpfile_ = false;
  }
  ++node->nlink_;
  node->TouchCtimeLocked();
  children_.emplace(name, std::move(shared));
  TouchMtimeLocked();
  return absl::OkStatus();
}

absl::Status TmpfsDir::Unlink(sentry::Task& task, const std::string& name, bool directory) {
  std::shared_ptr<TmpfsNode> removed;  // Dropped after the lock: no node dies under it.
  absl::MutexLock lock(&fs_->mu);
  if (fs_->options().read_only) return ReadOnlyError();
  if (absl::Status s = CheckLocked(task, kMayWrite | kMayExec); !s.ok()) return s;
  auto it = children_.find(name);
  if (it == children_.end()) return ErrnoError(ENOENT, "no such file in tmpfs");
  TmpfsNode& child = *it->second;
  if (absl::Status s = CheckStickyLocked(task, child); !s.ok()) return s;
  if (directory) {
    if (child.Type() != S_IFDIR) return ErrnoError(ENOTDIR, "rmdir of a non-directory");
    auto& dir = static_cast<TmpfsDir&>(child);
    if (!dir.children_.empty()) return ErrnoError(ENOTEMPTY, "directory not empty");
    DetachDirLocked(dir);
  } else {
    if (child.Type() == S_IFDIR) return ErrnoError(EISDIR, "unlink of a directory");
    --child.nlink_;
  }
  child.TouchCtimeLocked();
  removed = std::move(it->second);
  children_.erase(it);
  TouchMtimeLocked();
  return absl::OkStatus();
}

absl::Status TmpfsDir::Rename(sentry::Task& task, const std::string& old_name, Node& new_dir_node,
                              const std::string& new_name, unsigned flags) {
  TmpfsNode* other = SameTmpfs(new_dir_node, *fs_);
  if (other == nullptr || other->Type() != S_IFDIR) {
    return ErrnoError(EXDEV, "rename across filesystems");
  }
  auto& new_dir = static_cast<TmpfsDir&>(*other);
  std::shared_ptr<TmpfsNode> replaced;  // Dropped after the lock.
  absl::MutexLock lock(&fs_->mu);
  if (fs_->options().read_only) return ReadOnlyError();
  if (absl::Status s = CheckLocked(task, kMayWrite | kMayExec); !s.ok()) return s;
  if (&new_dir != this) {
    if (absl::Status s = new_dir.CheckLocked(task, kMayWrite | kMayExec); !s.ok()) return s;
  }
  auto from = children_.find(old_name);
  if (from == children_.end()) return ErrnoError(ENOENT, "no such file in tmpfs");
  std::shared_ptr<TmpfsNode> source = from->second;
  auto to = new_dir.children_.find(new_name);
  std::shared_ptr<TmpfsNode> target = to == new_dir.children_.end() ? nullptr : to->second;
  if (target == nullptr && (flags & RENAME_EXCHANGE)) return ErrnoError(ENOENT, "no such target");
  if (target != nullptr && (flags & RENAME_NOREPLACE)) return ErrnoError(EEXIST, "target exists");
  if (absl::Status s = CheckStickyLocked(task, *source); !s.ok()) return s;
  if (target != nullptr) {
    if (absl::Status s = new_dir.CheckStickyLocked(task, *target); !s.ok()) return s;
  }
  if (source == target) return absl::OkStatus();  // Two names of one file: nothing happens.
  const bool source_dir = source->Type() == S_IFDIR;
  const bool target_dir = target != nullptr && target->Type() == S_IFDIR;
  // A directory moving to another parent rewrites its "..": it must be writable.
  if (&new_dir != this) {
    if (source_dir) {
      if (absl::Status s = source->CheckLocked(task, kMayWrite); !s.ok()) return s;
    }
    if ((flags & RENAME_EXCHANGE) && target_dir) {
      if (absl::Status s = target->CheckLocked(task, kMayWrite); !s.ok()) return s;
    }
  }
  // No directory may move below itself.
  if (source_dir && IsAtOrBelow(&new_dir, static_cast<TmpfsDir*>(source.get()))) {
    return ErrnoError(EINVAL, "rename of a directory below itself");
  }
  if ((flags & RENAME_EXCHANGE) && target_dir &&
      IsAtOrBelow(this, static_cast<TmpfsDir*>(target.get()))) {
    return ErrnoError(EINVAL, "exchange of a directory with one below it");
  }

  if (flags & RENAME_EXCHANGE) {
    from->second = target;
    to->second = source;
    if (&new_dir != this && source_dir != target_dir) {
      // The directory among the two changes parents: so do the link counts.
      if (source_dir) {
        --nlink_;
        ++new_dir.nlink_;
      } else {
        ++nlink_;
        --new_dir.nlink_;
      }
    }
    if (source_dir) static_cast<TmpfsDir&>(*source).parent_ = &new_dir;
    if (target_dir) static_cast<TmpfsDir&>(*target).parent_ = this;
    target->TouchCtimeLocked();
  } else {
    if (target != nullptr) {
      if (source_dir) {
        if (!target_dir) return ErrnoError(ENOTDIR, "rename of a directory over a non-directory");
        if (!static_cast<TmpfsDir&>(*target).children_.empty()) {
          return ErrnoError(ENOTEMPTY, "rename over a non-empty directory");
        }
        new_dir.DetachDirLocked(static_cast<TmpfsDir&>(*target));
      } else {
        if (target_dir) return ErrnoError(EISDIR, "rename of a non-directory over a directory");
        --target->nlink_;
      }
      target->TouchCtimeLocked();
      replaced = std::move(to->second);
      new_dir.children_.erase(to);
    }
    children_.erase(from);
    new_dir.children_[new_name] = source;
    if (source_dir) {
      auto& moved = static_cast<TmpfsDir&>(*source);
      moved.parent_ = &new_dir;
      if (&new_dir != this) {
        --nlink_;
        ++new_dir.nlink_;
      }
    }
  }
  source->TouchCtimeLocked();
  TouchMtimeLocked();
  if (&new_dir != this) new_dir.TouchMtimeLocked();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<DirEntry>> TmpfsDirFile::ReadDir() {
  if (dir_pos == 0 || snapshot_.empty()) snapshot_ = dir_->List();
  return snapshot_;
}

absl::StatusOr<struct stat> TmpfsDirFile::Stat() { return dir_->Stat(); }

// ---- attributes, statfs ----

absl::Status TmpfsNode::SetAttr(sentry::Task& task, const SetAttrs& attrs) {
  if (fs_->options().read_only) return ReadOnlyError();
  const sentry::Credentials& c = task.creds;
  if (attrs.size) {
    {
      absl::MutexLock lock(&fs_->mu);
      if (absl::Status s = CheckLocked(task, kMayWrite); !s.ok()) return s;
    }
    // Resize takes the file's own lock, then fs().mu: not under fs().mu.
    if (absl::Status s = Resize(*attrs.size); !s.ok()) return s;
  }
  absl::MutexLock lock(&fs_->mu);
  if (attrs.mode) {
    if (type_ == S_IFLNK) return ErrnoError(EOPNOTSUPP, "chmod of a symlink");
    if (!OwnerOrCapableLocked(c)) return ErrnoError(EPERM, "chmod: not the owner");
    mode_t mode = *attrs.mode & 07777;
    // Who is not in the file's group cannot set its set-gid bit.
    if ((mode & S_ISGID) && !InGroup(c, gid_) && !c.HasCapability(CAP_FSETID)) mode &= ~S_ISGID;
    perm_ = mode;
    TouchCtimeLocked();
  }
  if (attrs.owner) {
    const uid_t uid = attrs.owner->first;
    const gid_t gid = attrs.owner->second;
    const bool uid_changes = uid != static_cast<uid_t>(-1) && uid != uid_;
    const bool gid_changes = gid != static_cast<gid_t>(-1) && gid != gid_;
    if (uid_changes && !c.HasCapability(CAP_CHOWN)) {
      return ErrnoError(EPERM, "chown: changing the owner needs CAP_CHOWN");
    }
    if (gid_changes && !c.HasCapability(CAP_CHOWN) && !(c.fsuid == uid_ && InGroup(c, gid))) {
      return ErrnoError(EPERM, "chown: not the owner, or not in the new group");
    }
    if (uid != static_cast<uid_t>(-1)) uid_ = uid;
    if (gid != static_cast<gid_t>(-1)) gid_ = gid;
    // chown(2) clears set-uid, and set-gid with group execute, of what is not a directory.
    if (type_ != S_IFDIR) {
      perm_ &= ~S_ISUID;
      if ((perm_ & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) perm_ &= ~S_ISGID;
    }
    TouchCtimeLocked();
  }
  if (attrs.times) {
    const struct timespec& atime = attrs.times->first;
    const struct timespec& mtime = attrs.times->second;
    auto explicit_time = [](const struct timespec& t) {
      return t.tv_nsec != UTIME_NOW && t.tv_nsec != UTIME_OMIT;
    };
    if (explicit_time(atime) || explicit_time(mtime)) {
      if (!OwnerOrCapableLocked(c)) return ErrnoError(EPERM, "utimensat: not the owner");
    } else if (!OwnerOrCapableLocked(c) && !PermittedLocked(c, kMayWrite)) {
      return ErrnoError(EACCES, "utimensat: neither owner nor writer");
    }
    const struct timespec now = Now();
    if (atime.tv_nsec != UTIME_OMIT) atime_ = atime.tv_nsec == UTIME_NOW ? now : atime;
    if (mtime.tv_nsec != UTIME_OMIT) mtime_ = mtime.tv_nsec == UTIME_NOW ? now : mtime;
    ctime_ = now;
  }
  return absl::OkStatus();
}

absl::StatusOr<struct statfs> TmpfsNode::StatFs(sentry::Task& task) {
  struct statfs st {};
  st.f_type = kTmpfsMagic;
  st.f_bsize = kPage;
  st.f_frsize = kPage;
  st.f_namelen = NAME_MAX;
  uint64_t total = fs_->options().size_bytes;
  if (total == 0) {
    // No size=: report the machine's memory, as an unlimited tmpfs has no
    // other bound.
    struct sysinfo info {};
    if (sysinfo(&info) == 0) total = static_cast<uint64_t>(info.totalram) * info.mem_unit;
  }
  const uint64_t used = std::min(fs_->Used(), total);
  st.f_blocks = total / kPage;
  st.f_bfree = st.f_bavail = (total - used) / kPage;
  st.f_files = st.f_blocks;
  st.f_ffree = st.f_bfree;
  st.f_flags = fs_->options().statfs_flags | (fs_->options().read_only ? ST_RDONLY : 0);
  return st;
}

// A size= or nr_inodes= value: a number with an optional k/m/g/t suffix, or
// (for sizes) a percentage of the machine's memory.
absl::StatusOr<uint64_t> ParseSize(const std::string& option, absl::string_view value,
                                   bool percent_allowed) {
  if (value.empty()) return absl::InvalidArgumentError(absl::StrCat("tmpfs option ", option, ": empty value"));
  uint64_t multiplier = 1;
  const char last = absl::ascii_tolower(value.back());
  bool percent = false;
  switch (last) {
    case 'k': multiplier = uint64_t{1} << 10; break;
    case 'm': multiplier = uint64_t{1} << 20; break;
    case 'g': multiplier = uint64_t{1} << 30; break;
    case 't': multiplier = uint64_t{1} << 40; break;
    case '%': percent = true; break;
    default: break;
  }
  if (multiplier != 1 || percent) value.remove_suffix(1);
  uint64_t n;
  if (!absl::SimpleAtoi(value, &n) || (percent && !percent_allowed)) {
    return absl::InvalidArgumentError(absl::StrCat("tmpfs option ", option, ": bad value"));
  }
  if (percent) {
    struct sysinfo info {};
    if (sysinfo(&info) != 0) return absl::InternalError("sysinfo for a tmpfs size in %");
    return static_cast<uint64_t>(info.totalram) * info.mem_unit / 100 * n;
  }
  if (n > std::numeric_limits<uint64_t>::max() / multiplier) {
    return absl::InvalidArgumentError(absl::StrCat("tmpfs option ", option, ": too large"));
  }
  return n * multiplier;
}

}  // namespace

absl::StatusOr<TmpfsOptions> ParseTmpfsOptions(const std::vector<std::string>& options) {
  TmpfsOptions out;
  for (const std::string& option : options) {
    const size_t eq = option.find('=');
    const std::string key = option.substr(0, eq);
    const absl::string_view value =
        eq == std::string::npos ? absl::string_view() : absl::string_view(option).substr(eq + 1);
    if (eq == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("unknown tmpfs option \"", option, "\""));
    }
    if (key == "size") {
      absl::StatusOr<uint64_t> size = ParseSize(option, value, true);
      if (!size.ok()) return size.status();
      // Linux rounds the limit up to whole pages.
      out.size_bytes = PageRoundUp(*size);
    } else if (key == "nr_inodes") {
      absl::StatusOr<uint64_t> n = ParseSize(option, value, false);
      if (!n.ok()) return n.status();
      LogDebug("tmpfs option ", option, " accepted; inode counts are not limited");
    } else if (key == "mode") {
      uint32_t mode = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), mode, 8);
      if (value.empty() || error != std::errc() || end != value.data() + value.size() ||
          mode > 07777) {
        return absl::InvalidArgumentError(absl::StrCat("tmpfs option ", option, ": bad mode"));
      }
      out.mode = mode;
    } else if (key == "uid" || key == "gid") {
      uint32_t id;
      if (!absl::SimpleAtoi(value, &id) || id == static_cast<uint32_t>(-1)) {
        return absl::InvalidArgumentError(absl::StrCat("tmpfs option ", option, ": bad id"));
      }
      (key == "uid" ? out.uid : out.gid) = id;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown tmpfs option \"", option, "\""));
    }
  }
  return out;
}

std::shared_ptr<Node> NewTmpfs(const TmpfsOptions& options) {
  auto fs = std::make_shared<Tmpfs>(options);
  return std::make_shared<TmpfsDir>(fs, options.mode & 07777, options.uid, options.gid, nullptr);
}

}  // namespace runsc::fs
