// podman end to end: podman (daemonless, conmon per container) with
// build/runsc as its OCI runtime, vfs storage, the cgroupfs manager and no
// network, every root, run dir and config inside a scratch directory.
// DESIGN §10: podman needs explicit nofile/nproc ulimits on this machine,
// since raising rlimits needs CAP_SYS_RESOURCE.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test/e2e/busybox_image.h"
#include "test/e2e/client_scratch.h"
#include "test/e2e/client_tools.h"
#include "test/e2e/pty_program.h"
#include "test/e2e/test_bundle.h"

namespace runsc::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr char kPodman[] = "/usr/bin/podman";

class PodmanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Executable(kPodman)) GTEST_SKIP() << kPodman << " is not installed (Debian podman)";
    auto scratch = ClientScratch::Create("runsc-e2e-pod");
    ASSERT_TRUE(scratch.ok()) << scratch.status();
    scratch_ = *std::move(scratch);
    auto rootfs = WriteBusyboxRootfsTar(scratch_->dir());
    ASSERT_TRUE(rootfs.ok()) << rootfs.status();
    CommandResult import = Podman({"import", *rootfs, kBusyboxImage});
    ASSERT_EQ(import.exit_code, 0) << import.err;
  }

  void TearDown() override {
    if (scratch_ == nullptr) return;
    Podman({"rm", "--all", "--force", "--time", "0"});
    // podman's own cgroup for the conmons (conmon_cgroup = "pod" under
    // --cgroup-parent) is podman's to keep; everything else must be gone.
    EXPECT_THAT(scratch_->SettledLeftovers(
                    [this](const std::string& item) { return IsConmonCgroup(item); }),
                IsEmpty());
    scratch_->Cleanup();
  }

  bool IsConmonCgroup(const std::string& item) const {
    return absl::StartsWith(item, "cgroup ") &&
           absl::EndsWith(item, absl::StrCat(scratch_->cgroup_parent(), "/conmon"));
  }

  std::vector<std::string> GlobalFlags() const {
    return {kPodman,
            "--root",
            scratch_->Path("storage"),
            "--runroot",
            scratch_->Path("run"),
            "--tmpdir",
            scratch_->Path("libpod-tmp"),
            "--storage-driver",
            "vfs",
            "--cgroup-manager",
            "cgroupfs",
            "--events-backend",
            "file",
            "--network-config-dir",
            scratch_->Path("cni"),
            "--runtime",
            AbsoluteRunsc()};
  }

  CommandResult Podman(std::vector<std::string> args, const std::string& input = "") {
    return RunProgram(Concat(GlobalFlags(), {args}), RunOptions{.input = input});
  }

  // `podman run` flags every container here needs.
  std::vector<std::string> RunFlags() const {
    return {"--network",       "none",
            "--ulimit",        "nofile=1024:1024",
            "--ulimit",        "nproc=1024:1024",
            "--cgroup-parent", scratch_->cgroup_parent()};
  }

  std::string Inspect(const std::string& name, const std::string& format) {
    CommandResult inspect = Podman({"inspect", "--format", format, name});
    EXPECT_EQ(inspect.exit_code, 0) << inspect.err;
    return std::string(absl::StripAsciiWhitespace(inspect.out));
  }

  std::unique_ptr<ClientScratch> scratch_;
};

TEST_F(PodmanTest, RunPrintsOutputAndExitsWithTheContainersCode) {
  CommandResult run = Podman(Concat(
      {"run", "--rm"},
      {RunFlags(), {kBusyboxImage, "/bin/sh", "-c", "echo hello from $(uname -r); exit 7"}}));
  EXPECT_EQ(run.exit_code, 7) << run.err;
  EXPECT_THAT(run.out, HasSubstr(absl::StrCat("hello from ", kSentryRelease)));
}

TEST_F(PodmanTest, StdinReachesTheContainer) {
  CommandResult run = Podman(
      Concat({"run", "--rm", "--interactive"}, {RunFlags(), {kBusyboxImage, "tr", "a-z", "A-Z"}}),
      "through conmon\n");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("THROUGH CONMON"));
}

