#include "fs/file_size_limit.h"

#include <signal.h>
#include <sys/resource.h>

#include "base/errno_status.h"
#include "gtest/gtest.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/no_dispatch.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {
namespace {

using sentry::NoDispatch;

class FileSizeLimitTest : public ::testing::Test {
 protected:
  FileSizeLimitTest() : kernel_(nullptr, dispatcher_), task_(kernel_, 1) {
    task_.handlers = std::make_shared<sentry::SignalHandlers>();
  }

  void SetLimit(rlim_t limit) { task_.rlimits[RLIMIT_FSIZE].rlim_cur = limit; }
  bool SigxfszPending() {
    absl::MutexLock lock(&kernel_.mu);
    for (const siginfo_t& info : task_.pending) {
      if (info.si_signo == SIGXFSZ) return true;
    }
    return false;
  }

  NoDispatch dispatcher_;
  sentry::Kernel kernel_;
  sentry::Task task_;
};

TEST_F(FileSizeLimitTest, WithoutALimitEverythingIsWritten) {
  absl::StatusOr<size_t> n = LengthWithinFileSizeLimit(task_, int64_t{1} << 40, 4096);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 4096u);
  EXPECT_TRUE(CheckSizeWithinFileSizeLimit(task_, int64_t{1} << 40).ok());
  EXPECT_FALSE(SigxfszPending());
}

TEST_F(FileSizeLimitTest, AWriteAcrossTheLimitIsCutShort) {
  SetLimit(10);
  absl::StatusOr<size_t> n = LengthWithinFileSizeLimit(task_, 4, 16);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 6u);
  EXPECT_FALSE(SigxfszPending());
}

TEST_F(FileSizeLimitTest, AWriteAtTheLimitIsEFBIGAndSendsSigxfsz) {
  SetLimit(10);
  EXPECT_EQ(ErrnoOf(LengthWithinFileSizeLimit(task_, 10, 1).status()), EFBIG);
  EXPECT_TRUE(SigxfszPending());
}

TEST_F(FileSizeLimitTest, AnEmptyWriteIsNeverRefused) {
  SetLimit(0);
  absl::StatusOr<size_t> n = LengthWithinFileSizeLimit(task_, 5, 0);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
  EXPECT_FALSE(SigxfszPending());
}

TEST_F(FileSizeLimitTest, TruncatingUpToTheLimitIsAllowedBeyondItIsEFBIG) {
  SetLimit(10);
  EXPECT_TRUE(CheckSizeWithinFileSizeLimit(task_, 10).ok());
  EXPECT_FALSE(SigxfszPending());
  EXPECT_EQ(ErrnoOf(CheckSizeWithinFileSizeLimit(task_, 11)), EFBIG);
  EXPECT_TRUE(SigxfszPending());
}

}  // namespace
}  // namespace runsc::fs
