// containerd end to end: a private containerd (own root, state, sockets and
// config.toml, started and stopped by each test) runs busybox containers
// whose runtime is build/runsc, through containerd's runc shim
// (io.containerd.runc.v2 with BinaryName), driven by ctr as a person would.
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
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

constexpr char kContainerd[] = "/usr/bin/containerd";
constexpr char kCtr[] = "/usr/bin/ctr";
constexpr char kRuncShim[] = "/usr/bin/containerd-shim-runc-v2";

// config.toml for a containerd that touches nothing outside `dir`.
std::string ContainerdConfig(const ClientScratch& scratch, const std::string& extra = "") {
  return absl::StrCat(R"(version = 2
root = ")",
                      scratch.Path("root"), R"("
state = ")",
                      scratch.Path("state"), R"("
)",
                      extra.empty() ? "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n" : "",
                      R"(
[grpc]
  address = ")",
                      scratch.Path("containerd.sock"), R"("
[ttrpc]
  address = ")",
                      scratch.Path("containerd.sock.ttrpc"), R"("
[debug]
  address = ""
[metrics]
  address = ""
[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = ")",
                      scratch.Path("opt"), R"("
)",
                      extra);
}

class ContainerdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {kContainerd, kCtr, kRuncShim}) {
      if (!Executable(tool)) GTEST_SKIP() << tool << " is not installed (Debian containerd)";
    }
    auto scratch = ClientScratch::Create("runsc-e2e-ctd");
    ASSERT_TRUE(scratch.ok()) << scratch.status();
    scratch_ = *std::move(scratch);
    std::string config = scratch_->Path("config.toml");
    ASSERT_TRUE(WriteTextFile(config, ContainerdConfig(*scratch_)).ok());
    auto daemon =
        DaemonProcess::Start({kContainerd, "--config", config}, scratch_->Path("containerd.log"));
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    ASSERT_TRUE(daemon_
                    ->WaitReady([&] { return Ctr({"version"}, 10).exit_code == 0; },
                                /*timeout_seconds=*/60)
                    .ok())
        << daemon_->LogTail();
    auto archive = WriteBusyboxDockerArchive(scratch_->dir());
    ASSERT_TRUE(archive.ok()) << archive.status();
    CommandResult import = Ctr({"images", "import", *archive});
    ASSERT_EQ(import.exit_code, 0) << import.err;
  }

  void TearDown() override {
    if (scratch_ == nullptr) return;
    if (daemon_ != nullptr) daemon_->Stop();
    // Every test removes its containers: nothing of them may be left.
    EXPECT_THAT(scratch_->SettledLeftovers(), IsEmpty());
    scratch_->Cleanup();
  }

  CommandResult Ctr(std::vector<std::string> args, int timeout_seconds = 60) {
    return RunProgram(Concat({kCtr, "--address", scratch_->Path("containerd.sock")}, {args}),
                      RunOptions{.timeout_seconds = timeout_seconds});
  }

  // The flags that make a `ctr run` or `ctr container create` use runsc
  // through the runc shim, with state and cgroup inside the scratch space.
  std::vector<std::string> RunscFlags(const std::string& id) const {
    return {"--runtime",     "io.containerd.runc.v2",
            "--runc-binary", AbsoluteRunsc(),
            "--runc-root",   scratch_->Path("runsc-root"),
            "--cgroup",      absl::StrCat(scratch_->cgroup_parent(), "/", id)};
  }

  std::vector<std::string> RunArgs(const std::string& id, std::vector<std::string> flags,
                                   std::vector<std::string> command) const {
    return Concat({"run"}, {flags, RunscFlags(id), {kBusyboxImage, id}, command});
  }

  // `ctr task ls` STATUS of `id`, "" if there is no such task.
  std::string TaskStatus(const std::string& id) {
    CommandResult ls = Ctr({"task", "ls"});
    for (absl::string_view line : absl::StrSplit(ls.out, '\n', absl::SkipEmpty())) {
      std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipEmpty());
      if (fields.size() >= 3 && fields[0] == id) return std::string(fields[2]);
    }
    return "";
  }

  // Polls until the task is STOPPED (a kill is asynchronous); false if it never is.
  bool WaitStopped(const std::string& id) {
    for (int i = 0; i < 300; ++i) {
      if (TaskStatus(id) == "STOPPED") return true;
      usleep(100 * 1000);
    }
    return false;
  }

  // Removes task and container; `ctr task rm` reports a non-zero exit code
  // on stderr ("... exit with non-zero exit code 143"), which is returned.
  std::string RemoveTaskAndContainer(const std::string& id) {
    CommandResult rm = Ctr({"task", "rm", "--force", id});
    EXPECT_EQ(Ctr({"container", "rm", id}).exit_code, 0);
    return rm.err;
  }

  std::unique_ptr<ClientScratch> scratch_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(ContainerdTest, RunPrintsOutputAndExitsWithTheContainersCode) {
  CommandResult run =
      Ctr(RunArgs("out", {"--rm"}, {"/bin/sh", "-c", "echo hello from $(uname -r); exit 7"}));
  EXPECT_EQ(run.exit_code, 7) << run.err;
  EXPECT_THAT(run.out, HasSubstr(absl::StrCat("hello from ", kSentryRelease)));
  EXPECT_THAT(Ctr({"container", "ls", "-q"}).out, IsEmpty());
}

