// The whole run behind `runsc-compat`: find the family binaries, list their
// cases natively, run every selected family under every runtime (native
// always, first: it is the reference of the scores), and write results.json,
// report.md and the chart into the output directory, plus one log per
// family and runtime under logs/<runtime>/<family>.log.
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_COMPAT_RUNNER_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_COMPAT_RUNNER_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "test/syscalls/runner/compat_results.h"
#include "test/syscalls/runner/runtime_spec.h"

namespace runsc::compat {

struct CompatOptions {
  std::string tests_dir;                       // Holds runsc_syscall_test_<family> binaries.
  std::string out_dir;                         // Created if missing.
  std::vector<RuntimeSpec> runtimes;           // "native" is added first if absent.
  std::vector<std::string> filters;            // CaseFilter patterns.
  absl::Duration timeout = absl::Seconds(60);  // Per case.
  int jobs = 1;                                // (family, runtime) runs at once.
  std::string work_dir;                        // Parent of the temporary directory ($TMPDIR, /tmp).
  bool keep_work = false;                      // Keep bundles/state for debugging.
  std::string gnuplot = "gnuplot";
  std::string command;  // The command line, for the report.
};

struct FamilyBinary {
  std::string family;  // "getpid" for runsc_syscall_test_getpid.
  std::string path;
};

// Every executable regular file in `dir`, sorted by family name. The family
// is the file name without the "runsc_syscall_test_" prefix.
[[nodiscard]] absl::StatusOr<std::vector<FamilyBinary>> DiscoverFamilies(const std::string& dir);

class CompatRunner {
 public:
  // Progress lines go to `progress` (stderr in the tool).
  CompatRunner(CompatOptions options, std::ostream& progress);

  // Runs everything. Errors only for what prevents a report: no tests
  // directory, no family selected, an output directory that cannot be
  // made. Failing, crashing or hanging cases and missing runtimes are
  // results, not errors. Cancelled after CancelSubprocesses() (Ctrl-C),
  // once every run has been killed and its container deleted.
  [[nodiscard]] absl::StatusOr<CompatResults> Run();

  // Writes results.json and report.md, then the chart. A chart that cannot
  // be drawn (gnuplot missing) is reported in report.md and returned as a
  // warning in `chart_problem`; the other files are written regardless.
  [[nodiscard]] absl::Status WriteReports(const CompatResults& results, std::string* chart_problem);

 private:
  CompatOptions options_;
  std::ostream& progress_;
};

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_COMPAT_RUNNER_H_
