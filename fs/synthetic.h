// Building blocks for filesystems the sentry makes up (/proc, /dev): nodes
// whose contents are computed when opened.
#ifndef RUNSC_FS_SYNTHETIC_H_
#define RUNSC_FS_SYNTHETIC_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "fs/file.h"

namespace runsc::fs {

// Inode numbers for synthetic nodes: stable per path.
uint64_t SyntheticIno(const std::string& key);
struct stat SyntheticStat(mode_t mode, uint64_t ino);

// Which of the sentry's own filesystems a synthetic node is on, told by the
// first component of its key ("/proc/...", "/sys/...", anything else is
// /dev's tmpfs): each has its own device number (st_dev, mountinfo's
// major:minor) and statfs(2) magic, as the three are separate mounts in
// Linux.
struct SyntheticFs {
  dev_t dev;
  long magic;
  const char* type;  // As /proc/mounts names it.
};
SyntheticFs SyntheticFsOf(const std::string& key);
// SyntheticStat with the st_dev of the key's filesystem.
struct stat SyntheticStatOf(const std::string& key, mode_t mode);
// statfs(2) of the key's filesystem.
struct statfs SyntheticStatFsOf(const std::string& key);
// Which file a synthetic node is, for inotify watches: /proc makes a new
// node at every lookup, so the key, not the object, names the file.
NodeIdentity SyntheticIdentityOf(const std::string& key);

// A file whose contents `generate` produces at open (Linux generates seq
// files on read; a snapshot at open is what a reader sees as well, and reads
// at any offset work on it). Without a writer, the file may still be opened
// for writing by a task whose credentials allow it (root may open a 0444
// file), and writes fail with EINVAL, as in Linux where such files have no
// write operation. With a writer, each write(2) is handed to it whole
// (offsets are ignored, as by most of Linux's proc writers) and counts as
// written in full if it succeeds.
class SyntheticFileNode : public Node {
 public:
  using Generator = std::function<absl::StatusOr<std::string>(sentry::Task&)>;
  using Writer = std::function<absl::Status(sentry::Task&, absl::string_view)>;
  SyntheticFileNode(std::string key, Generator generate, mode_t perm = 0444, Writer write = nullptr)
      : key_(std::move(key)), generate_(std::move(generate)), perm_(perm), write_(std::move(write)) {}
  absl::StatusOr<struct stat> Stat() override { return SyntheticStatOf(key_, S_IFREG | perm_); }
  absl::StatusOr<struct statfs> StatFs(sentry::Task& task) override { return SyntheticStatFsOf(key_); }
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override;
  bool Cacheable() const override { return false; }
  NodeIdentity Identity() override { return SyntheticIdentityOf(key_); }

 private:
  std::string key_;
  Generator generate_;
  mode_t perm_;
  Writer write_;
};

class SyntheticSymlinkNode : public Node {
 public:
  using Target = std::function<absl::StatusOr<std::string>(sentry::Task&)>;
  SyntheticSymlinkNode(std::string key, Target target)
      : key_(std::move(key)), target_(std::move(target)) {}
  absl::StatusOr<struct stat> Stat() override { return SyntheticStatOf(key_, S_IFLNK | 0777); }
  absl::StatusOr<struct statfs> StatFs(sentry::Task& task) override { return SyntheticStatFsOf(key_); }
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override {
    return ErrnoError(ELOOP, "symlink");
  }
  absl::StatusOr<std::string> ReadLink(sentry::Task& task) override { return target_(task); }
  bool Cacheable() const override { return false; }
  NodeIdentity Identity() override { return SyntheticIdentityOf(key_); }

 private:
  std::string key_;
  Target target_;
};

// A magic link (Node::FollowMagicLink): reads as `target` says, follows
// to the dentry `follow` gives; a `follow` that yields null falls back to
// the text (an fd whose file has no name in any filesystem: a pipe).
class MagicLinkNode : public SyntheticSymlinkNode {
 public:
  using Follow = std::function<absl::StatusOr<std::shared_ptr<Dentry>>(sentry::Task&)>;
  MagicLinkNode(std::string key, Target target, Follow follow)
      : SyntheticSymlinkNode(std::move(key), std::move(target)), follow_(std::move(follow)) {}
  absl::StatusOr<std::shared_ptr<Dentry>> FollowMagicLink(sentry::Task& task) override {
    return follow_(task);
  }

 private:
  Follow follow_;
};

// A directory whose entries `list` produces and `lookup` resolves.
class SyntheticDirNode : public Node {
 public:
  using Lister = std::function<std::vector<DirEntry>(sentry::Task&)>;
  using Looker = std::function<absl::StatusOr<std::shared_ptr<Node>>(sentry::Task&, const std::string&)>;
  SyntheticDirNode(std::string key, Lister list, Looker lookup, bool cacheable = false)
      : key_(std::move(key)), list_(std::move(list)), lookup_(std::move(lookup)), cacheable_(cacheable) {}
  // A fixed directory of named children.
  static std::shared_ptr<SyntheticDirNode> Fixed(std::string key,
                                                 std::map<std::string, std::shared_ptr<Node>> children);

  absl::StatusOr<struct stat> Stat() override { return SyntheticStatOf(key_, S_IFDIR | 0555); }
  absl::StatusOr<struct statfs> StatFs(sentry::Task& task) override { return SyntheticStatFsOf(key_); }
  absl::StatusOr<std::shared_ptr<Node>> Lookup(sentry::Task& task, const std::string& name) override {
    return lookup_(task, name);
  }
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override;
  bool Cacheable() const override { return cacheable_; }
  NodeIdentity Identity() override { return SyntheticIdentityOf(key_); }

 private:
  std::string key_;
  Lister list_;
  Looker lookup_;
  bool cacheable_;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_SYNTHETIC_H_
