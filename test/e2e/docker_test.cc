// docker end to end: a private dockerd (own data root, exec root, socket,
// pid file and daemon.json naming build/runsc as the runtime "runsc"; no
// bridge, no iptables), started and stopped by each test, with its own
// managed containerd and containerd's runc shim calling runsc.
//
// /usr/local/bin/docker on the CI machine is a foreign docker CLI, so the
// Debian client and daemon are named by their paths.
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "test/e2e/busybox_image.h"
#include "test/e2e/client_scratch.h"
#include "test/e2e/client_tools.h"
#include "test/e2e/daemon_process.h"
#include "test/e2e/pty_program.h"
#include "test/e2e/test_bundle.h"

namespace runsc::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr char kDockerd[] = "/usr/sbin/dockerd";
constexpr char kDocker[] = "/usr/bin/docker";

class DockerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {kDockerd, kDocker}) {
      if (!Executable(tool)) GTEST_SKIP() << tool << " is not installed (Debian docker.io)";
    }
    auto scratch = ClientScratch::Create("runsc-e2e-dkr");
    ASSERT_TRUE(scratch.ok()) << scratch.status();
    scratch_ = *std::move(scratch);
    // The README's snippet, plus a cgroup parent of the test's own.
    nlohmann::json config = {
        {"runtimes", {{"runsc", {{"path", AbsoluteRunsc()}}}}},
        {"cgroup-parent", scratch_->cgroup_parent()},
    };
    std::string config_path = scratch_->Path("daemon.json");
    ASSERT_TRUE(WriteTextFile(config_path, config.dump(2)).ok());
    auto daemon =
        DaemonProcess::Start({kDockerd, "--config-file", config_path, "--data-root",
                              scratch_->Path("data"), "--exec-root", scratch_->Path("exec"),
                              "--host", Host(), "--pidfile", scratch_->Path("dockerd.pid"),
                              "--bridge", "none", "--iptables=false", "--ip6tables=false"},
                             scratch_->Path("dockerd.log"));
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    ASSERT_TRUE(daemon_
                    ->WaitReady([&] { return Docker({"version"}).exit_code == 0; },
                                /*timeout_seconds=*/90)
                    .ok())
        << daemon_->LogTail();
    auto rootfs = WriteBusyboxRootfsTar(scratch_->dir());
    ASSERT_TRUE(rootfs.ok()) << rootfs.status();
    CommandResult import = Docker({"import", *rootfs, kBusyboxImage});
    ASSERT_EQ(import.exit_code, 0) << import.err;
  }

  void TearDown() override {
    if (scratch_ == nullptr) return;
    if (daemon_ != nullptr) {
      CommandResult ids = Docker({"ps", "--all", "--quiet"});
      for (absl::string_view id : absl::StrSplit(ids.out, '\n', absl::SkipWhitespace())) {
        Docker({"rm", "--force", std::string(id)});
      }
      daemon_->Stop();
    }
    EXPECT_THAT(scratch_->SettledLeftovers(), IsEmpty());
    scratch_->Cleanup();
  }

  std::string Host() const { return "unix://" + scratch_->Path("docker.sock"); }

  CommandResult Docker(std::vector<std::string> args, const std::string& input = "") {
    return RunProgram(Concat({kDocker, "--host", Host()}, {args}), RunOptions{.input = input});
  }

  std::string Inspect(const std::string& name, const std::string& format) {
    CommandResult inspect = Docker({"inspect", "--format", format, name});
    EXPECT_EQ(inspect.exit_code, 0) << inspect.err;
    return std::string(absl::StripAsciiWhitespace(inspect.out));
  }

  std::unique_ptr<ClientScratch> scratch_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(DockerTest, RunPrintsOutputAndExitsWithTheContainersCode) {
  CommandResult run = Docker({"run", "--rm", "--runtime", "runsc", kBusyboxImage, "/bin/sh", "-c",
                              "echo hello from $(uname -r); exit 7"});
  EXPECT_EQ(run.exit_code, 7) << run.err;
  EXPECT_THAT(run.out, HasSubstr(absl::StrCat("hello from ", kSentryRelease)));
}

