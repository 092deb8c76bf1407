// runsc run in the foreground with process.terminal and no --console-socket:
// runsc keeps the pty master and relays between it and its own stdio, as
// runc run does. If runsc's stdin is a terminal it is put in raw mode (the
// container's pty does the line editing and turns ^C into SIGINT) and its
// window size is copied to the container's, at the start and on SIGWINCH.
#ifndef RUNSC_RUNSC_CMD_CONSOLE_RELAY_H_
#define RUNSC_RUNSC_CMD_CONSOLE_RELAY_H_

#include <termios.h>

#include <memory>
#include <optional>
#include <thread>

#include "absl/status/statusor.h"
#include "base/unique_fd.h"

namespace runsc::cmd {

class ConsoleRelay {
 public:
  // Blocks SIGWINCH in the calling thread (taken by the relay thread through
  // a signalfd) and starts relaying.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<ConsoleRelay>> Start(UniqueFd master);

  // Copies what the container still wrote, stops, and restores stdin's
  // terminal mode.
  ~ConsoleRelay();
  ConsoleRelay(const ConsoleRelay&) = delete;
  ConsoleRelay& operator=(const ConsoleRelay&) = delete;

 private:
  ConsoleRelay(UniqueFd master, UniqueFd winch, UniqueFd stop);
  void Loop();
  void CopyWindowSize();

  UniqueFd master_, winch_, stop_;
  std::optional<struct termios> saved_stdin_mode_;
  std::thread thread_;
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_CONSOLE_RELAY_H_
