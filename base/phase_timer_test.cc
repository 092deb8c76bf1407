#include "base/phase_timer.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace runsc {
namespace {

TEST(PhaseTimerTest, EachMarkTimesThePhaseSinceThePreviousOne) {
  PhaseTimer timer("boot");
  const absl::Time t0 = absl::Now();
  timer.MarkAt("warm-up", t0);  // Pins the phase start to t0.
  EXPECT_THAT(timer.MarkAt("platform", t0 + absl::Microseconds(1500)),
              ::testing::StartsWith("timeline boot: platform took 1.500 ms ("));
  EXPECT_THAT(timer.MarkAt("mounts", t0 + absl::Microseconds(4000)),
              ::testing::StartsWith("timeline boot: mounts took 2.500 ms ("));
}

}  // namespace
}  // namespace runsc
