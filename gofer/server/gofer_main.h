// Entry point of the gofer process (`runsc gofer`, a hidden subcommand).
#ifndef RUNSC_GOFER_SERVER_GOFER_MAIN_H_
#define RUNSC_GOFER_SERVER_GOFER_MAIN_H_

#include <string>
#include <vector>

namespace runsc::gofer {

// A bind mount to serve: opened before the gofer confines itself.
struct GoferMountOption {
  std::string source;      // Absolute host path of a directory or regular file.
  bool read_only = false;  // "ro": refuse every change with EROFS.
};

struct GoferOptions {
  std::string root;          // Host path of the container's root filesystem.
  bool read_only = false;    // root.readonly: refuse every change with EROFS.
  std::vector<GoferMountOption> mounts;  // Served as mounts 1, 2, ... (Attach).
  int socket_fd = -1;        // SOCK_SEQPACKET end to serve; owned.
  int log_fd = 2;            // Where the gofer logs; not owned.
};

// Confines the process to `options.root` (chroot, after which no host path
// outside it is reachable) and serves requests until the peer hangs up.
// Returns the process exit code: 0 after a clean hang-up, 1 on a set-up error.
int GoferMain(const GoferOptions& options);

}  // namespace runsc::gofer

#endif  // RUNSC_GOFER_SERVER_GOFER_MAIN_H_
