// A long-running client daemon (containerd, dockerd) started by a test: its
// own session and process group, stdout and stderr into a log file, stopped
// (SIGTERM, then SIGKILL of the whole group) and reaped on Stop() or in the
// destructor, so a failing test cannot leave it running.
#ifndef RUNSC_TEST_E2E_DAEMON_PROCESS_H_
#define RUNSC_TEST_E2E_DAEMON_PROCESS_H_

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace runsc::testing {

class DaemonProcess {
 public:
  // Starts `argv` (argv[0] is a path) with stdin /dev/null and stdout and
  // stderr appended to `log_path`.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<DaemonProcess>> Start(
      const std::vector<std::string>& argv, const std::string& log_path);
  ~DaemonProcess() { Stop(); }
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // Calls `ready` every 100 ms until it returns true. An error, carrying the
  // end of the log, if the daemon exits first or `timeout_seconds` pass.
  [[nodiscard]] absl::Status WaitReady(const std::function<bool()>& ready, int timeout_seconds);

  // SIGTERM, up to `grace_seconds` for it to exit, then SIGKILL of its process
  // group; reaps it. Idempotent.
  void Stop(int grace_seconds = 20);

  pid_t pid() const { return pid_; }
  // The last `bytes` of the log, for failure messages.
  std::string LogTail(size_t bytes = 4000) const;

 private:
  DaemonProcess(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}
  // True (and the status recorded) once the process has exited.
  bool Exited();

  pid_t pid_;
  std::string log_path_;
  bool reaped_ = false;
};

}  // namespace runsc::testing

#endif  // RUNSC_TEST_E2E_DAEMON_PROCESS_H_
