#include "platform/systrap/spin_policy.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace runsc::platform::systrap {

SpinPolicy::Action SpinPolicy::Record(bool sentry_spin_served, bool stub_spin_served) {
  ++stats_.round_trips;
  if (!spinning_) {
    if (until_retry_ > 0) --until_retry_;
    return until_retry_ == 0 ? Action::kStartSpinning : Action::kNone;
  }
  ++stats_.spinning_round_trips;
  if (!sentry_spin_served) ++stats_.sentry_misses;
  if (!stub_spin_served) ++stats_.stub_misses;
  const int missed = (sentry_spin_served ? 0 : 1) + (stub_spin_served ? 0 : 1);
  misses_ += missed;
  consecutive_misses_ = missed > 0 ? consecutive_misses_ + 1 : 0;
  ++in_window_;
  if (consecutive_misses_ >= config_.max_consecutive_misses) {
    Backoff();
    return Action::kStopSpinning;
  }
  if (in_window_ < config_.window) return Action::kNone;
  const bool bad = misses_ > config_.max_misses;
  in_window_ = 0;
  misses_ = 0;
  if (bad) {
    Backoff();
    return Action::kStopSpinning;
  }
  retry_after_ = config_.retry_round_trips;
  return Action::kNone;
}

void SpinPolicy::Backoff() {
  retry_after_ = std::min(retry_after_ * 2, kMaxRetryRoundTrips);
  until_retry_ = retry_after_;
}

void SpinPolicy::Refused() {
  ++stats_.refusals;
  Backoff();
}

void SpinPolicy::Started() {
  ++stats_.starts;
  spinning_ = true;
  in_window_ = 0;
  misses_ = 0;
  consecutive_misses_ = 0;
}

void SpinPolicy::Stopped() {
  ++stats_.stops;
  spinning_ = false;
  until_retry_ = retry_after_;
}

std::string SpinPolicy::Summary() const {
  return absl::StrCat(stats_.round_trips, " round trips, ", stats_.spinning_round_trips,
                      " spinning (misses: sentry ", stats_.sentry_misses, ", stub ",
                      stats_.stub_misses, "), ", stats_.starts, " starts, ", stats_.stops,
                      " stops, ", stats_.refusals, " refusals, retry after ", retry_after_);
}

}  // namespace runsc::platform::systrap
