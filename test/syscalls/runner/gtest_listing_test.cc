#include "test/syscalls/runner/gtest_listing.h"

#include "gtest/gtest.h"

namespace runsc::compat {
namespace {

using Names = std::vector<std::string>;

TEST(GtestListingTest, PlainSuites) {
  EXPECT_EQ(ParseGtestListing("Running main() from ./googletest/src/gtest_main.cc\n"
                              "GetpidTest.\n"
                              "  MatchesTheRawSyscall\n"
                              "  MainThreadTidIsThePid\n"
                              "ReadTest.\n"
                              "  ZeroBytes\n"),
            (Names{"GetpidTest.MatchesTheRawSyscall", "GetpidTest.MainThreadTidIsThePid",
                   "ReadTest.ZeroBytes"}));
}

TEST(GtestListingTest, ParameterizedAndTypedWithComments) {
  EXPECT_EQ(ParseGtestListing("Sizes/ReadTest.\n"
                              "  Reads/0  # GetParam() = 1\n"
                              "  Reads/1  # GetParam() = 4096\n"
                              "Typed/0.  # TypeParam = int\n"
                              "  Works\n"),
            (Names{"Sizes/ReadTest.Reads/0", "Sizes/ReadTest.Reads/1", "Typed/0.Works"}));
}

TEST(GtestListingTest, DisabledCasesAndSuitesAreLeftOut) {
  EXPECT_EQ(ParseGtestListing("S.\n"
                              "  DISABLED_Slow\n"
                              "  Fast\n"
                              "DISABLED_T.\n"
                              "  A\n"
                              "P/DISABLED_U.\n"
                              "  B/0  # GetParam() = 1\n"),
            (Names{"S.Fast"}));
}

TEST(GtestListingTest, NoiseAndCasesOutsideASuiteAreIgnored) {
  EXPECT_EQ(ParseGtestListing("  Orphan\n"
                              "a line with words.\n"
                              "S.\n"
                              "  A\n"
                              "\n"),
            (Names{"S.A"}));
  EXPECT_TRUE(ParseGtestListing("").empty());
}

}  // namespace
}  // namespace runsc::compat
