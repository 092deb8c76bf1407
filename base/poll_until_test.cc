#include "base/poll_until.h"

#include <atomic>
#include <thread>

#include "gtest/gtest.h"

namespace runsc {
namespace {

TEST(PollUntilTest, ReturnsTrueOnceAnotherThreadMakesItHold) {
  std::atomic<bool> set{false};
  std::thread setter([&] { set = true; });
  EXPECT_TRUE(PollUntil([&] { return set.load(); }, absl::Seconds(30)));
  setter.join();
}

TEST(PollUntilTest, ReturnsFalseWhenItNeverHolds) {
  int calls = 0;
  EXPECT_FALSE(PollUntil(
      [&] {
        ++calls;
        return false;
      },
      absl::Milliseconds(5)));
  EXPECT_GE(calls, 2);  // Looked at least once more at the deadline.
}

TEST(PollUntilTest, DoesNotCallAgainOnceItHolds) {
  int calls = 0;
  EXPECT_TRUE(PollUntil([&] { return ++calls == 3; }, absl::Seconds(30)));
  EXPECT_EQ(calls, 3);
}

}  // namespace
}  // namespace runsc
