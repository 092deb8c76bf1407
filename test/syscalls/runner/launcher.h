// How a family binary is started under one runtime. FamilyRunner decides
// what to run and what the output means; a Launcher only runs it.
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_LAUNCHER_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_LAUNCHER_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "test/syscalls/runner/subprocess.h"

namespace runsc::compat {

class Launcher {
 public:
  virtual ~Launcher() = default;
  // Runs `binary` (a host path) with `args` in a fresh environment (a fresh
  // container for OCI runtimes) and returns when it has ended. The run is
  // killed, and reported kTimedOut, when gtest neither starts nor finishes a
  // case for `per_case_timeout` (CaseWatchdog). Safe to call from several
  // threads at once.
  virtual SubprocessResult Launch(const std::string& binary, const std::vector<std::string>& args,
                                  absl::Duration per_case_timeout) = 0;
};

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_LAUNCHER_H_
