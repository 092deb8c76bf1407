// runsc's OCI lifecycle, driven through the runsc binary as containerd or a
// person would drive it (DESIGN §7, issue 3 items 2 and 5): run, create →
// start → state → kill → delete, list, spec, features and the global flags.
//
// Every sandbox test runs once per platform. A test never asserts how long
// something took; it waits, with a generous deadline, for a state to change.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "test/e2e/runsc_fixture.h"
#include "test/e2e/test_bundle.h"

namespace runsc::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAreArray;

class LifecycleTest : public RunscTestBase, public ::testing::TestWithParam<std::string> {
 protected:
  std::string Platform() const override { return GetParam(); }
};

TEST_P(LifecycleTest, RunPrintsOutputAndReturnsExitCode) {
  auto bundle = NewBundle({"/bin/sh", "-c", "echo hi; echo oops >&2; exit 7"});
  ASSERT_NE(bundle, nullptr);
  CommandResult r = RunCommand(Runsc({"run", "--bundle", bundle->dir(), "run-exit"}));
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_EQ(r.out, "hi\n");
  EXPECT_THAT(r.err, HasSubstr("oops\n"));
  // run deletes what it created.
  ExpectGone("run-exit");
}

TEST_P(LifecycleTest, RunReturnsZeroWhenTheProgramSucceeds) {
  auto bundle = NewBundle({"/bin/sh", "-c", "echo one | tr a-z A-Z"});
  ASSERT_NE(bundle, nullptr);
  CommandResult r = RunCommand(Runsc({"run", "--bundle", bundle->dir(), "run-ok"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ONE\n");
  ExpectGone("run-ok");
}

TEST_P(LifecycleTest, RunOfContainerKilledBySignalReturns128PlusSignal) {
  for (int signo : {SIGKILL, SIGUSR1}) {
    SCOPED_TRACE(absl::StrCat("signal ", signo));
    const std::string id = absl::StrCat("run-sig", signo);
    auto bundle = NewBundle({"/bin/sh", "-c", absl::StrCat("kill -", signo, " $$; echo survived")});
    ASSERT_NE(bundle, nullptr);
    CommandResult r = RunCommand(Runsc({"run", "--bundle", bundle->dir(), id}));
    EXPECT_EQ(r.exit_code, 128 + signo) << r.err;
    EXPECT_THAT(r.out, Not(HasSubstr("survived")));
    ExpectGone(id);
  }
}

TEST_P(LifecycleTest, CreateStartStateStoppedDelete) {
  // The program reports on its stdout (a file we read) that it ran, then
  // copies its stdin (a pipe we hold) until EOF, so that the test decides
  // when it exits.
  auto bundle = NewBundle({"/bin/sh", "-c", "echo started; cat; echo done; exit 3"});
  ASSERT_NE(bundle, nullptr);
  const std::string id = "seq";
  const std::string pid_dir = absl::StrCat(bundle->dir(), "/piddir");
  ASSERT_TRUE(fs::create_directory(pid_dir));
  const std::string pid_file = pid_dir + "/sandbox.pid";
  const std::string out_file = bundle->dir() + "/stdout";
  const std::string err_file = bundle->dir() + "/stderr";

  int in[2];
  ASSERT_EQ(pipe2(in, O_CLOEXEC), 0);
  int out_fd = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err_fd = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(out_fd, 0);
  ASSERT_GE(err_fd, 0);
  int rc = RunWithStdio(Runsc({"create", "--bundle", bundle->dir(), "--pid-file", pid_file, id}),
                        {.in = in[0], .out = out_fd, .err = err_fd});
  close(in[0]);
  close(out_fd);
  close(err_fd);
  ASSERT_EQ(rc, 0) << ReadFile(err_file);

  // The pid file holds the sentry's host pid, and nothing else is left in
  // its directory (it was written through a temporary file and renamed).
  std::string pid_text = ReadFile(pid_file);
  int pid = 0;
  ASSERT_TRUE(absl::SimpleAtoi(pid_text, &pid)) << "\"" << pid_text << "\"";
  EXPECT_TRUE(ProcessIsLive(pid));
  std::string cmdline = ReadFile(absl::StrCat("/proc/", pid, "/cmdline"));
  EXPECT_THAT(cmdline, AllOf(HasSubstr("boot"), HasSubstr(root_.path())));
  std::vector<std::string> pid_dir_entries;
  for (const auto& entry : fs::directory_iterator(pid_dir)) {
    pid_dir_entries.push_back(entry.path().filename().string());
  }
  EXPECT_THAT(pid_dir_entries, ElementsAre("sandbox.pid"));

  StateResult created = State(id);
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(created.status(), "created");
  EXPECT_EQ(created.json.value("pid", -1), pid);

  // User code must not run before start. Give a misbehaving sandbox a
  // moment to show it (this is a window for a bug to appear in, not a
  // timing assertion), then check that the program has printed nothing.
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(ReadFile(out_file), "");
  EXPECT_EQ(State(id).status(), "created");

  CommandResult start = RunCommand(Runsc({"start", id}));
  ASSERT_EQ(start.exit_code, 0) << start.err;
  EXPECT_TRUE(WaitFor([&] { return ReadFile(out_file) == "started\n"; }))
      << "stdout: \"" << ReadFile(out_file) << "\", stderr: " << ReadFile(err_file);

  StateResult running = State(id);
  EXPECT_EQ(running.status(), "running");
  EXPECT_EQ(running.json.value("pid", -1), pid);
  // A second start is an illegal transition.
  CommandResult again = RunCommand(Runsc({"start", id}));
  EXPECT_NE(again.exit_code, 0);
  EXPECT_THAT(again.err, HasSubstr(id));

  ASSERT_EQ(write(in[1], "hello\n", 6), 6);
  close(in[1]);
  EXPECT_EQ(WaitForStatus(id, "stopped"), "stopped");
  EXPECT_EQ(ReadFile(out_file), "started\nhello\ndone\n");
  // The sentry's exit status is the container's.
  EXPECT_EQ(ReapSandbox(pid), 3);
  EXPECT_EQ(State(id).status(), "stopped");

  // Signalling a stopped container is refused.
  CommandResult kill = RunCommand(Runsc({"kill", id, "KILL"}));
  EXPECT_NE(kill.exit_code, 0);
  EXPECT_THAT(kill.err, HasSubstr("not running"));

  CommandResult del = RunCommand(Runsc({"delete", id}));
  EXPECT_EQ(del.exit_code, 0) << del.err;
  ExpectGone(id);
}

TEST_P(LifecycleTest, StateIsOciStateJson) {
  auto bundle = NewBundle({"/bin/sleep", "1000"});
  ASSERT_NE(bundle, nullptr);
  bundle->config()["annotations"] = {{"org.example.owner", "lifecycle_test"},
                                     {"org.example.n", "2"}};
  ASSERT_TRUE(bundle->WriteConfig().ok());
  const absl::Time before = absl::Now();
  pid_t pid = Create(*bundle, "oci-state");
  const absl::Time after = absl::Now();
  ASSERT_GT(pid, 0);

  CommandResult r = RunCommand(Runsc({"state", "oci-state"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json state = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(state.is_object()) << r.out;
  EXPECT_EQ(state.value("ociVersion", ""), "1.0.2");
  EXPECT_EQ(state.value("id", ""), "oci-state");
  EXPECT_EQ(state.value("status", ""), "created");
  ASSERT_TRUE(state["pid"].is_number_integer()) << r.out;
  EXPECT_EQ(state["pid"].get<int>(), pid);
  const std::string bundle_dir = fs::canonical(bundle->dir()).string();
  EXPECT_EQ(state.value("bundle", ""), bundle_dir);
  EXPECT_THAT(state.value("bundle", ""), StartsWith("/"));
  EXPECT_EQ(state.value("rootfs", ""), bundle_dir + "/rootfs");
  // created: RFC 3339, and the moment of this create (the clocks are the
  // same machine's; a second of slack for rounding).
  std::string created = state.value("created", "");
  absl::Time created_time;
  std::string error;
  ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, created, &created_time, &error))
      << created << ": " << error;
  EXPECT_GE(created_time, before - absl::Seconds(1));
  EXPECT_LE(created_time, after + absl::Seconds(1));
  EXPECT_EQ(state["annotations"],
            nlohmann::json({{"org.example.owner", "lifecycle_test"}, {"org.example.n", "2"}}));

  // A container without annotations still has the field (an empty object).
  auto plain = NewBundle({"/bin/true"});
  ASSERT_NE(plain, nullptr);
  ASSERT_GT(Create(*plain, "plain"), 0);
  StateResult p = State("plain");
  ASSERT_TRUE(p.json.is_object()) << p.err;
  ASSERT_TRUE(p.json.contains("annotations"));
  EXPECT_TRUE(p.json["annotations"].is_object());
}

// A container that was created but never started can be deleted without
// --force, and its sandbox goes with it.
TEST_P(LifecycleTest, DeleteOfCreatedContainerLeavesNothing) {
  auto bundle = NewBundle({"/bin/sleep", "1000"});
  ASSERT_NE(bundle, nullptr);
  pid_t pid = Create(*bundle, "created-only");
  ASSERT_GT(pid, 0);
  EXPECT_THAT(LiveProcessesMentioning(root_.path()), Not(IsEmpty()));
  CommandResult del = RunCommand(Runsc({"delete", "created-only"}));
  EXPECT_EQ(del.exit_code, 0) << del.err;
  EXPECT_FALSE(ProcessIsLive(pid));
  ExpectGone("created-only");
}

TEST_P(LifecycleTest, DeleteOfRunningContainerNeedsForce) {
  auto bundle = NewBundle({"/bin/sleep", "1000"});
  ASSERT_NE(bundle, nullptr);
  pid_t pid = CreateAndStart(*bundle, "busy");
  ASSERT_GT(pid, 0);
  ASSERT_EQ(WaitForStatus("busy", "running"), "running");

  CommandResult refused = RunCommand(Runsc({"delete", "busy"}));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, AllOf(HasSubstr("\"busy\""), HasSubstr("running"), HasSubstr("--force")));
  // Nothing was touched.
  EXPECT_EQ(State("busy").status(), "running");
  EXPECT_TRUE(ProcessIsLive(pid));

  CommandResult forced = RunCommand(Runsc({"delete", "--force", "busy"}));
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_FALSE(ProcessIsLive(pid));
  ExpectGone("busy");
  // As runc: delete --force of what is gone succeeds, plain delete does not.
  EXPECT_EQ(RunCommand(Runsc({"delete", "--force", "busy"})).exit_code, 0);
  CommandResult again = RunCommand(Runsc({"delete", "busy"}));
  EXPECT_NE(again.exit_code, 0);
  EXPECT_THAT(again.err, HasSubstr("container \"busy\" does not exist"));
}

// runsc wait (as gVisor's): blocks until init exits, prints its exit status
// as JSON; a stopped container's status was not kept, which it says.
TEST_P(LifecycleTest, WaitPrintsTheExitStatusOfInit) {
  auto bundle = NewBundle({"/bin/sh", "-c", "sleep 3; exit 7"});
  ASSERT_NE(bundle, nullptr);
  pid_t pid = CreateAndStart(*bundle, "waited");
  ASSERT_GT(pid, 0);
  CommandResult waited = RunCommand(Runsc({"wait", "waited"}), "", 60);
  ASSERT_EQ(waited.exit_code, 0) << waited.err;
  nlohmann::json printed = nlohmann::json::parse(waited.out, nullptr, false);
  EXPECT_EQ(printed, nlohmann::json({{"id", "waited"}, {"exitStatus", 7}})) << waited.out;
  EXPECT_EQ(ReapSandbox(pid), 7);
  EXPECT_EQ(WaitForStatus("waited", "stopped"), "stopped");

  CommandResult too_late = RunCommand(Runsc({"wait", "waited"}));
  EXPECT_NE(too_late.exit_code, 0);
  EXPECT_THAT(too_late.err, HasSubstr("exit status was not kept"));
  CommandResult unknown = RunCommand(Runsc({"wait", "no-such-container"}));
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_THAT(unknown.err, HasSubstr("container \"no-such-container\" does not exist"));
  EXPECT_EQ(RunCommand(Runsc({"delete", "waited"})).exit_code, 0);
  ExpectGone("waited");
}

// The sandbox's processes are killed from outside runsc: state reports the
// container stopped and delete still cleans up.
TEST_P(LifecycleTest, DeleteAfterTheSentryDied) {
  auto bundle = NewBundle({"/bin/sleep", "1000"});
  ASSERT_NE(bundle, nullptr);
  pid_t pid = CreateAndStart(*bundle, "orphan");
  ASSERT_GT(pid, 0);
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  EXPECT_EQ(ReapSandbox(pid), 128 + SIGKILL);
  EXPECT_EQ(WaitForStatus("orphan", "stopped"), "stopped");
  CommandResult del = RunCommand(Runsc({"delete", "orphan"}));
  EXPECT_EQ(del.exit_code, 0) << del.err;
  ExpectGone("orphan");
}

TEST_P(LifecycleTest, RunReturns137WhenKilledWithKill) {
  auto bundle = NewBundle({"/bin/sleep", "1000"});
  ASSERT_NE(bundle, nullptr);
  CommandResult run;
  std::thread runner([&] { run = RunCommand(Runsc({"run", "--bundle", bundle->dir(), "victim"})); });
  std::string status = WaitForStatus("victim", "running");
  CommandResult kill = RunCommand(Runsc({"kill", "victim", "KILL"}));
  runner.join();
  ASSERT_EQ(status, "running");
  EXPECT_EQ(kill.exit_code, 0) << kill.err;
  EXPECT_EQ(run.exit_code, 128 + SIGKILL) << run.err;
  ExpectGone("victim");
}

TEST_P(LifecycleTest, ListShowsContainers) {
  auto bundle = NewBundle({"/bin/sleep", "1000"});
  ASSERT_NE(bundle, nullptr);
  // Empty root: nothing listed, and -q prints nothing at all.
  CommandResult empty = RunCommand(Runsc({"list", "-q"}));
  EXPECT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_EQ(empty.out, "");

  pid_t b = Create(*bundle, "list-b");
  pid_t a = Create(*bundle, "list-a");
  ASSERT_GT(a, 0);
  ASSERT_GT(b, 0);

  CommandResult quiet = RunCommand(Runsc({"list", "-q"}));
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.out, "list-a\nlist-b\n");

  CommandResult table = RunCommand(Runsc({"list"}));
  EXPECT_EQ(table.exit_code, 0) << table.err;
  std::vector<std::string> lines = absl::StrSplit(table.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u) << table.out;
  EXPECT_THAT(lines[0], AllOf(StartsWith("ID"), HasSubstr("PID"), HasSubstr("STATUS"),
                              HasSubstr("BUNDLE"), HasSubstr("CREATED")));
  const std::string bundle_dir = fs::canonical(bundle->dir()).string();
  EXPECT_THAT(lines[1], AllOf(StartsWith("list-a "), HasSubstr(absl::StrCat(" ", a, " ")),
                              HasSubstr(" created "), HasSubstr(bundle_dir)));
  EXPECT_THAT(lines[2], AllOf(StartsWith("list-b "), HasSubstr(absl::StrCat(" ", b, " ")),
                              HasSubstr(" created "), HasSubstr(bundle_dir)));

  CommandResult json = RunCommand(Runsc({"list", "--format", "json"}));
  EXPECT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json all = nlohmann::json::parse(json.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(all.is_array()) << json.out;
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].value("id", ""), "list-a");
  EXPECT_EQ(all[0].value("pid", -1), a);
  EXPECT_EQ(all[0].value("status", ""), "created");
  EXPECT_EQ(all[0].value("bundle", ""), bundle_dir);
  EXPECT_EQ(all[1].value("id", ""), "list-b");
  EXPECT_EQ(all[1].value("pid", -1), b);
  EXPECT_EQ(all[1].value("status", ""), "created");

  // A started container shows as running, a deleted one not at all.
  ASSERT_EQ(RunCommand(Runsc({"start", "list-a"})).exit_code, 0);
  ASSERT_EQ(RunCommand(Runsc({"delete", "list-b"})).exit_code, 0);
  json = RunCommand(Runsc({"list", "--format", "json"}));
  all = nlohmann::json::parse(json.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(all.is_array()) << json.out;
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].value("id", ""), "list-a");
  EXPECT_EQ(all[0].value("status", ""), "running");
}