TEST_F(DockerTest, StdinReachesTheContainer) {
  CommandResult run = Docker(
      {"run", "--rm", "--interactive", "--runtime", "runsc", kBusyboxImage, "tr", "a-z", "A-Z"},
      "through dockerd\n");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("THROUGH DOCKERD"));
}

TEST_F(DockerTest, MemoryLimitReachesTheSandboxesCgroup) {
  CommandResult run = Docker({"run", "--detach", "--name", "memory", "--runtime", "runsc",
                              "--memory", "64m", kBusyboxImage, "/bin/sleep", "1000"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Inspect("memory", "{{.HostConfig.Runtime}}"), "runsc");
  pid_t sentry = 0;
  ASSERT_TRUE(absl::SimpleAtoi(Inspect("memory", "{{.State.Pid}}"), &sentry));
  ASSERT_GT(sentry, 0);
  // That pid is the sentry's (runsc's pid file); the sandbox's memory cgroup
  // is the container's, under the daemon's cgroup-parent, with the limit.
  std::string cgroup;
  for (absl::string_view line : absl::StrSplit(ReadFile(absl::StrCat("/proc/", sentry, "/cgroup")),
                                               '\n', absl::SkipEmpty())) {
    std::vector<std::string> fields = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (fields.size() == 3 && fields[1] == "memory") cgroup = fields[2];
  }
  ASSERT_THAT(cgroup, StartsWith(scratch_->cgroup_parent() + "/"));
  EXPECT_EQ(absl::StripAsciiWhitespace(
                ReadFile(absl::StrCat("/sys/fs/cgroup/memory", cgroup, "/memory.limit_in_bytes"))),
            "67108864");
  EXPECT_EQ(Docker({"rm", "--force", "memory"}).exit_code, 0);
}

TEST_F(DockerTest, StopEndsARunningContainer) {
  CommandResult run = Docker({"run", "--detach", "--name", "stopme", "--runtime", "runsc",
                              kBusyboxImage, "/bin/sleep", "1000"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Inspect("stopme", "{{.State.Status}}"), "running");
  CommandResult stop = Docker({"stop", "--time", "30", "stopme"});
  EXPECT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_EQ(Inspect("stopme", "{{.State.Status}} {{.State.ExitCode}}"), "exited 143");
  EXPECT_EQ(Docker({"rm", "stopme"}).exit_code, 0);
}

TEST_F(DockerTest, ExecRunsInTheSandbox) {
  CommandResult run = Docker({"run", "--detach", "--name", "exec", "--runtime", "runsc",
                              kBusyboxImage, "/bin/sleep", "1000"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  CommandResult exec =
      Docker({"exec", "exec", "/bin/sh", "-c", "echo exec in $(uname -r); exit 5"});
  EXPECT_EQ(exec.exit_code, 5) << exec.err;
  EXPECT_THAT(exec.out, HasSubstr(absl::StrCat("exec in ", kSentryRelease)));
}

TEST_F(DockerTest, InteractiveTtyRun) {
  CommandResult run = RunOnPty(
      {kDocker, "--host", Host(), "run", "--rm", "-it", "--runtime", "runsc", kBusyboxImage,
       "/bin/sh", "-c", "tty >/dev/null && echo IS-A-TTY; stty size; exit 4"},
      "");
  EXPECT_EQ(run.exit_code, 4) << run.out;
  EXPECT_THAT(run.out, HasSubstr("IS-A-TTY"));
}

// docker exec -it: dockerd's shim runs runsc exec --tty --console-socket.
TEST_F(DockerTest, InteractiveTtyExec) {
  CommandResult run = Docker({"run", "--detach", "--name", "exec-tty", "--runtime", "runsc",
                              kBusyboxImage, "/bin/sleep", "1000"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  CommandResult exec = RunOnPty(
      {kDocker, "--host", Host(), "exec", "-it", "exec-tty", "/bin/sh", "-c",
       "tty && echo IS-A-TTY; exit 6"},
      "");
  EXPECT_EQ(exec.exit_code, 6) << exec.out;
  EXPECT_THAT(exec.out, HasSubstr("IS-A-TTY"));
  EXPECT_THAT(exec.out, HasSubstr("/dev/pts/"));
}

}  // namespace
}  // namespace runsc::testing
