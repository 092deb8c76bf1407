// The container's mounts, applied in the sentry's VFS at boot (DESIGN §5):
// a tmpfs at /dev/shm, then BootOptions::mounts in order, then the masked
// and the read-only paths.
#ifndef RUNSC_SENTRY_BOOT_MOUNTS_H_
#define RUNSC_SENTRY_BOOT_MOUNTS_H_

#include <memory>

#include "absl/status/status.h"
#include "fs/devpts.h"
#include "fs/vfs.h"
#include "gofer/client/gofer_client.h"
#include "sentry/boot/boot.h"
#include "sentry/kernel/task.h"

namespace runsc::sentry {

// Mounts what `options` asks for in `vfs`, walking and making mount points
// as `task` with root's credentials (a runtime's, not the container user's:
// the user may own none of the parents), which are given back after.
//
// A missing mount point is made as runc makes it (directories for every
// missing component, an empty file for a file bind); where the filesystem
// cannot make one (the sentry's /dev, a read-only root) the mount is made
// over the name anyway, which the VFS finds by path, so it works but does not
// appear in a listing of its parent. A mount point whose type does not
// match (a directory over a file), a bad tmpfs option or a failed gofer
// attach is an error naming the mount: the container does not start.
[[nodiscard]] absl::Status ApplyMounts(Task& task, fs::Vfs& vfs,
                                       const std::shared_ptr<gofer::GoferClient>& gofer,
                                       const BootOptions& options,
                                       std::shared_ptr<fs::Devpts> devpts = nullptr);

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_BOOT_MOUNTS_H_
