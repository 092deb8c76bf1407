// Faults from outside runsc (issue 5): the gofer or the sentry killed with
// SIGKILL, a create that fails midway, a create that died and left its
// reservation. Each must leave a container that state and list call
// stopped, that kill refuses with runc's "container not running", and that a
// plain delete removes entirely: state directory, cgroup, every process.
//
// Every test runs once per platform, and never asserts how long anything
// took; it waits, with a generous deadline, for a state to change.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
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
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kCgroupRoot[] = "/sys/fs/cgroup";

class FaultsTest : public RunscTestBase, public ::testing::TestWithParam<std::string> {
 protected:
  std::string Platform() const override { return GetParam(); }

  ~FaultsTest() override {
    // The parents runsc made for an absolute cgroupsPath (as runc, it does
    // not remove a container's parent cgroup).
    for (const std::string& dir : parents_to_remove_) rmdir(dir.c_str());
  }

  nlohmann::json StateFile(const std::string& id) const {
    return nlohmann::json::parse(ReadFile(absl::StrCat(root_.path(), "/", id, "/state.json")),
                                 nullptr, /*allow_exceptions=*/false);
  }

  // A running `sleep` container, with its debug log in `log`, and its state
  // file (sentry and gofer pids, cgroup directories).
  nlohmann::json StartSleeper(const std::string& id, bool start = true) {
    bundle_ = NewBundle({"/bin/sleep", "1000"});
    EXPECT_NE(bundle_, nullptr);
    if (bundle_ == nullptr) return nullptr;
    log_ = absl::StrCat(bundle_->dir(), "/debug.log");
    const std::string pid_file = absl::StrCat(bundle_->dir(), "/", id, ".pid");
    int rc = RunWithStdio(Runsc({"--debug-log", log_, "create", "--bundle", bundle_->dir(),
                                 "--pid-file", pid_file, id}),
                          {});
    EXPECT_EQ(rc, 0) << ReadFile(log_);
    if (start) {
      CommandResult started = RunCommand(Runsc({"start", id}));
      EXPECT_EQ(started.exit_code, 0) << started.err;
      EXPECT_EQ(WaitForStatus(id, "running"), "running");
    }
    nlohmann::json state = StateFile(id);
    EXPECT_TRUE(state.is_object()) << "no state file for " << id;
    return state;
  }

  static std::vector<std::string> CgroupDirs(const nlohmann::json& state) {
    std::vector<std::string> dirs;
    if (state.is_object() && state.contains("cgroup")) {
      for (const auto& dir : state["cgroup"]) dirs.push_back(dir.get<std::string>());
    }
    return dirs;
  }

