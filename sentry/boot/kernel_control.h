// Answers runsc start/kill/ps/exec (the control server's requests) over the
// sentry's kernel.
#ifndef RUNSC_SENTRY_BOOT_KERNEL_CONTROL_H_
#define RUNSC_SENTRY_BOOT_KERNEL_CONTROL_H_

#include "sentry/boot/control_server.h"
#include "sentry/boot/process_launcher.h"
#include "sentry/kernel/kernel.h"

namespace runsc::sentry {

class KernelControl : public ControlHandler {
 public:
  KernelControl(Kernel& kernel, ProcessLauncher& launcher) : kernel_(kernel), launcher_(launcher) {}

  absl::Status Start() override;
  absl::Status Signal(int signo, bool all) override;
  absl::Status SignalProcess(int pid, int signo) override;
  absl::Status SignalTerminalForeground(int pid, int signo) override;
  // The sentry's and its stubs' pids, as the sentry sees them: in its own
  // pid namespace (runsc ps translates them into host pids).
  absl::StatusOr<std::vector<pid_t>> HostPids() override;
  absl::StatusOr<ExecStarted> Exec(const ExecRequest& request,
                                   std::array<UniqueFd, 3> stdio) override;

  // Blocks the init task's thread until Start(); false if the container
  // should not start after all.
  bool WaitForStart();
  absl::StatusOr<int> WaitForInit() override;
  // The sandbox is going: exec waits still pending give up.
  void Shutdown();
  // The sandbox cannot go on (its gofer is gone): SIGKILL to every process,
  // and an init still waiting for Start() never starts.
  void KillSandbox();

 private:
  Kernel& kernel_;
  ProcessLauncher& launcher_;
  bool started_ ABSL_GUARDED_BY(kernel_.mu) = false;
  bool shutting_down_ ABSL_GUARDED_BY(kernel_.mu) = false;
  bool killed_ ABSL_GUARDED_BY(kernel_.mu) = false;
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_BOOT_KERNEL_CONTROL_H_
