#include "base/phase_timer.h"

#include <stdlib.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace runsc {
namespace {

TEST(PhaseTimerTest, EachMarkTimesThePhaseSinceThePreviousOneAndTheOrigin) {
  const absl::Duration t0 = absl::Seconds(1000);
  PhaseTimer::SetOrigin(t0 - absl::Milliseconds(10));
  PhaseTimer timer("boot", t0);
  EXPECT_EQ(timer.MarkAt("platform", t0 + absl::Microseconds(1500)),
            "timeline boot: platform took 1.500 ms (at 11.500 ms)");
  EXPECT_EQ(timer.MarkAt("mounts", t0 + absl::Microseconds(4000)),
            "timeline boot: mounts took 2.500 ms (at 14.000 ms)");
}

TEST(PhaseTimerTest, AChildInheritsItsCreatorsOrigin) {
  PhaseTimer::SetOrigin(absl::Nanoseconds(123456789));
  const std::string variable = PhaseTimer::OriginForChild();
  EXPECT_EQ(variable, "RUNSC_TIMELINE_ORIGIN_NS=123456789");

  PhaseTimer::SetOrigin(absl::Seconds(5));
  ASSERT_EQ(putenv(const_cast<char*>(variable.c_str())), 0);
  PhaseTimer::InheritOrigin();
  EXPECT_EQ(PhaseTimer::Origin(), absl::Nanoseconds(123456789));
  unsetenv(PhaseTimer::kOriginVariable);
}

TEST(PhaseTimerTest, AMalformedOriginIsIgnored) {
  PhaseTimer::SetOrigin(absl::Seconds(5));
  setenv(PhaseTimer::kOriginVariable, "soon", 1);
  PhaseTimer::InheritOrigin();
  EXPECT_EQ(PhaseTimer::Origin(), absl::Seconds(5));
  unsetenv(PhaseTimer::kOriginVariable);
}

TEST(PhaseTimerTest, TheDefaultOriginIsNotInTheFuture) {
  PhaseTimer::SetOrigin(absl::ZeroDuration());
  const absl::Duration origin = PhaseTimer::Origin();
  EXPECT_GT(origin, absl::ZeroDuration());
  EXPECT_LE(origin, PhaseTimer::MonotonicNow());
}

}  // namespace
}  // namespace runsc
