// OCI hooks end to end (runtime-spec config.md "POSIX-platform Hooks" and
// runtime.md "Lifecycle"), through the runsc binary: each hook is a shell
// script on the host that saves the state it read on stdin and appends its
// name to a log, so the test sees which hooks ran, in which order, with
// which status; and a failing hook stops create (or start) and leaves
// nothing behind.
//
// Every test runs once per platform.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
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

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Saves its stdin as <log dir>/<kind>.json and appends <kind> to
// <log dir>/order; exits with $3 (default 0), saying so on stderr.
constexpr char kHookScript[] = R"(#!/bin/sh
cat > "$2/$1.json"
echo "$1" >> "$2/order"
if [ "${3:-0}" != 0 ]; then echo "$1 hook says no" >&2; fi
exit "${3:-0}"
)";

class HooksTest : public RunscTestBase, public ::testing::TestWithParam<std::string> {
 protected:
  std::string Platform() const override { return GetParam(); }

  // A bundle running `args` whose hooks of every kind in `kinds` run the
  // script, the ones in `failing` exiting 3; they log to log_dir().
  std::unique_ptr<TestBundle> HookedBundle(std::vector<std::string> args,
                                           const std::vector<std::string>& kinds,
                                           const std::vector<std::string>& failing = {}) {
    std::unique_ptr<TestBundle> bundle = NewBundle(std::move(args));
    if (bundle == nullptr) return nullptr;
    log_dir_ = bundle->dir() + "/hook-log";
    fs::create_directories(log_dir_);
    const std::string script = bundle->dir() + "/hook.sh";
    WriteFileOrFail(script, kHookScript);
    chmod(script.c_str(), 0755);
    nlohmann::json& config = bundle->config();
    for (const std::string& kind : kinds) {
      const bool fails = std::find(failing.begin(), failing.end(), kind) != failing.end();
      config["hooks"][kind].push_back({{"path", script},
                                       {"args", {"hook.sh", kind, log_dir_, fails ? "3" : "0"}},
                                       {"env", {"PATH=/bin:/usr/bin"}},
                                       {"timeout", 60}});
    }
    config["annotations"] = {{"org.example.hooks", "yes"}};
    EXPECT_TRUE(bundle->WriteConfig().ok());
    return bundle;
  }

  const std::string& log_dir() const { return log_dir_; }

  // The hook names in the order they ran.
  std::vector<std::string> Order() const {
    return absl::StrSplit(ReadFile(log_dir_ + "/order"), '\n', absl::SkipEmpty());
  }

  // The state the hook of `kind` read on stdin (null if it did not run).
  nlohmann::json StateSeenBy(const std::string& kind) const {
    return nlohmann::json::parse(ReadFile(absl::StrCat(log_dir_, "/", kind, ".json")), nullptr,
                                 /*allow_exceptions=*/false);
  }

  // `create` expected to fail: its stderr.
  std::string FailingCreate(const TestBundle& bundle, const std::string& id) const {
    CommandResult r = RunCommand(Runsc({"create", "--bundle", bundle.dir(), id}));
    EXPECT_NE(r.exit_code, 0) << "create of " << id << " succeeded";
    return r.err;
  }

 private:
  std::string log_dir_;
};

TEST_P(HooksTest, EveryHookRunsInOrderWithTheStateOfItsLifecyclePoint) {
  const std::string id = "hooked";
  auto bundle = HookedBundle({"/bin/sleep", "600"},
                             {"prestart", "createRuntime", "createContainer", "startContainer",
                              "poststart", "poststop"});
  ASSERT_NE(bundle, nullptr);
  const pid_t sentry = Create(*bundle, id);
  ASSERT_GT(sentry, 0);
  EXPECT_THAT(Order(), ElementsAre("prestart", "createRuntime", "createContainer"));
  EXPECT_EQ(State(id).status(), "created");

  CommandResult start = RunCommand(Runsc({"start", id}));
  ASSERT_EQ(start.exit_code, 0) << start.err;
  EXPECT_THAT(Order(), ElementsAre("prestart", "createRuntime", "createContainer",
                                   "startContainer", "poststart"));

  ASSERT_EQ(RunCommand(Runsc({"kill", id, "KILL"})).exit_code, 0);
  ASSERT_EQ(WaitForStatus(id, "stopped"), "stopped");
  CommandResult deleted = RunCommand(Runsc({"delete", id}));
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_THAT(Order(), ElementsAre("prestart", "createRuntime", "createContainer",
                                   "startContainer", "poststart", "poststop"));
  ExpectGone(id);

  // runtime.md: creating while create runs, created before start lets the
  // process run, running after, stopped once the sandbox is gone. The pid
  // is the sentry's while it lives.
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"prestart", "creating"},        {"createRuntime", "creating"},
      {"createContainer", "creating"}, {"startContainer", "created"},
      {"poststart", "running"},        {"poststop", "stopped"}};
  for (const auto& [kind, status] : expected) {
    SCOPED_TRACE(kind);
    nlohmann::json state = StateSeenBy(kind);
    ASSERT_TRUE(state.is_object()) << ReadFile(absl::StrCat(log_dir(), "/", kind, ".json"));
    EXPECT_EQ(state.value("status", ""), status);
    EXPECT_EQ(state.value("id", ""), id);
    EXPECT_EQ(state.value("bundle", ""), fs::canonical(bundle->dir()).string());
    EXPECT_EQ(state.value("ociVersion", "").substr(0, 2), "1.");
    EXPECT_EQ(state["annotations"].value("org.example.hooks", ""), "yes");
    EXPECT_EQ(state.value("pid", -1), status == "stopped" ? 0 : sentry);
  }
}

