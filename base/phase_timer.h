// A start-up timeline in the debug log (issue 7: "--debug-log prints the
// timeline"): each Mark logs how long the phase that just ended took and
// when it ended, in ms of CLOCK_MONOTONIC since the runsc command that
// started the sandbox began (its "origin"). The sentry and the gofer are
// given their creator's origin (kOriginVariable in their environment), so
// the lines of runsc create, the gofer and the sentry read as one timeline;
// runsc start has its own origin, and its lines say so by their name.
//
// A Mark costs a clock read and, with --debug only, a log line: cheap
// enough to leave in.
#ifndef RUNSC_BASE_PHASE_TIMER_H_
#define RUNSC_BASE_PHASE_TIMER_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace runsc {

class PhaseTimer {
 public:
  // The environment variable that carries the origin to the sandbox's own
  // processes: nanoseconds of CLOCK_MONOTONIC.
  static constexpr char kOriginVariable[] = "RUNSC_TIMELINE_ORIGIN_NS";

  explicit PhaseTimer(std::string name) : PhaseTimer(std::move(name), MonotonicNow()) {}
  PhaseTimer(std::string name, absl::Duration start)
      : name_(std::move(name)), start_(start), last_(start) {}

  // Logs (at debug level) and returns "timeline <name>: <phase> took X ms
  // (at Y ms)", Y counted from the origin.
  std::string Mark(absl::string_view phase) { return MarkAt(phase, MonotonicNow()); }
  std::string MarkAt(absl::string_view phase, absl::Duration now);

  // CLOCK_MONOTONIC, as a duration since the host booted.
  static absl::Duration MonotonicNow();

  // The origin of every timer of this process. Until set, the first call's
  // time (about when the process began).
  static absl::Duration Origin();
  static void SetOrigin(absl::Duration origin);
  // Takes the origin from kOriginVariable if it holds a number; for the
  // sandbox's own processes only (a caller's stray variable must not skew
  // runsc's own timeline).
  static void InheritOrigin();
  // "RUNSC_TIMELINE_ORIGIN_NS=<origin>", for a child's environment.
  static std::string OriginForChild();

 private:
  std::string name_;
  absl::Duration start_, last_;
};

}  // namespace runsc

#endif  // RUNSC_BASE_PHASE_TIMER_H_