TEST_F(PodmanTest, StopEndsARunningContainer) {
  CommandResult run = Podman(Concat({"run", "--detach", "--name", "stopme"},
                                    {RunFlags(), {kBusyboxImage, "/bin/sleep", "1000"}}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Inspect("stopme", "{{.State.Status}}"), "running");
  // sleep has no SIGTERM handler, so the stop signal ends it well before -t.
  CommandResult stop = Podman({"stop", "--time", "30", "stopme"});
  EXPECT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_EQ(Inspect("stopme", "{{.State.Status}} {{.State.ExitCode}}"), "exited 143");
  EXPECT_EQ(Podman({"rm", "stopme"}).exit_code, 0);
}

// The value of `file` in the cgroup of `pid` in the v1 `controller` hierarchy.
std::string CgroupValue(pid_t pid, const std::string& controller, const std::string& file,
                        std::string* path = nullptr) {
  for (absl::string_view line :
       absl::StrSplit(ReadFile(absl::StrCat("/proc/", pid, "/cgroup")), '\n', absl::SkipEmpty())) {
    std::vector<std::string> fields = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (fields.size() != 3) continue;
    for (absl::string_view name : absl::StrSplit(fields[1], ',')) {
      if (name != controller) continue;
      if (path != nullptr) *path = fields[2];
      return std::string(absl::StripAsciiWhitespace(
          ReadFile(absl::StrCat("/sys/fs/cgroup/", fields[1], fields[2], "/", file))));
    }
  }
  return "";
}

TEST_F(PodmanTest, MemoryAndPidsLimitsReachTheSandboxesCgroup) {
  CommandResult run = Podman(
      Concat({"run", "--detach", "--name", "limits", "--memory", "64m", "--pids-limit", "50"},
             {RunFlags(), {kBusyboxImage, "/bin/sleep", "1000"}}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  pid_t sentry = 0;
  ASSERT_TRUE(absl::SimpleAtoi(Inspect("limits", "{{.State.Pid}}"), &sentry));
  ASSERT_GT(sentry, 0);
  // The pid podman knows is the sentry's (runsc's pid file): the limits
  // apply to the whole sandbox through its cgroup.
  std::string memory_path, pids_path;
  EXPECT_EQ(CgroupValue(sentry, "memory", "memory.limit_in_bytes", &memory_path), "67108864");
  EXPECT_EQ(CgroupValue(sentry, "pids", "pids.max", &pids_path), "50");
  EXPECT_THAT(memory_path, StartsWith(scratch_->cgroup_parent() + "/"));
  EXPECT_THAT(pids_path, StartsWith(scratch_->cgroup_parent() + "/"));
  EXPECT_EQ(Podman({"rm", "--force", "--time", "0", "limits"}).exit_code, 0);
}

// conmon runs
// `runsc exec --process F --detach --pid-file P`.
TEST_F(PodmanTest, ExecRunsInTheSandbox) {
  CommandResult run = Podman(Concat({"run", "--detach", "--name", "exec"},
                                    {RunFlags(), {kBusyboxImage, "/bin/sleep", "1000"}}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  CommandResult exec =
      Podman({"exec", "exec", "/bin/sh", "-c", "echo exec in $(uname -r); exit 5"});
  EXPECT_EQ(exec.exit_code, 5) << exec.err;
  EXPECT_THAT(exec.out, HasSubstr(absl::StrCat("exec in ", kSentryRelease)));
}

TEST_F(PodmanTest, InteractiveTtyRun) {
  CommandResult run =
      RunOnPty(Concat(GlobalFlags(), {{"run", "--rm", "-it"},
                                      RunFlags(),
                                      {kBusyboxImage, "/bin/sh", "-c",
                                       "tty >/dev/null && echo IS-A-TTY; stty size; exit 4"}}),
               "");
  EXPECT_EQ(run.exit_code, 4) << run.out;
  EXPECT_THAT(run.out, HasSubstr("IS-A-TTY"));
  EXPECT_THAT(run.out, HasSubstr("24 80"));
}

// podman exec -it: conmon runs runsc exec --tty --console-socket and
// relays the master to podman's terminal.
TEST_F(PodmanTest, InteractiveTtyExec) {
  CommandResult run = Podman(Concat({"run", "--detach", "--name", "exec-tty"},
                                    {RunFlags(), {kBusyboxImage, "/bin/sleep", "1000"}}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  CommandResult exec = RunOnPty(
      Concat(GlobalFlags(),
             {{"exec", "-it", "exec-tty", "/bin/sh", "-c", "tty && echo IS-A-TTY; exit 6"}}),
      "");
  EXPECT_EQ(exec.exit_code, 6) << exec.out;
  EXPECT_THAT(exec.out, HasSubstr("IS-A-TTY"));
  EXPECT_THAT(exec.out, HasSubstr("/dev/pts/"));
}

}  // namespace
}  // namespace runsc::testing
