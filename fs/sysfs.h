// /sys: the small, read-only part that glibc, nproc and the Go, Java and
// Node runtimes read (DESIGN §5): devices/system/cpu/{online,possible,
// present,kernel_max,cpu<N>/}, kernel/mm/transparent_hugepage/, and fs/cgroup
// as an empty directory. Mounted at /sys at boot and for OCI mounts of type
// "sysfs".
#ifndef RUNSC_FS_SYSFS_H_
#define RUNSC_FS_SYSFS_H_

#include <memory>

#include "fs/file.h"
#include "sentry/kernel/kernel.h"

namespace runsc::fs {

std::shared_ptr<Node> NewSysfs(sentry::Kernel& kernel);

}  // namespace runsc::fs

#endif  // RUNSC_FS_SYSFS_H_