TEST_P(LifecycleTest, DuplicateIdFailsAndLeavesTheFirstContainerIntact) {
  auto first = NewBundle({"/bin/sleep", "1000"});
  auto second = NewBundle({"/bin/sleep", "2000"});
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  pid_t pid = Create(*first, "dup");
  ASSERT_GT(pid, 0);
  const std::vector<pid_t> processes = LiveProcessesMentioning(root_.path());
  const std::string pid_file = second->dir() + "/dup.pid";
  CommandResult dup = RunCommand(
      Runsc({"create", "--bundle", second->dir(), "--pid-file", pid_file, "dup"}));
  EXPECT_NE(dup.exit_code, 0);
  EXPECT_THAT(dup.err, HasSubstr("container \"dup\" already exists"));
  EXPECT_FALSE(fs::exists(pid_file));

  StateResult s = State("dup");
  EXPECT_EQ(s.status(), "created");
  EXPECT_EQ(s.json.value("pid", -1), pid);
  EXPECT_EQ(s.json.value("bundle", ""), fs::canonical(first->dir()).string());
  EXPECT_TRUE(ProcessIsLive(pid));
  // Only the first container's sandbox runs, as it did before.
  EXPECT_THAT(LiveProcessesMentioning(root_.path()), UnorderedElementsAreArray(processes));
  EXPECT_THAT(LiveProcessesMentioning(second->dir()), IsEmpty());

  // And it still works.
  ASSERT_EQ(RunCommand(Runsc({"start", "dup"})).exit_code, 0);
  EXPECT_EQ(State("dup").status(), "running");
  EXPECT_EQ(RunCommand(Runsc({"delete", "--force", "dup"})).exit_code, 0);
  ExpectGone("dup");
}

