// An open file description (what an fd points at), and the inode-like Node a
// path resolves to. Implementations: gofer files, pipes, host fds, and the
// synthetic files of /proc and /dev.
#ifndef RUNSC_FS_FILE_H_
#define RUNSC_FS_FILE_H_

#include <errno.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <atomic>
#include <compare>
#include <optional>
#include <utility>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "base/errno_status.h"
#include "fs/file_lock_table.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {

struct Dentry;

struct DirEntry {
  std::string name;
  uint64_t ino = 0;
  uint8_t type = 0;  // DT_*.
};

class File {
 public:
  explicit File(int flags) : flags_(flags) {}
  // The last close of the description drops its OFD and flock locks.
  virtual ~File();

  // Reads/writes at the file's offset (or the stream). May block, waking
  // with EINTR-style restart codes when the task is interrupted.
  virtual absl::StatusOr<size_t> Read(sentry::Task& task, absl::Span<uint8_t> buf) {
    return ErrnoError(EINVAL, "read not supported");
  }
  virtual absl::StatusOr<size_t> Write(sentry::Task& task, absl::Span<const uint8_t> buf) {
    return ErrnoError(EINVAL, "write not supported");
  }
  virtual absl::StatusOr<size_t> PRead(sentry::Task& task, absl::Span<uint8_t> buf,
                                       int64_t offset) {
    return ErrnoError(ESPIPE, "pread on a stream");
  }
  virtual absl::StatusOr<size_t> PWrite(sentry::Task& task, absl::Span<const uint8_t> buf,
                                        int64_t offset) {
    return ErrnoError(ESPIPE, "pwrite on a stream");
  }
  // read(2) (offset < 0: at the file's position, which moves by what was
  // delivered) or pread(2) of up to `count` bytes straight into the
  // application's memory at `addr`, for files that can do it with fewer
  // copies than Read/PRead into a sentry buffer and a copy out
  // (fs/mapped_file_reader.h). nullopt when this file cannot for this call:
  // the caller then does that. Otherwise what read(2) returns: the bytes
  // delivered, short at the end of the file or where the buffer stops
  // being writable, EFAULT if not one byte was.
  virtual std::optional<absl::StatusOr<size_t>> ReadToApplication(sentry::Task& task,
                                                                  uint64_t addr, size_t count,
                                                                  int64_t offset) {
    return std::nullopt;
  }
  virtual absl::StatusOr<int64_t> Seek(int64_t offset, int whence) {
    return ErrnoError(ESPIPE, "seek on a stream");
  }
  virtual absl::StatusOr<struct stat> Stat() = 0;
  // ftruncate(2): EINVAL unless the file is a regular file open for writing.
  virtual absl::Status Truncate(int64_t size) {
    return ErrnoError(EINVAL, "not a regular file open for writing");
  }
  // fallocate(2) on a regular file open for writing; the syscall checked
  // the arguments, the access mode and the file type first. `mode` is
  // FALLOC_FL_* as the application gave it; what the filesystem does not do
  // is EOPNOTSUPP.
  virtual absl::Status Allocate(int mode, int64_t offset, int64_t len) {
    return ErrnoError(EOPNOTSUPP, "fallocate is not supported by this filesystem");
  }
  // Directory entries from the file's position on; the position advances
  // by the number consumed (Consume()).
  virtual absl::StatusOr<std::vector<DirEntry>> ReadDir() {
    return ErrnoError(ENOTDIR, "not a directory");
  }
  virtual absl::StatusOr<int64_t> Ioctl(sentry::Task& task, uint64_t cmd, uint64_t arg) {
    return ErrnoError(ENOTTY, "no ioctls on this file");
  }
  // poll(2): the subset of `events` that is ready now, plus POLLERR and
  // POLLHUP, which are reported whatever was asked. Never blocks. Called
  // with task.kernel().mu held: sentry-internal files (pipes) keep their
  // state under it and signal kernel().cv when it changes. Files with no
  // notion of readiness (regular, synthetic, devices) are always ready.
  virtual short PollLocked(sentry::Task& task, short events) {
    return events & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
  }
  // A host fd whose host readiness is this file's (a stream given as
  // stdio), or -1. Nothing in the sentry signals kernel().cv when such a
  // file becomes ready, so poll waits for it with the host's poll.
  virtual int PollHostFd() const { return -1; }
  // Changes whenever an event may have happened on this file (data
  // written, space made, an end closed). epoll's edge-triggered mode
  // reports a file that is still ready again only once this changed.
  // Files that keep no count return 0: an edge is then a change of the
  // ready mask. Requires task.kernel().mu, like PollLocked.
  virtual uint64_t EventSeqLocked() const { return 0; }
  // What /proc/<pid>/fdinfo/<fd> shows of this kind of file after pos,
  // flags, mnt_id and ino (eventfd-count, sigmask, tfd lines), each line
  // ending in '\n'. Requires task.kernel().mu, like PollLocked.
  virtual std::string FdInfoLocked() const { return ""; }
  // F_GETPIPE_SZ (no argument) and F_SETPIPE_SZ: the capacity of the pipe
  // behind this file; EBADF for anything that is not a pipe.
  virtual absl::StatusOr<int64_t> PipeSize(std::optional<uint64_t> new_size) {
    return ErrnoError(EBADF, "not a pipe");
  }
  // fcntl(2) F_ADD_SEALS and F_GET_SEALS: the seals of the file behind this
  // description (tmpfs and memfd files); EINVAL for files that have none.
  virtual absl::Status AddSeals(int seals) { return ErrnoError(EINVAL, "file cannot be sealed"); }
  virtual absl::StatusOr<int> GetSeals() { return ErrnoError(EINVAL, "file cannot be sealed"); }
  // A host fd the sentry may mmap into the application, or -1.
  virtual int HostFd() const { return -1; }
  // What /proc/self/fd/N points at.
  virtual std::string Path() const { return path_; }
  void set_path(std::string path) { path_ = std::move(path); }

