// FamilyRunner's verdict rules, on scripted launches: no process runs here.
#include "test/syscalls/runner/family_runner.h"

#include <deque>
#include <sstream>

#include "absl/strings/str_join.h"
#include "gtest/gtest.h"

namespace runsc::compat {
namespace {

using End = SubprocessResult::End;

SubprocessResult Exited(int code, std::string out, std::string err = "") {
  SubprocessResult r;
  r.end = End::kExited;
  r.exit_code = code;
  r.stdout_text = std::move(out);
  r.stderr_text = std::move(err);
  return r;
}

SubprocessResult Signaled(int sig, std::string out) {
  SubprocessResult r = Exited(0, std::move(out));
  r.end = End::kSignaled;
  r.signal = sig;
  return r;
}

SubprocessResult TimedOut(std::string out) {
  SubprocessResult r = Exited(0, std::move(out));
  r.end = End::kTimedOut;
  return r;
}

std::string Started(const std::string& name) { return "[ RUN      ] " + name + "\n"; }
std::string Ok(const std::string& name) {
  return Started(name) + "[       OK ] " + name + " (0 ms)\n";
}
std::string Failed(const std::string& name) {
  return Started(name) + "x.cc:1: Failure\n[  FAILED  ] " + name + " (0 ms)\n";
}
std::string Skipped(const std::string& name) {
  return Started(name) + "[  SKIPPED ] " + name + " (0 ms)\n";
}

// Plays back one result per launch and records the arguments.
class ScriptedLauncher : public Launcher {
 public:
  explicit ScriptedLauncher(std::deque<SubprocessResult> script) : script_(std::move(script)) {}
  SubprocessResult Launch(const std::string&, const std::vector<std::string>& args,
                          OutputWatcher&) override {
    launches.push_back(absl::StrJoin(args, " "));
    if (script_.empty()) {
      ADD_FAILURE() << "unexpected launch: " << launches.back();
      return Exited(99, "");
    }
    SubprocessResult r = std::move(script_.front());
    script_.pop_front();
    return r;
  }
  std::vector<std::string> launches;
  size_t left() const { return script_.size(); }