TEST_F(ContainerdTest, RuncShimRunsTheBinaryNamedInItsOptions) {
  CommandResult run = Ctr(RunArgs("shim", {}, {"/bin/sh", "-c", "uname -r; exit 3"}));
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_THAT(run.out, HasSubstr(kSentryRelease));

  // What containerd stored, and what the shim was given: runc.v2 with
  // runsc's absolute path as BinaryName.
  CommandResult info = Ctr({"container", "info", "shim"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  nlohmann::json container = nlohmann::json::parse(info.out, nullptr, false);
  ASSERT_TRUE(container.is_object()) << info.out;
  EXPECT_EQ(container["Runtime"]["Name"], "io.containerd.runc.v2");
  // Options is a protobuf Any (containerd.runc.v1.Options) in base64:
  // BinaryName is a string field of it, so its bytes appear as they are.
  std::string options;
  ASSERT_TRUE(
      absl::Base64Unescape(container["Runtime"]["Options"]["value"].get<std::string>(), &options));
  EXPECT_EQ(container["Runtime"]["Options"]["type_url"], "containerd.runc.v1.Options");
  EXPECT_THAT(options, HasSubstr(AbsoluteRunsc()));
  RemoveTaskAndContainer("shim");
}

TEST_F(ContainerdTest, TaskKillSendsTheSignalToTheContainer) {
  for (const auto& [signal, code] :
       std::vector<std::pair<std::string, int>>{{"SIGTERM", 143}, {"SIGKILL", 137}}) {
    std::string id = "kill-" + std::to_string(code);
    CommandResult run = Ctr(RunArgs(id, {"--detach"}, {"/bin/sleep", "1000"}));
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(TaskStatus(id), "RUNNING");
    CommandResult kill = Ctr({"task", "kill", "--signal", signal, id});
    EXPECT_EQ(kill.exit_code, 0) << kill.err;
    EXPECT_TRUE(WaitStopped(id)) << signal << " did not stop " << id;
    EXPECT_THAT(RemoveTaskAndContainer(id), HasSubstr(absl::StrCat("exit code ", code))) << signal;
  }
}

// The snippet the README gives for Kubernetes (CRI) users: containerd must
// accept it and hand runsc's absolute path to the runc shim as BinaryName.
TEST_F(ContainerdTest, CriRuntimeSnippetOfTheReadmeIsAccepted) {
  std::string snippet = absl::StrCat(R"(
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc]
    runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc.options]
    BinaryName = ")",
                                     AbsoluteRunsc(), R"("
)");
  std::string config = scratch_->Path("cri.toml");
  ASSERT_TRUE(WriteTextFile(config, ContainerdConfig(*scratch_, snippet)).ok());
  CommandResult dump = RunProgram({kContainerd, "--config", config, "config", "dump"});
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  EXPECT_THAT(dump.out,
              HasSubstr("[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runsc]"));
  EXPECT_THAT(dump.out, HasSubstr(absl::StrCat("BinaryName = \"", AbsoluteRunsc(), "\"")));
}

