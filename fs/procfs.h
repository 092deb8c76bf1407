// /proc: per-task files and the system files programs read (DESIGN §5).
#ifndef RUNSC_FS_PROCFS_H_
#define RUNSC_FS_PROCFS_H_

#include <memory>

#include "fs/file.h"
#include "sentry/kernel/kernel.h"

namespace runsc::fs {

// /proc for the tasks of `kernel`: per-task directories (procfs_task.h),
// the system files (procfs_system.h), self and thread-self. Mounted at
// /proc at boot and for OCI mounts of type "proc".
std::shared_ptr<Node> NewProcfs(sentry::Kernel& kernel);

}  // namespace runsc::fs

#endif  // RUNSC_FS_PROCFS_H_
