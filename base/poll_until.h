// Waiting for a condition that another thread or process brings about,
// without measuring how long it took: poll until it holds or a generous
// deadline passes. For tests and for the few places that must watch state
// they cannot be woken by (a process's /proc entry, a file appearing).
#ifndef RUNSC_BASE_POLL_UNTIL_H_
#define RUNSC_BASE_POLL_UNTIL_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace runsc {

// Calls `done` every `interval` until it returns true (then true) or
// `timeout` has passed (then false, after one last look).
template <typename Predicate>
bool PollUntil(Predicate done, absl::Duration timeout,
               absl::Duration interval = absl::Milliseconds(1)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() >= deadline) return done();
    absl::SleepFor(interval);
  }
  return true;
}

}  // namespace runsc

#endif  // RUNSC_BASE_POLL_UNTIL_H_
