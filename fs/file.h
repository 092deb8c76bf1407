// An open file description (what an fd points at), and the inode-like Node a
// path resolves to. Implementations: gofer files, pipes, host fds, and the
// synthetic files of /proc and /dev.
#ifndef RUNSC_FS_FILE_H_
#define RUNSC_FS_FILE_H_

#include <errno.h>
#include <poll.h>
#include <sys/stat.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "base/errno_status.h"
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
  virtual ~File() = default;

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
  virtual absl::StatusOr<int64_t> Seek(int64_t offset, int whence) {
    return ErrnoError(ESPIPE, "seek on a stream");
  }
  virtual absl::StatusOr<struct stat> Stat() = 0;
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

// An inode: what a path names. Directories look names up; anything may open.
class Node : public std::enable_shared_from_this<Node> {
 public:
  virtual ~Node() = default;
  virtual absl::StatusOr<struct stat> Stat() = 0;
  mode_t Type() {
    absl::StatusOr<struct stat> st = Stat();
    return st.ok() ? (st->st_mode & S_IFMT) : 0;
  }
  virtual absl::StatusOr<std::shared_ptr<Node>> Lookup(sentry::Task& task,
                                                       const std::string& name) {
    return ErrnoError(ENOTDIR, "not a directory");
  }
  virtual absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) = 0;
  virtual absl::StatusOr<std::string> ReadLink(sentry::Task& task) {
    return ErrnoError(EINVAL, "not a symlink");
  }
  // Synthetic nodes (procfs) are looked up anew each time; gofer nodes can
  // be cached in the dentry tree.
  virtual bool Cacheable() const { return true; }
};

// A name in the tree: a Node with its parent (for "..") and absolute path.
struct Dentry {
  std::shared_ptr<Node> node;
  std::shared_ptr<Dentry> parent;  // Null for the root.
  std::string path;                // Absolute, canonical.
  absl::Mutex mu;
  std::map<std::string, std::shared_ptr<Dentry>> children ABSL_GUARDED_BY(mu);
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_FILE_H_