TEST_P(HooksTest, AFailingCreateRuntimeHookFailsCreateAndLeavesNothing) {
  const std::string id = "hook-fails";
  auto bundle = HookedBundle({"/bin/sleep", "600"},
                             {"createRuntime", "createContainer", "poststop"}, {"createRuntime"});
  ASSERT_NE(bundle, nullptr);
  // A cgroup of the test's choosing, to check that it goes too.
  const std::string cgroup = absl::StrCat("runsc-hooks-e2e-", getpid(), "/", id);
  bundle->config()["linux"]["cgroupsPath"] = cgroup;
  ASSERT_TRUE(bundle->WriteConfig().ok());

  std::string err = FailingCreate(*bundle, id);
  EXPECT_THAT(err, HasSubstr("error running createRuntime hook #0"));
  EXPECT_THAT(err, HasSubstr("exit status 3"));
  EXPECT_THAT(err, HasSubstr("createRuntime hook says no"));
  // The sandbox was up when the hook ran (it saw a pid), and is gone.
  EXPECT_GT(StateSeenBy("createRuntime").value("pid", 0), 0);
  ExpectGone(id);
  // The hooks after it did not run; the destruction's poststop did.
  EXPECT_THAT(Order(), ElementsAre("createRuntime", "poststop"));
  for (absl::string_view line :
       absl::StrSplit(ReadFile("/proc/self/cgroup"), '\n', absl::SkipEmpty())) {
    std::vector<std::string> fields = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (fields.size() != 3 || fields[1] != "pids") continue;
    const std::string parent = absl::StrCat("/sys/fs/cgroup/pids", fields[2] == "/" ? "" : fields[2],
                                            "/runsc-hooks-e2e-", getpid());
    EXPECT_FALSE(fs::exists(parent + "/" + id)) << "cgroup left: " << parent << "/" << id;
    rmdir(parent.c_str());
  }
}

TEST_P(HooksTest, AFailingStartContainerHookFailsStartAndStopsTheContainer) {
  const std::string id = "start-hook-fails";
  auto bundle = HookedBundle({"/bin/sleep", "600"}, {"startContainer", "poststart", "poststop"},
                             {"startContainer"});
  ASSERT_NE(bundle, nullptr);
  ASSERT_GT(Create(*bundle, id), 0);
  CommandResult start = RunCommand(Runsc({"start", id}));
  EXPECT_NE(start.exit_code, 0);
  EXPECT_THAT(start.err, HasSubstr("error running startContainer hook #0"));
  EXPECT_EQ(WaitForStatus(id, "stopped"), "stopped");
  CommandResult deleted = RunCommand(Runsc({"delete", id}));
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_THAT(Order(), ElementsAre("startContainer", "poststop"));
  ExpectGone(id);
}

TEST_P(HooksTest, AFailingPoststartHookIsOnlyAWarning) {
  const std::string id = "poststart-fails";
  auto bundle = HookedBundle({"/bin/sleep", "600"}, {"poststart"}, {"poststart"});
  ASSERT_NE(bundle, nullptr);
  ASSERT_GT(Create(*bundle, id), 0);
  CommandResult start = RunCommand(Runsc({"start", id}));
  EXPECT_EQ(start.exit_code, 0) << start.err;
  EXPECT_THAT(start.err, HasSubstr("poststart hook says no"));
  EXPECT_EQ(State(id).status(), "running");
  EXPECT_EQ(RunCommand(Runsc({"delete", "--force", id})).exit_code, 0);
  ExpectGone(id);
}

TEST_P(HooksTest, MalformedHooksAreRefusedByCreate) {
  const std::string id = "bad-hooks";
  auto bundle = NewBundle({"/bin/true"});
  ASSERT_NE(bundle, nullptr);
  bundle->config()["hooks"] = {{"createRuntime", {{{"path", "relative/hook"}}}}};
  ASSERT_TRUE(bundle->WriteConfig().ok());
  EXPECT_THAT(FailingCreate(*bundle, id),
              HasSubstr("hooks.createRuntime[0].path: must be an absolute path"));
  ExpectGone(id);
  bundle->config()["hooks"] = {{"poststop", {{{"path", "/bin/true"}, {"timeout", 0}}}}};
  ASSERT_TRUE(bundle->WriteConfig().ok());
  EXPECT_THAT(FailingCreate(*bundle, id),
              HasSubstr("hooks.poststop[0].timeout: must be greater than zero"));
  ExpectGone(id);
}

INSTANTIATE_TEST_SUITE_P(Platforms, HooksTest, ::testing::ValuesIn(kPlatforms),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace runsc::testing