  // What a stopped container answers: state and list say stopped, kill
  // says runc's words.
  void ExpectStopped(const std::string& id) const {
    EXPECT_EQ(State(id).status(), "stopped");
    CommandResult list = RunCommand(Runsc({"list", "--format", "json"}));
    EXPECT_EQ(list.exit_code, 0) << list.err;
    nlohmann::json all = nlohmann::json::parse(list.out, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(all.is_array()) << list.out;
    bool listed = false;
    for (const auto& c : all) {
      if (c.value("id", "") != id) continue;
      listed = true;
      EXPECT_EQ(c.value("status", ""), "stopped");
    }
    EXPECT_TRUE(listed) << list.out;
    CommandResult kill = RunCommand(Runsc({"kill", id, "KILL"}));
    EXPECT_NE(kill.exit_code, 0);
    EXPECT_THAT(kill.err, HasSubstr(absl::StrCat("container \"", id, "\": container not running")));
  }

  // A plain delete works and leaves nothing: no state, no process, no cgroup.
  void ExpectDeleteLeavesNothing(const std::string& id, const std::vector<std::string>& cgroups) {
    CommandResult del = RunCommand(Runsc({"delete", id}));
    EXPECT_EQ(del.exit_code, 0) << del.err;
    ExpectGone(id);
    for (const std::string& dir : cgroups) EXPECT_FALSE(fs::exists(dir)) << dir;
  }

  std::unique_ptr<TestBundle> bundle_;
  std::string log_;
  std::vector<std::string> parents_to_remove_;
};

TEST_P(FaultsTest, GoferKilledStopsTheContainer) {
  const std::string id = "gofer-killed";
  nlohmann::json state = StartSleeper(id);
  ASSERT_TRUE(state.is_object());
  const pid_t sentry = state["sentry"]["pid"].get<int>();
  const pid_t gofer = state["gofer"]["pid"].get<int>();
  ASSERT_GT(gofer, 0);
  ASSERT_TRUE(ProcessIsLive(gofer));
  EXPECT_THAT(ReadFile(absl::StrCat("/proc/", gofer, "/cmdline")), HasSubstr("gofer"));
  const std::vector<std::string> cgroups = CgroupDirs(state);
  EXPECT_THAT(cgroups, Not(IsEmpty()));

  ASSERT_EQ(kill(gofer, SIGKILL), 0);
  EXPECT_EQ(WaitForStatus(id, "stopped"), "stopped");
  // The sentry notices by itself that its gofer is gone, kills the
  // container and exits as a killed container does.
  EXPECT_EQ(ReapSandbox(sentry), 128 + SIGKILL);
  EXPECT_THAT(ReadFile(log_), HasSubstr("the gofer hung up"));
  ExpectStopped(id);
  // Every other subcommand refuses a stopped container, saying so.
  const std::vector<std::vector<std::string>> refused = {
      {"start", id},          {"exec", id, "/bin/true"},   {"exec", "--tty", id, "/bin/true"},
      {"ps", id},             {"pause", id},               {"resume", id},
      {"update", "--pids-limit", "10", id}, {"events", "--stats", id},
  };
  for (const auto& command : refused) {
    CommandResult r = RunCommand(Runsc(command));
    EXPECT_NE(r.exit_code, 0) << command[0];
    EXPECT_THAT(r.err, AnyOf(HasSubstr("not running"), HasSubstr("stopped"), HasSubstr("not paused")))
        << command[0];
  }
  ExpectDeleteLeavesNothing(id, cgroups);
}

// runsc kill KILL of a container that was created and never started ends
// it at once (containerd removes a created task so: kill, then delete).
TEST_P(FaultsTest, KillOfACreatedContainerStopsIt) {
  const std::string id = "killed-created";
  nlohmann::json state = StartSleeper(id, /*start=*/false);
  ASSERT_TRUE(state.is_object());
  CommandResult kill = RunCommand(Runsc({"kill", id, "KILL"}));
  EXPECT_EQ(kill.exit_code, 0) << kill.err;
  EXPECT_EQ(ReapSandbox(state["sentry"]["pid"].get<int>()), 128 + SIGKILL);
  EXPECT_EQ(WaitForStatus(id, "stopped"), "stopped");
  ExpectDeleteLeavesNothing(id, CgroupDirs(state));
}

TEST_P(FaultsTest, GoferKilledBeforeStartStopsTheContainer) {
  const std::string id = "gofer-killed-created";
  nlohmann::json state = StartSleeper(id, /*start=*/false);
  ASSERT_TRUE(state.is_object());
  ASSERT_EQ(State(id).status(), "created");
  const pid_t sentry = state["sentry"]["pid"].get<int>();
  ASSERT_EQ(kill(state["gofer"]["pid"].get<int>(), SIGKILL), 0);
  EXPECT_EQ(WaitForStatus(id, "stopped"), "stopped");
  // An init that never started is killed too; the sandbox does not wait
  // for a start that could only fail.
  EXPECT_EQ(ReapSandbox(sentry), 128 + SIGKILL);
  CommandResult start = RunCommand(Runsc({"start", id}));
  EXPECT_NE(start.exit_code, 0);
  ExpectStopped(id);
  ExpectDeleteLeavesNothing(id, CgroupDirs(state));
}

TEST_P(FaultsTest, SentryKilledStopsTheContainer) {
  const std::string id = "sentry-killed";
  nlohmann::json state = StartSleeper(id);
  ASSERT_TRUE(state.is_object());
  const pid_t sentry = state["sentry"]["pid"].get<int>();
  const pid_t gofer = state["gofer"]["pid"].get<int>();
  ASSERT_EQ(kill(sentry, SIGKILL), 0);
  EXPECT_EQ(ReapSandbox(sentry), 128 + SIGKILL);
  EXPECT_EQ(WaitForStatus(id, "stopped"), "stopped");
  ExpectStopped(id);
  ExpectDeleteLeavesNothing(id, CgroupDirs(state));
  EXPECT_FALSE(ProcessIsLive(gofer));
}

// A create whose sandbox fails to start (here: the program does not exist,
// which the sentry finds when it loads it) leaves nothing: no state
// directory, no cgroup, no process.
TEST_P(FaultsTest, FailedCreateLeavesNothing) {
  const std::string id = "failed-create";
  auto bundle = NewBundle({"/no/such/program"});
  ASSERT_NE(bundle, nullptr);
  // A cgroup path of our choosing, so that we know where to look.
  const std::string parent = absl::StrCat("runsc-faults-test-", getpid());
  const std::string cgroup = absl::StrCat("/", parent, "/", id, "-", Platform());
  bundle->config()["linux"]["cgroupsPath"] = cgroup;
  ASSERT_TRUE(bundle->WriteConfig().ok());
  std::vector<std::string> would_be;
  for (const auto& hierarchy : fs::directory_iterator(kCgroupRoot)) {
    if (!hierarchy.is_directory()) continue;
    would_be.push_back(hierarchy.path().string() + cgroup);
    parents_to_remove_.push_back(absl::StrCat(hierarchy.path().string(), "/", parent));
  }

  // The same path with a program that exists does make the cgroup there:
  // where we look below is where a failed create would have left it.
  {
    auto good = NewBundle({"/bin/true"});
    ASSERT_NE(good, nullptr);
    good->config()["linux"]["cgroupsPath"] = cgroup;
    ASSERT_TRUE(good->WriteConfig().ok());
    ASSERT_GT(Create(*good, id), 0);
    EXPECT_TRUE(fs::exists(absl::StrCat(kCgroupRoot, "/pids", cgroup)));
    ASSERT_EQ(RunCommand(Runsc({"delete", "--force", id})).exit_code, 0);
  }

  CommandResult create = RunCommand(Runsc({"create", "--bundle", bundle->dir(), id}));
  EXPECT_NE(create.exit_code, 0);
  EXPECT_THAT(create.err, HasSubstr("/no/such/program"));
  ExpectGone(id);
  for (const std::string& dir : would_be) EXPECT_FALSE(fs::exists(dir)) << dir;
  CommandResult list = RunCommand(Runsc({"list", "-q"}));
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out, "");
}