  int flags() const { return flags_.load(); }
  void set_flags(int flags) { flags_.store(flags); }
  // Directory read position (count of entries consumed).
  int64_t dir_pos = 0;
  // The name this file was opened by (for *at() dirfds and fchdir), if any.
  std::shared_ptr<Dentry> dentry;

 private:
  std::atomic<int> flags_;
  std::string path_;
};

// The open file of a directory. Reading one as bytes is EISDIR, as
// Linux's generic_read_dir (its entries come through ReadDir).
class DirectoryFile : public File {
 public:
  using File::File;
  absl::StatusOr<size_t> Read(sentry::Task& task, absl::Span<uint8_t> buf) override {
    return ErrnoError(EISDIR, "read of a directory");
  }
  absl::StatusOr<size_t> PRead(sentry::Task& task, absl::Span<uint8_t> buf,
                               int64_t offset) override {
    return ErrnoError(EISDIR, "pread of a directory");
  }
};

class Node;

// The last close of an open file description: inotify's IN_CLOSE_WRITE or
// IN_CLOSE_NOWRITE (fs/fsnotify.cc). Called by ~File, never with a lock held.
void NotifyLastClose(const File& file);

// Which file a node is, for inotify watches (fs/watch_table.h): two nodes
// that are the same file (a gofer file walked again after its dentry was
// dropped, or by another hard link) have the same identity.
struct NodeIdentity {
  const void* fs = nullptr;
  uint64_t dev = 0;
  uint64_t ino = 0;
  friend auto operator<=>(const NodeIdentity&, const NodeIdentity&) = default;
};

// A file a directory made and opened (open with O_CREAT).
struct CreatedNode {
  std::shared_ptr<Node> node;
  std::shared_ptr<File> file;
};

// What Node::SetAttr changes: each member that is set.
struct SetAttrs {
  std::optional<mode_t> mode;                    // Permission bits (07777).
  std::optional<std::pair<uid_t, gid_t>> owner;  // (uid_t)-1 / (gid_t)-1: unchanged.
  std::optional<int64_t> size;
  // {atime, mtime}; tv_nsec may be UTIME_NOW or UTIME_OMIT.
  std::optional<std::pair<struct timespec, struct timespec>> times;
};