TEST_P(LifecycleTest, SpecWritesAUsableConfigInTheWorkingDirectory) {
  auto bundle = NewBundle({"/bin/true"});
  ASSERT_NE(bundle, nullptr);
  const std::string config_path = bundle->dir() + "/config.json";
  ASSERT_TRUE(fs::remove(config_path));

  // `runsc spec` writes into its working directory, which it inherits from us.
  const fs::path old_cwd = fs::current_path();
  fs::current_path(bundle->dir());
  CommandResult spec = RunCommand(Runsc({"spec"}));
  CommandResult again = RunCommand(Runsc({"spec"}));
  fs::current_path(old_cwd);

  EXPECT_EQ(spec.exit_code, 0) << spec.err;
  const std::string written = ReadFile(config_path);
  nlohmann::json config = nlohmann::json::parse(written, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(config.is_object()) << written;
  EXPECT_THAT(config.value("ociVersion", ""), StartsWith("1."));
  EXPECT_EQ(config["root"].value("path", ""), "rootfs");
  ASSERT_TRUE(config["process"]["args"].is_array());
  EXPECT_FALSE(config["process"]["args"].empty());

  // It refuses to overwrite, and leaves the file as it was.
  EXPECT_NE(again.exit_code, 0);
  EXPECT_THAT(again.err, AllOf(HasSubstr("config.json"), HasSubstr("exists")));
  EXPECT_EQ(ReadFile(config_path), written);

  // --bundle names another directory; the file is what runsc itself accepts.
  ASSERT_TRUE(fs::remove(config_path));
  ASSERT_EQ(RunCommand(Runsc({"spec", "--bundle", bundle->dir()})).exit_code, 0);
  config = nlohmann::json::parse(ReadFile(config_path), nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(config.is_object());
  config["process"]["args"] = {"/bin/sh", "-c", "echo from-spec"};
  WriteFileOrFail(config_path, config.dump());
  CommandResult run = RunCommand(Runsc({"run", "--bundle", bundle->dir(), "from-spec"}));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "from-spec\n");
}

TEST_P(LifecycleTest, FeaturesPrintsJson) {
  CommandResult r = RunCommand(Runsc({"features"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json features = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(features.is_object()) << r.out;
  EXPECT_THAT(features.value("ociVersionMin", ""), StartsWith("1."));
  EXPECT_THAT(features.value("ociVersionMax", ""), StartsWith("1."));
  ASSERT_TRUE(features.contains("linux"));
  EXPECT_TRUE(features["linux"]["namespaces"].is_array());
  // What works is listed, what does not is not.
  EXPECT_EQ(features["linux"]["cgroup"].value("v1", false), true);
  EXPECT_EQ(features["linux"]["cgroup"].value("systemd", true), false);
  EXPECT_THAT(features["mountOptions"], Contains("ro"));
  ASSERT_TRUE(features["hooks"].is_array());
  EXPECT_THAT(features["hooks"].get<std::vector<std::string>>(),
              UnorderedElementsAreArray({"prestart", "createRuntime", "createContainer",
                                         "startContainer", "poststart", "poststop"}));
}

TEST_P(LifecycleTest, LogFormatJsonWritesErrorsAsJsonLines) {
  const std::string log = root_.path() + "-runsc.log";
  CommandResult r =
      RunCommand(Runsc({"--log", log, "--log-format", "json", "state", "no-such-container"}));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("container \"no-such-container\" does not exist"));
  std::string text = ReadFile(log);
  fs::remove(log);
  std::vector<nlohmann::json> lines;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    // Every line is JSON, not only the error's.
    ASSERT_TRUE(j.is_object()) << "not a JSON line: " << line;
    lines.push_back(std::move(j));
  }
  ASSERT_EQ(lines.size(), 1u) << text;
  EXPECT_EQ(lines[0].value("level", ""), "error");
  EXPECT_EQ(lines[0].value("msg", ""), "container \"no-such-container\" does not exist");
  absl::Time time;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, lines[0].value("time", ""), &time, &error))
      << lines[0].dump() << ": " << error;
}

