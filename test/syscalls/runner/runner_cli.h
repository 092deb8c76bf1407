// What the command lines of runsc-compat and runsc-bench (bench/runner/)
// share: reading --runtime flags, recording the command for the report, and
// stopping cleanly on SIGINT/SIGTERM/SIGHUP.
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_RUNNER_CLI_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_RUNNER_CLI_H_

#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
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

// The runtimes in the order the reports show them: native first, added when
// no flag asked for it, since every ratio is to native.
void PutNativeFirst(std::vector<RuntimeSpec>& runtimes);

// `work_dir` when set, else $TMPDIR, else /tmp.
std::string WorkDirOrTemp(const std::string& work_dir);

// What both mains do once their flags are read: parse the --runtime flags
// into `runtimes`, record the command line, and turn interrupts into
// cancellation. False (after saying why as "<tool>: ...") on a bad flag.
bool PrepareRun(const char* tool, const std::vector<std::string>& runtime_flags, int argc,
                char** argv, std::vector<RuntimeSpec>& runtimes, std::string& command);

// Runs `runner`, writes its reports and says where; `summary` then prints
// what the tool adds. The exit status both mains document: 0 when the
// reports were written, 2 when the run could not start, 1 when the reports
// could not be written, 130 when interrupted.
template <typename Runner, typename Summary>
int RunAndWriteReports(const char* tool, Runner& runner, const std::string& out_dir,
                       Summary summary) {
  auto results = runner.Run();
  if (!results.ok()) {
    std::cerr << tool << ": " << results.status().message() << "\n";
    return absl::IsCancelled(results.status()) ? 130 : 2;
  }
  std::string chart_problem;
  if (absl::Status s = runner.WriteReports(*results, &chart_problem); !s.ok()) {
    std::cerr << tool << ": " << s.message() << "\n";
    return 1;
  }
  if (!chart_problem.empty()) std::cerr << tool << ": no chart: " << chart_problem << "\n";
  std::cerr << tool << ": wrote " << out_dir << "/results.json, report.md"
            << (chart_problem.empty() ? ", report.svg" : "");
  summary(*results);
  return 0;
}

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_RUNNER_CLI_H_
