// Runs family binaries under an OCI runtime with runc's command line: each
// launch builds a fresh bundle (WriteOciBundle) and runs
//   <command...> --root <work_dir>/state-<name> run --bundle <bundle> <id>
// with a unique id, stdout and stderr captured. Afterwards, always,
//   <command...> --root <state> delete --force <id>
// so a container that timed out (its runtime's process group was killed) or
// whose runtime died leaves nothing behind; the bundle is then removed.
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_OCI_LAUNCHER_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_OCI_LAUNCHER_H_

#include <atomic>
#include <string>
#include <vector>

#include "test/syscalls/runner/launcher.h"
#include "test/syscalls/runner/runtime_spec.h"

namespace runsc::compat {

class OciLauncher : public Launcher {
 public:
  // `runtime` must be available (runtime.unavailable empty).
  OciLauncher(RuntimeSpec runtime, std::string work_dir);
  SubprocessResult Launch(const std::string& binary, const std::vector<std::string>& args,
                          absl::Duration per_case_timeout) override;

 private:
  RuntimeSpec runtime_;
  std::string work_dir_;
  std::string state_root_;
  std::atomic<int> next_id_{0};
};

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_OCI_LAUNCHER_H_
