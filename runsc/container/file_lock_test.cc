#include "runsc/container/file_lock.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace runsc::container {
namespace {

class FileLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/lock-XXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(FileLockTest, MissingFileIsNotFound) {
  auto lock = FileLock::Acquire(dir_ + "/lock");
  EXPECT_EQ(lock.status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(FileLock::IsHeld(dir_ + "/lock"));
}

TEST_F(FileLockTest, HeldUntilDestroyed) {
  std::string path = dir_ + "/lock";
  {
    auto lock = FileLock::Acquire(path, FileLock::Open::kCreate);
    ASSERT_TRUE(lock.ok()) << lock.status();
    EXPECT_TRUE(FileLock::IsHeld(path));
    FileLock moved = *std::move(lock);
    EXPECT_TRUE(FileLock::IsHeld(path));
  }
  EXPECT_FALSE(FileLock::IsHeld(path));
}

TEST_F(FileLockTest, LocksDirectories) {
  auto lock = FileLock::Acquire(dir_);
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_TRUE(FileLock::IsHeld(dir_));
}

TEST_F(FileLockTest, ExcludesOtherProcessesAndDiesWithTheHolder) {
  std::string path = dir_ + "/lock";
  int ready[2], release[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(release), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto lock = FileLock::Acquire(path, FileLock::Open::kCreate);
    char c = lock.ok() ? 'y' : 'n';
    if (write(ready[1], &c, 1) != 1) _exit(1);
    if (read(release[0], &c, 1) < 0) _exit(1);
    _exit(0);  // Exits holding the lock: the kernel releases it.
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');
  EXPECT_TRUE(FileLock::IsHeld(path));
  ASSERT_EQ(write(release[1], "x", 1), 1);
  // Blocks until the child is gone, then succeeds.
  auto lock = FileLock::Acquire(path);
  EXPECT_TRUE(lock.ok()) << lock.status();
  waitpid(child, nullptr, 0);
}

TEST_F(FileLockTest, RemovedWhileWaitingIsNotFound) {
  std::string path = dir_ + "/lock";
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto lock = FileLock::Acquire(path, FileLock::Open::kCreate);
    if (write(ready[1], "y", 1) != 1) _exit(1);
    usleep(200 * 1000);
    unlink(path.c_str());  // As delete does, lock still held.
    _exit(0);
  }
  char c;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  auto lock = FileLock::Acquire(path);
  // Either we were too late to open it (gone), or we waited on the deleted
  // file: both are NotFound, never a lock on a removed file.
  EXPECT_EQ(lock.status().code(), absl::StatusCode::kNotFound);
  waitpid(child, nullptr, 0);
}

}  // namespace
}  // namespace runsc::container
