// Files of the root filesystem, served by the gofer (DESIGN §5-6). Metadata
// comes over RPC; opened regular files are host fds the gofer donated, read
// and written by the sentry directly.
//
// The gofer acts with its own (host) credentials, so every access check of
// the application's credentials happens here (file_access.h), against the
// mode and owner the gofer last reported for the file. A file the
// application makes is created by the gofer and then chowned to the task's
// fs uid/gid (or the set-gid directory's group).
//
// On an exclusive filesystem (the rootfs: a GoferFsCache given) a node also
// keeps its last stat while nothing may have changed it, its symlink target
// (a symlink's content never changes), one read-only donated fd that later
// read-only opens dup instead of asking the gofer, and, for a directory, the
// names a walk found missing (ENOENT), while nothing has changed since.
#ifndef RUNSC_FS_GOFER_NODE_H_
#define RUNSC_FS_GOFER_NODE_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "fs/file.h"
#include "fs/file_access.h"
#include "fs/gofer_fs_cache.h"
#include "fs/pipe.h"
#include "gofer/client/gofer_client.h"

namespace runsc::fs {

class GoferNode : public Node {
 public:
  // `cache` null: a filesystem others may change too (a bind mount), where
  // every stat asks the gofer and every open gets a new donated fd.
  GoferNode(std::shared_ptr<gofer::GoferClient> client, gofer::WalkedFile file,
            std::shared_ptr<GoferFsCache> cache = nullptr)
      : client_(std::move(client)),
        cache_(std::move(cache)),
        file_(file),
        access_(AccessOf(file.stat)) {}
  ~GoferNode() override;

  // The kept stat if it still holds (GoferFsCache), else the gofer's: sizes,
  // times, modes and link counts change under the walk's stat.
  absl::StatusOr<struct stat> Stat() override;
  // From the walk: a file id never changes type.
  mode_t Type() override { return file_.stat.mode & S_IFMT; }

  absl::StatusOr<CreatedNode> Create(sentry::Task& task, const std::string& name, int flags,
                                     mode_t mode) override;
  absl::StatusOr<std::shared_ptr<Node>> Mkdir(sentry::Task& task, const std::string& name,
                                              mode_t mode) override;
  absl::StatusOr<std::shared_ptr<Node>> Mknod(sentry::Task& task, const std::string& name,
                                              mode_t mode) override;
  absl::StatusOr<std::shared_ptr<Node>> Symlink(sentry::Task& task, const std::string& name,
                                                const std::string& target) override;
  absl::Status Link(sentry::Task& task, const std::string& name, Node& target) override;
  absl::Status Unlink(sentry::Task& task, const std::string& name, bool directory) override;
  absl::Status Rename(sentry::Task& task, const std::string& old_name, Node& new_dir,
                      const std::string& new_name, unsigned flags) override;
  absl::Status SetAttr(sentry::Task& task, const SetAttrs& attrs) override;
  absl::StatusOr<struct statfs> StatFs(sentry::Task& task) override;
  // user.* on the host file, through the gofer; every other namespace is
  // EOPNOTSUPP without asking (gofer.proto says why). Not cached: a change
  // drops the kept stat (the ctime moved) like any other change.
  absl::StatusOr<std::string> GetXattr(const std::string& name) override;
  absl::Status SetXattr(const std::string& name, const std::string& value, int flags) override;
  absl::StatusOr<std::vector<std::string>> ListXattr() override;
  absl::Status RemoveXattr(const std::string& name) override;
  // From the attributes the node already has: no RPC per walk step.
  absl::Status CheckSearch(sentry::Task& task) override { return access().Check(task.creds, kMayExec); }
  absl::StatusOr<std::shared_ptr<Node>> Lookup(sentry::Task& task,
                                               const std::string& name) override;
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override;
  absl::StatusOr<std::string> ReadLink(sentry::Task& task) override;
  // The host file: every GoferNode walked to it (again, or by another hard
  // link) shares its inotify watches.
  NodeIdentity Identity() override { return {client_.get(), file_.stat.dev, file_.stat.ino}; }

 private:
  // Shared by every open of this node if it is a FIFO.
  NamedPipe fifo_;
  static FileAccess AccessOf(const gofer::FileStat& st) { return {st.mode, st.uid, st.gid}; }
  // The same filesystem (gofer connection) as `other`, or null.
  GoferNode* SameFilesystem(Node& other) const;
  // Mode and owner as last reported by the gofer (walk, stat, setattr).
  FileAccess access() const;
  // A stat from the gofer; kept if it was asked for under `stamp` and the
  // cache allows (no stamp: a reply to a change, which bumped the cache).
  void Remember(const gofer::FileStat& st,
                std::optional<GoferFsCache::Stamp> stamp = std::nullopt);
  // `name` was missing in this directory for a walk under `stamp`.
  void RememberAbsent(const std::string& name, const GoferFsCache::Stamp& stamp);
  // fstat of the kept read-only fd, if there is one.
  std::optional<gofer::FileStat> StatKeptFd();
  // The stamp to take before a request whose stat or miss may be kept.
  std::optional<GoferFsCache::Stamp> StampNow() const;
  // This filesystem was (or may have been) changed by a request.
  void Changed();
  GoferFsCache::InodeKey Inode() const { return {file_.stat.dev, file_.stat.ino}; }
  // A read-only open served by a dup of the kept fd (one is asked for on the
  // first such open): null when the fd budget is spent.
  absl::StatusOr<std::shared_ptr<File>> OpenFromKeptFd(int flags);
  // A writable, searchable directory for a new or removed entry: EACCES.
  absl::Status CheckCanModify(const sentry::Task& task) const;
  // The sticky-bit rule for this directory's entry `name`: walks the entry
  // only when the rule could refuse.
  absl::Status CheckStickyEntry(const sentry::Task& task, const std::string& name);
  // Chowns a file this directory just made to its owner under Linux's
  // rules (FileAccess::NewChild), if the gofer did not make it so already.
  absl::Status OwnNewFile(const sentry::Task& task, gofer::WalkedFile& made);

  std::shared_ptr<gofer::GoferClient> client_;
  const std::shared_ptr<GoferFsCache> cache_;
  gofer::WalkedFile file_;
  mutable absl::Mutex access_mu_;
  FileAccess access_ ABSL_GUARDED_BY(access_mu_);
  std::optional<gofer::FileStat> kept_stat_ ABSL_GUARDED_BY(access_mu_);
  GoferFsCache::Stamp kept_stamp_ ABSL_GUARDED_BY(access_mu_);
  std::optional<std::string> kept_target_ ABSL_GUARDED_BY(access_mu_);
  // Names of this directory the gofer said do not exist, under one stamp.
  absl::flat_hash_set<std::string> absent_ ABSL_GUARDED_BY(access_mu_);
  GoferFsCache::Stamp absent_stamp_ ABSL_GUARDED_BY(access_mu_);
  absl::Mutex kept_fd_mu_;
  UniqueFd kept_fd_ ABSL_GUARDED_BY(kept_fd_mu_);
};

// struct stat from what the gofer reported.
struct stat ToStat(const gofer::FileStat& s);

}  // namespace runsc::fs

#endif  // RUNSC_FS_GOFER_NODE_H_
