#include "runsc/container/state_machine.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace runsc::container {
namespace {

using ::testing::HasSubstr;
using S = ContainerStatus;

constexpr S kAll[] = {S::kCreating, S::kCreated, S::kRunning, S::kPaused, S::kStopped};

TEST(StateMachineTest, Names) {
  for (S s : kAll) EXPECT_EQ(StatusFromName(StatusName(s)), s);
  EXPECT_EQ(StatusName(S::kCreated), "created");
  EXPECT_EQ(StatusName(S::kRunning), "running");
  EXPECT_EQ(StatusName(S::kPaused), "paused");
  EXPECT_FALSE(StatusFromName("frozen").has_value());
  EXPECT_FALSE(StatusFromName("").has_value());
}

TEST(StateMachineTest, AllowedTransitions) {
  const std::pair<S, S> allowed[] = {{S::kCreating, S::kCreated},
                                     {S::kCreating, S::kStopped},
                                     {S::kCreated, S::kRunning},
                                     {S::kCreated, S::kStopped},
                                     {S::kRunning, S::kStopped},
                                     {S::kRunning, S::kPaused},
                                     {S::kPaused, S::kRunning},
                                     {S::kPaused, S::kStopped}};
  for (S from : kAll) {
    for (S to : kAll) {
      bool want = std::find(std::begin(allowed), std::end(allowed), std::make_pair(from, to)) !=
                  std::end(allowed);
      EXPECT_EQ(IsTransitionAllowed(from, to), want)
          << StatusName(from) << " -> " << StatusName(to);
      EXPECT_EQ(CheckTransition("c", from, to).ok(), want);
    }
  }
}

TEST(StateMachineTest, IllegalTransitionIsTypedAndNamesEverything) {
  absl::Status status = CheckTransition("abc", S::kRunning, S::kRunning);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            "container \"abc\" is running: illegal transition from running to running");
  auto transition = IllegalTransitionOf(status);
  ASSERT_TRUE(transition.has_value());
  EXPECT_EQ(transition->first, S::kRunning);
  EXPECT_EQ(transition->second, S::kRunning);
}

TEST(StateMachineTest, StoppedSaysNotRunning) {
  absl::Status status = CheckTransition("abc", S::kStopped, S::kRunning);
  EXPECT_THAT(status.message(), HasSubstr("container \"abc\" is not running"));
  EXPECT_THAT(status.message(), HasSubstr("from stopped to running"));
}

TEST(StateMachineTest, OtherErrorsAreNotTransitions) {
  EXPECT_FALSE(IllegalTransitionOf(absl::OkStatus()).has_value());
  EXPECT_FALSE(IllegalTransitionOf(absl::FailedPreconditionError("x")).has_value());
}

}  // namespace
}  // namespace runsc::container
