// The fixture shared by the e2e tests that drive runsc's lifecycle (split
// out of lifecycle_test.cc): a private state root, bundles, runsc
// invocations with the platform under test, and waiting without asserting
// how long anything took.
#ifndef RUNSC_TEST_E2E_RUNSC_FIXTURE_H_
#define RUNSC_TEST_E2E_RUNSC_FIXTURE_H_

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/poll_until.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "test/e2e/test_bundle.h"

namespace runsc::testing {

// How long a test waits for a container to reach a state. Generous: the
// machines are shared and slow; a healthy run takes a fraction of it.
inline constexpr absl::Duration kDeadline = absl::Seconds(30);

inline void WriteFileOrFail(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  out.close();
  ASSERT_TRUE(out) << "writing " << path;
}

// Waits until `done()` holds or the deadline passes; false if it never did.
template <typename Predicate>
bool WaitFor(Predicate done) {
  return PollUntil(std::move(done), kDeadline, absl::Milliseconds(20));
}

// The descriptors a process gets as 0, 1 and 2; -1 means /dev/null.
struct Stdio {
  int in = -1, out = -1, err = -1;
};

// Runs runsc with `stdio` as its standard descriptors and returns its exit
// code (-1 after a timeout). This is how containerd runs `create`: the
// sandbox inherits the descriptors and keeps using them after runsc has
// exited, so they must be files or pipes the test owns, not RunCommand's
// capture pipes, which close when RunCommand returns.
inline int RunWithStdio(const std::vector<std::string>& argv, Stdio stdio) {
  const std::string binary = RunscBinary();
  std::vector<std::string> full = {binary};
  full.insert(full.end(), argv.begin(), argv.end());
  std::vector<char*> cargv;
  for (const auto& a : full) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << strerror(errno);
    return -1;
  }
  if (pid == 0) {
    int null_fd = open("/dev/null", O_RDWR);
    dup2(stdio.in >= 0 ? stdio.in : null_fd, 0);
    dup2(stdio.out >= 0 ? stdio.out : null_fd, 1);
    dup2(stdio.err >= 0 ? stdio.err : null_fd, 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  int status = 0;
  bool exited = WaitFor([&] { return waitpid(pid, &status, WNOHANG) == pid; });
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    ADD_FAILURE() << "runsc " << absl::StrJoin(argv, " ") << " timed out";
    return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

// Waits for the sandbox `pid`, which has become our child (TestRoot makes the
// test a subreaper and `runsc create` has exited), and returns its exit code:
// the container's, per DESIGN §7.
inline int ReapSandbox(pid_t pid) {
  int status = 0;
  pid_t reaped = -1;
  bool exited = WaitFor([&] {
    reaped = waitpid(pid, &status, WNOHANG);
    return reaped != 0;
  });
  if (!exited || reaped != pid) {
    ADD_FAILURE() << "sandbox " << pid << " was not reaped: " << strerror(errno);
    return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

struct StateResult {
  int exit_code = -1;
  nlohmann::json json;  // The parsed stdout of `runsc state`, or null.
  std::string err;
  std::string status() const {
    return json.is_object() && json.contains("status") && json["status"].is_string()
               ? json["status"].get<std::string>()
               : "";
  }
};

// Shared by the lifecycle fixtures: a private state root, bundles, and runsc
// invocations with the platform under test.
class RunscTestBase {
 protected:
  virtual ~RunscTestBase() = default;
  virtual std::string Platform() const = 0;

  // runsc's argv: {"--root", R, "--platform", P, args...}.
  std::vector<std::string> Runsc(std::vector<std::string> args) const {
    std::vector<std::string> full = {"--platform", Platform()};
    full.insert(full.end(), args.begin(), args.end());
    return root_.Args(full);
  }

  static std::unique_ptr<TestBundle> NewBundle(std::vector<std::string> args) {
    return NewBundleOrFail(std::move(args));
  }

  StateResult State(const std::string& id) const {
    CommandResult r = RunCommand(Runsc({"state", id}));
    StateResult s;
    s.exit_code = r.exit_code;
    s.err = r.err;
    s.json = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    return s;
  }

  // Polls `runsc state` until the status is `want`; returns the last status.
  std::string WaitForStatus(const std::string& id, const std::string& want) const {
    std::string last;
    WaitFor([&] {
      last = State(id).status();
      return last == want;
    });
    return last;
  }

  // `create` with the container's stdio on /dev/null, and the sandbox's pid.
  pid_t Create(const TestBundle& bundle, const std::string& id) const {
    const std::string pid_file = absl::StrCat(bundle.dir(), "/", id, ".pid");
    const std::string err_file = absl::StrCat(bundle.dir(), "/", id, ".create-stderr");
    int err_fd = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = RunWithStdio(
        Runsc({"create", "--bundle", bundle.dir(), "--pid-file", pid_file, id}), {.err = err_fd});
    close(err_fd);
    if (rc != 0) {
      ADD_FAILURE() << "create " << id << " exited " << rc << ": " << ReadFile(err_file);
      return -1;
    }
    int pid = -1;
    if (!absl::SimpleAtoi(ReadFile(pid_file), &pid)) {
      ADD_FAILURE() << "pid file of " << id << ": \"" << ReadFile(pid_file) << "\"";
    }
    return pid;
  }

  // create + start, and the sandbox's pid.
  pid_t CreateAndStart(const TestBundle& bundle, const std::string& id) const {
    pid_t pid = Create(bundle, id);
    if (pid <= 0) return pid;
    CommandResult start = RunCommand(Runsc({"start", id}));
    EXPECT_EQ(start.exit_code, 0) << start.err;
    return pid;
  }

  // What must hold once a container is deleted: runsc state does not know
  // it, no state directory and no process of the sandbox is left.
  void ExpectGone(const std::string& id) const {
    StateResult s = State(id);
    EXPECT_NE(s.exit_code, 0);
    EXPECT_THAT(s.err, ::testing::HasSubstr(absl::StrCat("container \"", id, "\" does not exist")));
    EXPECT_FALSE(std::filesystem::exists(absl::StrCat(root_.path(), "/", id)));
    EXPECT_THAT(LiveProcessesMentioning(root_.path()), ::testing::IsEmpty());
  }

  TestRoot root_;
};

}  // namespace runsc::testing

#endif  // RUNSC_TEST_E2E_RUNSC_FIXTURE_H_
