// Runs programs under an OCI runtime with runc's command line: each launch
// builds a fresh bundle (WriteOciBundle, or the BundleWriter given) and runs
//   <command...> --root <work_dir>/state-<name> run --bundle <bundle> <id>
// with a unique id, stdout and stderr captured. Afterwards, always,
//   <command...> --root <state> delete --force <id>
// so a container that timed out (its runtime's process group was killed) or
// whose runtime died leaves nothing behind; the bundle is then removed.
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_OCI_LAUNCHER_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_OCI_LAUNCHER_H_

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "test/syscalls/runner/launcher.h"
#include "test/syscalls/runner/oci_bundle.h"
#include "test/syscalls/runner/runtime_spec.h"

namespace runsc::compat {

// Makes the bundle directory `dir` (which does not exist yet) that runs
// `binary` with `args`.
using BundleWriter = std::function<absl::Status(
    const std::string& dir, const std::string& binary, const std::vector<std::string>& args)>;

class OciLauncher : public Launcher {
 public:
  // `runtime` must be available (runtime.unavailable empty). Container ids
  // are "<id_prefix>-<our pid>-<runtime name>-<n>".
  OciLauncher(RuntimeSpec runtime, std::string work_dir, BundleWriter write_bundle = WriteOciBundle,
              std::string id_prefix = "runsc-compat");
  SubprocessResult Launch(const std::string& binary, const std::vector<std::string>& args,
                          OutputWatcher& watcher) override;

 private:
  RuntimeSpec runtime_;
  std::string work_dir_;
  std::string state_root_;
  BundleWriter write_bundle_;
  std::string id_prefix_;
  std::atomic<int> next_id_{0};
};

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_OCI_LAUNCHER_H_