// A create that died after reserving its id (the directory and its lock,
// no state file yet) or after recording its cgroup (state "creating") left
// a container that is stopped, and a plain delete cleans it up.
TEST_P(FaultsTest, AbandonedCreateIsStoppedAndDeletable) {
  const std::string reserved = "abandoned-reserved";
  const std::string reserved_dir = absl::StrCat(root_.path(), "/", reserved);
  ASSERT_TRUE(fs::create_directories(reserved_dir));
  WriteFileOrFail(reserved_dir + "/lock", "");
  ExpectStopped(reserved);
  CommandResult exec = RunCommand(Runsc({"exec", reserved, "/bin/true"}));
  EXPECT_NE(exec.exit_code, 0);
  ExpectDeleteLeavesNothing(reserved, {});

  // What create writes once the cgroup exists, before either child does.
  const std::string creating = "abandoned-creating";
  const std::string creating_dir = absl::StrCat(root_.path(), "/", creating);
  ASSERT_TRUE(fs::create_directories(creating_dir));
  WriteFileOrFail(creating_dir + "/lock", "");
  const std::string parent = absl::StrCat(kCgroupRoot, "/pids/runsc-faults-test-", getpid());
  const std::string cgroup = absl::StrCat(parent, "/", creating, "-", Platform());
  ASSERT_TRUE(fs::create_directories(cgroup)) << cgroup;
  parents_to_remove_.push_back(parent);
  nlohmann::json state = {
      {"ociVersion", "1.0.2"},
      {"id", creating},
      {"status", "creating"},
      {"bundle", "/nonexistent"},
      {"rootfs", "/nonexistent/rootfs"},
      {"created", "2026-01-01T00:00:00Z"},
      {"annotations", nlohmann::json::object()},
      {"owner", ""},
      {"sentry", {{"pid", 0}, {"start_time", 0}}},
      {"gofer", {{"pid", 0}, {"start_time", 0}}},
      {"cgroup", {cgroup}},
  };
  WriteFileOrFail(creating_dir + "/state.json", state.dump());
  ASSERT_EQ(State(creating).exit_code, 0) << State(creating).err;
  ExpectStopped(creating);
  ExpectDeleteLeavesNothing(creating, {cgroup});
}

// While a create holds the container's lock (here: the test holds it, as a
// create in progress does), state and list do not wait for it and say
// "creating", exec refuses, and delete waits for the lock; once the creator
// is gone without finishing, the container is stopped and delete removes it.
TEST_P(FaultsTest, HalfCreatedContainerIsCreatingUntilItsCreatorGoes) {
  const std::string id = "half-created";
  const std::string dir = absl::StrCat(root_.path(), "/", id);
  ASSERT_TRUE(fs::create_directories(dir));
  int lock = open((dir + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(lock, 0);
  ASSERT_EQ(flock(lock, LOCK_EX), 0);
  EXPECT_EQ(State(id).status(), "creating");
  CommandResult list = RunCommand(Runsc({"list", "--format", "json"}));
  nlohmann::json all = nlohmann::json::parse(list.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(all.is_array() && all.size() == 1) << list.out;
  EXPECT_EQ(all[0].value("status", ""), "creating");
  CommandResult exec = RunCommand(Runsc({"exec", id, "/bin/true"}));
  EXPECT_NE(exec.exit_code, 0);
  EXPECT_THAT(exec.err, HasSubstr("still being created"));

  // delete waits for the creator; the creator dies (its lock goes with it).
  CommandResult del;
  std::thread deleter([&] { del = RunCommand(Runsc({"delete", id})); });
  absl::SleepFor(absl::Milliseconds(200));  // A window for delete to block in, not a timing check.
  close(lock);
  deleter.join();
  EXPECT_EQ(del.exit_code, 0) << del.err;
  ExpectGone(id);
}

std::string PlatformName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }
INSTANTIATE_TEST_SUITE_P(Platforms, FaultsTest, ::testing::ValuesIn(kPlatforms), PlatformName);

}  // namespace
}  // namespace runsc::testing
