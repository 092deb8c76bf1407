// The resource usage of a sandbox's cgroup, as `runsc events` reports it:
// runc's libcontainer "stats" object (cpu, memory, pids, blkio, hugetlb) with
// runc's JSON names and units, so that containerd, podman and docker read
// runsc's events as they read runc's.
//
// Both cgroup versions are read, each directory by what it holds: a v2
// directory has cgroup.controllers; a v1 directory is one hierarchy, read by
// the controller files present in it (memory.usage_in_bytes, cpuacct.usage,
// pids.current, cpu.stat). The sandbox's cgroup holds the sentry, the gofer
// and every stub, so the figures are the whole sandbox's, as gVisor's are.
#ifndef RUNSC_RUNSC_SANDBOX_CGROUP_STATS_H_
#define RUNSC_RUNSC_SANDBOX_CGROUP_STATS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace runsc::sandbox {

class CgroupStats {
 public:
  // Reads `dirs` (Cgroup::dirs()). NotFound if a directory is gone (the
  // sandbox was deleted); a controller file a directory lacks leaves its
  // figures out, as runc does for a controller the host does not mount.
  [[nodiscard]] static absl::StatusOr<CgroupStats> Read(const std::vector<std::string>& dirs);

  // runc's "data" object of a stats event.
  nlohmann::ordered_json ToJson() const;

  // How many times the kernel's OOM killer has killed in the cgroup
  // (memory.events oom_kill on v2, memory.oom_control oom_kill on v1; 0 if
  // the kernel does not say). `runsc events` reports an "oom" event when it
  // grows.
  uint64_t oom_kills = 0;

  // Nanoseconds, as runc reports them.
  uint64_t cpu_total = 0;
  uint64_t cpu_user = 0;
  uint64_t cpu_kernel = 0;
  std::vector<uint64_t> cpu_percpu;
  uint64_t throttling_periods = 0;
  uint64_t throttled_periods = 0;
  uint64_t throttled_time = 0;

  struct MemoryEntry {
    uint64_t limit = 0;
    uint64_t usage = 0;
    uint64_t max = 0;
    uint64_t failcnt = 0;
  };
  uint64_t memory_cache = 0;
  MemoryEntry memory_usage;
  MemoryEntry memory_swap;
  MemoryEntry memory_kernel;
  std::vector<std::pair<std::string, uint64_t>> memory_raw;  // memory.stat, in order.

  uint64_t pids_current = 0;
  uint64_t pids_limit = 0;  // 0: no limit ("max"), as runc reports it.
};

}  // namespace runsc::sandbox

#endif  // RUNSC_RUNSC_SANDBOX_CGROUP_STATS_H_
