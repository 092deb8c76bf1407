#include "test/syscalls/runner/subprocess.h"

#include <signal.h>
#include <stdlib.h>

#include <filesystem>

#include "gtest/gtest.h"

namespace runsc::compat {
namespace {

using End = SubprocessResult::End;

SubprocessSpec Shell(const std::string& script) { return {{"/bin/sh", "-c", script}, {}, ""}; }

TEST(SubprocessTest, CapturesStdoutStderrAndExitCode) {
  SubprocessResult r = RunSubprocess(Shell("echo out; echo err >&2; exit 3"), absl::Seconds(10));
  EXPECT_EQ(r.end, End::kExited);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.stdout_text, "out\n");
  EXPECT_EQ(r.stderr_text, "err\n");
  EXPECT_FALSE(r.Succeeded());
  EXPECT_EQ(r.Describe(), "exited 3");
}

TEST(SubprocessTest, ReportsTheKillingSignal) {
  SubprocessResult r = RunSubprocess(Shell("kill -SEGV $$"), absl::Seconds(10));
  EXPECT_EQ(r.end, End::kSignaled);
  EXPECT_EQ(r.signal, SIGSEGV);
  EXPECT_EQ(r.Describe(), "killed by SIGSEGV");
}

TEST(SubprocessTest, KillsTheGroupAtTheDeadline) {
  SubprocessResult r = RunSubprocess(Shell("echo started; sleep 1000"), absl::Milliseconds(300));
  EXPECT_EQ(r.end, End::kTimedOut);
  EXPECT_EQ(r.stdout_text, "started\n");
}

TEST(SubprocessTest, OutputFileTakesBothStreams) {
  char tmpl[] = "/tmp/subprocess_test.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  SubprocessSpec spec = Shell("echo out; echo err >&2; exit 4");
  spec.output_file = std::string(tmpl) + "/output";
  SubprocessResult r = RunSubprocess(spec, absl::Seconds(10));
  EXPECT_EQ(r.end, End::kExited);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.stdout_text, "");
  EXPECT_EQ(r.stderr_text, "out\nerr\n");
  // A directory that does not exist is a spawn failure, not a silent run.
  spec.output_file = std::string(tmpl) + "/missing/output";
  EXPECT_EQ(RunSubprocess(spec, absl::Seconds(10)).end, End::kSpawnFailed);
  std::filesystem::remove_all(tmpl);
}

TEST(SubprocessTest, AChildHoldingThePipeDoesNotHoldTheRun) {
  // The shell exits at once; its background child keeps stdout open. Were
  // the run to wait for EOF, it would time out.
  SubprocessResult r = RunSubprocess(Shell("sleep 1000 & echo done"), absl::Seconds(100));
  EXPECT_EQ(r.end, End::kExited);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.stdout_text, "done\n");
}

TEST(SubprocessTest, AMissingProgramIsASpawnFailure) {
  SubprocessResult r = RunSubprocess({{"/nonexistent/program"}, {}, ""}, absl::Seconds(10));
  EXPECT_EQ(r.end, End::kSpawnFailed);
  EXPECT_NE(r.Describe().find("/nonexistent/program"), std::string::npos) << r.Describe();
}

TEST(SubprocessTest, EnvironmentAndDirectoryAreTheSpecs) {
  SubprocessSpec spec = Shell("echo \"$ONLY\" \"$HOME\"; pwd");
  spec.env = std::vector<std::string>{"ONLY=this"};
  spec.cwd = "/";
  SubprocessResult r = RunSubprocess(spec, absl::Seconds(10));
  EXPECT_EQ(r.stdout_text, "this \n/\n");
}

// The deadline moves with what the watcher sees.
class Extending : public OutputWatcher {
 public:
  void OnStdout(absl::string_view) override { deadline_ = absl::Now() + absl::Milliseconds(1200); }
  absl::Time Deadline() const override { return deadline_; }

 private:
  absl::Time deadline_ = absl::Now() + absl::Milliseconds(1200);
};

TEST(SubprocessTest, OutputCanMoveTheDeadline) {
  Extending watcher;
  // 4 x 0.4 s is longer than one 1.2 s window, but each line restarts it.
  SubprocessResult r =
      RunSubprocess(Shell("for i in 1 2 3 4; do sleep 0.4; echo $i; done"), watcher);
  EXPECT_EQ(r.end, End::kExited) << r.Describe();
  EXPECT_EQ(r.stdout_text, "1\n2\n3\n4\n");
}

}  // namespace
}  // namespace runsc::compat