TEST_P(LifecycleTest, LogFormatJsonAlsoAppliesToTheSandbox) {
  // With --debug, runsc, the sentry and the gofer all log to the --log
  // file; with --log-format json every one of their lines is JSON.
  auto bundle = NewBundle({"/bin/sh", "-c", "echo ok"});
  ASSERT_NE(bundle, nullptr);
  const std::string log = bundle->dir() + "/runsc.log";
  CommandResult r = RunCommand(Runsc({"--log", log, "--log-format", "json", "--debug", "run",
                                      "--bundle", bundle->dir(), "json-run"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ok\n");
  std::string text = ReadFile(log);
  std::vector<std::string> raw = absl::StrSplit(text, '\n', absl::SkipEmpty());
  EXPECT_THAT(raw, Not(IsEmpty()));
  std::vector<nlohmann::json> lines = ReadJsonLines(log);
  EXPECT_EQ(lines.size(), raw.size()) << "some log lines are not JSON:\n" << text;
  for (const nlohmann::json& line : lines) {
    EXPECT_TRUE(line.contains("level") && line.contains("msg") && line.contains("time"))
        << line.dump();
  }
}

TEST_P(LifecycleTest, DebugLogGetsSentryAndGoferLines) {
  auto bundle = NewBundle({"/bin/sh", "-c", "echo hi"});
  ASSERT_NE(bundle, nullptr);
  const std::string log = bundle->dir() + "/debug.log";
  // --strace as well: the sentry's own debug lines depend on what the
  // program does, its syscall lines do not.
  CommandResult r = RunCommand(Runsc(
      {"--debug", "--strace", "--debug-log", log, "run", "--bundle", bundle->dir(), "debug-run"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hi\n");
  std::string text = ReadFile(log);
  EXPECT_THAT(text, HasSubstr(" runsc["));
  EXPECT_THAT(text, HasSubstr(" sentry["));
  EXPECT_THAT(text, HasSubstr(" gofer["));
  // Logs go to the file, not into the container's output.
  EXPECT_THAT(r.err, Not(HasSubstr("debug:")));
}

TEST_P(LifecycleTest, StraceLogsTheContainersSyscalls) {
  auto bundle = NewBundle({"/bin/sh", "-c", "echo hi"});
  ASSERT_NE(bundle, nullptr);
  const std::string log = bundle->dir() + "/strace.log";
  CommandResult r = RunCommand(
      Runsc({"--strace", "--debug-log", log, "run", "--bundle", bundle->dir(), "strace-run"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hi\n");
  std::string text = ReadFile(log);
  // `echo hi` is a write of 3 bytes to fd 1; the shell's exit is exit_group.
  EXPECT_THAT(text, HasSubstr("] write(0x1, "));
  EXPECT_THAT(text, HasSubstr("] getpid("));
  EXPECT_THAT(text, HasSubstr("] exit_group("));

  // Without --strace, no syscall lines.
  auto quiet = NewBundle({"/bin/sh", "-c", "echo hi"});
  ASSERT_NE(quiet, nullptr);
  const std::string quiet_log = quiet->dir() + "/quiet.log";
  r = RunCommand(Runsc({"--debug-log", quiet_log, "run", "--bundle", quiet->dir(), "quiet-run"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(ReadFile(quiet_log), Not(HasSubstr("write(0x1, ")));
}

INSTANTIATE_TEST_SUITE_P(Platforms, LifecycleTest, ::testing::ValuesIn(kPlatforms),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

// `runsc kill ID [SIG]` of a running container, with the signal spelled each
// way runc accepts.
struct KillCase {
  std::string name;
  std::vector<std::string> signal_args;  // After the id; empty for the default.
  int signo;
};

void PrintTo(const KillCase& c, std::ostream* os) { *os << c.name; }

class KillTest : public RunscTestBase,
                 public ::testing::TestWithParam<std::tuple<std::string, KillCase>> {
 protected:
  std::string Platform() const override { return std::get<0>(GetParam()); }
};

TEST_P(KillTest, KillStopsARunningContainer) {
  const KillCase& c = std::get<1>(GetParam());
  auto bundle = NewBundle({"/bin/sleep", "1000"});
  ASSERT_NE(bundle, nullptr);
  pid_t pid = CreateAndStart(*bundle, "sleeper");
  ASSERT_GT(pid, 0);
  ASSERT_EQ(WaitForStatus("sleeper", "running"), "running");

  std::vector<std::string> args = {"kill", "sleeper"};
  args.insert(args.end(), c.signal_args.begin(), c.signal_args.end());
  CommandResult kill = RunCommand(Runsc(args));
  EXPECT_EQ(kill.exit_code, 0) << kill.err;
  EXPECT_EQ(WaitForStatus("sleeper", "stopped"), "stopped");
  // The sentry reports the container's death by the signal as 128+signal.
  EXPECT_EQ(ReapSandbox(pid), 128 + c.signo);
  EXPECT_EQ(State("sleeper").status(), "stopped");

  CommandResult del = RunCommand(Runsc({"delete", "sleeper"}));
  EXPECT_EQ(del.exit_code, 0) << del.err;
  ExpectGone("sleeper");
}

INSTANTIATE_TEST_SUITE_P(
    Signals, KillTest,
    ::testing::Combine(::testing::ValuesIn(kPlatforms),
                       ::testing::Values(KillCase{"Default", {}, SIGTERM},
                                         KillCase{"KILL", {"KILL"}, SIGKILL},
                                         KillCase{"Number9", {"9"}, SIGKILL},
                                         KillCase{"SIGKILL", {"SIGKILL"}, SIGKILL},
                                         KillCase{"SIGTERM", {"SIGTERM"}, SIGTERM})),
    [](const ::testing::TestParamInfo<std::tuple<std::string, KillCase>>& info) {
      return absl::StrCat(std::get<0>(info.param), "_", std::get<1>(info.param).name);
    });

}  // namespace
}  // namespace runsc::testing
