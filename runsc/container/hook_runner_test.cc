#include "runsc/container/hook_runner.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace runsc::container {
namespace {

using ::testing::HasSubstr;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A hook running `script` with /bin/sh; $0 in the script is `arg0`.
config::SpecHook Shell(const std::string& script, std::vector<std::string> env = {},
                       const std::string& arg0 = "hook") {
  config::SpecHook hook;
  hook.path = "/bin/sh";
  hook.args = {"sh", "-c", script, arg0};
  hook.env = std::move(env);
  return hook;
}

// True once `pid` is gone or a zombie; false if it still runs after a
// generous while (a SIGKILLed process dies at once; this only bounds a
// broken kill).
bool Dies(pid_t pid) {
  for (int i = 0; i < 1000; ++i) {
    std::string stat = Read(absl::StrCat("/proc/", pid, "/stat"));
    size_t paren = stat.rfind(')');
    if (stat.empty() || (paren != std::string::npos && stat.substr(paren + 2, 1) == "Z")) {
      return true;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

class HookRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/hooks-XXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) const { return absl::StrCat(dir_, "/", name); }
  std::string dir_;
};

TEST_F(HookRunnerTest, StateGoesToStdin) {
  const std::string state = R"({"ociVersion":"1.0.2","id":"abc","status":"creating","pid":42})";
  ASSERT_TRUE(HookRunner::RunHook(Shell("cat > \"$0\"", {}, Path("stdin")), state).ok());
  EXPECT_EQ(Read(Path("stdin")), state);
}

TEST_F(HookRunnerTest, ArgsAreTheArgvIncludingArgvZero) {
  config::SpecHook hook = Shell("echo \"$0 $1\" > \"$1\"", {}, "zero");
  hook.args.push_back(Path("argv"));
  ASSERT_TRUE(HookRunner::RunHook(hook, "{}").ok());
  EXPECT_EQ(Read(Path("argv")), absl::StrCat("zero ", Path("argv"), "\n"));
}

TEST_F(HookRunnerTest, EnvIsExactlyTheGivenOne) {
  // Set in runsc's environment: a hook must not see it.
  ASSERT_EQ(setenv("RUNSC_HOOK_TEST_LEAK", "leaked", 1), 0);
  config::SpecHook hook = Shell(
      "test \"$A\" = 1 && test \"$B\" = 'two words' && test -z \"${RUNSC_HOOK_TEST_LEAK+set}\" "
      "&& test -z \"${HOME+set}\" && touch \"$0\"",
      {"A=1", "B=two words"}, Path("ok"));
  absl::Status ran = HookRunner::RunHook(hook, "{}");
  unsetenv("RUNSC_HOOK_TEST_LEAK");
  EXPECT_TRUE(ran.ok()) << ran;
  EXPECT_TRUE(std::filesystem::exists(Path("ok")));
}

TEST_F(HookRunnerTest, NonZeroExitIsAnErrorWithItsOutput) {
  absl::Status ran = HookRunner::RunHook(Shell("echo said; echo boom >&2; exit 3"), "{}");
  EXPECT_FALSE(ran.ok());
  EXPECT_THAT(ran.message(), HasSubstr("exit status 3"));
  EXPECT_THAT(ran.message(), HasSubstr("stdout: said"));
  EXPECT_THAT(ran.message(), HasSubstr("stderr: boom"));
}

TEST_F(HookRunnerTest, DeathBySignalIsAnError) {
  absl::Status ran = HookRunner::RunHook(Shell("kill -TERM $$"), "{}");
  EXPECT_FALSE(ran.ok());
  EXPECT_THAT(ran.message(), HasSubstr(absl::StrCat("signal ", SIGTERM)));
}

TEST_F(HookRunnerTest, TimeoutKillsTheHookAndWhatItStarted) {
  config::SpecHook hook = Shell("sleep 600 & echo $! > \"$0\"; wait", {}, Path("child"));
  hook.timeout_seconds = 1;
  absl::Status ran = HookRunner::RunHook(hook, "{}");
  EXPECT_TRUE(absl::IsDeadlineExceeded(ran)) << ran;
  EXPECT_THAT(ran.message(), HasSubstr("ran past its timeout of 1s"));
  int child = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(Read(Path("child"))), &child));
  EXPECT_TRUE(Dies(child)) << "the hook's sleep " << child << " survived its timeout";
}

// A deadline computed with an overflow would be in the past and kill it.
TEST_F(HookRunnerTest, AHugeTimeoutIsNoTimeout) {
  config::SpecHook hook = Shell("exit 0");
  hook.timeout_seconds = int64_t{1} << 60;
  absl::Status ran = HookRunner::RunHook(hook, "{}");
  EXPECT_TRUE(ran.ok()) << ran;
}

TEST_F(HookRunnerTest, AProcessLeftHoldingItsOutputDoesNotHoldTheRunner) {
  // The sleep keeps the hook's stdout open after the hook has exited.
  ASSERT_TRUE(HookRunner::RunHook(Shell("sleep 600 & echo $! > \"$0\"", {}, Path("child")), "{}")
                  .ok());
  int child = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(Read(Path("child"))), &child));
  kill(child, SIGKILL);
}

TEST_F(HookRunnerTest, AHookThatIgnoresALargeStateDoesNotBlock) {
  std::string state(1 << 20, 'x');
  EXPECT_TRUE(HookRunner::RunHook(Shell("exit 0"), state).ok());
}

TEST_F(HookRunnerTest, AMissingBinaryIsReportedByName) {
  config::SpecHook hook;
  hook.path = Path("no-such-hook");
  absl::Status ran = HookRunner::RunHook(hook, "{}");
  EXPECT_FALSE(ran.ok());
  EXPECT_THAT(ran.message(),
              HasSubstr(absl::StrCat("cannot execute ", hook.path, ": No such file or directory")));
}

TEST_F(HookRunnerTest, RunStopsAtTheFirstFailureAndNamesIt) {
  config::SpecHooks hooks;
  hooks.create_runtime = {Shell("touch \"$0\"", {}, Path("first")), Shell("exit 5"),
                          Shell("touch \"$0\"", {}, Path("third"))};
  absl::Status ran = HookRunner(hooks).Run(HookKind::kCreateRuntime, "{}");
  EXPECT_FALSE(ran.ok());
  EXPECT_THAT(ran.message(), HasSubstr("error running createRuntime hook #1 (/bin/sh): exit status 5"));
  EXPECT_TRUE(std::filesystem::exists(Path("first")));
  EXPECT_FALSE(std::filesystem::exists(Path("third")));
  // Other kinds are other lists.
  EXPECT_TRUE(HookRunner(hooks).Run(HookKind::kCreateContainer, "{}").ok());
}

TEST_F(HookRunnerTest, BestEffortRunsEveryHook) {
  config::SpecHooks hooks;
  hooks.poststop = {Shell("exit 1"), Shell("touch \"$0\"", {}, Path("second"))};
  HookRunner(hooks).RunBestEffort(HookKind::kPoststop, "{}");
  EXPECT_TRUE(std::filesystem::exists(Path("second")));
}

}  // namespace
}  // namespace runsc::container
