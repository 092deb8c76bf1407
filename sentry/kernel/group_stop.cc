#include "sentry/kernel/group_stop.h"

namespace runsc::sentry {

bool GroupStop::Begin(int sig, int threads_to_park) {
  if (stopping() || stopped_) return false;
  stop_signal_ = sig;
  threads_to_park_ = threads_to_park;
  // A new stop makes an unreported continue stale (signal_set_stop_flags
  // clears SIGNAL_STOP_CONTINUED).
  continued_ = false;
  return true;
}

GroupStop::Notice GroupStop::Participate() {
  if (threads_to_park_ == 0) return Notice::kNone;
  if (--threads_to_park_ > 0 || stopped_) return Notice::kNone;
  stopped_ = true;
  return Notice::kStopped;
}

GroupStop::Notice GroupStop::Continue() {
  Notice notice = Notice::kNone;
  if (stopped_) {
    notice = Notice::kContinued;
  } else if (stopping()) {
    notice = Notice::kStopped;
  }
  if (notice != Notice::kNone) {
    continued_ = true;
    stop_signal_ = 0;
  }
  threads_to_park_ = 0;
  stopped_ = false;
  return notice;
}

void GroupStop::Abort() {
  threads_to_park_ = 0;
  stopped_ = false;
  stop_signal_ = 0;
  continued_ = false;
}

}  // namespace runsc::sentry
