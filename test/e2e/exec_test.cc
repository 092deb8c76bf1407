// runsc exec, ps, pause and resume against a running busybox container,
// driven through the runsc binary as containerd's shim drives it (DESIGN §7,
// issue 5 item 1).
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "test/e2e/runsc_fixture.h"
#include "test/e2e/test_bundle.h"

namespace runsc::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

class ExecTest : public RunscTestBase, public ::testing::TestWithParam<std::string> {
 protected:
  std::string Platform() const override { return GetParam(); }

  // A running container whose init sleeps; its sandbox pid in `sandbox_`.
  void StartSleeper(const std::string& id) {
    bundle_ = NewBundle({"/bin/sleep", "1000"});
    ASSERT_NE(bundle_, nullptr);
    sandbox_ = CreateAndStart(*bundle_, id);
    ASSERT_GT(sandbox_, 0);
    ASSERT_EQ(WaitForStatus(id, "running"), "running");
  }

  std::unique_ptr<TestBundle> bundle_;
  pid_t sandbox_ = -1;
};

TEST_P(ExecTest, ExecRunsInTheContainerWithItsOutputAndExitCode) {
  StartSleeper("exec-basic");
  CommandResult r = RunCommand(
      Runsc({"exec", "exec-basic", "/bin/sh", "-c", "echo hi; echo oops >&2; ls /bin/sleep; exit 3"}));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.out, "hi\n/bin/sleep\n");
  EXPECT_THAT(r.err, HasSubstr("oops\n"));
  // The container is untouched and takes another exec.
  EXPECT_EQ(State("exec-basic").status(), "running");
  r = RunCommand(Runsc({"exec", "exec-basic", "cat"}), "from stdin\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "from stdin\n");
}

