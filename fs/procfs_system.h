// The files of /proc about the whole system: meminfo, cpuinfo, stat,
// uptime, loadavg, version, filesystems, cmdline and sys/. Part of procfs
// (fs/procfs.h). Everything comes from syscalls (sysinfo, getrusage,
// clock_gettime) and the kernel's state, or was captured at boot
// (MachineInfo): never from the host's /proc.
#ifndef RUNSC_FS_PROCFS_SYSTEM_H_
#define RUNSC_FS_PROCFS_SYSTEM_H_

#include <map>
#include <memory>
#include <string>

#include "fs/file.h"
#include "sentry/kernel/kernel.h"

namespace runsc::fs {

// The system files and directories, by name in /proc.
std::map<std::string, std::shared_ptr<Node>> NewProcSystemFiles(sentry::Kernel& kernel);

}  // namespace runsc::fs

#endif  // RUNSC_FS_PROCFS_SYSTEM_H_