// An inode: what a path names. Directories look names up; anything may open.
class Node : public std::enable_shared_from_this<Node> {
 public:
  virtual ~Node() = default;
  virtual absl::StatusOr<struct stat> Stat() = 0;
  // The S_IFMT bits, which never change for a node. Nodes whose Stat() is
  // costly (an RPC) answer from what they already know.
  virtual mode_t Type() {
    absl::StatusOr<struct stat> st = Stat();
    return st.ok() ? (st->st_mode & S_IFMT) : 0;
  }

  // Directory mutations. `name` is one component, never "." or ".."; modes
  // are final permission bits (the umask applied). The sentry's synthetic
  // filesystems (/proc, /dev) refuse them.
  virtual absl::StatusOr<CreatedNode> Create(sentry::Task& task, const std::string& name,
                                             int flags, mode_t mode) {
    return ErrnoError(EACCES, "files cannot be created here");
  }
  // open(2) with O_TMPFILE in this directory: an unnamed regular file
  // (nlink 0) and its open file; linkat(2) may give it a name later unless
  // O_EXCL was given. `mode` has the umask applied.
  virtual absl::StatusOr<CreatedNode> CreateTmpfile(sentry::Task& task, int flags, mode_t mode) {
    return ErrnoError(EOPNOTSUPP, "O_TMPFILE is not supported by this filesystem");
  }
  virtual absl::StatusOr<std::shared_ptr<Node>> Mkdir(sentry::Task& task, const std::string& name,
                                                      mode_t mode) {
    return ErrnoError(EPERM, "directories cannot be made here");
  }
  // `mode` includes the type bits.
  virtual absl::StatusOr<std::shared_ptr<Node>> Mknod(sentry::Task& task, const std::string& name,
                                                      mode_t mode) {
    return ErrnoError(EPERM, "nodes cannot be made here");
  }
  virtual absl::StatusOr<std::shared_ptr<Node>> Symlink(sentry::Task& task,
                                                        const std::string& name,
                                                        const std::string& target) {
    return ErrnoError(EPERM, "symlinks cannot be made here");
  }
  // A new name in this directory for `target`; EXDEV if it is on another filesystem.
  virtual absl::Status Link(sentry::Task& task, const std::string& name, Node& target) {
    return ErrnoError(EPERM, "links cannot be made here");
  }
  virtual absl::Status Unlink(sentry::Task& task, const std::string& name, bool directory) {
    return ErrnoError(EPERM, "nothing can be removed here");
  }
  // Renames `old_name` here to `new_name` in `new_dir` (EXDEV if that is on
  // another filesystem); `flags` as renameat2(2).
  virtual absl::Status Rename(sentry::Task& task, const std::string& old_name, Node& new_dir,
                              const std::string& new_name, unsigned flags) {
    return ErrnoError(EPERM, "nothing can be renamed here");
  }
  virtual absl::Status SetAttr(sentry::Task& task, const SetAttrs& attrs) {
    return ErrnoError(EPERM, "attributes cannot be changed here");
  }
  // Extended attributes (xattr(7)) this node's filesystem keeps. The
  // caller (fs/xattr.h) has already applied what Linux's VFS does for every
  // filesystem (name form, xattr_permission() against the task); these only
  // store and fetch, and decide which namespaces the filesystem has. The
  // default is a filesystem with no xattr handlers, as Linux's procfs:
  // every name EOPNOTSUPP, an empty list. `flags` is 0, XATTR_CREATE
  // (EEXIST if set) or XATTR_REPLACE (ENODATA if not).
  virtual absl::StatusOr<std::string> GetXattr(const std::string& name) {
    return ErrnoError(EOPNOTSUPP, "this filesystem keeps no extended attributes");
  }
  virtual absl::Status SetXattr(const std::string& name, const std::string& value, int flags) {
    return ErrnoError(EOPNOTSUPP, "this filesystem keeps no extended attributes");
  }
  virtual absl::StatusOr<std::vector<std::string>> ListXattr() {
    return std::vector<std::string>();
  }
  virtual absl::Status RemoveXattr(const std::string& name) {
    return ErrnoError(EOPNOTSUPP, "this filesystem keeps no extended attributes");
  }
  // statfs(2) of the filesystem this node is on. The sentry's own
  // filesystems answer as a tmpfs would.
  virtual absl::StatusOr<struct statfs> StatFs(sentry::Task& task);
  // May `task` search this directory (walk through it)? EACCES if not.
  // The VFS asks at every step of a walk, also when the child is cached or
  // a mount point, since then no Lookup runs. The default checks Stat();
  // nodes that know their attributes without an RPC answer from those.
  virtual absl::Status CheckSearch(sentry::Task& task);
  virtual absl::StatusOr<std::shared_ptr<Node>> Lookup(sentry::Task& task,
                                                       const std::string& name) {
    return ErrnoError(ENOTDIR, "not a directory");
  }
  virtual absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) = 0;
  virtual absl::StatusOr<std::string> ReadLink(sentry::Task& task) {
    return ErrnoError(EINVAL, "not a symlink");
  }
  // A magic link (/proc/<pid>/fd/N, cwd, root) names an object, not a
  // path: following it reaches this dentry (the open file's own, of a
  // deleted file or a memfd as well) instead of walking the text ReadLink
  // shows. Null: an ordinary symlink, followed by its text.
  virtual absl::StatusOr<std::shared_ptr<Dentry>> FollowMagicLink(sentry::Task& task) {
    return std::shared_ptr<Dentry>();
  }
  // Synthetic nodes (procfs) are looked up anew each time; gofer nodes can
  // be cached in the dentry tree.
  virtual bool Cacheable() const { return true; }
  // See NodeIdentity. The sentry's own filesystems keep one Node per file,
  // so by default the object is the file; the gofer fs answers with the
  // host's device and inode.
  virtual NodeIdentity Identity() { return {this, 0, 0}; }

  // The advisory locks every open of this node shares, made on first use
  // with the kernel's mutex and condition variable.
  std::shared_ptr<FileLocks> Locks(absl::Mutex& mu, absl::CondVar& cv) {
    absl::MutexLock lock(&locks_mu_);
    if (locks_ == nullptr) locks_ = std::make_shared<FileLocks>(mu, cv);
    return locks_;
  }
  // The same, or null if nobody ever locked this node (close need not look).
  std::shared_ptr<FileLocks> LocksIfAny() {
    absl::MutexLock lock(&locks_mu_);
    return locks_;
  }

 private:
  absl::Mutex locks_mu_;
  std::shared_ptr<FileLocks> locks_ ABSL_GUARDED_BY(locks_mu_);
};

