#include "runsc/container/atomic_file.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "gtest/gtest.h"

namespace runsc::container {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename());
  }
  return names;
}

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/atomic-XXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(AtomicFileTest, WritesAndReplaces) {
  std::string path = dir_ + "/pid";
  ASSERT_TRUE(WriteFileAtomically(path, "123", 0600).ok());
  EXPECT_EQ(Read(path), "123");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_TRUE(WriteFileAtomically(path, "4567").ok());
  EXPECT_EQ(Read(path), "4567");
  // No temporary file is left behind.
  EXPECT_EQ(Entries(dir_), std::vector<std::string>{"pid"});
}

TEST_F(AtomicFileTest, FailureLeavesTargetUntouched) {
  std::string path = dir_ + "/target";
  ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
  // Renaming a file over a non-empty directory fails.
  std::string blocker = dir_ + "/blocker";
  ASSERT_EQ(mkdir(blocker.c_str(), 0755), 0);
  ASSERT_EQ(mkdir((blocker + "/x").c_str(), 0755), 0);
  EXPECT_FALSE(WriteFileAtomically(blocker, "new").ok());
  EXPECT_EQ(Read(path), "old");
  EXPECT_EQ(Entries(dir_).size(), 2u);  // target and blocker, no temp file.
  EXPECT_FALSE(WriteFileAtomically(dir_ + "/missing-dir/file", "x").ok());
  EXPECT_FALSE(WriteFileAtomically(dir_ + "/", "x").ok());
}

TEST_F(AtomicFileTest, ReadersNeverSeePartialContent) {
  std::string path = dir_ + "/state";
  const std::string a(100000, 'a'), b(100000, 'b');
  ASSERT_TRUE(WriteFileAtomically(path, a).ok());
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::thread reader([&] {
    while (!done) {
      std::string seen = Read(path);
      if (seen != a && seen != b) ++bad;
    }
  });
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(WriteFileAtomically(path, i % 2 ? a : b).ok());
  done = true;
  reader.join();
  EXPECT_EQ(bad, 0);
}

}  // namespace
}  // namespace runsc::container
