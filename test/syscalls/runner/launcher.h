// How a program is started under one runtime. The callers (FamilyRunner for
// runsc-compat, bench/runner for runsc-bench) decide what to run and what the
// output means; a Launcher only runs it.
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_LAUNCHER_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_LAUNCHER_H_

#include <string>
#include <vector>

#include "test/syscalls/runner/subprocess.h"

namespace runsc::compat {

class Launcher {
 public:
  virtual ~Launcher() = default;
  // Runs `binary` with `args` in a fresh environment (a fresh container for
  // OCI runtimes) and returns when it has ended. `binary` is a host path for
  // a NativeLauncher and whatever the OciLauncher's bundle writer expects
  // for an OCI runtime. The run is killed, and reported kTimedOut, when
  // `watcher`'s deadline passes (a CaseWatchdog for gtest programs, a
  // FixedDeadline otherwise). Safe to call from several threads at once,
  // each with its own watcher.
  virtual SubprocessResult Launch(const std::string& binary, const std::vector<std::string>& args,
                                  OutputWatcher& watcher) = 0;
};

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_LAUNCHER_H_
