#include "runsc/cmd/console_relay.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>

#include "base/errno_status.h"

namespace runsc::cmd {
namespace {

// Writes all of `data` to `fd`; false if the reader is gone.
bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ConsoleRelay>> ConsoleRelay::Start(UniqueFd master) {
  sigset_t winch;
  sigemptyset(&winch);
  sigaddset(&winch, SIGWINCH);
  if (pthread_sigmask(SIG_BLOCK, &winch, nullptr) != 0) return HostError("blocking SIGWINCH");
  UniqueFd winch_fd(signalfd(-1, &winch, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!winch_fd.valid()) return HostError("signalfd for SIGWINCH");
  UniqueFd stop(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!stop.valid()) return HostError("eventfd");
  std::unique_ptr<ConsoleRelay> relay(
      new ConsoleRelay(std::move(master), std::move(winch_fd), std::move(stop)));
  return relay;
}

ConsoleRelay::ConsoleRelay(UniqueFd master, UniqueFd winch, UniqueFd stop)
    : master_(std::move(master)), winch_(std::move(winch)), stop_(std::move(stop)) {
  struct termios mode;
  if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &mode) == 0) {
    saved_stdin_mode_ = mode;
    struct termios raw = mode;
    cfmakeraw(&raw);
    tcsetattr(STDIN_FILENO, TCSANOW, &raw);
  }
  CopyWindowSize();
  thread_ = std::thread([this] { Loop(); });
}

ConsoleRelay::~ConsoleRelay() {
  uint64_t one = 1;
  ssize_t unused = write(stop_.get(), &one, sizeof(one));
  (void)unused;
  thread_.join();
  if (saved_stdin_mode_.has_value()) tcsetattr(STDIN_FILENO, TCSANOW, &*saved_stdin_mode_);
}

void ConsoleRelay::CopyWindowSize() {
  struct winsize size;
  if (ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0) ioctl(master_.get(), TIOCSWINSZ, &size);
}

void ConsoleRelay::Loop() {
  bool stdin_open = true;
  bool stopping = false;
  char buf[4096];
  for (;;) {
    pollfd fds[4] = {{master_.get(), POLLIN, 0},
                     {stdin_open ? STDIN_FILENO : -1, POLLIN, 0},
                     {winch_.get(), POLLIN, 0},
                     {stop_.get(), POLLIN, 0}};
    // Once stopping, only what the master already holds is copied.
    int n = poll(fds, stopping ? 1 : 4, stopping ? 0 : -1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    if (fds[0].revents != 0) {
      ssize_t got = read(master_.get(), buf, sizeof(buf));
      if (got < 0 && errno == EINTR) continue;
      // EIO: every slave descriptor is closed, the sandbox is gone.
      if (got <= 0 || !WriteAll(STDOUT_FILENO, buf, static_cast<size_t>(got))) return;
    }
    if (stopping) continue;
    if (fds[1].revents != 0) {
      ssize_t got = read(STDIN_FILENO, buf, sizeof(buf));
      if (got <= 0) {
        if (got < 0 && errno == EINTR) continue;
        // Our input ended: the container's does too (^D at a line start).
        stdin_open = false;
        WriteAll(master_.get(), "\x04", 1);
      } else if (!WriteAll(master_.get(), buf, static_cast<size_t>(got))) {
        return;
      }
    }
    if (fds[2].revents != 0) {
      signalfd_siginfo info;
      while (read(winch_.get(), &info, sizeof(info)) == sizeof(info)) {
      }
      CopyWindowSize();
    }
    if (fds[3].revents != 0) stopping = true;
  }
}

}  // namespace runsc::cmd
