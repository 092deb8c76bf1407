// Passes the signals of the container's console on to the container.
//
// The console is a host pty slave and the sentry's controlling terminal
// (runsc made the sentry a session leader and ran TIOCSCTTY before the
// exec), so the host line discipline sends ^C, ^\, ^Z, window changes and
// hang-ups to the sentry's process group. They are blocked in every sentry
// thread and taken by one relay thread, which sends them to the console's
// foreground process group inside the sandbox, as gVisor does.
#ifndef RUNSC_SENTRY_BOOT_CONSOLE_SIGNAL_RELAY_H_
#define RUNSC_SENTRY_BOOT_CONSOLE_SIGNAL_RELAY_H_

#include <signal.h>

#include <atomic>
#include <memory>
#include <thread>

#include "fs/host_tty.h"
#include "sentry/kernel/kernel.h"

namespace runsc::sentry {

class ConsoleSignalRelay {
 public:
  // The relayed signals: SIGINT, SIGQUIT, SIGTSTP, SIGWINCH, SIGHUP.
  static sigset_t Signals();

  // Blocks Signals() in the calling thread. Call it before the sentry
  // starts any thread, so that every thread inherits the mask and none of
  // them is killed by a ^C meant for the container.
  static void BlockInThisThread();

  // Starts the relay thread for `console` (BlockInThisThread was called).
  ConsoleSignalRelay(Kernel& kernel, std::shared_ptr<fs::HostTty> console);
  // Stops and joins the relay thread.
  ~ConsoleSignalRelay();
  ConsoleSignalRelay(const ConsoleSignalRelay&) = delete;
  ConsoleSignalRelay& operator=(const ConsoleSignalRelay&) = delete;

 private:
  void Loop();

  Kernel& kernel_;
  std::shared_ptr<fs::HostTty> console_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_BOOT_CONSOLE_SIGNAL_RELAY_H_
