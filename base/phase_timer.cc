#include "base/phase_timer.h"

#include <stdlib.h>
#include <time.h>

#include <atomic>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/logging.h"

namespace runsc {
namespace {

// Nanoseconds; 0 until the first use.
std::atomic<int64_t> origin_ns{0};

}  // namespace

absl::Duration PhaseTimer::MonotonicNow() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return absl::DurationFromTimespec(ts);
}

absl::Duration PhaseTimer::Origin() {
  int64_t ns = origin_ns.load(std::memory_order_relaxed);
  if (ns == 0) {
    int64_t now = absl::ToInt64Nanoseconds(MonotonicNow());
    origin_ns.compare_exchange_strong(ns, now);  // On failure ns holds the winner's.
    if (ns == 0) ns = now;
  }
  return absl::Nanoseconds(ns);
}

void PhaseTimer::SetOrigin(absl::Duration origin) {
  origin_ns.store(absl::ToInt64Nanoseconds(origin), std::memory_order_relaxed);
}

void PhaseTimer::InheritOrigin() {
  const char* value = getenv(kOriginVariable);
  int64_t ns = 0;
  if (value != nullptr && absl::SimpleAtoi(value, &ns) && ns > 0) SetOrigin(absl::Nanoseconds(ns));
}

std::string PhaseTimer::OriginForChild() {
  return absl::StrCat(kOriginVariable, "=", absl::ToInt64Nanoseconds(Origin()));
}

std::string PhaseTimer::MarkAt(absl::string_view phase, absl::Duration now) {
  std::string line = absl::StrFormat("timeline %s: %s took %.3f ms (at %.3f ms)", name_, phase,
                                     absl::ToDoubleMilliseconds(now - last_),
                                     absl::ToDoubleMilliseconds(now - Origin()));
  last_ = now;
  LogDebug(line);
  return line;
}

}  // namespace runsc
