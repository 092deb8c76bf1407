#include "fs/readonly_node.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include "fs/synthetic.h"

namespace runsc::fs {
namespace {

absl::Status ReadOnly() { return ErrnoError(EROFS, "read-only file system"); }

bool OpensForWriting(int flags) { return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC); }

class MaskedFile : public File {
 public:
  MaskedFile(int flags, struct stat st) : File(flags), stat_(st) {}
  absl::StatusOr<size_t> Read(sentry::Task&, absl::Span<uint8_t>) override { return 0; }
  absl::StatusOr<size_t> PRead(sentry::Task&, absl::Span<uint8_t>, int64_t) override { return 0; }
  absl::StatusOr<int64_t> Seek(int64_t, int) override { return 0; }
  absl::StatusOr<struct stat> Stat() override { return stat_; }

 private:
  struct stat stat_;
};

class MaskedFileNode : public Node {
 public:
  MaskedFileNode() {
    stat_ = SyntheticStat(S_IFCHR | 0666, SyntheticIno("masked-null"));
    stat_.st_rdev = makedev(1, 3);
  }
  absl::StatusOr<struct stat> Stat() override { return stat_; }
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task&, int flags) override {
    if (OpensForWriting(flags)) return ReadOnly();
    return std::make_shared<MaskedFile>(flags, stat_);
  }
  absl::Status SetAttr(sentry::Task&, const SetAttrs&) override { return ReadOnly(); }

 private:
  struct stat stat_;
};

}  // namespace

absl::StatusOr<CreatedNode> ReadOnlyNode::Create(sentry::Task&, const std::string&, int, mode_t) {
  return ReadOnly();
}
absl::StatusOr<CreatedNode> ReadOnlyNode::CreateTmpfile(sentry::Task&, int, mode_t) {
  return ReadOnly();
}
absl::StatusOr<std::shared_ptr<Node>> ReadOnlyNode::Mkdir(sentry::Task&, const std::string&,
                                                          mode_t) {
  return ReadOnly();
}
absl::StatusOr<std::shared_ptr<Node>> ReadOnlyNode::Mknod(sentry::Task&, const std::string&,
                                                          mode_t) {
  return ReadOnly();
}
absl::StatusOr<std::shared_ptr<Node>> ReadOnlyNode::Symlink(sentry::Task&, const std::string&,
                                                            const std::string&) {
  return ReadOnly();
}
absl::Status ReadOnlyNode::Link(sentry::Task&, const std::string&, Node&) { return ReadOnly(); }
absl::Status ReadOnlyNode::Unlink(sentry::Task&, const std::string&, bool) { return ReadOnly(); }
absl::Status ReadOnlyNode::Rename(sentry::Task&, const std::string&, Node&, const std::string&,
                                  unsigned) {
  return ReadOnly();
}
absl::Status ReadOnlyNode::SetAttr(sentry::Task&, const SetAttrs&) { return ReadOnly(); }

absl::StatusOr<struct statfs> ReadOnlyNode::StatFs(sentry::Task& task) {
  absl::StatusOr<struct statfs> st = inner_->StatFs(task);
  if (st.ok()) st->f_flags |= ST_RDONLY;
  return st;
}

absl::StatusOr<std::shared_ptr<Node>> ReadOnlyNode::Lookup(sentry::Task& task,
                                                           const std::string& name) {
  absl::StatusOr<std::shared_ptr<Node>> child = inner_->Lookup(task, name);
  if (!child.ok()) return child.status();
  return std::make_shared<ReadOnlyNode>(std::move(*child));
}

absl::StatusOr<std::shared_ptr<File>> ReadOnlyNode::Open(sentry::Task& task, int flags) {
  if (OpensForWriting(flags)) return ReadOnly();
  return inner_->Open(task, flags);
}

std::shared_ptr<Node> NewMaskedFileNode() { return std::make_shared<MaskedFileNode>(); }

}  // namespace runsc::fs
