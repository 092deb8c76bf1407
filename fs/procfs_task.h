// /proc/<pid>/ and /proc/<pid>/task/<tid>/: the files about one task
// (stat, status, maps, fd/, limits...). Part of procfs (fs/procfs.h).
#ifndef RUNSC_FS_PROCFS_TASK_H_
#define RUNSC_FS_PROCFS_TASK_H_

#include <memory>

#include "fs/file.h"
#include "sentry/kernel/kernel.h"

namespace runsc::fs {

// The directory of task `tid` in thread group `tgid`. `thread_view`: it is
// /proc/<pid>/task/<tid> (no task/ inside), else /proc/<tid>.
std::shared_ptr<Node> NewProcTaskDir(sentry::Kernel& kernel, int tgid, int tid, bool thread_view);

// /proc/<pid>/mounts (what /proc/mounts, a link to self/mounts, shows),
// its paths looked up as `reader`.
absl::StatusOr<std::string> ProcMountsFile(sentry::Kernel& kernel, sentry::Task& reader, int tid);

// Tasks whose directories /proc lists and looks up: live ones and zombies
// not yet reaped, as in Linux. Requires kernel.mu.
sentry::Task* FindProcTaskLocked(sentry::Kernel& kernel, int tid)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(kernel.mu);

}  // namespace runsc::fs

#endif  // RUNSC_FS_PROCFS_TASK_H_
