// The sentry's control server: the other end of runsc start/kill/ps.
//
// runsc create binds a unix socket (<root>/<id>/control.sock, mode 0600) and
// hands the listening fd to the sentry, which serves it with this class on a
// thread of its own. What a request does is delegated to a ControlHandler,
// which the sentry's boot code implements over its kernel.
//
// Protocol (runsc/sandbox/control_client.h is the client). SOCK_STREAM, one
// request per connection: the client sends one JSON object on one line
// ("\n"-terminated, at most kControlMaxRequestBytes including the newline),
// the server answers with one JSON line and closes the connection.
//
//   {"cmd":"start"}                          -> {"ok":true}
//   {"cmd":"signal","signo":15,"all":false}  -> {"ok":true}   ("all" optional)
//   {"cmd":"pids"}                           -> {"ok":true,"pids":[123,124]}
//   anything that fails                      -> {"ok":false,"error":"<why>"}
//
// Requests are validated before a handler runs: a line that is too long, not
// JSON, not an object, with an unknown "cmd", a missing or mistyped argument,
// an unknown member or a signal number outside 1..64 gets an error reply and
// never reaches the handler. A client that stalls is dropped after a timeout
// so that it cannot block the others.
#ifndef RUNSC_SENTRY_BOOT_CONTROL_SERVER_H_
#define RUNSC_SENTRY_BOOT_CONTROL_SERVER_H_

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/unique_fd.h"

namespace runsc::sentry {

// Longest request line the server accepts, newline included.
inline constexpr size_t kControlMaxRequestBytes = 4096;
// Longest reply line a client should accept (a pids list can be long).
inline constexpr size_t kControlMaxReplyBytes = 1 << 20;
// Highest signal number a "signal" request may carry (SIGRTMAX on Linux).
inline constexpr int kControlMaxSignal = 64;

class ControlHandler {
 public:
  virtual ~ControlHandler() = default;
  // Lets the container's init run. Fails if already started.
  virtual absl::Status Start() = 0;
  // Sends `signo` to the container's init (all = every task in the sandbox).
  virtual absl::Status Signal(int signo, bool all) = 0;
  // Host pids of the sandbox's processes (sentry, stubs), for `runsc ps`.
  virtual absl::StatusOr<std::vector<pid_t>> HostPids() = 0;
};

class ControlServer {
 public:
  // `listen_fd` is a listening SOCK_STREAM unix socket; `handler` must
  // outlive the server. Handler calls are made from the server's thread, one
  // at a time.
  ControlServer(UniqueFd listen_fd, ControlHandler& handler);
  // Stops serving (as Stop()) and closes the listening socket.
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Starts serving on a background thread; returns at once. Fails if the
  // thread cannot be started or the server was started before.
  [[nodiscard]] absl::Status StartServing();

  // Makes the serving thread finish the request in hand and return, and
  // joins it. Idempotent; safe to call when never started.
  void Stop();

  // The reply line (no trailing newline) for one request line (no trailing
  // newline). Pure protocol logic: validation and dispatch to `handler`.
  static std::string HandleRequest(std::string_view line, ControlHandler& handler);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_BOOT_CONTROL_SERVER_H_
