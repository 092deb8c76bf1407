#include "test/syscalls/runner/gtest_progress.h"

#include "gtest/gtest.h"

namespace runsc::compat {
namespace {

using CaseState = GtestProgress::CaseState;

constexpr char kTypicalRun[] =
    "Running main() from gtest_main.cc\n"
    "[==========] Running 4 tests from 1 test suite.\n"
    "[----------] 4 tests from S\n"
    "[ RUN      ] S.Passes\n"
    "[       OK ] S.Passes (0 ms)\n"
    "[ RUN      ] S.Fails\n"
    "x.cc:3: Failure\n"
    "[  FAILED  ] S.Fails (1 ms)\n"
    "[ RUN      ] S.Skips\n"
    "x.cc:9: Skipped\n"
    "[  SKIPPED ] S.Skips (0 ms)\n"
    "[ RUN      ] P/S.Param/0\n"
    "[  FAILED  ] P/S.Param/0, where GetParam() = 4 (0 ms)\n"
    "[==========] 4 tests from 1 test suite ran. (1 ms total)\n"
    "[  PASSED  ] 1 test.\n"
    "[  SKIPPED ] 1 test, listed below:\n"
    "[  SKIPPED ] S.Skips\n"
    "[  FAILED  ] 2 tests, listed below:\n"
    "[  FAILED  ] S.Fails\n"
    "[  FAILED  ] P/S.Param/0, where GetParam() = 4\n";

TEST(GtestProgressTest, ReadsEveryKindOfResult) {
  GtestProgress p;
  p.Feed(kTypicalRun);
  p.Finish();
  EXPECT_EQ(p.Started(),
            (std::vector<std::string>{"S.Passes", "S.Fails", "S.Skips", "P/S.Param/0"}));
  EXPECT_EQ(p.StateOf("S.Passes"), CaseState::kOk);
  EXPECT_EQ(p.StateOf("S.Fails"), CaseState::kFailed);
  EXPECT_EQ(p.StateOf("S.Skips"), CaseState::kSkipped);
  EXPECT_EQ(p.StateOf("P/S.Param/0"), CaseState::kFailed);
  EXPECT_EQ(p.StateOf("S.Unknown"), std::nullopt);
  EXPECT_FALSE(p.Running().has_value());
}

TEST(GtestProgressTest, KeepsWhereACaseFirstFailed) {
  GtestProgress p;
  p.Feed(
      "[ RUN      ] S.A\n"
      "/work/test/syscalls/read_test.cc:42: Failure\n"
      "Expected equality of these values:\n"
      "/work/test/syscalls/read_test.cc:43: Failure\n"
      "[  FAILED  ] S.A (0 ms)\n"
      "[ RUN      ] S.B\n"
      "[       OK ] S.B (0 ms)\n");
  EXPECT_EQ(p.FailureLocation("S.A"), "read_test.cc:42");
  EXPECT_EQ(p.FailureLocation("S.B"), "");
}

TEST(GtestProgressTest, ACaseThatNeverEndsStaysRunning) {
  GtestProgress p;
  p.Feed("[ RUN      ] S.A\n[       OK ] S.A (0 ms)\n[ RUN      ] S.Crashes\n");
  p.Finish();
  EXPECT_EQ(p.StateOf("S.A"), CaseState::kOk);
  EXPECT_EQ(p.StateOf("S.Crashes"), CaseState::kRunning);
  EXPECT_EQ(p.Running(), "S.Crashes");
}

TEST(GtestProgressTest, ChunksMaySplitLinesAnywhere) {
  const std::string text = kTypicalRun;
  GtestProgress p;
  for (char c : text) p.Feed(absl::string_view(&c, 1));
  p.Finish();
  EXPECT_EQ(p.StateOf("S.Passes"), CaseState::kOk);
  EXPECT_EQ(p.StateOf("S.Fails"), CaseState::kFailed);
  EXPECT_EQ(p.StateOf("P/S.Param/0"), CaseState::kFailed);
}

TEST(GtestProgressTest, FeedSaysWhenACaseStartedOrEnded) {
  GtestProgress p;
  EXPECT_FALSE(p.Feed("some output\n"));
  EXPECT_FALSE(p.Feed("[ RUN      ] S.A"));  // Not a whole line yet.
  EXPECT_TRUE(p.Feed("\n"));
  EXPECT_FALSE(p.Feed("noise\n"));
  EXPECT_TRUE(p.Feed("[       OK ] S.A (0 ms)\n"));
}

TEST(GtestProgressTest, AResultForAnotherCaseIsIgnored) {
  GtestProgress p;
  p.Feed("[ RUN      ] S.A\n[       OK ] S.B (0 ms)\n");
  EXPECT_EQ(p.StateOf("S.A"), CaseState::kRunning);
  EXPECT_EQ(p.StateOf("S.B"), std::nullopt);
}

TEST(GtestProgressTest, AResultWithoutARunIsIgnored) {
  GtestProgress p;
  p.Feed("[       OK ] S.A (0 ms)\n");
  EXPECT_EQ(p.StateOf("S.A"), std::nullopt);
  EXPECT_TRUE(p.Started().empty());
}

TEST(GtestProgressTest, TheSummaryDoesNotChangeAnEarlierResult) {
  GtestProgress p;
  p.Feed("[ RUN      ] S.A\n[       OK ] S.A (0 ms)\n[  FAILED  ] S.A\n");
  EXPECT_EQ(p.StateOf("S.A"), CaseState::kOk);
}

TEST(GtestProgressTest, MarkersAfterUnterminatedTestOutputCount) {
  GtestProgress p;
  p.Feed("[ RUN      ] S.A\nno newline here[       OK ] S.A (0 ms)\n");
  EXPECT_EQ(p.StateOf("S.A"), CaseState::kOk);
}

TEST(GtestProgressTest, FinishParsesALastLineWithoutNewline) {
  GtestProgress p;
  p.Feed("[ RUN      ] S.A\n[       OK ] S.A (0 ms)");
  EXPECT_EQ(p.StateOf("S.A"), CaseState::kRunning);
  p.Finish();
  EXPECT_EQ(p.StateOf("S.A"), CaseState::kOk);
}

TEST(GtestProgressTest, CarriageReturnsAreNotPartOfNames) {
  GtestProgress p;
  p.Feed("[ RUN      ] S.A\r\n[       OK ] S.A (0 ms)\r\n");
  EXPECT_EQ(p.StateOf("S.A"), CaseState::kOk);
}

}  // namespace
}  // namespace runsc::compat
