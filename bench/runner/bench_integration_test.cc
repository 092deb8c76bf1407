// The real runsc-bench binary, quick: the fake program (every way a
// benchmark can fail) natively and under the fake OCI runtime, the real
// workloads natively and under runsc, and a runtime that is not installed.
// Never a timing assertion: only that numbers exist and are positive, and
// that every failure is reported as one.
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "test/syscalls/runner/runner_integration_test_support.h"

namespace {

namespace fs = std::filesystem;

using runsc::compat::testing_support::ReadFile;
using BenchRun = runsc::compat::testing_support::RunnerRun;

class BenchIntegrationTest : public runsc::compat::testing_support::RunnerIntegrationTest {
 protected:
  BenchIntegrationTest() : RunnerIntegrationTest("runsc_bench_integration") {}

  // Runs runsc-bench with `args` (shell words) after --out and --work-dir.
  BenchRun RunBench(const std::string& args) {
    const std::string out = dir_ + "/out";
    const std::string err = dir_ + "/stderr";
    const std::string cmd = absl::StrCat(RUNSC_BENCH_BINARY, " --out ", out, " --work-dir ", dir_,
                                         " ", args);
    return runsc::compat::testing_support::RunRunner(cmd, out, err);
  }

  void ExpectWorkDirGone() {
    for (const auto& entry : fs::directory_iterator(dir_)) {
      EXPECT_FALSE(entry.path().filename().string().starts_with("runsc-bench-")) << entry.path();
    }
  }
};

// "name/runtime" -> the result object.
std::map<std::string, nlohmann::json> ByKey(const nlohmann::json& results) {
  std::map<std::string, nlohmann::json> out;
  for (const auto& b : results["benchmarks"]) {
    out[b["name"].get<std::string>() + "/" + b["runtime"].get<std::string>()] = b;
  }
  return out;
}

void ExpectNumber(const std::map<std::string, nlohmann::json>& r, const std::string& key,
                  const std::string& unit) {
  ASSERT_TRUE(r.count(key)) << key;
  const nlohmann::json& b = r.at(key);
  ASSERT_TRUE(b["value"].is_number()) << key << ": " << b.dump();
  EXPECT_GT(b["value"].get<double>(), 0) << key;
  EXPECT_EQ(b["unit"], unit) << key;
  EXPECT_FALSE(b.contains("error")) << key;
}

void ExpectFailure(const std::map<std::string, nlohmann::json>& r, const std::string& key,
                   const std::string& reason) {
  ASSERT_TRUE(r.count(key)) << key;
  const nlohmann::json& b = r.at(key);
  EXPECT_TRUE(b["value"].is_null()) << key << ": " << b.dump();
  ASSERT_TRUE(b["error"].is_string()) << key << ": " << b.dump();
  EXPECT_NE(b["error"].get<std::string>().find(reason), std::string::npos)
      << key << ": " << b["error"] << " lacks " << reason;
}

const std::string kFake =
    std::string("fake='") + RUNSC_COMPAT_FAKE_OCI_RUNTIME + " --fake-flag'";

TEST_F(BenchIntegrationTest, CrashesHangsGarbageAndMissingRuntimesAreNeverNumbers) {
  BenchRun run = RunBench(absl::StrCat(
      "--program ", RUNSC_BENCH_FAKE_WORKLOADS, " --runtime native --runtime ", kFake,
      " --runtime ghost=/nonexistent/ghost-runtime --repetitions 1 --startup-runs 2 --timeout 3"
      " --gnuplot /nonexistent/gnuplot"));
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  auto r = ByKey(run.results);
  for (const char* runtime : {"native", "fake"}) {
    SCOPED_TRACE(runtime);
    const std::string rt = runtime;
    ExpectNumber(r, "good/" + rt, "ns");
    EXPECT_EQ(r["good/" + rt]["value"], 123.0);
    ExpectFailure(r, "crash/" + rt, "killed by SIGABRT: fake: about to abort");
    ExpectFailure(r, "hang/" + rt, "hung: timed out");
    ExpectFailure(r, "garbage/" + rt, "unparsable output");
    ExpectFailure(r, "error/" + rt, "benchmark error: open /bench/data/x: No such file");
    ExpectFailure(r, "missing/" + rt, "no result for missing");
    ExpectFailure(r, "zero/" + rt, "bad value");
    ExpectNumber(r, "startup/" + rt, "ms");
  }
  ExpectFailure(r, "crash/native", "crashed: killed by SIGABRT");
  // The fake runtime has no create: idle_rss fails, saying where.
  ExpectFailure(r, "idle_rss/fake", "fake create exited 2");
  EXPECT_FALSE(r.count("idle_rss/native"));  // Does not apply.
  for (const char* name : {"good", "crash", "startup", "idle_rss"}) {
    ExpectFailure(r, std::string(name) + "/ghost", "runtime not available");
  }
  EXPECT_EQ(run.results["runtimes"][2]["available"], false);
  EXPECT_NE(run.stderr_text.find("\"ghost\" is not available"), std::string::npos)
      << run.stderr_text;
  EXPECT_NE(run.report.find("- `hang` under fake: hung: timed out"), std::string::npos)
      << run.report;
  EXPECT_NE(run.report.find("| good | ns | 123 | 123 | **failed** | 1.00× |"), std::string::npos)
      << run.report;
  EXPECT_NE(run.report.find("No chart: gnuplot is not installed"), std::string::npos)
      << run.report;
  EXPECT_TRUE(fs::exists(dir_ + "/out/logs/fake/crash.log"));
  ExpectWorkDirGone();
}

TEST_F(BenchIntegrationTest, QuickRunOfTheRealWorkloadsUnderRunsc) {
  if (geteuid() != 0) GTEST_SKIP() << "runsc needs root";
  const char* runsc = getenv("RUNSC_BINARY");
  ASSERT_NE(runsc, nullptr);
  BenchRun run = RunBench(absl::StrCat(
      "--runtime native --runtime runsc-ptrace='", runsc, " --platform=ptrace'",
      " --runtime ghost=/nonexistent/ghost-runtime --filter getppid,read_4k,startup,idle_rss"
      " --repetitions 1 --min-time 0.01 --startup-runs 2 --timeout 60"));
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  auto r = ByKey(run.results);
  for (const char* runtime : {"native", "runsc-ptrace"}) {
    SCOPED_TRACE(runtime);
    ExpectNumber(r, std::string("getppid/") + runtime, "ns");
    ExpectNumber(r, std::string("read_4k/") + runtime, "ns");
    ExpectNumber(r, std::string("startup/") + runtime, "ms");
  }
  ExpectNumber(r, "idle_rss/runsc-ptrace", "MB");
  EXPECT_NE(r["idle_rss/runsc-ptrace"].value("detail", "").find("processes"), std::string::npos)
      << r["idle_rss/runsc-ptrace"];
  ExpectFailure(r, "getppid/ghost", "runtime not available");
  EXPECT_NE(run.report.find("runsc-ptrace ÷ native"), std::string::npos) << run.report;
  ExpectWorkDirGone();
}

TEST_F(BenchIntegrationTest, BadUsageIsExit2) {
  const std::string fake = absl::StrCat("--program ", RUNSC_BENCH_FAKE_WORKLOADS, " ");
  EXPECT_EQ(RunBench(fake + "--runtime native=/bin/true").exit_code, 2);
  EXPECT_EQ(RunBench(fake + "--filter no_such_benchmark").exit_code, 2);
  EXPECT_EQ(RunBench(fake + "--runtime 'a=/bin/sh' --runtime 'a=/bin/sh'").exit_code, 2);
  // A program that cannot even list its benchmarks.
  EXPECT_EQ(RunBench("--program /nonexistent/program").exit_code, 2);
  ExpectWorkDirGone();
}

}  // namespace