// The shim runs
// `runsc exec --process F --detach --pid-file P`.
TEST_F(ContainerdTest, TaskExecRunsInTheSandbox) {
  CommandResult run = Ctr(RunArgs("exec", {"--detach"}, {"/bin/sleep", "1000"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  CommandResult exec = Ctr({"task", "exec", "--exec-id", "e1", "exec", "/bin/sh", "-c",
                            "echo exec in $(uname -r); exit 5"});
  EXPECT_EQ(exec.exit_code, 5) << exec.err;
  EXPECT_THAT(exec.out, HasSubstr(absl::StrCat("exec in ", kSentryRelease)));
  RemoveTaskAndContainer("exec");
}

// The shim runs `runsc ps --format json`.
TEST_F(ContainerdTest, TaskPsListsTheContainersProcesses) {
  CommandResult run = Ctr(RunArgs("ps", {"--detach"}, {"/bin/sleep", "1000"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  CommandResult ps = Ctr({"task", "ps", "ps"});
  EXPECT_EQ(ps.exit_code, 0) << ps.err;
  // The task's pid (the sentry's host pid, from the pid file) is listed.
  CommandResult ls = Ctr({"task", "ls"});
  std::string pid;
  for (absl::string_view line : absl::StrSplit(ls.out, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (fields.size() >= 2 && fields[0] == "ps") pid = std::string(fields[1]);
  }
  ASSERT_FALSE(pid.empty()) << ls.out;
  EXPECT_THAT(ps.out, HasSubstr(pid));
  RemoveTaskAndContainer("ps");
}

TEST_F(ContainerdTest, TtyRunGivesTheContainerATerminal) {
  CommandResult result = RunOnPty(
      Concat({kCtr, "--address", scratch_->Path("containerd.sock")},
             {RunArgs(
                 "tty", {"--rm", "--tty"},
                 {"/bin/sh", "-c",
                  "tty >/dev/null && echo IS-A-TTY; stty -a >/dev/null && echo STTY-OK; exit 4"})}),
      "");
  EXPECT_EQ(result.exit_code, 4) << result.out;
  // `tty` exits 0 only on a terminal (runc shows /dev/pts/N, gVisor may
  // show /dev/console: the name is not the point). No window size check:
  // ctr resizes the console only after the task has started.
  EXPECT_THAT(result.out, HasSubstr("IS-A-TTY"));
  EXPECT_THAT(result.out, HasSubstr("STTY-OK"));
}

// The shim runs `runsc exec --process F --detach --pid-file P
// --console-socket S` with "terminal": true in F, and relays the master it
// receives to ctr's terminal.
TEST_F(ContainerdTest, TtyTaskExecGivesTheProcessATerminal) {
  CommandResult run = Ctr(RunArgs("exec-tty", {"--detach"}, {"/bin/sleep", "1000"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  CommandResult exec = RunOnPty(
      {kCtr, "--address", scratch_->Path("containerd.sock"), "task", "exec", "--tty", "--exec-id",
       "t1", "exec-tty", "/bin/sh", "-c",
       "tty && echo IS-A-TTY; test -t 0 && echo STDIN-TTY; exit 6"},
      "");
  EXPECT_EQ(exec.exit_code, 6) << exec.out;
  EXPECT_THAT(exec.out, HasSubstr("/dev/pts/0"));
  EXPECT_THAT(exec.out, HasSubstr("IS-A-TTY"));
  EXPECT_THAT(exec.out, HasSubstr("STDIN-TTY"));
  RemoveTaskAndContainer("exec-tty");
}

}  // namespace
}  // namespace runsc::testing
