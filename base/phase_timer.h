// A start-up timeline in the debug log (issue 7: "--debug-log prints the
// timeline"): each Mark logs how long the phase that just ended took and
// the time since the timer began. The log lines carry absolute timestamps
// and the process name, so the lines of runsc, the gofer and the sentry
// merge into one timeline of create + start + exit.
#ifndef RUNSC_BASE_PHASE_TIMER_H_
#define RUNSC_BASE_PHASE_TIMER_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace runsc {

class PhaseTimer {
 public:
  explicit PhaseTimer(std::string name) : name_(std::move(name)), start_(absl::Now()), last_(start_) {}

  // Logs (at debug level) and returns "timeline <name>: <phase> took X ms
  // (Y ms since <name> began)".
  std::string Mark(absl::string_view phase) { return MarkAt(phase, absl::Now()); }
  std::string MarkAt(absl::string_view phase, absl::Time now);

 private:
  std::string name_;
  absl::Time start_, last_;
};

}  // namespace runsc

#endif  // RUNSC_BASE_PHASE_TIMER_H_
