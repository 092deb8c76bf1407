// Header-only help for the integration tests of runsc-compat
// (compat_integration_test.cc) and runsc-bench (bench/runner/
// bench_integration_test.cc): both run the real binary through the shell in
// a fresh temporary directory and read back what it wrote.
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_RUNNER_INTEGRATION_TEST_SUPPORT_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_RUNNER_INTEGRATION_TEST_SUPPORT_H_

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace runsc::compat::testing_support {

// What one run of a runner left: its exit status, its stderr, and the
// results.json (null if none) and report.md it wrote.
struct RunnerRun {
  int exit_code = -1;
  std::string stderr_text;
  nlohmann::json results;
  std::string report;
};

// The whole file; "" if it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs the shell line `command` with stderr to `err`, then reads
// <out>/results.json and <out>/report.md.
inline RunnerRun RunRunner(const std::string& command, const std::string& out,
                           const std::string& err) {
  const std::string cmd = absl::StrCat(command, " 2>", err);
  RunnerRun run;
  int status = system(cmd.c_str());
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.stderr_text = ReadFile(err);
  if (std::filesystem::exists(out + "/results.json")) {
    run.results = nlohmann::json::parse(ReadFile(out + "/results.json"));
  }
  run.report = ReadFile(out + "/report.md");
  return run;
}

// A fixture owning a fresh /tmp/<prefix>.XXXXXX (dir_), removed afterwards.
class RunnerIntegrationTest : public ::testing::Test {
 protected:
  explicit RunnerIntegrationTest(std::string prefix) : prefix_(std::move(prefix)) {}
  void SetUp() override {
    std::string tmpl = absl::StrCat("/tmp/", prefix_, ".XXXXXX");
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;

 private:
  const std::string prefix_;
};

}  // namespace runsc::compat::testing_support

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_RUNNER_INTEGRATION_TEST_SUPPORT_H_
