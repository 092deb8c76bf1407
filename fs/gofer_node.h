// Files of the root filesystem, served by the gofer (DESIGN §5-6). Metadata
// comes over RPC; opened regular files are host fds the gofer donated, read
// and written by the sentry directly.
#ifndef RUNSC_FS_GOFER_NODE_H_
#define RUNSC_FS_GOFER_NODE_H_

#include <memory>

#include "fs/file.h"
#include "gofer/client/gofer_client.h"

namespace runsc::fs {

class GoferNode : public Node {
 public:
  GoferNode(std::shared_ptr<gofer::GoferClient> client, gofer::WalkedFile file)
      : client_(std::move(client)), file_(file) {}
  ~GoferNode() override;

  // Asks the gofer: sizes, times, modes and link counts change under the
  // walk's stat (writes through donated fds, links, setattr).
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
  absl::StatusOr<std::shared_ptr<Node>> Lookup(sentry::Task& task,
                                               const std::string& name) override;
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override;
  absl::StatusOr<std::string> ReadLink(sentry::Task& task) override;

 private:
  std::shared_ptr<gofer::GoferClient> client_;
  // The same filesystem (gofer connection) as `other`, or null.
  GoferNode* SameFilesystem(Node& other) const;

  gofer::WalkedFile file_;
};

// struct stat from what the gofer reported.
struct stat ToStat(const gofer::FileStat& s);

}  // namespace runsc::fs

#endif  // RUNSC_FS_GOFER_NODE_H_
