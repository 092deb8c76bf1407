#include "runsc/container/state.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace runsc::container {
namespace {

using ::testing::HasSubstr;

ContainerState Sample() {
  ContainerState state;
  state.oci_version = "1.0.2";
  state.id = "abc";
  state.status = ContainerStatus::kRunning;
  state.bundle = "/b";
  state.rootfs = "/b/rootfs";
  state.created = absl::FromUnixNanos(1700000000123456789);
  state.annotations = {{"k", "v"}};
  state.sentry = {123, 456};
  state.gofer = {124, 457};
  state.cgroup_dirs = {"/sys/fs/cgroup/pids/runsc/abc", "/sys/fs/cgroup/memory/runsc/abc"};
  return state;
}

TEST(StateTest, CreatedTimeIsRfc3339WithNanos) {
  EXPECT_EQ(FormatCreatedTime(absl::FromUnixNanos(1700000000123456789)),
            "2023-11-14T22:13:20.123456789Z");
  EXPECT_EQ(FormatCreatedTime(absl::FromUnixSeconds(0)), "1970-01-01T00:00:00.000000000Z");
}

TEST(StateTest, JsonRoundTrip) {
  ContainerState state = Sample();
  auto back = StateFromJson(StateToJson(state));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->id, "abc");
  EXPECT_EQ(back->status, ContainerStatus::kRunning);
  EXPECT_EQ(back->bundle, "/b");
  EXPECT_EQ(back->rootfs, "/b/rootfs");
  EXPECT_EQ(back->created, state.created);
  EXPECT_EQ(back->annotations, state.annotations);
  EXPECT_EQ(back->owner, "");
  EXPECT_EQ(back->sentry, state.sentry);
  EXPECT_EQ(back->gofer, state.gofer);
  EXPECT_EQ(back->cgroup_dirs, state.cgroup_dirs);
}

TEST(StateTest, HooksAndResourcesRoundTrip) {
  ContainerState state = Sample();
  config::SpecHook hook;
  hook.path = "/usr/bin/cleanup";
  hook.args = {"cleanup", "--all"};
  hook.env = {"A=1"};
  hook.timeout_seconds = 3;
  state.hooks.poststop = {hook};
  state.hooks.start_container = {hook};
  state.resources.memory_limit = 64 << 20;
  state.resources.memory_swap = 128 << 20;
  state.resources.pids_limit = 30;
  auto back = StateFromJson(StateToJson(state));
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->hooks.poststop.size(), 1u);
  EXPECT_EQ(back->hooks.poststop[0].path, "/usr/bin/cleanup");
  EXPECT_EQ(back->hooks.poststop[0].args, hook.args);
  EXPECT_EQ(back->hooks.poststop[0].env, hook.env);
  EXPECT_EQ(back->hooks.poststop[0].timeout_seconds, 3);
  EXPECT_EQ(back->hooks.start_container.size(), 1u);
  EXPECT_TRUE(back->hooks.create_runtime.empty());
  EXPECT_EQ(back->resources.memory_limit, 64 << 20);
  EXPECT_EQ(back->resources.memory_swap, 128 << 20);
  EXPECT_EQ(back->resources.pids_limit, 30);
  EXPECT_FALSE(back->resources.cpu_quota.has_value());

  // Written by a runsc before hooks and updates were kept: neither.
  nlohmann::json old = StateToJson(state);
  old.erase("hooks");
  old.erase("resources");
  auto older = StateFromJson(old);
  ASSERT_TRUE(older.ok()) << older.status();
  EXPECT_TRUE(older->hooks.empty());
  EXPECT_FALSE(older->resources.memory_limit.has_value());

  nlohmann::json corrupt = StateToJson(state);
  corrupt["hooks"]["poststop"][0]["path"] = "relative";
  EXPECT_EQ(StateFromJson(corrupt).status().code(), absl::StatusCode::kDataLoss);
}

TEST(StateTest, StateWithoutCgroupStillReads) {
  nlohmann::json j = StateToJson(Sample());
  j.erase("cgroup");
  auto back = StateFromJson(j);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->cgroup_dirs.empty());
}

TEST(StateTest, CorruptJsonIsDataLoss) {
  nlohmann::json j = StateToJson(Sample());
  j["status"] = "frozen";  // not an OCI status
  EXPECT_EQ(StateFromJson(j).status().code(), absl::StatusCode::kDataLoss);
  j = StateToJson(Sample());
  j.erase("sentry");
  EXPECT_EQ(StateFromJson(j).status().code(), absl::StatusCode::kDataLoss);
  j = StateToJson(Sample());
  j["created"] = "yesterday";
  EXPECT_EQ(StateFromJson(j).status().code(), absl::StatusCode::kDataLoss);
  j = StateToJson(Sample());
  j["id"] = 5;
  EXPECT_EQ(StateFromJson(j).status().code(), absl::StatusCode::kDataLoss);
}

TEST(StateTest, OciStateFields) {
  nlohmann::ordered_json oci = OciState(Sample(), ContainerStatus::kRunning);
  std::vector<std::string> keys;
  for (const auto& [key, value] : oci.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"ociVersion", "id", "status", "pid", "bundle",
                                            "rootfs", "created", "owner", "annotations"}));
  EXPECT_EQ(oci["status"], "running");
  EXPECT_EQ(oci["pid"], 123);
  EXPECT_EQ(oci["created"], "2023-11-14T22:13:20.123456789Z");
  EXPECT_EQ(oci["owner"], "");
  EXPECT_EQ(oci["annotations"]["k"], "v");
  // Once stopped there is no process to name.
  EXPECT_EQ(OciState(Sample(), ContainerStatus::kStopped)["pid"], 0);
  EXPECT_EQ(OciState(Sample(), ContainerStatus::kCreated)["pid"], 123);
  // While creating, once the sentry is up (the create hooks see it).
  EXPECT_EQ(OciState(Sample(), ContainerStatus::kCreating)["pid"], 123);
  ContainerState reserved = Sample();
  reserved.sentry = {};
  EXPECT_EQ(OciState(reserved, ContainerStatus::kCreating)["pid"], 0);
}

class StateFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/state-XXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(StateFileTest, WriteThenRead) {
  EXPECT_EQ(ReadStateFile(dir_).status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(WriteStateFile(dir_, Sample()).ok());
  struct stat st;
  ASSERT_EQ(stat((dir_ + "/state.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto state = ReadStateFile(dir_);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->id, "abc");
  ContainerState changed = Sample();
  changed.status = ContainerStatus::kStopped;
  ASSERT_TRUE(WriteStateFile(dir_, changed).ok());
  EXPECT_EQ(ReadStateFile(dir_)->status, ContainerStatus::kStopped);
}

TEST_F(StateFileTest, GarbageFileIsAnError) {
  std::ofstream(dir_ + "/state.json") << "{ not json";
  auto state = ReadStateFile(dir_);
  EXPECT_EQ(state.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(state.status().message(), HasSubstr("state.json"));
}

TEST_F(StateFileTest, AnEmptyFileIsAsIfNeverWritten) {
  // What a host crash may leave of a first write that was never fsynced.
  std::ofstream(dir_ + "/state.json").flush();
  EXPECT_EQ(ReadStateFile(dir_).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace runsc::container
