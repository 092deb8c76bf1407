// The sentry answers `pids` with pids of its own pid namespace (it is pid 1
// there, DESIGN §1); runsc ps must print host pids. This translates them
// through /proc/<pid>/status's NSpid line, whose last entry is the pid in
// the process's innermost namespace.
#ifndef RUNSC_RUNSC_SANDBOX_PID_NAMESPACE_H_
#define RUNSC_RUNSC_SANDBOX_PID_NAMESPACE_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace runsc::sandbox {

// The last pid of the "NSpid:" line of a /proc/<pid>/status text: the pid in
// the process's own namespace. nullopt without a well-formed line.
std::optional<pid_t> InnermostPid(std::string_view status_text);

// Host pids for `namespace_pids`, pids in the pid namespace that host
// process `member` is in, in the same order. Pids no live process has (one
// exited meanwhile) are left out. `proc` is /proc (tests: a fake tree is
// not possible for ns links, so only the real one is used).
[[nodiscard]] absl::StatusOr<std::vector<pid_t>> TranslateToHostPids(
    pid_t member, const std::vector<pid_t>& namespace_pids, const std::string& proc = "/proc");

}  // namespace runsc::sandbox

#endif  // RUNSC_RUNSC_SANDBOX_PID_NAMESPACE_H_
