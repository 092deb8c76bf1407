// Building blocks for filesystems the sentry makes up (/proc, /dev): nodes
// whose contents are computed when opened.
#ifndef RUNSC_FS_SYNTHETIC_H_
#define RUNSC_FS_SYNTHETIC_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "fs/file.h"

namespace runsc::fs {

// Inode numbers for synthetic nodes: stable per path.
uint64_t SyntheticIno(const std::string& key);
struct stat SyntheticStat(mode_t mode, uint64_t ino);

// A read-only file whose contents `generate` produces at open.
class SyntheticFileNode : public Node {
 public:
  using Generator = std::function<absl::StatusOr<std::string>(sentry::Task&)>;
  SyntheticFileNode(std::string key, Generator generate, mode_t perm = 0444)
      : key_(std::move(key)), generate_(std::move(generate)), perm_(perm) {}
  absl::StatusOr<struct stat> Stat() override { return SyntheticStat(S_IFREG | perm_, SyntheticIno(key_)); }
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override;
  bool Cacheable() const override { return false; }

 private:
  std::string key_;
  Generator generate_;
  mode_t perm_;
};

class SyntheticSymlinkNode : public Node {
 public:
  using Target = std::function<absl::StatusOr<std::string>(sentry::Task&)>;
  SyntheticSymlinkNode(std::string key, Target target)
      : key_(std::move(key)), target_(std::move(target)) {}
  absl::StatusOr<struct stat> Stat() override { return SyntheticStat(S_IFLNK | 0777, SyntheticIno(key_)); }
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override {
    return ErrnoError(ELOOP, "symlink");
  }
  absl::StatusOr<std::string> ReadLink(sentry::Task& task) override { return target_(task); }
  bool Cacheable() const override { return false; }

 private:
  std::string key_;
  Target target_;
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

  absl::StatusOr<struct stat> Stat() override { return SyntheticStat(S_IFDIR | 0555, SyntheticIno(key_)); }
  absl::StatusOr<std::shared_ptr<Node>> Lookup(sentry::Task& task, const std::string& name) override {
    return lookup_(task, name);
  }
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override;
  bool Cacheable() const override { return cacheable_; }

 private:
  std::string key_;
  Lister list_;
  Looker lookup_;
  bool cacheable_;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_SYNTHETIC_H_