// A name in the tree: a Node with its parent (for "..") and absolute path.
struct Dentry {
  std::shared_ptr<Node> node;
  std::shared_ptr<Dentry> parent;  // Null for the root.
  std::string path;                // Absolute, canonical.
  absl::Mutex mu;
  std::map<std::string, std::shared_ptr<Dentry>> children ABSL_GUARDED_BY(mu);
  // The name was removed (unlink, rmdir, or replaced by a rename) while
  // something still held this dentry: getcwd of it is ENOENT (Linux's
  // d_unlinked), and inotify's IN_EXCL_UNLINK watches on the directory stop
  // hearing about it.
  std::atomic<bool> unlinked{false};
};

// The locks of the node `file` was opened from, if it has one and anybody
// ever locked it.
inline std::shared_ptr<FileLocks> LocksIfAny(const File& file) {
  if (file.dentry == nullptr || file.dentry->node == nullptr) return nullptr;
  return file.dentry->node->LocksIfAny();
}

inline File::~File() {
  NotifyLastClose(*this);
  if (std::shared_ptr<FileLocks> locks = LocksIfAny(*this)) {
    locks->record.ReleaseOwner(this);
    locks->flock.ReleaseOwner(this);
  }
}

inline absl::StatusOr<struct statfs> Node::StatFs(sentry::Task& task) {
  struct statfs st {};
  st.f_type = 0x01021994;  // TMPFS_MAGIC.
  st.f_bsize = 4096;
  st.f_frsize = 4096;
  st.f_namelen = 255;
  return st;
}

}  // namespace runsc::fs

#endif  // RUNSC_FS_FILE_H_
