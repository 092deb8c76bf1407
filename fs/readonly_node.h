// A read-only view of another node and everything below it: what
// linux.readonlyPaths and "ro" mounts of the sentry's own filesystems need.
// Reads, lookups and stats go to the wrapped node; every change (and an open
// for writing or with O_TRUNC) is EROFS, as through a read-only mount.
#ifndef RUNSC_FS_READONLY_NODE_H_
#define RUNSC_FS_READONLY_NODE_H_

#include <memory>
#include <string>

#include "fs/file.h"

namespace runsc::fs {

class ReadOnlyNode : public Node {
 public:
  explicit ReadOnlyNode(std::shared_ptr<Node> inner) : inner_(std::move(inner)) {}

  absl::StatusOr<struct stat> Stat() override { return inner_->Stat(); }
  mode_t Type() override { return inner_->Type(); }
  absl::StatusOr<CreatedNode> Create(sentry::Task&, const std::string&, int, mode_t) override;
  absl::StatusOr<CreatedNode> CreateTmpfile(sentry::Task&, int, mode_t) override;
  absl::StatusOr<std::shared_ptr<Node>> Mkdir(sentry::Task&, const std::string&, mode_t) override;
  absl::StatusOr<std::shared_ptr<Node>> Mknod(sentry::Task&, const std::string&, mode_t) override;
  absl::StatusOr<std::shared_ptr<Node>> Symlink(sentry::Task&, const std::string&,
                                                const std::string&) override;
  absl::Status Link(sentry::Task&, const std::string&, Node&) override;
  absl::Status Unlink(sentry::Task&, const std::string&, bool) override;
  absl::Status Rename(sentry::Task&, const std::string&, Node&, const std::string&,
                      unsigned) override;
  absl::Status SetAttr(sentry::Task&, const SetAttrs&) override;
  // The wrapped filesystem's answer with ST_RDONLY added.
  absl::StatusOr<struct statfs> StatFs(sentry::Task& task) override;
  // Children are wrapped too: the whole tree below is read-only.
  absl::StatusOr<std::shared_ptr<Node>> Lookup(sentry::Task& task,
                                               const std::string& name) override;
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override;
  absl::StatusOr<std::string> ReadLink(sentry::Task& task) override {
    return inner_->ReadLink(task);
  }
  absl::StatusOr<std::string> GetXattr(const std::string& name) override {
    return inner_->GetXattr(name);
  }
  absl::Status SetXattr(const std::string&, const std::string&, int) override {
    return ErrnoError(EROFS, "extended attribute change in a read-only tree");
  }
  absl::StatusOr<std::vector<std::string>> ListXattr() override { return inner_->ListXattr(); }
  absl::Status RemoveXattr(const std::string&) override {
    return ErrnoError(EROFS, "extended attribute change in a read-only tree");
  }
  bool Cacheable() const override { return inner_->Cacheable(); }
  absl::Status CheckSearch(sentry::Task& task) override { return inner_->CheckSearch(task); }

 private:
  const std::shared_ptr<Node> inner_;
};

// What a masked file (linux.maskedPaths) becomes: an empty, read-only
// character device like /dev/null (reads see end of file; opening for
// writing is EROFS).
std::shared_ptr<Node> NewMaskedFileNode();

}  // namespace runsc::fs

#endif  // RUNSC_FS_READONLY_NODE_H_
