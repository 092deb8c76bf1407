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

  absl::StatusOr<struct stat> Stat() override;
  absl::StatusOr<std::shared_ptr<Node>> Lookup(sentry::Task& task,
                                               const std::string& name) override;
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override;
  absl::StatusOr<std::string> ReadLink(sentry::Task& task) override;

 private:
  std::shared_ptr<gofer::GoferClient> client_;
  gofer::WalkedFile file_;
};

// struct stat from what the gofer reported.
struct stat ToStat(const gofer::FileStat& s);

}  // namespace runsc::fs

#endif  // RUNSC_FS_GOFER_NODE_H_
