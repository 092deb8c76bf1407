#include "sentry/kernel/interval_timer.h"

#include <atomic>

#include "base/poll_until.h"
#include "gtest/gtest.h"

namespace runsc::sentry {
namespace {

using Setting = IntervalTimerService::Setting;

// Waits up to five seconds for `done`.
bool WaitFor(const std::function<bool()>& done) { return PollUntil(done, absl::Seconds(5)); }

TEST(IntervalTimerServiceTest, AnUnsetTimerReadsZero) {
  IntervalTimerService service;
  auto owner = std::make_shared<int>(0);
  Setting s = service.Get(owner, 0);
  EXPECT_EQ(s.value, absl::ZeroDuration());
  EXPECT_EQ(s.interval, absl::ZeroDuration());
  EXPECT_EQ(service.ArmedForTest(), 0);
}

TEST(IntervalTimerServiceTest, AOneShotTimerFiresOnceAndDisarms) {
  IntervalTimerService service;
  auto owner = std::make_shared<int>(0);
  std::atomic<int> fired{0};
  service.Set(owner, 0, {absl::Milliseconds(5), absl::ZeroDuration()}, [&] {
    ++fired;
    return true;
  });
  ASSERT_TRUE(WaitFor([&] { return fired.load() == 1; }));
  absl::SleepFor(absl::Milliseconds(30));
  EXPECT_EQ(fired.load(), 1);
  EXPECT_EQ(service.Get(owner, 0).value, absl::ZeroDuration());
  EXPECT_EQ(service.ArmedForTest(), 0);
}

TEST(IntervalTimerServiceTest, APeriodicTimerKeepsFiring) {
  IntervalTimerService service;
  auto owner = std::make_shared<int>(0);
  std::atomic<int> fired{0};
  service.Set(owner, 0, {absl::Milliseconds(2), absl::Milliseconds(2)}, [&] {
    ++fired;
    return true;
  });
  ASSERT_TRUE(WaitFor([&] { return fired.load() >= 3; }));
  EXPECT_EQ(service.Get(owner, 0).interval, absl::Milliseconds(2));
}

TEST(IntervalTimerServiceTest, SetReturnsTheTimeLeftAndDisarming) {
  IntervalTimerService service;
  auto owner = std::make_shared<int>(0);
  service.Set(owner, 0, {absl::Seconds(100), absl::Seconds(2)}, [] { return true; });
  Setting now = service.Get(owner, 0);
  EXPECT_GT(now.value, absl::Seconds(99));
  EXPECT_LE(now.value, absl::Seconds(100));
  EXPECT_EQ(now.interval, absl::Seconds(2));
  Setting old = service.Set(owner, 0, {}, nullptr);
  EXPECT_GT(old.value, absl::Seconds(99));
  EXPECT_EQ(service.Get(owner, 0).value, absl::ZeroDuration());
  EXPECT_EQ(service.ArmedForTest(), 0);
}

TEST(IntervalTimerServiceTest, OwnersAndSlotsAreSeparate) {
  IntervalTimerService service;
  auto a = std::make_shared<int>(0), b = std::make_shared<int>(0);
  service.Set(a, 0, {absl::Seconds(50), absl::ZeroDuration()}, [] { return true; });
  EXPECT_EQ(service.Get(b, 0).value, absl::ZeroDuration());
  EXPECT_EQ(service.Get(a, 1).value, absl::ZeroDuration());
  EXPECT_GT(service.Get(a, 0).value, absl::Seconds(49));
}

TEST(IntervalTimerServiceTest, ATimerDiesWithItsOwner) {
  IntervalTimerService service;
  std::atomic<int> fired{0};
  {
    auto owner = std::make_shared<int>(0);
    service.Set(owner, 0, {absl::Milliseconds(5), absl::ZeroDuration()}, [&] {
      ++fired;
      return true;
    });
  }
  absl::SleepFor(absl::Milliseconds(30));
  EXPECT_EQ(fired.load(), 0);
  EXPECT_EQ(service.ArmedForTest(), 0);
}

TEST(IntervalTimerServiceTest, ACallbackThatReportsItsTargetGoneDisarmsThePeriodicTimer) {
  IntervalTimerService service;
  auto owner = std::make_shared<int>(0);
  std::atomic<int> fired{0};
  service.Set(owner, 0, {absl::Milliseconds(1), absl::Milliseconds(1)}, [&] {
    ++fired;
    return false;
  });
  ASSERT_TRUE(WaitFor([&] { return service.ArmedForTest() == 0; }));
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(fired.load(), 1);
}

TEST(IntervalTimerServiceTest, DestroyingTheServiceWithArmedTimersStopsItsThread) {
  std::atomic<int> fired{0};
  auto owner = std::make_shared<int>(0);
  {
    IntervalTimerService service;
    service.Set(owner, 0, {absl::Seconds(100), absl::ZeroDuration()}, [&] {
      ++fired;
      return true;
    });
  }
  EXPECT_EQ(fired.load(), 0);
}

}  // namespace
}  // namespace runsc::sentry
