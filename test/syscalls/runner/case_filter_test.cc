#include "test/syscalls/runner/case_filter.h"

#include "gtest/gtest.h"

namespace runsc::compat {
namespace {

TEST(CaseFilterTest, NoPatternSelectsEverything) {
  CaseFilter f({});
  EXPECT_TRUE(f.MaySelectFamily("read"));
  EXPECT_TRUE(f.Selects("read", "ReadTest.ZeroBytes"));
}

TEST(CaseFilterTest, PatternsWithoutADotMatchFamilies) {
  CaseFilter f({"read", "sig*"});
  EXPECT_TRUE(f.MaySelectFamily("read"));
  EXPECT_TRUE(f.MaySelectFamily("sigaction"));
  EXPECT_FALSE(f.MaySelectFamily("readv"));
  EXPECT_TRUE(f.Selects("read", "Any.Case"));
  EXPECT_FALSE(f.Selects("write", "Any.Case"));
}

TEST(CaseFilterTest, PatternsWithADotMatchFullNames) {
  CaseFilter f({"getpid.GetpidTest.*Session*"});
  EXPECT_TRUE(f.MaySelectFamily("getpid"));
  EXPECT_FALSE(f.MaySelectFamily("read"));
  EXPECT_TRUE(f.Selects("getpid", "GetpidTest.ChildCanStartASession"));
  EXPECT_FALSE(f.Selects("getpid", "GetpidTest.MatchesTheRawSyscall"));
}

TEST(CaseFilterTest, CommaSeparatedPatterns) {
  CaseFilter f({"read,write"});
  EXPECT_TRUE(f.MaySelectFamily("read"));
  EXPECT_TRUE(f.MaySelectFamily("write"));
  EXPECT_FALSE(f.MaySelectFamily("open"));
}

TEST(CaseFilterTest, WildcardFamilyWithCasePattern) {
  CaseFilter f({"*.*Zero*"});
  EXPECT_TRUE(f.MaySelectFamily("anything"));
  EXPECT_TRUE(f.Selects("read", "ReadTest.ZeroBytes"));
  EXPECT_FALSE(f.Selects("read", "ReadTest.OneByte"));
}

}  // namespace
}  // namespace runsc::compat