 private:
  std::deque<SubprocessResult> script_;
};

const std::vector<std::string> kCases = {"S.A", "S.B", "S.C", "S.D"};

FamilyOutcome RunScript(ScriptedLauncher& launcher, const std::vector<std::string>& cases = kCases,
                        bool whole = true) {
  std::ostringstream log;
  FamilyRunner runner(launcher, absl::Seconds(3), &log);
  FamilyOutcome out = runner.Run("/bin/fake", cases, whole);
  EXPECT_EQ(launcher.left(), 0u) << "launches not made";
  EXPECT_EQ(out.cases.size(), cases.size());
  return out;
}

Verdict V(const FamilyOutcome& o, const std::string& name) { return o.cases.at(name).verdict; }

TEST(FamilyRunnerTest, OneLaunchWhenEverythingEnds) {
  ScriptedLauncher launcher(
      {Exited(1, Ok("S.A") + Failed("S.B") + Skipped("S.C") + Ok("S.D") + "[  FAILED  ] S.B\n")});
  FamilyOutcome o = RunScript(launcher);
  EXPECT_EQ(launcher.launches, (std::vector<std::string>{"--gtest_color=no"}));
  EXPECT_EQ(V(o, "S.A"), Verdict::kPass);
  EXPECT_EQ(V(o, "S.B"), Verdict::kFail);
  EXPECT_EQ(o.cases.at("S.B").detail, "FAILED at x.cc:1");
  EXPECT_EQ(V(o, "S.C"), Verdict::kSkip);
  EXPECT_EQ(V(o, "S.D"), Verdict::kPass);
  EXPECT_EQ(o.launches, 1);
}

TEST(FamilyRunnerTest, AFilteredFamilyNamesItsCases) {
  ScriptedLauncher launcher({Exited(0, Ok("S.A") + Ok("S.C"))});
  RunScript(launcher, {"S.A", "S.C"}, /*whole=*/false);
  EXPECT_EQ(launcher.launches,
            (std::vector<std::string>{"--gtest_color=no --gtest_filter=S.A:S.C"}));
}

TEST(FamilyRunnerTest, ACrashFailsTheCaseAndTheRestRunOneByOne) {
  ScriptedLauncher launcher({
      Signaled(SIGSEGV, Ok("S.A") + Started("S.B")),  // The family run dies in S.B.
      Exited(0, Ok("S.C")),
      Exited(1, Failed("S.D")),
  });
  FamilyOutcome o = RunScript(launcher);
  EXPECT_EQ(launcher.launches,
            (std::vector<std::string>{"--gtest_color=no", "--gtest_color=no --gtest_filter=S.C",
                                      "--gtest_color=no --gtest_filter=S.D"}));
  EXPECT_EQ(V(o, "S.A"), Verdict::kPass);
  EXPECT_EQ(V(o, "S.B"), Verdict::kFail);
  EXPECT_EQ(o.cases.at("S.B").detail, "crashed: killed by SIGSEGV");
  EXPECT_EQ(V(o, "S.C"), Verdict::kPass);
  EXPECT_EQ(V(o, "S.D"), Verdict::kFail);
}

TEST(FamilyRunnerTest, AHangIsATimeoutAndTheRestRunOneByOne) {
  ScriptedLauncher launcher({
      TimedOut(Ok("S.A") + Started("S.B")),
      Exited(0, Ok("S.C")),
      TimedOut(Started("S.D")),
  });
  FamilyOutcome o = RunScript(launcher);
  EXPECT_EQ(V(o, "S.A"), Verdict::kPass);
  EXPECT_EQ(V(o, "S.B"), Verdict::kTimeout);
  EXPECT_EQ(V(o, "S.C"), Verdict::kPass);
  EXPECT_EQ(V(o, "S.D"), Verdict::kTimeout);
}

TEST(FamilyRunnerTest, AloneOkNeedsExitZero) {
  ScriptedLauncher launcher({
      Signaled(SIGABRT, Started("S.A")), Exited(1, Ok("S.B")),  // OK printed, exit 1: not a pass.
      Signaled(SIGKILL, Ok("S.C")),  // OK printed, then killed: not a pass.
      Exited(2, Skipped("S.D")),     // SKIPPED printed, exit 2: not a skip.
  });
  FamilyOutcome o = RunScript(launcher);
  EXPECT_EQ(V(o, "S.A"), Verdict::kFail);
  EXPECT_EQ(V(o, "S.B"), Verdict::kFail);
  EXPECT_EQ(o.cases.at("S.B").detail, "printed OK but exited 1");
  EXPECT_EQ(V(o, "S.C"), Verdict::kFail);
  EXPECT_EQ(o.cases.at("S.C").detail, "printed OK but killed by SIGKILL");
  EXPECT_EQ(V(o, "S.D"), Verdict::kFail);
}

TEST(FamilyRunnerTest, OkEverywhereButAFailedExitIsRecheckedOneByOne) {
  ScriptedLauncher launcher({
      Exited(1, Ok("S.A") + Ok("S.B") + Skipped("S.C") + Ok("S.D")),
      Exited(1, Ok("S.A")),
      Exited(0, Ok("S.B")),
      Exited(1, Skipped("S.C")),
      Exited(1, Ok("S.D")),
  });
  FamilyOutcome o = RunScript(launcher);
  EXPECT_EQ(V(o, "S.A"), Verdict::kFail);
  EXPECT_EQ(V(o, "S.B"), Verdict::kPass);
  EXPECT_EQ(V(o, "S.C"), Verdict::kFail);
  EXPECT_EQ(V(o, "S.D"), Verdict::kFail);
  ASSERT_FALSE(o.notes.empty());
}

TEST(FamilyRunnerTest, AFailureExplainsAFailedExit) {
  // gtest exits 1 because S.B failed: the other OKs stand.
  ScriptedLauncher launcher({Exited(1, Ok("S.A") + Failed("S.B") + Ok("S.C") + Ok("S.D"))});
  FamilyOutcome o = RunScript(launcher);
  EXPECT_EQ(V(o, "S.A"), Verdict::kPass);
  EXPECT_EQ(launcher.launches.size(), 1u);
}

TEST(FamilyRunnerTest, NothingPrintedIsNeverAPass) {
  ScriptedLauncher launcher({
      Exited(0, "Running main()\n"), Exited(0, "Running main()\n"),  // S.A alone: nothing either.
  });
  FamilyOutcome o = RunScript(launcher);
  for (const std::string& name : kCases) EXPECT_EQ(V(o, name), Verdict::kFail) << name;
  EXPECT_NE(o.cases.at("S.A").detail.find("printed no result"), std::string::npos)
      << o.cases.at("S.A").detail;
  // Rule 4: a binary that starts nothing twice is not launched per case.
  EXPECT_EQ(launcher.launches.size(), 2u);
  EXPECT_NE(o.cases.at("S.D").detail.find("not run"), std::string::npos);
}

TEST(FamilyRunnerTest, ARuntimeThatCannotStartGivesItsError) {
  ScriptedLauncher launcher({
      Exited(1, "", "runtime: container_linux.go:380: starting container: no such file\n"),
      Exited(1, "", "runtime: container_linux.go:380: starting container: no such file\n"),
  });
  FamilyOutcome o = RunScript(launcher);
  for (const std::string& name : kCases) EXPECT_EQ(V(o, name), Verdict::kFail) << name;
  EXPECT_NE(o.cases.at("S.C").detail.find("no such file"), std::string::npos)
      << o.cases.at("S.C").detail;
}

TEST(FamilyRunnerTest, AStartupHangIsATimeoutForAll) {
  ScriptedLauncher launcher({TimedOut(""), TimedOut("")});
  FamilyOutcome o = RunScript(launcher);
  for (const std::string& name : kCases) EXPECT_EQ(V(o, name), Verdict::kTimeout) << name;
  EXPECT_EQ(launcher.launches.size(), 2u);
}

TEST(FamilyRunnerTest, AFlakyStartIsRetriedCaseByCase) {
  // The family run started nothing, but alone the cases do run.
  ScriptedLauncher launcher({
      Exited(1, "", "sandbox died\n"),
      Exited(0, Ok("S.A")),
      Exited(0, Ok("S.B")),
      Exited(0, Ok("S.C")),
      Exited(1, Failed("S.D")),
  });
  FamilyOutcome o = RunScript(launcher);
  EXPECT_EQ(V(o, "S.A"), Verdict::kPass);
  EXPECT_EQ(V(o, "S.C"), Verdict::kPass);
  EXPECT_EQ(V(o, "S.D"), Verdict::kFail);
}

TEST(FamilyRunnerTest, ACaseThatPrintsOkAndThenHangsIsATimeoutAlone) {
  ScriptedLauncher launcher({
      TimedOut(Ok("S.A") + Ok("S.B") + Ok("S.C") + Ok("S.D")),  // Hung at exit.
      TimedOut(Ok("S.A")),
      Exited(0, Ok("S.B")),
      Exited(0, Ok("S.C")),
      Exited(0, Ok("S.D")),
  });
  FamilyOutcome o = RunScript(launcher);
  EXPECT_EQ(V(o, "S.A"), Verdict::kTimeout);
  EXPECT_EQ(V(o, "S.B"), Verdict::kPass);
}

TEST(FamilyRunnerTest, EveryLaunchIsLogged) {
  ScriptedLauncher launcher({Exited(0, Ok("S.A"), "some stderr")});
  std::ostringstream log;
  FamilyRunner runner(launcher, absl::Seconds(3), &log);
  runner.Run("/bin/fake", {"S.A"}, true);
  EXPECT_NE(log.str().find("/bin/fake --gtest_color=no"), std::string::npos) << log.str();
  EXPECT_NE(log.str().find("some stderr"), std::string::npos) << log.str();
  EXPECT_NE(log.str().find("exited 0"), std::string::npos) << log.str();
}

}  // namespace
}  // namespace runsc::compat
