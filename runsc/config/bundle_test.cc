#include "runsc/config/bundle.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace runsc::config {
namespace {

using ::testing::HasSubstr;

constexpr char kConfig[] = R"({
  "ociVersion": "1.0.2",
  "process": {"args": ["sh"], "cwd": "/"},
  "root": {"path": "rootfs", "readonly": true}
})";

class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = ::testing::TempDir() + "/bundle-XXXXXX";
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& name, const std::string& data) {
    std::ofstream(dir_ + "/" + name) << data;
  }

  std::string dir_;
};

TEST_F(BundleTest, LoadsBundle) {
  Write("config.json", kConfig);
  ASSERT_EQ(mkdir((dir_ + "/rootfs").c_str(), 0755), 0);
  auto bundle = LoadBundle(dir_);
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  EXPECT_EQ(bundle->dir, std::filesystem::canonical(dir_).string());
  EXPECT_EQ(bundle->rootfs, bundle->dir + "/rootfs");
  EXPECT_TRUE(bundle->spec.root.readonly);
}

TEST_F(BundleTest, AbsoluteRootPath) {
  ASSERT_EQ(mkdir((dir_ + "/elsewhere").c_str(), 0755), 0);
  std::string config = kConfig;
  config.replace(config.find("\"rootfs\""), 8, "\"" + dir_ + "/elsewhere\"");
  Write("config.json", config);
  auto bundle = LoadBundle(dir_);
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  EXPECT_EQ(bundle->rootfs, std::filesystem::canonical(dir_ + "/elsewhere").string());
}

TEST_F(BundleTest, MissingBundleDir) {
  auto bundle = LoadBundle(dir_ + "/nope");
  ASSERT_FALSE(bundle.ok());
  EXPECT_THAT(bundle.status().message(), HasSubstr("nope"));
}

TEST_F(BundleTest, MissingConfig) {
  auto bundle = LoadBundle(dir_);
  ASSERT_FALSE(bundle.ok());
  EXPECT_THAT(bundle.status().message(), HasSubstr("config.json"));
  EXPECT_THAT(bundle.status().message(), HasSubstr("No such file or directory"));
}

TEST_F(BundleTest, MalformedConfig) {
  Write("config.json", "{ not json");
  auto bundle = LoadBundle(dir_);
  ASSERT_FALSE(bundle.ok());
  EXPECT_THAT(bundle.status().message(), HasSubstr("config.json: malformed JSON"));
}

TEST_F(BundleTest, InvalidConfigNamesField) {
  Write("config.json", R"({"ociVersion": "1.0.2", "process": {"args": [], "cwd": "/"},
                           "root": {"path": "rootfs"}})");
  ASSERT_EQ(mkdir((dir_ + "/rootfs").c_str(), 0755), 0);
  auto bundle = LoadBundle(dir_);
  ASSERT_FALSE(bundle.ok());
  EXPECT_THAT(bundle.status().message(), HasSubstr("config.json: process.args: must not be empty"));
}

TEST_F(BundleTest, MissingRootfs) {
  Write("config.json", kConfig);
  auto bundle = LoadBundle(dir_);
  ASSERT_FALSE(bundle.ok());
  EXPECT_THAT(bundle.status().message(), HasSubstr("root.path"));
  EXPECT_THAT(bundle.status().message(), HasSubstr("No such file or directory"));
}

TEST_F(BundleTest, RootfsNotADirectory) {
  Write("config.json", kConfig);
  Write("rootfs", "file");
  auto bundle = LoadBundle(dir_);
  ASSERT_FALSE(bundle.ok());
  EXPECT_THAT(bundle.status().message(), HasSubstr("root.path"));
  EXPECT_THAT(bundle.status().message(), HasSubstr("is not a directory"));
}

TEST_F(BundleTest, ConfigIsADirectory) {
  ASSERT_EQ(mkdir((dir_ + "/config.json").c_str(), 0755), 0);
  auto bundle = LoadBundle(dir_);
  ASSERT_FALSE(bundle.ok());
  EXPECT_THAT(bundle.status().message(), HasSubstr("config.json"));
}

}  // namespace
}  // namespace runsc::config
