// runsc's side of the control protocol (sentry/boot/control_server.h has the
// protocol and the server): one connection per request to
// <state dir>/control.sock, one JSON line each way.
#ifndef RUNSC_RUNSC_SANDBOX_CONTROL_CLIENT_H_
#define RUNSC_RUNSC_SANDBOX_CONTROL_CLIENT_H_

#include <sys/types.h>

#include <array>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/unique_fd.h"
#include "nlohmann/json.hpp"

namespace runsc::sandbox {

// A process that `exec` started in the sandbox: its pid there, and the
// connection on which the sentry reports its exit.
class ExecSession {
 public:
  // `pending`: what was read past the first reply (the exit status may
  // already have come with it).
  ExecSession(UniqueFd conn, int pid, std::string pending)
      : conn_(std::move(conn)), pid_(pid), pending_(std::move(pending)) {}
  int pid() const { return pid_; }
  // Readable once the exit status came (or the sentry died); when
  // has_pending() the status may be here already, without the fd readable.
  int fd() const { return conn_.get(); }
  bool has_pending() const { return !pending_.empty(); }
  // Blocks until the process has exited; returns its wait(2) status word.
  // Unavailable if the sentry went away first.
  [[nodiscard]] absl::StatusOr<int> Wait();

 private:
  UniqueFd conn_;
  int pid_;
  std::string pending_;
};

class ControlClient {
 public:
  // `state_dir` holds control.sock. Each call gives up after `timeout`.
  explicit ControlClient(std::string state_dir, absl::Duration timeout = absl::Seconds(10))
      : state_dir_(std::move(state_dir)), timeout_(timeout) {}

  // Errors: Unavailable when the sentry cannot be reached (socket gone,
  // nobody listening, timeout); Unknown with the sentry's message when it
  // refused the request.
  [[nodiscard]] absl::Status Start();
  [[nodiscard]] absl::Status Signal(int signo, bool all);
  [[nodiscard]] absl::StatusOr<std::vector<pid_t>> HostPids();
  // Signals one process of the sandbox, by its pid there.
  [[nodiscard]] absl::Status SignalProcess(int pid, int signo);
  // Signals the foreground group of the terminal controlling process
  // `pid`'s session (a key or window change on an exec --tty terminal).
  [[nodiscard]] absl::Status SignalTerminalForeground(int pid, int signo);
  // Starts a process (`request` holds the exec members of the protocol,
  // "cmd" is added) with `stdio` as its fds 0-2, sent with SCM_RIGHTS.
  [[nodiscard]] absl::StatusOr<ExecSession> Exec(nlohmann::json request,
                                                 const std::array<int, 3>& stdio);
  // Asks to hear when the container's init exits: the session's Wait()
  // returns its wait(2) status then.
  [[nodiscard]] absl::StatusOr<ExecSession> WaitForInit();

  // One raw round trip: `request` out, the reply object back if it says
  // "ok": true. Exposed for tests.
  [[nodiscard]] absl::StatusOr<nlohmann::json> Call(const nlohmann::json& request);
  // The same with descriptors attached (any number: for hostile-input tests).
  [[nodiscard]] absl::StatusOr<nlohmann::json> CallWithFds(const nlohmann::json& request,
                                                           const std::vector<int>& fds);

 private:
  std::string state_dir_;
  absl::Duration timeout_;
};

}  // namespace runsc::sandbox

#endif  // RUNSC_RUNSC_SANDBOX_CONTROL_CLIENT_H_
