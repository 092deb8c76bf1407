// The end of a sandbox as boot and control wait for it: init's exit, then
// every task thread (Kernel::AwaitExitLocked).
#include "sentry/kernel/kernel.h"

#include <thread>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "platform/platform.h"
#include "sentry/kernel/no_dispatch.h"

namespace runsc::sentry {
namespace {

class KernelExitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<platform::Platform>> p = platform::CreatePlatform("ptrace");
    ASSERT_TRUE(p.ok()) << p.status();
    kernel_ = std::make_unique<Kernel>(*std::move(p), dispatcher_);
  }
  NoDispatch dispatcher_;
  std::unique_ptr<Kernel> kernel_;
};

TEST_F(KernelExitTest, TheWaitEndsAtItsDeadlineWhileInitRuns) {
  absl::MutexLock lock(&kernel_->mu);
  EXPECT_FALSE(kernel_->AwaitExitLocked(false, absl::Now() + absl::Milliseconds(20)));
  EXPECT_FALSE(kernel_->init_exited);
}

TEST_F(KernelExitTest, InitsExitEndsTheWaitWithItsStatus) {
  std::thread init([this] {
    absl::SleepFor(absl::Milliseconds(10));
    absl::MutexLock lock(&kernel_->mu);
    kernel_->MarkInitExited(7 << 8);
  });
  {
    absl::MutexLock lock(&kernel_->mu);
    EXPECT_TRUE(kernel_->AwaitExitLocked(false));
    EXPECT_EQ(kernel_->init_exit_status, 7 << 8);
  }
  init.join();
}

TEST_F(KernelExitTest, WaitingForAllThreadsWaitsForTheLastOne) {
  {
    absl::MutexLock lock(&kernel_->mu);
    kernel_->TaskThreadStarted();
    kernel_->TaskThreadStarted();
    kernel_->MarkInitExited(0);
    // Init is gone but two threads still run: only the bounded wait ends.
    EXPECT_TRUE(kernel_->AwaitExitLocked(false));
    EXPECT_FALSE(kernel_->AwaitExitLocked(true, absl::Now() + absl::Milliseconds(20)));
  }
  std::thread last([this] {
    absl::MutexLock lock(&kernel_->mu);
    kernel_->TaskThreadFinished();
    kernel_->TaskThreadFinished();
  });
  {
    absl::MutexLock lock(&kernel_->mu);
    EXPECT_TRUE(kernel_->AwaitExitLocked(true, absl::Now() + absl::Seconds(30)));
    EXPECT_EQ(kernel_->live_threads(), 0);
  }
  last.join();
}

}  // namespace
}  // namespace runsc::sentry
