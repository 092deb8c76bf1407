// A host process named so that pid reuse cannot fool us: its pid plus its
// start time (field 22 of /proc/<pid>/stat, clock ticks since boot). A state
// file that records both can tell "the sentry is still running" from "the
// sentry died and an unrelated process got its pid".
#ifndef RUNSC_RUNSC_SANDBOX_PROCESS_IDENTITY_H_
#define RUNSC_RUNSC_SANDBOX_PROCESS_IDENTITY_H_

#include <sys/types.h>

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace runsc::sandbox {

struct ProcessIdentity {
  pid_t pid = 0;
  uint64_t start_time = 0;

  bool operator==(const ProcessIdentity&) const = default;
};

// What /proc/<pid>/stat says about a process.
struct ProcStat {
  char state = '?';  // R, S, D, Z, X…
  uint64_t start_time = 0;
};

// Parses the text of /proc/<pid>/stat. The command name (field 2) may hold
// spaces and parentheses, so fields are counted from its last ')'.
[[nodiscard]] absl::StatusOr<ProcStat> ParseProcStat(std::string_view text);

// The identity of the running process `pid`; NotFound if there is none.
[[nodiscard]] absl::StatusOr<ProcessIdentity> IdentifyProcess(pid_t pid);

// True if `process` still exists, is the same process (same start time) and
// is not a zombie. A zombie has exited: all that is left is its exit status.
bool IsLive(const ProcessIdentity& process);

}  // namespace runsc::sandbox

#endif  // RUNSC_RUNSC_SANDBOX_PROCESS_IDENTITY_H_
