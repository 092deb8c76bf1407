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
//   {"cmd":"signal","signo":15,"pid":7}      -> {"ok":true}   (one process, by sentry pid)
//   {"cmd":"signal","signo":2,"pid":7,"terminal":true} -> {"ok":true}
//        (the foreground process group of the terminal that process 7's
//        session controls: what the host tty's line discipline meant for
//        it, relayed by runsc exec --tty)
//   {"cmd":"pids"}                           -> {"ok":true,"pids":[123,124]}
//   {"cmd":"wait"}                           -> {"ok":true,"pid":1}
//        and later, on the same connection, once the container's init has
//        exited (runsc wait):               -> {"ok":true,"status":<wait status>}
//   {"cmd":"exec","argv":["sh"],"env":["A=b"],"cwd":"/","uid":0,"gid":0,
//    "groups":[],"no_new_privs":false,"caps":{"effective":N,"permitted":N,
//    "inheritable":N},"rlimits":[[resource,soft,hard]],"terminal":false}
//        + exactly 3 descriptors (the new process's stdin, stdout, stderr)
//          attached with SCM_RIGHTS to the request's bytes; with
//          "terminal":true, the first is a host tty that becomes the
//          process's stdio and controlling terminal (the others are unused)
//                                            -> {"ok":true,"pid":7}
//        and later, on the same connection, once that process has exited:
//                                            -> {"ok":true,"status":<wait status>}
//        ("caps", "rlimits" and "terminal" optional: without them, those of the sentry's
//        defaults for the uid; only "argv" is required.)
//   anything that fails                      -> {"ok":false,"error":"<why>"}
//
// Descriptors attached to any other request, or more or fewer than 3 for
// exec, get an error reply and are closed unused. Only exec and wait hold
// their connection past the first reply; each waits on a thread of its own,
// so that a long-running process does not block the others.
//
// Requests are validated before a handler runs: a line that is too long, not
// JSON, not an object, with an unknown "cmd", a missing or mistyped argument,
// an unknown member or a signal number outside 1..64 gets an error reply and
// never reaches the handler. A client that stalls is dropped after a timeout
// so that it cannot block the others.
#ifndef RUNSC_SENTRY_BOOT_CONTROL_SERVER_H_
#define RUNSC_SENTRY_BOOT_CONTROL_SERVER_H_

#include <sys/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/unique_fd.h"

namespace runsc::sentry {

// Longest request line the server accepts, newline included (an exec's
// argv and environment must fit).
inline constexpr size_t kControlMaxRequestBytes = 64 * 1024;
// Longest reply line a client should accept (a pids list can be long).
inline constexpr size_t kControlMaxReplyBytes = 1 << 20;
// Highest signal number a "signal" request may carry (SIGRTMAX on Linux).
inline constexpr int kControlMaxSignal = 64;

// A new process in the running sandbox (runsc exec), as the request said.
struct ExecRequest {
  // Bit masks, bit n for capability n. "bounding" and "ambient" may be left
  // out: every capability stays in the bounding set, none is ambient.
  struct Capabilities {
    uint64_t effective = 0, permitted = 0, inheritable = 0;
    uint64_t bounding = ~uint64_t{0}, ambient = 0;
  };
  struct Rlimit {
    int resource = 0;
    uint64_t soft = 0, hard = 0;
  };
  std::vector<std::string> argv;  // Non-empty.
  std::vector<std::string> env;
  std::string cwd = "/";
  uint32_t uid = 0, gid = 0;
  std::vector<uint32_t> groups;
  bool no_new_privs = false;
  std::optional<Capabilities> caps;
  std::vector<Rlimit> rlimits;
  // stdin is a host tty: the process's stdio and controlling terminal.
  bool terminal = false;
};

// The process an exec started: its pid in the sandbox, and a call that
// blocks until it has exited and returns its wait(2) status word.
struct ExecStarted {
  int pid = 0;
  std::function<absl::StatusOr<int>()> wait;
};

class ControlHandler {
 public:
  virtual ~ControlHandler() = default;
  // Lets the container's init run. Fails if already started.
  virtual absl::Status Start() = 0;
  // Sends `signo` to the container's init (all = every task in the sandbox).
  virtual absl::Status Signal(int signo, bool all) = 0;
  // Host pids of the sandbox's processes (sentry, stubs), for `runsc ps`.
  virtual absl::StatusOr<std::vector<pid_t>> HostPids() = 0;
  // Sends `signo` to the process whose sandbox pid is `pid` (runsc exec
  // forwarding its signals to the process it started).
  virtual absl::Status SignalProcess(int pid, int signo) {
    return absl::UnimplementedError("signalling one process is not supported");
  }
  // Sends `signo` to the foreground process group of the terminal that
  // controls the session of process `pid` (an exec'd process's tty).
  virtual absl::Status SignalTerminalForeground(int pid, int signo) {
    return absl::UnimplementedError("terminal signals are not supported");
  }
  // Starts a new process with `stdio` as its fds 0, 1, 2. Returns once it
  // runs its program (or failed to load it). `wait` is called at most once,
  // from a thread of the server's.
  virtual absl::StatusOr<ExecStarted> Exec(const ExecRequest& request,
                                           std::array<UniqueFd, 3> stdio) {
    return absl::UnimplementedError("exec is not supported");
  }
  // Blocks until the container's init has exited; its wait(2) status. Called
  // from a thread of the server's, any number of times.
  virtual absl::StatusOr<int> WaitForInit() {
    return absl::UnimplementedError("wait is not supported");
  }
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

  // What the server answers one request with: a reply line (no trailing
  // newline) and, for exec, a second part computed later (blocking) on the
  // same connection.
  struct Response {
    std::string reply;
    std::function<std::string()> then;  // Empty unless an exec or wait waits.
  };

  // Pure protocol logic: validation of one request line (no trailing
  // newline) and the descriptors that came with it, and dispatch to
  // `handler`. Descriptors the request does not use are closed.
  static Response Handle(std::string_view line, std::vector<UniqueFd> fds,
                         ControlHandler& handler);
  // The reply line for a request that came without descriptors.
  static std::string HandleRequest(std::string_view line, ControlHandler& handler) {
    return Handle(line, {}, handler).reply;
  }

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_BOOT_CONTROL_SERVER_H_