TEST_P(ExecTest, FlagsSetEnvCwdAndUser) {
  StartSleeper("exec-flags");
  CommandResult r = RunCommand(Runsc({"exec", "--env", "FOO=bar", "--cwd", "/tmp", "--user",
                                      "1000:1001", "exec-flags", "/bin/sh", "-c",
                                      "echo $FOO; pwd; id -u; id -g; echo $PATH"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // PATH comes from the container's config.json, as with runc.
  EXPECT_EQ(r.out, "bar\n/tmp\n1000\n1001\n/bin:/usr/bin\n");
}

TEST_P(ExecTest, ProcessJsonIsTheProcess) {
  StartSleeper("exec-process");
  const std::string process = absl::StrCat(bundle_->dir(), "/process.json");
  WriteFileOrFail(process, R"({"terminal": false, "user": {"uid": 0, "gid": 0},
      "args": ["/bin/sh", "-c", "echo $WHO in $(pwd); grep -i ^ppid /proc/self/status"],
      "env": ["PATH=/bin", "WHO=me"], "cwd": "/bin",
      "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"],
                       "permitted": ["CAP_KILL"]}})");
  CommandResult r = RunCommand(Runsc({"exec", "--process", process, "exec-process"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // ppid 0: exec'd processes come from outside the container, as with runc.
  EXPECT_EQ(r.out, "me in /bin\nPPid:\t0\n");
  r = RunCommand(Runsc({"exec", "--process", process, "exec-process"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // The capabilities from process.json are applied.
  WriteFileOrFail(process, R"({"args": ["/bin/grep", "CapEff", "/proc/self/status"], "cwd": "/",
      "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"]}})");
  r = RunCommand(Runsc({"exec", "-p", process, "exec-process"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "CapEff:\t0000000000000020\n");
}

TEST_P(ExecTest, KillStopAndContStopAndContinueTheInit) {
  StartSleeper("exec-stop");
  auto init_state = [&]() -> char {
    CommandResult r = RunCommand(Runsc({"exec", "exec-stop", "/bin/cat", "/proc/1/stat"}));
    const size_t paren = r.out.rfind(')');
    if (r.exit_code != 0 || paren == std::string::npos || paren + 2 >= r.out.size()) return '?';
    return r.out[paren + 2];
  };
  // Waits, with a generous deadline, until `want(init_state())`.
  auto wait_for_state = [&](auto want) {
    char state = '?';
    for (int i = 0; i < 100; ++i) {
      state = init_state();
      if (want(state)) break;
      usleep(100 * 1000);
    }
    return state;
  };
  CommandResult stop = RunCommand(Runsc({"kill", "exec-stop", "STOP"}));
  ASSERT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_EQ(wait_for_state([](char s) { return s == 'T'; }), 'T');
  // As runc's: a SIGSTOPped init is still a running container (pause is the
  // freezer's, and separate).
  EXPECT_EQ(WaitForStatus("exec-stop", "running"), "running");
  CommandResult cont = RunCommand(Runsc({"kill", "exec-stop", "CONT"}));
  ASSERT_EQ(cont.exit_code, 0) << cont.err;
  const char after = wait_for_state([](char s) { return s != 'T' && s != '?'; });
  EXPECT_NE(after, 'T');
  EXPECT_NE(after, '?');
  // The sleep goes on after the stop: the container is still there.
  EXPECT_EQ(WaitForStatus("exec-stop", "running"), "running");
}

TEST_P(ExecTest, SignalDeathIs128PlusSignal) {
  StartSleeper("exec-sig");
  CommandResult r = RunCommand(Runsc({"exec", "exec-sig", "/bin/sh", "-c", "kill -9 $$"}));
  EXPECT_EQ(r.exit_code, 128 + SIGKILL) << r.err;
}

TEST_P(ExecTest, DetachWritesTheWaiterPidWhichExitsWithTheStatus) {
  StartSleeper("exec-detach");
  const std::string pid_file = absl::StrCat(bundle_->dir(), "/exec.pid");
  const std::string out = absl::StrCat(bundle_->dir(), "/exec.out");
  int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(out_fd, 0);
  int rc = RunWithStdio(Runsc({"exec", "--detach", "--pid-file", pid_file, "exec-detach",
                               "/bin/sh", "-c", "sleep 1; echo done; exit 5"}),
                        {.out = out_fd});
  close(out_fd);
  ASSERT_EQ(rc, 0);
  pid_t waiter = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(ReadFile(pid_file)), &waiter));
  // runsc exec has exited; its waiter is ours now (TestRoot is a subreaper),
  // as it is containerd's shim's.
  EXPECT_EQ(ReapSandbox(waiter), 5);
  EXPECT_EQ(ReadFile(out), "done\n");
}

TEST_P(ExecTest, ForwardsSignalsToTheExecdProcess) {
  StartSleeper("exec-fwd");
  const std::string ready = absl::StrCat(bundle_->rootfs(), "/tmp/ready");
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::vector<std::string> argv = {RunscBinary()};
    for (const std::string& a :
         Runsc({"exec", "exec-fwd", "/bin/sh", "-c",
                "trap 'exit 42' TERM; touch /tmp/ready; while true; do sleep 0.05; done"})) {
      argv.push_back(a);
    }
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  struct stat st;
  ASSERT_TRUE(WaitFor([&] { return stat(ready.c_str(), &st) == 0; }));
  kill(pid, SIGTERM);
  EXPECT_EQ(ReapSandbox(pid), 42);
  EXPECT_EQ(State("exec-fwd").status(), "running");
}

TEST_P(ExecTest, PsListsTheSandboxsHostProcesses) {
  StartSleeper("ps");
  CommandResult r = RunCommand(Runsc({"ps", "--format", "json", "ps"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json pids = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(pids.is_array()) << r.out;
  // The sentry (host pid, not its pid 1) and at least the init's stub.
  EXPECT_THAT(pids, Contains(sandbox_));
  EXPECT_GE(pids.size(), 2u) << r.out;
  for (const auto& pid : pids) EXPECT_TRUE(ProcessIsLive(pid.get<pid_t>())) << pid;

  r = RunCommand(Runsc({"ps", "ps"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_GE(lines.size(), 3u) << r.out;
  EXPECT_THAT(lines[0], HasSubstr("PID"));
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat(" ", sandbox_, " ")));
  EXPECT_THAT(r.out, Not(HasSubstr("bash")));
}

TEST_P(ExecTest, PauseAndResume) {
  StartSleeper("pause");
  CommandResult r = RunCommand(Runsc({"pause", "pause"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(State("pause").status(), "paused");
  // The sentry itself is frozen (the cgroup freezer), not only its tasks.
  EXPECT_THAT(ReadFile(absl::StrCat("/proc/", sandbox_, "/status")), HasSubstr("State:\tD"));
  r = RunCommand(Runsc({"exec", "pause", "/bin/true"}));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("cannot exec in a paused container"));
  r = RunCommand(Runsc({"pause", "pause"}));
  EXPECT_NE(r.exit_code, 0);
  r = RunCommand(Runsc({"resume", "pause"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(State("pause").status(), "running");
  r = RunCommand(Runsc({"exec", "pause", "/bin/sh", "-c", "echo alive"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "alive\n");
  r = RunCommand(Runsc({"resume", "pause"}));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("is not paused"));
  // A paused container is deleted with --force like a running one.
  ASSERT_EQ(RunCommand(Runsc({"pause", "pause"})).exit_code, 0);
  r = RunCommand(Runsc({"delete", "pause"}));
  EXPECT_NE(r.exit_code, 0);
  r = RunCommand(Runsc({"delete", "--force", "pause"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ExpectGone("pause");
}

TEST_P(ExecTest, ExecInStoppedContainerFails) {
  auto bundle = NewBundle({"/bin/true"});
  ASSERT_NE(bundle, nullptr);
  pid_t pid = CreateAndStart(*bundle, "exec-stopped");
  ASSERT_GT(pid, 0);
  ASSERT_EQ(WaitForStatus("exec-stopped", "stopped"), "stopped");
  CommandResult r = RunCommand(Runsc({"exec", "exec-stopped", "/bin/true"}));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("cannot exec in a stopped container"));
  r = RunCommand(Runsc({"ps", "exec-stopped"}));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("is not running"));
}

TEST_P(ExecTest, BadExecRequestsFailClearly) {
  StartSleeper("exec-bad");
  CommandResult r = RunCommand(Runsc({"exec", "exec-bad", "/no/such/program"}));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("cannot execute \"/no/such/program\""));
  r = RunCommand(Runsc({"exec", "--cwd", "/nonexistent", "exec-bad", "/bin/true"}));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("cwd \"/nonexistent\""));
  // A detached terminal needs somewhere to send its master (tty_test.cc
  // runs exec --tty itself).
  r = RunCommand(Runsc({"exec", "--detach", "--tty", "exec-bad", "/bin/sh"}));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("needs --console-socket"));
  r = RunCommand(Runsc({"exec", "exec-bad"}));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("no command"));
  r = RunCommand(Runsc({"exec", "--process", "/nonexistent.json", "exec-bad"}));
  EXPECT_NE(r.exit_code, 0);
  // None of it hurt the container.
  r = RunCommand(Runsc({"exec", "exec-bad", "/bin/true"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

std::string PlatformName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }
INSTANTIATE_TEST_SUITE_P(Platforms, ExecTest, ::testing::ValuesIn(kPlatforms), PlatformName);

}  // namespace
}  // namespace runsc::testing
