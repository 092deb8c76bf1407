#include "test/syscalls/runner/host_program_copier.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>

#include "gtest/gtest.h"

namespace runsc::compat {
namespace {

namespace fs = std::filesystem;

TEST(ParseLddOutputTest, EveryLibraryWithAPathAndTheLoader) {
  constexpr char kLdd[] =
      "\tlinux-vdso.so.1 (0x00007ffc1b5f9000)\n"
      "\tlibbenchmark.so.1 => /lib/x86_64-linux-gnu/libbenchmark.so.1 (0x00007f0c8c6a1000)\n"
      "\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f0c8c400000)\n"
      "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0c8c21f000)\n"
      "\t/lib64/ld-linux-x86-64.so.2 (0x00007f0c8c6f5000)\n";
  absl::StatusOr<std::vector<std::string>> libs = ParseLddOutput(kLdd);
  ASSERT_TRUE(libs.ok()) << libs.status();
  EXPECT_EQ(*libs, (std::vector<std::string>{"/lib/x86_64-linux-gnu/libbenchmark.so.1",
                                             "/lib/x86_64-linux-gnu/libstdc++.so.6",
                                             "/lib/x86_64-linux-gnu/libc.so.6",
                                             "/lib64/ld-linux-x86-64.so.2"}));
}

TEST(ParseLddOutputTest, StaticIsNoLibraryAndMissingIsAnError) {
  absl::StatusOr<std::vector<std::string>> libs = ParseLddOutput("\tnot a dynamic executable\n");
  ASSERT_TRUE(libs.ok());
  EXPECT_TRUE(libs->empty());
  libs = ParseLddOutput("\tlibgone.so.3 => not found\n\tlibc.so.6 => /lib/libc.so.6 (0x1)\n");
  EXPECT_TRUE(absl::IsNotFound(libs.status())) << libs.status();
  EXPECT_NE(libs.status().message().find("libgone.so.3"), absl::string_view::npos);
}

class HostProgramCopierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/host_program_copier_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(HostProgramCopierTest, AProgramComesWithItsLoaderAndLibc) {
  HostProgramCopier copier(dir_);
  ASSERT_TRUE(copier.CopyProgram("/bin/sh", "/usr/bin/sh").ok());
  struct stat st;
  ASSERT_EQ(stat((dir_ / "usr/bin/sh").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  EXPECT_EQ(static_cast<uintmax_t>(st.st_size), fs::file_size("/bin/sh"));
  // Debian's dash is dynamically linked: its loader is listed by ldd.
  EXPECT_TRUE(fs::exists(dir_ / "lib64/ld-linux-x86-64.so.2"));
  // Copying a second program that shares libc is fine.
  EXPECT_TRUE(copier.CopyProgram("/bin/ls", "/usr/bin/ls").ok());
}

TEST_F(HostProgramCopierTest, AMissingProgramIsAnError) {
  HostProgramCopier copier(dir_);
  EXPECT_FALSE(copier.CopyProgram("/nonexistent/program", "/usr/bin/p").ok());
}

TEST_F(HostProgramCopierTest, ATreeIsCopiedAtItsOwnPath) {
  const fs::path host = dir_ / "host";
  fs::create_directories(host / "sub");
  { FILE* f = fopen((host / "sub/f").c_str(), "w"); fputs("x", f); fclose(f); }
  const fs::path root = dir_ / "root";
  fs::create_directories(root);
  HostProgramCopier copier(root);
  ASSERT_TRUE(copier.CopyTree(host.string()).ok());
  EXPECT_TRUE(fs::exists(root / host.relative_path() / "sub/f"));
}

}  // namespace
}  // namespace runsc::compat
