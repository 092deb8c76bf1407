#include "base/phase_timer.h"

#include "absl/strings/str_format.h"
#include "base/logging.h"

namespace runsc {

std::string PhaseTimer::MarkAt(absl::string_view phase, absl::Time now) {
  std::string line = absl::StrFormat("timeline %s: %s took %.3f ms (%.3f ms since %s began)",
                                     name_, phase, absl::ToDoubleMilliseconds(now - last_),
                                     absl::ToDoubleMilliseconds(now - start_), name_);
  last_ = now;
  LogDebug(line);
  return line;
}

}  // namespace runsc
