// The mount table as /proc/<pid>/mounts, mountinfo and fdinfo's mnt_id see
// it: Vfs::MountTable() (sources, types and options as they were mounted),
// with the ids, parents and device numbers mountinfo adds.
#ifndef RUNSC_FS_PROC_MOUNTS_H_
#define RUNSC_FS_PROC_MOUNTS_H_

#include <string>
#include <vector>

#include "fs/fd_table.h"
#include "fs/proc_format.h"

namespace runsc::fs {

// The mounts seen from `fsc`'s root, in mount order (looked up as
// `reader`). A chrooted task sees the mount its root is on as "/".
std::vector<ProcMount> MountTable(sentry::Task& reader, const FsContext& fsc);

// The mountinfo id of the mount `path` (absolute) is on.
int MountIdOf(Vfs& vfs, const std::string& path);

}  // namespace runsc::fs

#endif  // RUNSC_FS_PROC_MOUNTS_H_
