#include "runsc/config/global_config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace runsc::config {
namespace {

using ::testing::HasSubstr;

TEST(GlobalConfigTest, DefaultsAreCreatable) { EXPECT_TRUE(ValidateForCreate({}).ok()); }

TEST(GlobalConfigTest, UnsupportedSettingsSaySo) {
  GlobalConfig config;
  config.platform = "systrap";
  EXPECT_TRUE(ValidateForCreate(config).ok());
  config = {};
  config.platform = "kvm";
  EXPECT_THAT(ValidateForCreate(config).message(), HasSubstr("unknown platform"));
  config = {};
  config.network = NetworkMode::kHost;
  EXPECT_THAT(ValidateForCreate(config).message(), HasSubstr("--network=host is not supported"));
  config = {};
  config.network = NetworkMode::kSandbox;
  EXPECT_THAT(ValidateForCreate(config).message(), HasSubstr("--network=sandbox"));
  config = {};
  config.systemd_cgroup = true;
  EXPECT_THAT(ValidateForCreate(config).message(), HasSubstr("--systemd-cgroup is not supported"));
}

TEST(GlobalConfigTest, ChildFlagsCarryRootAndSettings) {
  GlobalConfig config;
  config.root = "/r";
  config.debug = true;
  config.strace = true;
  config.log_format = LogFormatFlag::kJson;
  EXPECT_THAT(ChildGlobalFlags(config),
              ::testing::ElementsAre("--root", "/r", "--platform", "systrap", "--log-format",
                                     "json", "--debug", "--strace"));
  config.vdso = false;
  EXPECT_THAT(ChildGlobalFlags(config), ::testing::Contains("--vdso=false"));
  EXPECT_THAT(ChildGlobalFlags(config), ::testing::Not(::testing::Contains("--cpu-pairing=false")));
  config.cpu_pairing = false;
  EXPECT_THAT(ChildGlobalFlags(config), ::testing::Contains("--cpu-pairing=false"));
  EXPECT_THAT(ChildGlobalFlags(config), ::testing::Not(::testing::Contains("--file-access")));
  config.file_access_exclusive = false;
  EXPECT_THAT(ChildGlobalFlags(config), ::testing::Contains("--file-access"));
  EXPECT_THAT(ChildGlobalFlags(config), ::testing::Contains("shared"));
  EXPECT_THAT(ChildGlobalFlags(config), ::testing::Not(::testing::Contains("--systrap-spin-us")));
  config.systrap_spin_us = 0;
  EXPECT_THAT(ChildGlobalFlags(config), ::testing::Contains("--systrap-spin-us"));
  EXPECT_THAT(ChildGlobalFlags(config),
              ::testing::Not(::testing::Contains("--direct-file-reads=false")));
  config.direct_file_reads = false;
  EXPECT_THAT(ChildGlobalFlags(config), ::testing::Contains("--direct-file-reads=false"));
  config.syscall_patching = !GlobalConfig{}.syscall_patching;
  EXPECT_THAT(ChildGlobalFlags(config),
              ::testing::Contains(config.syscall_patching ? "--syscall-patching=true"
                                                          : "--syscall-patching=false"));
}

}  // namespace
}  // namespace runsc::config
