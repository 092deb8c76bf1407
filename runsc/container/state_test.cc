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

}  // namespace
}  // namespace runsc::container
