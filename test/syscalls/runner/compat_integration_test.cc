// The real runsc-compat binary on the fake families (testdata/): natively,
// under the fake OCI runtime, under a runtime that is not installed, and
// under runc when it is installed and we are root. Checks that crashes,
// hangs, lies and silence are never passes, and that the outputs exist.
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "test/syscalls/runner/runner_integration_test_support.h"

namespace {

namespace fs = std::filesystem;

using runsc::compat::testing_support::ReadFile;
using CompatRun = runsc::compat::testing_support::RunnerRun;

class CompatIntegrationTest : public runsc::compat::testing_support::RunnerIntegrationTest {
 protected:
  CompatIntegrationTest() : RunnerIntegrationTest("runsc_compat_integration") {}

  // Runs runsc-compat with `args` (shell words) after --tests and --out.
  CompatRun RunCompat(const std::string& args) {
    const std::string out = dir_ + "/out";
    const std::string err = dir_ + "/stderr";
    std::string cmd = absl::StrCat("RUNSC_COMPAT_FAKE_OCI_LOG=", dir_, "/oci.log ",
                                   RUNSC_COMPAT_BINARY, " --tests ", RUNSC_COMPAT_FAKE_TESTS_DIR,
                                   " --out ", out, " --work-dir ", dir_, " ", args);
    return runsc::compat::testing_support::RunRunner(cmd, out, err);
  }
};

// The container ids the fake OCI runtime ran, and those it deleted.
std::pair<std::set<std::string>, std::set<std::string>> RunsAndDeletes(const std::string& log) {
  std::set<std::string> ran, deleted;
  for (absl::string_view line : absl::StrSplit(ReadFile(log), '\n', absl::SkipEmpty())) {
    std::vector<std::string> words = absl::StrSplit(line, ' ');
    EXPECT_EQ(words.size(), 2u) << line;
    if (words.size() == 2) (words[0] == "run" ? ran : deleted).insert(words[1]);
  }
  return {ran, deleted};
}

// "fake_crash.Crash.Aborts" -> runtime -> verdict.
std::map<std::string, std::map<std::string, std::string>> Verdicts(const nlohmann::json& results) {
  std::map<std::string, std::map<std::string, std::string>> out;
  for (const auto& t : results["tests"]) {
    for (const auto& [rt, v] : t["results"].items()) out[t["name"]][rt] = v;
  }
  return out;
}

const std::string kFake = std::string("fake='") + RUNSC_COMPAT_FAKE_OCI_RUNTIME + " --fake-flag'";

TEST_F(CompatIntegrationTest, CrashesHangsLiesAndSilenceAreNeverPasses) {
  CompatRun run = RunCompat("--runtime native --runtime " + kFake +
                            " --runtime ghost=/nonexistent/ghost-runtime --timeout 2 --jobs 2");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(run.results["runtimes"], (nlohmann::json{"native", "fake", "ghost"}));
  auto v = Verdicts(run.results);
  const std::map<std::string, std::string> expected = {
      {"fake_good.Good.Passes", "pass"},          {"fake_good.Good.AlsoPasses", "pass"},
      {"fake_good.Good.Skips", "skip"},           {"fake_good.Good.FailsEverywhere", "fail"},
      {"fake_crash.Crash.Before", "pass"},        {"fake_crash.Crash.Aborts", "fail"},
      {"fake_crash.Crash.Segfaults", "fail"},     {"fake_crash.Crash.After", "pass"},
      {"fake_hang.Hang.Before", "pass"},          {"fake_hang.Hang.SleepsForever", "timeout"},
      {"fake_hang.Hang.After", "pass"},           {"fake_lies.Lies.PrintsOkThenExits1", "fail"},
      {"fake_lies.Lies.AlsoPrintsOk", "fail"},    {"fake_silent.Silent.PrintsNothing", "fail"},
      {"fake_silent.Silent.AlsoNothing", "fail"},
  };
  EXPECT_EQ(v.size(), expected.size());
  for (const auto& [name, verdict] : expected) {
    EXPECT_EQ(v[name]["native"], verdict) << name << " native\n" << run.stderr_text;
    EXPECT_EQ(v[name]["fake"], verdict) << name << " fake\n" << run.stderr_text;
    EXPECT_EQ(v[name]["ghost"], "skip") << name << " ghost";
  }

  // The missing runtime is said clearly, on stderr and in the report.
  EXPECT_NE(run.stderr_text.find("\"ghost\" is not available"), std::string::npos)
      << run.stderr_text;
  EXPECT_NE(run.report.find("**not available**: /nonexistent/ghost-runtime: not found"),
            std::string::npos)
      << run.report;
  // Natively failing cases are reported and not scored.
  EXPECT_NE(run.report.find("- `Good.FailsEverywhere` — native: fail: FAILED at fake_family.cc:1"),
            std::string::npos)
      << run.report;
  EXPECT_NE(run.report.find("- `Crash.Aborts` — native: fail: crashed: killed by SIGABRT"),
            std::string::npos)
      << run.report;
  EXPECT_TRUE(fs::exists(dir_ + "/out/logs/fake/fake_crash.log"));
  EXPECT_TRUE(fs::exists(dir_ + "/out/logs/native/fake_hang.log"));

  // Every container the fake runtime ran was deleted afterwards.
  auto [ran, deleted] = RunsAndDeletes(dir_ + "/oci.log");
  EXPECT_FALSE(ran.empty());
  EXPECT_EQ(ran, deleted);
  // The work directory (bundles, state) is gone.
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_FALSE(entry.path().filename().string().starts_with("runsc-compat-")) << entry.path();
  }
}

