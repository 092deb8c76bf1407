#include "test/syscalls/runner/runtime_spec.h"

#include "gtest/gtest.h"

namespace runsc::compat {
namespace {

using Words = std::vector<std::string>;

TEST(SplitCommandLineTest, BlanksQuotesAndEscapes) {
  EXPECT_EQ(*SplitCommandLine("build/runsc --platform=ptrace"),
            (Words{"build/runsc", "--platform=ptrace"}));
  EXPECT_EQ(*SplitCommandLine("  a  'b c'  \"d 'e'\" f\\ g ''"),
            (Words{"a", "b c", "d 'e'", "f g", ""}));
  EXPECT_TRUE(SplitCommandLine("").value().empty());
  EXPECT_FALSE(SplitCommandLine("'open").ok());
  EXPECT_FALSE(SplitCommandLine("trailing\\").ok());
}

TEST(ParseRuntimeFlagTest, Native) {
  RuntimeSpec spec = *ParseRuntimeFlag("native", "");
  EXPECT_TRUE(spec.native);
  EXPECT_EQ(spec.name, "native");
  EXPECT_TRUE(spec.unavailable.empty());
  EXPECT_FALSE(ParseRuntimeFlag("native=/bin/true", "/bin").ok());
}

TEST(ParseRuntimeFlagTest, NamedCommandIsResolvedInPath) {
  RuntimeSpec spec = *ParseRuntimeFlag("mine=sh -c 'exit 0'", "/nonexistent:/bin:/usr/bin");
  EXPECT_FALSE(spec.native);
  EXPECT_EQ(spec.name, "mine");
  ASSERT_EQ(spec.command.size(), 3u);
  EXPECT_EQ(spec.command[0].front(), '/');
  EXPECT_TRUE(spec.command[0].ends_with("/sh"));
  EXPECT_EQ(spec.command[2], "exit 0");
  EXPECT_TRUE(spec.unavailable.empty());
}

TEST(ParseRuntimeFlagTest, UnnamedCommandIsNamedAfterIt) {
  RuntimeSpec spec = *ParseRuntimeFlag("/bin/sh", "");
  EXPECT_EQ(spec.name, "sh");
  EXPECT_EQ(spec.command, (Words{"/bin/sh"}));
}

TEST(ParseRuntimeFlagTest, RelativePathsBecomeAbsolute) {
  RuntimeSpec spec = *ParseRuntimeFlag("x=./no-such-runtime --flag", "");
  EXPECT_EQ(spec.command[0].front(), '/') << spec.command[0];
  EXPECT_TRUE(spec.command[0].ends_with("/no-such-runtime")) << spec.command[0];
  EXPECT_EQ(spec.unavailable.front(), '/') << spec.unavailable;
}

TEST(ParseRuntimeFlagTest, AMissingCommandIsUnavailableNotAnError) {
  RuntimeSpec spec = *ParseRuntimeFlag("ghost=/nonexistent/runc", "/bin");
  EXPECT_EQ(spec.name, "ghost");
  EXPECT_NE(spec.unavailable.find("/nonexistent/runc: not found"), std::string::npos)
      << spec.unavailable;
  spec = *ParseRuntimeFlag("ghost=no-such-runtime-anywhere", "/bin:/usr/bin");
  EXPECT_NE(spec.unavailable.find("not found in PATH"), std::string::npos) << spec.unavailable;
  spec = *ParseRuntimeFlag("dir=/tmp", "");
  EXPECT_NE(spec.unavailable.find("not an executable file"), std::string::npos) << spec.unavailable;
}

TEST(ParseRuntimeFlagTest, MeaninglessValuesAreErrors) {
  EXPECT_FALSE(ParseRuntimeFlag("empty=", "/bin").ok());
  EXPECT_FALSE(ParseRuntimeFlag("", "/bin").ok());
  EXPECT_FALSE(ParseRuntimeFlag("bad name=/bin/sh", "/bin").ok());
  EXPECT_FALSE(ParseRuntimeFlag("a/b=/bin/sh", "/bin").ok());
  EXPECT_FALSE(ParseRuntimeFlag("q=/bin/sh 'x", "/bin").ok());
}

TEST(QuoteForShellTest, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(QuoteForShell("build/runsc"), "build/runsc");
  EXPECT_EQ(QuoteForShell("runsc-ptrace=build/runsc --platform=ptrace"),
            "'runsc-ptrace=build/runsc --platform=ptrace'");
  EXPECT_EQ(QuoteForShell("it's"), "'it'\\''s'");
  EXPECT_EQ(QuoteForShell(""), "''");
  // What it quotes splits back into the same word.
  for (const char* word : {"a b", "it's", "$HOME", "x\"y"}) {
    absl::StatusOr<std::vector<std::string>> words = SplitCommandLine(QuoteForShell(word));
    ASSERT_TRUE(words.ok()) << word;
    EXPECT_EQ(*words, std::vector<std::string>{word});
  }
}

}  // namespace
}  // namespace runsc::compat
