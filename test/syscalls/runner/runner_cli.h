// What the command lines of runsc-compat and runsc-bench (bench/runner/)
// share: reading --runtime flags, recording the command for the report, and
// stopping cleanly on SIGINT/SIGTERM/SIGHUP.
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_RUNNER_CLI_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_RUNNER_CLI_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "test/syscalls/runner/runtime_spec.h"

namespace runsc::compat {

// Each --runtime flag parsed with ParseRuntimeFlag, commands searched in
// $PATH (or the usual system directories when PATH is unset); the first bad
// flag is the error.
[[nodiscard]] absl::StatusOr<std::vector<RuntimeSpec>> ParseRuntimeFlags(
    const std::vector<std::string>& flags);

// argv as one shell-quoted line, so the report says how to run it again.
std::string QuotedCommandLine(int argc, char** argv);

// Ctrl-C or a kill: running subprocesses are cancelled (the runners then
// delete their containers and stop) instead of the process dying at once.
void CancelSubprocessesOnInterrupt();

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_RUNNER_CLI_H_
