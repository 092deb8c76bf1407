#include "test/syscalls/runner/oci_bundle.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace runsc::compat {
namespace {

namespace fs = std::filesystem;

TEST(CompatOciConfigTest, IsWhatRuncNeeds) {
  auto config = CompatOciConfig({"/bin", "--gtest_color=no"}, CompatEnvironment("/tmp"));
  EXPECT_EQ(config["process"]["args"], (nlohmann::json{"/bin", "--gtest_color=no"}));
  EXPECT_EQ(config["process"]["cwd"], "/");
  EXPECT_EQ(config["process"]["terminal"], false);
  EXPECT_EQ(config["root"]["path"], "rootfs");
  EXPECT_EQ(config["root"]["readonly"], false);
  std::vector<std::string> env = config["process"]["env"];
  EXPECT_TRUE(env[0].starts_with("PATH=/"));
  EXPECT_EQ(env[1], "TEST_TMPDIR=/tmp");
  std::set<std::string> namespaces;
  for (const auto& ns : config["linux"]["namespaces"]) namespaces.insert(ns["type"]);
  EXPECT_EQ(namespaces, (std::set<std::string>{"pid", "network", "ipc", "uts", "mount"}));
  std::map<std::string, std::string> mounts;
  for (const auto& m : config["mounts"]) mounts[m["destination"]] = m["type"];
  EXPECT_EQ(mounts["/proc"], "proc");
  EXPECT_EQ(mounts["/dev"], "tmpfs");
  EXPECT_EQ(mounts["/dev/pts"], "devpts");
  EXPECT_EQ(mounts["/dev/shm"], "tmpfs");
  EXPECT_EQ(mounts["/sys"], "sysfs");
}

TEST(CompatOciConfigTest, GrantsTheRunnersOwnCapabilities) {
  auto config = CompatOciConfig({"/bin"}, CompatEnvironment("/tmp"));
  const std::vector<std::string> own = OwnCapabilityNames();
  for (const char* set : {"bounding", "effective", "permitted", "ambient"}) {
    EXPECT_EQ(config["process"]["capabilities"][set].get<std::vector<std::string>>(), own) << set;
  }
  if (geteuid() == 0) EXPECT_NE(std::find(own.begin(), own.end(), "CAP_CHOWN"), own.end());
}

TEST(WriteOciBundleTest, WritesConfigAndRootfs) {
  char tmpl[] = "/tmp/oci_bundle_test.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string base = tmpl;
  const std::string binary = base + "/runsc_syscall_test_x";
  std::ofstream(binary) << "#!/bin/sh\n";
  const std::string bundle = base + "/bundle";
  ASSERT_TRUE(WriteOciBundle(bundle, binary, {"--gtest_filter=A.B"}).ok());
  std::ifstream in(bundle + "/config.json");
  auto config = nlohmann::json::parse(in);
  EXPECT_EQ(config["process"]["args"],
            (nlohmann::json{"/runsc_syscall_test_x", "--gtest_filter=A.B"}));
  struct stat st;
  ASSERT_EQ(stat((bundle + "/rootfs/runsc_syscall_test_x").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  ASSERT_EQ(stat((bundle + "/rootfs/tmp").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 01777u);
  for (const char* dir : {"proc", "dev", "sys"}) {
    EXPECT_TRUE(fs::is_directory(bundle + "/rootfs/" + dir)) << dir;
    EXPECT_TRUE(fs::is_empty(bundle + "/rootfs/" + dir)) << dir;
  }
  // An existing bundle directory is never reused.
  EXPECT_FALSE(WriteOciBundle(bundle, binary, {}).ok());
  // A missing binary is an error, not an empty rootfs.
  EXPECT_FALSE(WriteOciBundle(base + "/other", base + "/missing", {}).ok());
  fs::remove_all(base);
}

TEST(WriteOciBundleOnRootfsTest, PointsAtTheSharedRootfs) {
  char tmpl[] = "/tmp/oci_bundle_test.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string base = tmpl;
  const std::string bundle = base + "/bundle";
  ASSERT_TRUE(WriteOciBundleOnRootfs(bundle, "/shared/rootfs", {"/bin/true", "x"}).ok());
  std::ifstream in(bundle + "/config.json");
  auto config = nlohmann::json::parse(in);
  EXPECT_EQ(config["root"]["path"], "/shared/rootfs");
  EXPECT_EQ(config["root"]["readonly"], false);
  EXPECT_EQ(config["process"]["args"], (nlohmann::json{"/bin/true", "x"}));
  // Only config.json: nothing is copied.
  EXPECT_EQ(std::distance(fs::directory_iterator(bundle), fs::directory_iterator()), 1);
  EXPECT_FALSE(WriteOciBundleOnRootfs(bundle, "/shared/rootfs", {"/bin/true"}).ok());
  EXPECT_FALSE(WriteOciBundleOnRootfs(base + "/b2", "relative/rootfs", {"/bin/true"}).ok());
  fs::remove_all(base);
}

}  // namespace
}  // namespace runsc::compat
