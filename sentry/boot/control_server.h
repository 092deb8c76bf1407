// The sentry's control server: the other end of runsc start/kill/state/ps.
//
// runsc create binds a unix socket (<root>/<id>/control.sock) and hands the
// listening fd to the sentry, which serves it with this class on a thread of
// its own. What a request does is delegated to a ControlHandler, which the
// sentry's boot code implements over its kernel.
#ifndef RUNSC_SENTRY_BOOT_CONTROL_SERVER_H_
#define RUNSC_SENTRY_BOOT_CONTROL_SERVER_H_

#include <sys/types.h>

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/unique_fd.h"

namespace runsc::sentry {

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
  ControlServer(UniqueFd listen_fd, ControlHandler& handler);
  ~ControlServer();
  // Starts serving on a background thread; returns at once.
  void StartServing();

 private:
  class Impl;
  Impl* impl_;
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_BOOT_CONTROL_SERVER_H_
