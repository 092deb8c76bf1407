// Reading the host's /proc for idle_rss: which processes a runtime left
// running, and how much memory each one really costs.
#ifndef RUNSC_BENCH_RUNNER_PROCESS_MEMORY_H_
#define RUNSC_BENCH_RUNNER_PROCESS_MEMORY_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace runsc::bench {

struct HostProcess {
  pid_t pid = 0;
  pid_t ppid = 0;
  // The file name of argv[0] (runsc's processes are all /proc/self/exe, so
  // comm says "exe" while argv[0] says "runsc-gofer"), else comm.
  std::string name;
};

// Every process now running whose parent chain reaches `ancestor` (which is
// not included), parents before children. Zombies are left out: they hold
// no memory.
std::vector<HostProcess> LiveDescendants(pid_t ancestor);

// The value in kB of the line `field` ("Pss:", "VmRSS:") of a /proc file in
// the "Name:   1234 kB" format of smaps_rollup and status.
[[nodiscard]] absl::StatusOr<int64_t> ParseKbField(absl::string_view text,
                                                   absl::string_view field);

// The process's proportional set size (Pss of /proc/<pid>/smaps_rollup),
// which splits shared pages among the processes sharing them, so that a
// sandbox's stubs forked from one another are not counted many times over;
// VmRSS where the kernel has no smaps_rollup.
[[nodiscard]] absl::StatusOr<int64_t> ProcessMemoryKb(pid_t pid);

}  // namespace runsc::bench

#endif  // RUNSC_BENCH_RUNNER_PROCESS_MEMORY_H_
