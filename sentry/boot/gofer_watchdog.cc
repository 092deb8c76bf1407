#include "sentry/boot/gofer_watchdog.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "base/errno_status.h"
#include "base/logging.h"

namespace runsc::sentry {

absl::StatusOr<std::unique_ptr<GoferWatchdog>> GoferWatchdog::Start(
    UniqueFd gofer_socket, std::function<void()> on_hang_up) {
  if (!gofer_socket.valid()) return absl::InvalidArgumentError("gofer watchdog: no socket");
  UniqueFd stop(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!stop.valid()) return HostError("eventfd for the gofer watchdog");
  return std::unique_ptr<GoferWatchdog>(
      new GoferWatchdog(std::move(gofer_socket), std::move(stop), std::move(on_hang_up)));
}

GoferWatchdog::GoferWatchdog(UniqueFd gofer_socket, UniqueFd stop,
                             std::function<void()> on_hang_up)
    : gofer_socket_(std::move(gofer_socket)),
      stop_(std::move(stop)),
      on_hang_up_(std::move(on_hang_up)) {
  thread_ = std::thread([this] { Loop(); });
}

GoferWatchdog::~GoferWatchdog() {
  uint64_t one = 1;
  ssize_t unused = write(stop_.get(), &one, sizeof(one));
  (void)unused;
  thread_.join();
}

void GoferWatchdog::Loop() {
  for (;;) {
    // POLLIN is not asked for: a reply waiting for the GoferClient is not
    // ours to see. POLLHUP (both directions shut, the peer closed) comes
    // whatever is asked; POLLRDHUP is the peer's shutdown for writing.
    pollfd fds[2] = {{gofer_socket_.get(), POLLRDHUP, 0}, {stop_.get(), POLLIN, 0}};
    int n = poll(fds, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      LogError("gofer watchdog: poll failed (", strerror(errno),
               "); a dead gofer will no longer stop the sandbox");
      return;
    }
    if (fds[1].revents != 0) return;
    if (fds[0].revents & (POLLHUP | POLLRDHUP | POLLERR | POLLNVAL)) {
      on_hang_up_();
      return;
    }
  }
}

}  // namespace runsc::sentry
