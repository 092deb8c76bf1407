#include "sentry/kernel/signals.h"

namespace runsc::sentry {

DefaultAction DefaultActionOf(int sig) {
  switch (sig) {
    case SIGABRT: case SIGBUS: case SIGFPE: case SIGILL: case SIGQUIT: case SIGSEGV:
    case SIGSYS: case SIGTRAP: case SIGXCPU: case SIGXFSZ:
      return DefaultAction::kCoreDump;
    case SIGCHLD: case SIGURG: case SIGWINCH:
      return DefaultAction::kIgnore;
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
      return DefaultAction::kStop;
    case SIGCONT:
      return DefaultAction::kContinue;
    default:
      return DefaultAction::kTerminate;  // Including real-time signals.
  }
}

}  // namespace runsc::sentry
