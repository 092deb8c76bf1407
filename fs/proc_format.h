// The text of /proc files, in Linux's exact formats, from plain values:
// no locks, no tasks, so each format has a unit test
// (proc_format_test.cc). procfs_task.cc and procfs_system.cc gather the
// values.
#ifndef RUNSC_FS_PROC_FORMAT_H_
#define RUNSC_FS_PROC_FORMAT_H_

#include <sys/resource.h>
#include <sys/sysinfo.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sentry/kernel/signals.h"
#include "sentry/mm/memory_manager.h"

namespace runsc::fs {

// One line of /proc/<pid>/maps: Linux's show_map_vma,
// "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu " and the name padded to
// column 73.
std::string FormatMapsLine(const sentry::Mapping& m);

// What the sentry knows of an address space's memory, in bytes. The
// sentry does not see which pages the host made resident, so the Rss
// figures count every accessible page: an upper bound.
struct MemoryUsage {
  uint64_t size = 0;   // VmSize: all mappings.
  uint64_t rss_anon = 0, rss_file = 0, rss_shmem = 0;
  uint64_t data = 0;   // Private writable, not the stack (VmData).
  uint64_t stack = 0;  // [stack] (VmStk).
  uint64_t exe = 0;    // Executable mappings of the program's file (VmExe).
  uint64_t lib = 0;    // Other executable file mappings (VmLib).
  uint64_t rss() const { return rss_anon + rss_file + rss_shmem; }
};
MemoryUsage UsageOf(const std::vector<sentry::Mapping>& mappings, const std::string& exe_path);

// /proc/<pid>/smaps: each mapping's maps line and its counters (as
// MemoryUsage says: every accessible page counted resident, unshared).
std::string FormatSmaps(const std::vector<sentry::Mapping>& mappings);
// /proc/<pid>/smaps_rollup: the same counters summed over the mappings.
std::string FormatSmapsRollup(const std::vector<sentry::Mapping>& mappings);
// /proc/<pid>/statm: size resident shared text lib data dt, in pages.
std::string FormatStatm(const MemoryUsage& usage);

// /proc/<pid>/limits: Linux's proc_pid_limits table.
std::string FormatLimits(const std::array<struct rlimit, RLIM_NLIMITS>& limits);

// What /proc/<pid>/status shows.
struct TaskStatus {
  std::string name;
  mode_t umask = 022;
  char state = 'R';
  int tgid = 0, pid = 0, ppid = 0, pgid = 0, sid = 0;
  uint32_t uid[4] = {}, gid[4] = {};  // Real, effective, saved, fs.
  std::vector<uint32_t> groups;
  int fd_size = 64;  // FDSize: slots of the fd table.
  MemoryUsage memory;
  bool has_memory = false;  // Zombies show no Vm lines.
  int threads = 1;
  uint64_t sigq_queued = 0, sigq_limit = 0;
  sentry::SignalSet pending = 0, shared_pending = 0, blocked = 0, ignored = 0, caught = 0;
  uint64_t cap_inh = 0, cap_prm = 0, cap_eff = 0, cap_bnd = 0, cap_amb = 0;
  bool no_new_privs = false;
  int cpus = 1;  // Cpus_allowed: 0..cpus-1.
};
std::string FormatStatus(const TaskStatus& s);
// "Name" as status shows it: '\n' and '\\' escaped (seq_escape).
std::string EscapeStatusName(const std::string& name);
// The cpumask format of Cpus_allowed ("3", "ff,ffffffff").
std::string FormatCpuMask(int cpus);

// /proc/meminfo from sysinfo(2): what it gives, and 0 for what only the
// host's own /proc knows (page cache, slab...).
std::string FormatMeminfo(const struct sysinfo& info);

// A mount as /proc/<pid>/mounts and mountinfo show it.
struct ProcMount {
  int id = 0, parent_id = 0;
  unsigned major = 0, minor = 0;
  std::string root = "/";  // The mounted directory within its filesystem.
  std::string mount_point;
  std::string options = "rw,relatime";
  std::string fstype, source;
};
std::string FormatMounts(const std::vector<ProcMount>& mounts);
std::string FormatMountinfo(const std::vector<ProcMount>& mounts);
// Paths in mount tables have ' ', '\t', '\n' and '\\' as octal escapes.
std::string EscapeMountPath(const std::string& path);

}  // namespace runsc::fs

#endif  // RUNSC_FS_PROC_FORMAT_H_