TEST_F(CompatIntegrationTest, WithoutGnuplotTheRestIsStillWritten) {
  CompatRun run = RunCompat("--runtime native --filter fake_good --gnuplot /nonexistent/gnuplot");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("gnuplot is not installed"), std::string::npos) << run.stderr_text;
  EXPECT_NE(run.report.find("No chart: gnuplot is not installed"), std::string::npos) << run.report;
  EXPECT_EQ(run.results["tests"].size(), 4u);
  EXPECT_FALSE(fs::exists(dir_ + "/out/report.svg"));
}

TEST_F(CompatIntegrationTest, FilterOnCaseNames) {
  CompatRun run = RunCompat("--filter 'fake_good.Good.*Passes' --gnuplot /nonexistent/gnuplot");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  auto v = Verdicts(run.results);
  EXPECT_EQ(v.size(), 2u);
  EXPECT_EQ(v["fake_good.Good.Passes"]["native"], "pass");
  EXPECT_EQ(v["fake_good.Good.AlsoPasses"]["native"], "pass");
}

TEST_F(CompatIntegrationTest, BadUsageIsExit2) {
  EXPECT_EQ(RunCompat("--runtime native=/bin/true").exit_code, 2);
  EXPECT_EQ(RunCompat("--filter no_such_family").exit_code, 2);
  EXPECT_EQ(RunCompat("--runtime 'a=/bin/sh' --runtime 'a=/bin/sh'").exit_code, 2);
}

TEST_F(CompatIntegrationTest, InterruptedRunsDeleteTheirContainers) {
  // The hang keeps a container running when SIGTERM arrives (--jobs 2: the
  // native run and the fake one run at once).
  const std::string cmd = absl::StrCat(
      "RUNSC_COMPAT_FAKE_OCI_LOG=", dir_, "/oci.log ", RUNSC_COMPAT_BINARY, " --tests ",
      RUNSC_COMPAT_FAKE_TESTS_DIR, " --out ", dir_, "/out --work-dir ", dir_,
      " --filter fake_hang --timeout 100 --jobs 2 --runtime ", kFake, " 2>", dir_,
      "/stderr & pid=$!; "
      // Until the fake runtime has started a container (at most ~60 s).
      "for i in $(seq 600); do grep -q '^run ' ",
      dir_,
      "/oci.log 2>/dev/null && break; sleep 0.1; done; "
      "kill -TERM $pid; wait $pid");
  int status = system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130) << ReadFile(dir_ + "/stderr");
  EXPECT_NE(ReadFile(dir_ + "/stderr").find("interrupted"), std::string::npos)
      << ReadFile(dir_ + "/stderr");
  auto [ran, deleted] = RunsAndDeletes(dir_ + "/oci.log");
  EXPECT_FALSE(ran.empty());
  EXPECT_EQ(ran, deleted);
  EXPECT_FALSE(fs::exists(dir_ + "/out/results.json"));
}

TEST_F(CompatIntegrationTest, RealRunc) {
  const char* runc = "/usr/sbin/runc";
  if (access(runc, X_OK) != 0) GTEST_SKIP() << runc << " is not installed";
  if (geteuid() != 0) GTEST_SKIP() << "runc needs root";
  CompatRun run = RunCompat(absl::StrCat(
      "--runtime runc=", runc, " --filter fake_crash --timeout 20 --gnuplot /nonexistent/gnuplot"));
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  auto v = Verdicts(run.results);
  EXPECT_EQ(v["fake_crash.Crash.Before"]["runc"], "pass") << run.report;
  EXPECT_EQ(v["fake_crash.Crash.Aborts"]["runc"], "fail") << run.report;
  EXPECT_EQ(v["fake_crash.Crash.Segfaults"]["runc"], "fail") << run.report;
  EXPECT_EQ(v["fake_crash.Crash.After"]["runc"], "pass") << run.report;
}

}  // namespace
