// runsc's side of the control protocol (sentry/boot/control_server.h has the
// protocol and the server): one connection per request to
// <state dir>/control.sock, one JSON line each way.
#ifndef RUNSC_RUNSC_SANDBOX_CONTROL_CLIENT_H_
#define RUNSC_RUNSC_SANDBOX_CONTROL_CLIENT_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace runsc::sandbox {

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

  // One raw round trip: `request` out, the reply object back if it says
  // "ok": true. Exposed for tests.
  [[nodiscard]] absl::StatusOr<nlohmann::json> Call(const nlohmann::json& request);

 private:
  std::string state_dir_;
  absl::Duration timeout_;
};

}  // namespace runsc::sandbox

#endif  // RUNSC_RUNSC_SANDBOX_CONTROL_CLIENT_H_
