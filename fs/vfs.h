// The sentry's VFS: a mount table and path resolution (DESIGN §5).
//
// Paths are resolved component by component from the task's root or working
// directory (or a dirfd). Symlinks are followed by the sentry itself (the
// gofer never follows one), absolute targets restart at the task's root, and
// ".." never climbs above it.
#ifndef RUNSC_FS_VFS_H_
#define RUNSC_FS_VFS_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "fs/fd_table.h"
#include "fs/file.h"

namespace runsc::fs {

// What /proc/mounts says of a mount (fstab(5) fields 1, 3 and 4).
struct MountInfo {
  std::string source = "none";  // "tmpfs", "proc", a bind's host path...
  std::string type = "none";    // "tmpfs", "proc", "9p"...
  std::string options = "rw";   // "ro,nosuid,nodev,size=65536k"...
};

// One line of the mount table.
struct MountEntry {
  std::string path;  // Absolute, canonical.
  MountInfo info;
};

class Vfs {
 public:
  explicit Vfs(std::shared_ptr<Node> root_node, MountInfo root_info = {});

  std::shared_ptr<Dentry> root() const { return root_; }
  // Mounts `node` at absolute canonical path `path`, over what the
  // filesystem below has there (or over nothing: the mount is found by
  // path before the filesystem is asked, so a mount point need not exist
  // in a filesystem that cannot make one, such as /dev). A second mount at
  // the same path replaces the first. `info` is what /proc/mounts shows.
  [[nodiscard]] absl::Status Mount(sentry::Task* task, const std::string& path,
                                   std::shared_ptr<Node> node, MountInfo info = {});
  // The mounts in the order they were made, the root first.
  std::vector<MountEntry> MountTable();

  struct Resolved {
    std::shared_ptr<Dentry> dentry;  // Null if only the parent exists (see want_parent).
    std::shared_ptr<Dentry> parent;
    std::string last;                // Last component's name.
  };
  // Resolves `path` relative to `start` (the cwd or a dirfd's dentry).
  // follow_last: follow a symlink in the final component.
  [[nodiscard]] absl::StatusOr<std::shared_ptr<Dentry>> Resolve(sentry::Task& task,
                                                                std::shared_ptr<Dentry> start,
                                                                const std::string& path,
                                                                bool follow_last);

  // The dentry of `path` for the task: relative paths from `dirfd`
  // (AT_FDCWD = the cwd). EBADF / ENOTDIR for a bad dirfd.
  [[nodiscard]] absl::StatusOr<std::shared_ptr<Dentry>> ResolveAt(sentry::Task& task, int dirfd,
                                                                  const std::string& path,
                                                                  bool follow_last);

  // The directory a path's last component is in, for calls that make,
  // remove or rename that name: `name` is the last component ("" for "/",
  // and possibly "." or "..", which each caller refuses with its own
  // errno); trailing slashes are stripped and reported.
  struct ParentAndName {
    std::shared_ptr<Dentry> parent;
    std::string name;
    bool trailing_slash = false;
  };
  [[nodiscard]] absl::StatusOr<ParentAndName> ResolveParentAt(sentry::Task& task, int dirfd,
                                                              const std::string& path);

  // One component looked up in `dir` (mounts and the dentry cache
  // included), without following a symlink.
  [[nodiscard]] absl::StatusOr<std::shared_ptr<Dentry>> Lookup(sentry::Task& task,
                                                               const std::shared_ptr<Dentry>& dir,
                                                               const std::string& name) {
    return Step(task, dir, name);
  }
  // A node `dir` just made as `name`, entered in the cache.
  std::shared_ptr<Dentry> AddChild(const std::shared_ptr<Dentry>& dir, const std::string& name,
                                   std::shared_ptr<Node> node);
  // Drops the cached entry for `name` in `dir` after it was removed or
  // renamed, so the next lookup asks the filesystem.
  void Forget(const std::shared_ptr<Dentry>& dir, const std::string& name);
  // True if `path` names a mount point (which cannot be removed or renamed).
  bool IsMountPoint(const std::string& path);

  // Opens a dentry; O_DIRECTORY and access checks happen here.
  [[nodiscard]] absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task,
                                                           std::shared_ptr<Dentry> dentry,
                                                           int flags);

 private:
  absl::StatusOr<std::shared_ptr<Dentry>> Step(sentry::Task& task,
                                               const std::shared_ptr<Dentry>& dir,
                                               const std::string& name);
  absl::StatusOr<std::shared_ptr<Dentry>> Walk(sentry::Task& task, std::shared_ptr<Dentry> start,
                                               const std::string& path, bool follow_last,
                                               int& symlinks_left);

  std::shared_ptr<Dentry> root_;
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<Node>> mounts_ ABSL_GUARDED_BY(mu_);  // By path.
  std::vector<MountEntry> table_ ABSL_GUARDED_BY(mu_);  // Root first, then in mount order.
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_VFS_H_
