// Notices that the gofer has gone (killed, crashed) while the sandbox runs.
//
// Without its gofer a sandbox can no longer open, create or stat a file of
// the container's rootfs, yet its tasks would go on running and fail in odd
// ways one gofer call at a time. gVisor's answer, and ours: the sentry
// watches its end of the gofer connection and, when the gofer hangs up,
// kills the container, so that the sandbox stops and runsc state / delete
// see a stopped container.
//
// The watch is a thread polling a duplicate of the sentry's end of the
// SOCK_SEQPACKET socketpair for POLLHUP/POLLRDHUP only: it never reads, so
// the GoferClient's replies are left alone.
#ifndef RUNSC_SENTRY_BOOT_GOFER_WATCHDOG_H_
#define RUNSC_SENTRY_BOOT_GOFER_WATCHDOG_H_

#include <functional>
#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "base/unique_fd.h"

namespace runsc::sentry {

class GoferWatchdog {
 public:
  // Starts watching `gofer_socket` (a duplicate of the sentry's end of the
  // gofer connection; owned). `on_hang_up` runs once, on the watchdog's
  // thread, when the gofer's end is closed.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<GoferWatchdog>> Start(
      UniqueFd gofer_socket, std::function<void()> on_hang_up);

  // Stops watching and joins the thread (without calling on_hang_up if the
  // gofer is still there). Must not be called from on_hang_up.
  ~GoferWatchdog();
  GoferWatchdog(const GoferWatchdog&) = delete;
  GoferWatchdog& operator=(const GoferWatchdog&) = delete;

 private:
  GoferWatchdog(UniqueFd gofer_socket, UniqueFd stop, std::function<void()> on_hang_up);
  void Loop();

  UniqueFd gofer_socket_;
  UniqueFd stop_;  // An eventfd: written by the destructor.
  std::function<void()> on_hang_up_;
  std::thread thread_;
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_BOOT_GOFER_WATCHDOG_H_
