// What `runsc run` does while the container runs in the foreground: wait for
// the sentry to exit, and pass the signals that runsc receives (Ctrl-C, a
// supervisor's TERM) on to the container, since the sandbox lives in a
// session of its own and does not get them from the terminal.
#ifndef RUNSC_RUNSC_CMD_SIGNAL_FORWARDER_H_
#define RUNSC_RUNSC_CMD_SIGNAL_FORWARDER_H_

#include <signal.h>

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "base/unique_fd.h"
#include "runsc/sandbox/process_identity.h"

namespace runsc::cmd {

class SignalForwarder {
 public:
  // Blocks the forwarded signals (HUP, INT, QUIT, TERM, USR1, USR2) in this
  // process so that none is lost or kills runsc before the container runs;
  // they queue until Wait(). Children started later get an empty mask.
  [[nodiscard]] static absl::StatusOr<SignalForwarder> Create();

  SignalForwarder(SignalForwarder&&) = default;
  // Restores the signal mask.
  ~SignalForwarder();

  // Waits until `sentry` (a child of this process) exits, forwarding each
  // signal received meanwhile to the container through the control socket in
  // `state_dir`. Returns the sentry's exit status: code, or 128+signal.
  [[nodiscard]] absl::StatusOr<int> Wait(const sandbox::ProcessIdentity& sentry,
                                         const std::string& state_dir);

  // Calls `forward` with each signal received until `fd` is readable (or
  // hung up). runsc exec: `fd` is the exec's connection to the sentry.
  [[nodiscard]] absl::Status ForwardUntilReadable(int fd, const std::function<void(int)>& forward);

 private:
  SignalForwarder(UniqueFd signal_fd, sigset_t old_mask)
      : signal_fd_(std::move(signal_fd)), old_mask_(old_mask) {}

  UniqueFd signal_fd_;
  sigset_t old_mask_;
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_SIGNAL_FORWARDER_H_
