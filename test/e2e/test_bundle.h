// Helpers for tests that drive the runsc binary end to end: an OCI bundle
// with a busybox rootfs, a private state root, and a way to run a command
// with a timeout and captured output.
//
// Tests find the binary through the RUNSC_BINARY environment variable, which
// runsc_test() sets to build/runsc.
#ifndef RUNSC_TEST_E2E_TEST_BUNDLE_H_
#define RUNSC_TEST_E2E_TEST_BUNDLE_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace runsc::testing {

struct BundleOptions {
  std::vector<std::string> args = {"/bin/sh", "-c", "true"};
  std::vector<std::string> env = {"PATH=/bin:/usr/bin"};
  std::string cwd = "/";
  bool readonly_root = false;
  bool terminal = false;
};

// A temporary directory holding an OCI bundle:
//   config.json   built from BundleOptions (edit with config() + WriteConfig())
//   rootfs/       /bin/busybox (a copy of the host's static busybox) with one
//                 symlink per applet in /bin, /etc/passwd, /etc/group, and
//                 empty /tmp, /proc, /dev.
// The directory is removed in the destructor.
class TestBundle {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<TestBundle>> Create(
      const BundleOptions& options);
  ~TestBundle();
  TestBundle(const TestBundle&) = delete;
  TestBundle& operator=(const TestBundle&) = delete;

  const std::string& dir() const { return dir_; }
  std::string rootfs() const { return dir_ + "/rootfs"; }
  // The parsed config.json; changes reach the file with WriteConfig().
  nlohmann::json& config() { return config_; }
  [[nodiscard]] absl::Status WriteConfig();

 private:
  explicit TestBundle(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
  nlohmann::json config_;
};

struct CommandResult {
  int exit_code = -1;  // Exit code, 128+signal if killed, -1 on timeout or spawn failure.
  std::string out, err;
};

// The runsc binary under test: $RUNSC_BINARY, else "runsc" in $RUNSC_BUILD_DIR.
std::string RunscBinary();

// A static testcase binary (test/testcases/, runsc_testcase_<x>) by name:
// in $RUNSC_TESTCASE_DIR, else where the build put them.
std::string TestcasePath(const std::string& name);

struct RunOptions {
  std::string input;        // Written to stdin, which is then closed.
  int stdin_fd = -1;        // If >= 0, used as stdin instead of `input` (not closed).
  int timeout_seconds = 60;
};

// Runs the runsc binary with `argv` (argv[0] is NOT the binary: {"--root", r,
// "state", "x"}; a temp --root is added by the caller), captures stdout and
// stderr, and returns once the process has exited. Output written by
// processes that outlive it (a sandbox that inherited create's stdio) after
// its exit is not waited for. On timeout the process is killed with SIGKILL,
// a test failure is added and exit_code is -1.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& input = "",
                         int timeout_seconds = 60);
CommandResult RunCommand(const std::vector<std::string>& argv, const RunOptions& options);

// The same for any program: argv[0] is its path (no PATH search). Used by the
// client tests to drive ctr, podman and docker.
CommandResult RunProgram(const std::vector<std::string>& argv, const RunOptions& options = {});

// A fresh temporary state root for `runsc --root`. The destructor deletes
// every container still in it (runsc delete --force), reaps sandboxes that
// were re-parented to this test process and removes the directory.
//
// The first TestRoot makes the test process a child subreaper, so sandboxes
// whose runsc create has exited become its children and do not linger as
// zombies of an init that may not reap.
class TestRoot {
 public:
  TestRoot();
  ~TestRoot();
  TestRoot(const TestRoot&) = delete;
  TestRoot& operator=(const TestRoot&) = delete;

  const std::string& path() const { return path_; }
  // {"--root", path(), args...}
  std::vector<std::string> Args(std::vector<std::string> args) const;

 private:
  std::string path_;
};

// Host pids of live (not zombie) processes whose command line contains
// `needle`, the calling process excluded. Used to check that nothing is left
// behind: sandbox processes carry the state root in their command line.
std::vector<pid_t> LiveProcessesMentioning(const std::string& needle);

// True while `pid` exists and is not a zombie.
bool ProcessIsLive(pid_t pid);

// Every line of `path` that parses as a JSON object; unparsable lines are skipped.
std::vector<nlohmann::json> ReadJsonLines(const std::string& path);

// The platforms every test that runs a sandbox is parameterised over.
inline const std::vector<std::string> kPlatforms = {"ptrace", "systrap"};

// The whole contents of `path`, or "" if it cannot be read.
std::string ReadFile(const std::string& path);

// A bundle running `args` with default options; nullptr, and a test
// failure, if it cannot be made.
std::unique_ptr<TestBundle> NewBundleOrFail(std::vector<std::string> args);

}  // namespace runsc::testing

#endif  // RUNSC_TEST_E2E_TEST_BUNDLE_H_
