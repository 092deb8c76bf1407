#include "bench/runner/bench_rootfs.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include "bench/programs/bench_files.h"
#include "gtest/gtest.h"

namespace runsc::bench {
namespace {

namespace fs = std::filesystem;

class BuildBenchRootfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bench_rootfs_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(BuildBenchRootfsTest, HoldsTheProgramItsLibrariesBusyboxAndTheData) {
  if (access("/bin/busybox", X_OK) != 0) GTEST_SKIP() << "busybox-static is not installed";
  // This test binary is dynamically linked, as the workloads are.
  const std::string program = fs::read_symlink("/proc/self/exe").string();
  absl::StatusOr<BenchRootfs> rootfs = BuildBenchRootfs(dir_ + "/rootfs", program, "/bin/busybox");
  ASSERT_TRUE(rootfs.ok()) << rootfs.status();
  const fs::path root = rootfs->dir;
  EXPECT_EQ(rootfs->program, "/bench/" + fs::path(program).filename().string());
  EXPECT_TRUE(fs::is_regular_file(root / rootfs->program.substr(1)));
  EXPECT_TRUE(fs::is_regular_file(root / "lib64/ld-linux-x86-64.so.2"));
  EXPECT_TRUE(fs::is_regular_file(root / "lib/x86_64-linux-gnu/libc.so.6"));
  EXPECT_TRUE(fs::is_regular_file(root / "bin/busybox"));
  EXPECT_EQ(fs::read_symlink(root / "bin/true"), "busybox");
  EXPECT_EQ(fs::read_symlink(root / "bin/sleep"), "busybox");
  for (const DataFile& f : kDataFiles) {
    EXPECT_EQ(fs::file_size(root / std::string(f.path).substr(1)), f.size) << f.path;
  }
  EXPECT_EQ(fs::status(root / "tmp").permissions() & fs::perms::all, fs::perms::all);
  for (const char* d : {"proc", "dev", "sys"}) EXPECT_TRUE(fs::is_directory(root / d)) << d;
  // An existing directory is never reused.
  EXPECT_FALSE(BuildBenchRootfs(dir_ + "/rootfs", program, "/bin/busybox").ok());
}

TEST_F(BuildBenchRootfsTest, AMissingProgramIsAnError) {
  EXPECT_FALSE(BuildBenchRootfs(dir_ + "/a", dir_ + "/missing", "/bin/busybox").ok());
  EXPECT_FALSE(
      BuildBenchRootfs(dir_ + "/b", "/bin/busybox", dir_ + "/missing-busybox").ok());
}

}  // namespace
}  // namespace runsc::bench
