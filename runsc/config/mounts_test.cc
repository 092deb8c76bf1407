#include "runsc/config/mounts.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace runsc::config {
namespace {

using ::testing::ElementsAre;
using Type = sentry::MountOptions::Type;

// The mounts docker and podman pass, plus a bind of each kind.
Spec SpecWithMounts() {
  Spec spec;
  spec.mounts = {
      {"/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}},
      {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}},
      {"/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "gid=5"}},
      {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
      {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}},
      {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}},
      {"/etc/hosts", "bind", "/var/lib/hosts", {"rbind", "rprivate", "ro"}},
      {"/data", "none", "relative/dir", {"bind", "rw"}},
      {"/cgroup", "cgroup", "cgroup", {"ro"}},
  };
  spec.linux_spec.masked_paths = {"/proc/kcore"};
  spec.linux_spec.readonly_paths = {"/proc/sys"};
  return spec;
}

TEST(MountsTest, BindMountsAreNumberedInSpecOrder) {
  std::vector<BindMount> binds = BindMountsOf(SpecWithMounts(), "/bundle");
  ASSERT_EQ(binds.size(), 2u);
  EXPECT_EQ(binds[0].source, "/var/lib/hosts");
  EXPECT_EQ(binds[0].destination, "/etc/hosts");
  EXPECT_TRUE(binds[0].read_only);
  EXPECT_EQ(binds[1].source, "/bundle/relative/dir");
  EXPECT_FALSE(binds[1].read_only);
}

TEST(MountsTest, SentryGetsWhatItCanMountAndNothingElse) {
  sentry::BootOptions options;
  AddMounts(SpecWithMounts(), options);
  std::vector<std::string> destinations;
  for (const auto& m : options.mounts) destinations.push_back(m.destination);
  // mqueue and cgroup are skipped (with a warning).
  EXPECT_THAT(destinations,
              ElementsAre("/proc", "/dev", "/dev/pts", "/dev/shm", "/sys", "/etc/hosts", "/data"));
  const auto& devpts = options.mounts[2];
  EXPECT_EQ(devpts.type, Type::kDevpts);
  EXPECT_TRUE(devpts.nosuid && devpts.noexec);
  EXPECT_THAT(devpts.data, ElementsAre("gid=5"));  // newinstance is implied.
  options.mounts.erase(options.mounts.begin() + 2);
  const auto& shm = options.mounts[2];
  EXPECT_EQ(shm.type, Type::kTmpfs);
  EXPECT_EQ(shm.source, "shm");
  EXPECT_TRUE(shm.nosuid && shm.nodev && shm.noexec);
  EXPECT_FALSE(shm.read_only);
  EXPECT_THAT(shm.data, ElementsAre("mode=1777", "size=65536k"));
  EXPECT_EQ(options.mounts[0].type, Type::kProc);
  EXPECT_EQ(options.mounts[3].type, Type::kSysfs);
  EXPECT_TRUE(options.mounts[3].read_only);
  const auto& hosts = options.mounts[4];
  EXPECT_EQ(hosts.type, Type::kBind);
  EXPECT_EQ(hosts.gofer_mount, 1u);
  EXPECT_TRUE(hosts.read_only);
  EXPECT_EQ(hosts.source, "none");  // No host path inside the container.
  EXPECT_EQ(options.mounts[5].gofer_mount, 2u);
  EXPECT_THAT(options.masked_paths, ElementsAre("/proc/kcore"));
  EXPECT_THAT(options.readonly_paths, ElementsAre("/proc/sys"));
}

TEST(MountsTest, WhatIsNotAppliedIsWarnedAbout) {
  std::vector<std::string> warnings = MountWarnings(SpecWithMounts());
  EXPECT_THAT(warnings,
              ElementsAre("mount of mqueue \"mqueue\" at /dev/mqueue is skipped: the sandbox has "
                          "no mqueue filesystem yet",
                          "mount of cgroup \"cgroup\" at /cgroup is skipped: the sandbox has no "
                          "cgroup filesystem yet"));
  Spec spec;
  spec.mounts = {{"/x", "tmpfs", "tmpfs", {"tmpcopyup", "size=1m"}}};
  EXPECT_THAT(MountWarnings(spec),
              ElementsAre("mount of tmpfs \"tmpfs\" at /x: option \"tmpcopyup\" is not "
                          "supported and ignored"));
}

TEST(MountsTest, LaterRoAndRwWin) {
  Spec spec;
  spec.mounts = {{"/a", "bind", "/src", {"ro", "rw"}}, {"/b", "tmpfs", "tmpfs", {"rw", "ro"}}};
  sentry::BootOptions options;
  AddMounts(spec, options);
  ASSERT_EQ(options.mounts.size(), 2u);
  EXPECT_FALSE(options.mounts[0].read_only);
  EXPECT_FALSE(BindMountsOf(spec, "/")[0].read_only);
  EXPECT_TRUE(options.mounts[1].read_only);
}

}  // namespace
}  // namespace runsc::config
