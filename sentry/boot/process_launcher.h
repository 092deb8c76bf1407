// Starting a process in the sandbox from outside it: the container's init
// (boot) and every `runsc exec`. Both get a new task that is the first of
// its own process, with its own session, fd table and fs context, and load
// their program on the task's own thread.
#ifndef RUNSC_SENTRY_BOOT_PROCESS_LAUNCHER_H_
#define RUNSC_SENTRY_BOOT_PROCESS_LAUNCHER_H_

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/unique_fd.h"
#include "fs/fd_table.h"
#include "fs/host_terminals.h"
#include "fs/vfs.h"
#include "sentry/boot/control_server.h"
#include "sentry/kernel/kernel.h"

namespace runsc::sentry {

// The executable for argv[0]: a path as is, a bare name searched in PATH
// from the process's environment (as runc does); the name itself if no
// directory of PATH has it (execution then fails with ENOENT).
std::string FindExecutable(fs::Vfs& vfs, Task& task, const std::string& name,
                           const std::vector<std::string>& env);

// A sentry file over a dup of `host_fd` (a stdio descriptor from outside).
std::shared_ptr<fs::File> StdioFile(int host_fd, int flags);

class ProcessLauncher {
 public:
  // `terminals`: where exec'd processes' terminals are registered (devfs
  // shows them); null refuses "terminal" requests.
  ProcessLauncher(Kernel& kernel, fs::Vfs& vfs,
                  std::shared_ptr<fs::HostTerminals> terminals = nullptr)
      : kernel_(kernel), vfs_(vfs), terminals_(std::move(terminals)) {}

  // runsc exec: a new process running `request` with `stdio` as fds 0-2.
  // With request.terminal, stdio[0] is a host tty that becomes its fds 0-2
  // and the controlling terminal of its session (/dev/pts/<n> inside).
  // It has no parent in the sandbox (getppid() is 0, as for runc's exec'd
  // processes seen from the container's pid namespace), so nobody reaps it:
  // WaitForExit() reads its status. Its rlimits are init's, then the
  // request's. Returns once the program is loaded, or why it could not be
  // (no such file, not executable, bad cwd).
  [[nodiscard]] absl::StatusOr<std::shared_ptr<Task>> Launch(const ExecRequest& request,
                                                             std::array<UniqueFd, 3> stdio);

  fs::HostTerminals* terminals() const { return terminals_.get(); }

  // Blocks until `process` has exited and returns its wait status, or
  // Unavailable once `*give_up` (checked under kernel.mu) turns true.
  [[nodiscard]] absl::StatusOr<int> WaitForExit(const std::shared_ptr<Task>& process,
                                                const bool* give_up);

 private:
  Kernel& kernel_;
  fs::Vfs& vfs_;
  std::shared_ptr<fs::HostTerminals> terminals_;
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_BOOT_PROCESS_LAUNCHER_H_
