#include "sentry/kernel/group_stop.h"

#include <signal.h>

#include "gtest/gtest.h"

namespace runsc::sentry {
namespace {

using Notice = GroupStop::Notice;

TEST(GroupStopTest, TheStopIsCompleteWhenTheLastThreadParks) {
  GroupStop s;
  ASSERT_TRUE(s.Begin(SIGTSTP, 3));
  EXPECT_TRUE(s.stopping());
  EXPECT_EQ(s.Participate(), Notice::kNone);
  EXPECT_EQ(s.Participate(), Notice::kNone);
  EXPECT_FALSE(s.stopped());
  EXPECT_EQ(s.stop_report(), 0);  // Nothing for wait until every thread parked.
  EXPECT_EQ(s.Participate(), Notice::kStopped);
  EXPECT_TRUE(s.stopped());
  EXPECT_FALSE(s.stopping());
  EXPECT_EQ(s.stop_report(), SIGTSTP);
}

TEST(GroupStopTest, ASecondStopSignalJoinsTheStopUnderWay) {
  GroupStop s;
  ASSERT_TRUE(s.Begin(SIGSTOP, 2));
  EXPECT_FALSE(s.Begin(SIGTTIN, 2));
  EXPECT_EQ(s.Participate(), Notice::kNone);
  EXPECT_EQ(s.Participate(), Notice::kStopped);
  EXPECT_EQ(s.stop_report(), SIGSTOP);
  EXPECT_FALSE(s.Begin(SIGTTOU, 2));  // Stopped already: no second stop.
  EXPECT_EQ(s.stop_report(), SIGSTOP);
}

TEST(GroupStopTest, TheStopIsReportedOnceUnlessKept) {
  GroupStop s;
  ASSERT_TRUE(s.Begin(SIGSTOP, 1));
  ASSERT_EQ(s.Participate(), Notice::kStopped);
  EXPECT_EQ(s.stop_report(), SIGSTOP);  // WNOWAIT only looks.
  s.TakeStopReport();
  EXPECT_EQ(s.stop_report(), 0);
  EXPECT_TRUE(s.stopped());  // Still stopped, just reported.
}

TEST(GroupStopTest, ContinuingAStoppedGroupIsReportedOnce) {
  GroupStop s;
  ASSERT_TRUE(s.Begin(SIGSTOP, 1));
  ASSERT_EQ(s.Participate(), Notice::kStopped);
  EXPECT_EQ(s.Continue(), Notice::kContinued);
  EXPECT_FALSE(s.stopped());
  EXPECT_EQ(s.stop_report(), 0);
  EXPECT_TRUE(s.continued_report());
  s.TakeContinuedReport();
  EXPECT_FALSE(s.continued_report());
}

TEST(GroupStopTest, ContinuingAStopUnderWayTellsTheParentOfTheStopOnly) {
  GroupStop s;
  ASSERT_TRUE(s.Begin(SIGSTOP, 2));
  ASSERT_EQ(s.Participate(), Notice::kNone);
  EXPECT_EQ(s.Continue(), Notice::kStopped);
  EXPECT_FALSE(s.stopping());
  EXPECT_FALSE(s.stopped());
  EXPECT_EQ(s.stop_report(), 0);
  EXPECT_TRUE(s.continued_report());
  // The thread that had not parked yet no longer has to.
  EXPECT_EQ(s.Participate(), Notice::kNone);
  EXPECT_FALSE(s.stopped());
}

TEST(GroupStopTest, ContinuingARunningGroupChangesNothing) {
  GroupStop s;
  EXPECT_EQ(s.Continue(), Notice::kNone);
  EXPECT_FALSE(s.continued_report());
}

TEST(GroupStopTest, ANewStopDropsAnUnreportedContinue) {
  GroupStop s;
  ASSERT_TRUE(s.Begin(SIGSTOP, 1));
  ASSERT_EQ(s.Participate(), Notice::kStopped);
  ASSERT_EQ(s.Continue(), Notice::kContinued);
  ASSERT_TRUE(s.Begin(SIGTSTP, 1));
  EXPECT_FALSE(s.continued_report());
  ASSERT_EQ(s.Participate(), Notice::kStopped);
  EXPECT_EQ(s.stop_report(), SIGTSTP);
}

TEST(GroupStopTest, AThreadMadeDuringTheStopMustParkToo) {
  GroupStop s;
  ASSERT_TRUE(s.Begin(SIGSTOP, 1));
  s.Join();
  EXPECT_EQ(s.Participate(), Notice::kNone);
  EXPECT_EQ(s.Participate(), Notice::kStopped);
}

TEST(GroupStopTest, AbortLeavesNothingToReport) {
  GroupStop s;
  ASSERT_TRUE(s.Begin(SIGSTOP, 1));
  ASSERT_EQ(s.Participate(), Notice::kStopped);
  s.Abort();
  EXPECT_FALSE(s.stopped());
  EXPECT_EQ(s.stop_report(), 0);
  EXPECT_FALSE(s.continued_report());
  EXPECT_EQ(s.Continue(), Notice::kNone);
}

}  // namespace
}  // namespace runsc::sentry
