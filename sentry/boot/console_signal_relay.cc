#include "sentry/boot/console_signal_relay.h"

#include <pthread.h>

#include <cerrno>

#include "base/logging.h"

namespace runsc::sentry {

sigset_t ConsoleSignalRelay::Signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGQUIT, SIGTSTP, SIGWINCH, SIGHUP}) sigaddset(&set, sig);
  return set;
}

void ConsoleSignalRelay::BlockInThisThread() {
  sigset_t set = Signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

ConsoleSignalRelay::ConsoleSignalRelay(Kernel& kernel, std::shared_ptr<fs::HostTty> console)
    : kernel_(kernel), console_(std::move(console)) {
  thread_ = std::thread([this] { Loop(); });
}

ConsoleSignalRelay::~ConsoleSignalRelay() {
  stopping_.store(true);
  // Wakes sigwaitinfo with a signal it takes; harmless if it is relayed.
  pthread_kill(thread_.native_handle(), SIGWINCH);
  thread_.join();
}

void ConsoleSignalRelay::Loop() {
  const sigset_t set = Signals();
  while (!stopping_.load()) {
    siginfo_t info;
    int sig = sigwaitinfo(&set, &info);
    if (sig < 0) {
      if (errno == EINTR) continue;
      LogError("console signal relay: sigwaitinfo failed; console signals are no longer relayed");
      return;
    }
    if (stopping_.load()) return;
    LogDebug("console: relaying signal ", sig, " to the foreground process group");
    console_->job_control().SignalForeground(kernel_, sig);
  }
}

}  // namespace runsc::sentry
