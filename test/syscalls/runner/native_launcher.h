// Runs programs directly on the host: cwd and TEST_TMPDIR a fresh directory
// under `work_dir`, removed afterwards; the environment is
// CompatEnvironment(), the same as in a container.
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_NATIVE_LAUNCHER_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_NATIVE_LAUNCHER_H_

#include <string>
#include <vector>

#include "test/syscalls/runner/launcher.h"

namespace runsc::compat {

class NativeLauncher : public Launcher {
 public:
  explicit NativeLauncher(std::string work_dir) : work_dir_(std::move(work_dir)) {}
  SubprocessResult Launch(const std::string& binary, const std::vector<std::string>& args,
                          OutputWatcher& watcher) override;

 private:
  std::string work_dir_;
};

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_NATIVE_LAUNCHER_H_
