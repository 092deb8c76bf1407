#include "platform/systrap/spin_policy.h"

#include "gtest/gtest.h"

namespace runsc::platform::systrap {
namespace {

using Action = SpinPolicy::Action;

SpinPolicy::Config Small() {
  return {.window = 8, .max_misses = 2, .max_consecutive_misses = 3, .retry_round_trips = 4};
}

// Round trips until the policy asks to spin.
int RoundTripsUntilAsked(SpinPolicy& policy) {
  for (int n = 1; n < 1 << 22; ++n) {
    if (policy.Record(false, false) == Action::kStartSpinning) return n;
  }
  return -1;
}

TEST(SpinPolicyTest, StartsPairedAndAsksToSpinAfterSomeRoundTrips) {
  SpinPolicy policy(Small());
  EXPECT_FALSE(policy.spinning());
  EXPECT_EQ(RoundTripsUntilAsked(policy), 4);
  policy.Started();
  EXPECT_TRUE(policy.spinning());
}

TEST(SpinPolicyTest, ARefusalDoublesTheWaitBeforeTheNextTry) {
  SpinPolicy policy(Small());
  EXPECT_EQ(RoundTripsUntilAsked(policy), 4);
  policy.Refused();
  EXPECT_EQ(RoundTripsUntilAsked(policy), 8);
  policy.Refused();
  EXPECT_EQ(RoundTripsUntilAsked(policy), 16);
}

TEST(SpinPolicyTest, KeepsSpinningWhileSpinsServe) {
  SpinPolicy policy(Small());
  RoundTripsUntilAsked(policy);
  policy.Started();
  for (int i = 0; i < 100; ++i) {
    // A miss now and then (2 per window of 8) is within the limit.
    const bool miss = i % 4 == 0;
    ASSERT_EQ(policy.Record(!miss, true), Action::kNone) << i;
  }
  EXPECT_TRUE(policy.spinning());
}

TEST(SpinPolicyTest, AWindowWithTooManyMissesStopsItAndBacksOff) {
  SpinPolicy policy(Small());
  RoundTripsUntilAsked(policy);
  policy.Started();
  // Three scattered misses in one window of 8: stop at its end.
  const bool misses[] = {true, false, true, false, true, false, false, false};
  for (int i = 0; i < 7; ++i) ASSERT_EQ(policy.Record(!misses[i], true), Action::kNone) << i;
  EXPECT_EQ(policy.Record(true, true), Action::kStopSpinning);
  policy.Stopped();
  EXPECT_FALSE(policy.spinning());
  // The next try comes later than the first did.
  EXPECT_EQ(RoundTripsUntilAsked(policy), 8);
}

TEST(SpinPolicyTest, MissesInARowStopItAtOnce) {
  SpinPolicy policy(Small());
  RoundTripsUntilAsked(policy);
  policy.Started();
  EXPECT_EQ(policy.Record(true, false), Action::kNone);
  EXPECT_EQ(policy.Record(false, true), Action::kNone);
  EXPECT_EQ(policy.Record(false, false), Action::kStopSpinning);
}

TEST(SpinPolicyTest, AGoodWindowResetsTheBackoff) {
  SpinPolicy policy(Small());
  RoundTripsUntilAsked(policy);
  policy.Refused();
  policy.Refused();
  EXPECT_EQ(policy.retry_after(), 16u);
  RoundTripsUntilAsked(policy);
  policy.Started();
  for (int i = 0; i < 8; ++i) policy.Record(true, true);
  EXPECT_EQ(policy.retry_after(), 4u);
}

TEST(SpinPolicyTest, TheBackoffIsCapped) {
  SpinPolicy policy({.window = 8, .max_misses = 2, .max_consecutive_misses = 3,
                     .retry_round_trips = SpinPolicy::kMaxRetryRoundTrips / 2});
  policy.Refused();
  policy.Refused();
  policy.Refused();
  EXPECT_EQ(policy.retry_after(), SpinPolicy::kMaxRetryRoundTrips);
}

}  // namespace
}  // namespace runsc::platform::systrap
