#include "sentry/kernel/cpu_timer.h"

#include <atomic>

#include "base/poll_until.h"
#include "gtest/gtest.h"

namespace runsc::sentry {
namespace {

// A CPU clock the test moves by hand.
struct FakeClock {
  absl::Mutex mu;
  absl::Duration cpu = absl::Seconds(1);
  int threads = 1;
  bool gone = false;

  CpuTimer::Sampler Sampler() {
    return [this]() -> absl::StatusOr<CpuTimer::Sample> {
      absl::MutexLock lock(&mu);
      if (gone) return absl::NotFoundError("gone");
      return CpuTimer::Sample{cpu, threads};
    };
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu);
    cpu += d;
  }
};

bool WaitFor(const std::function<bool()>& done) { return PollUntil(done, absl::Seconds(5)); }

TEST(CpuTimerTest, DoesNotFireWhileNoCpuTimeIsUsed) {
  IntervalTimerService service;
  FakeClock clock;
  std::atomic<int> fired{0};
  auto timer = CpuTimer::Create(service, clock.Sampler(), [&](int64_t) {
    ++fired;
    return true;
  });
  ASSERT_TRUE(timer->Set({absl::Milliseconds(1), absl::ZeroDuration()}).ok());
  absl::SleepFor(absl::Milliseconds(20));  // Many samples, no CPU time.
  EXPECT_EQ(fired.load(), 0);
  absl::StatusOr<CpuTimer::Setting> left = timer->Get();
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->value, absl::Milliseconds(1));
  clock.Advance(absl::Milliseconds(2));
  ASSERT_TRUE(WaitFor([&] { return fired.load() == 1; }));
  left = timer->Get();
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->value, absl::ZeroDuration());  // One-shot: disarmed.
}

TEST(CpuTimerTest, APeriodicTimerReportsThePeriodsThatPassed) {
  IntervalTimerService service;
  FakeClock clock;
  std::atomic<int64_t> expirations{0};
  auto timer = CpuTimer::Create(service, clock.Sampler(), [&](int64_t n) {
    expirations += n;
    return true;
  });
  ASSERT_TRUE(timer->Set({absl::Milliseconds(10), absl::Milliseconds(10)}).ok());
  clock.Advance(absl::Milliseconds(45));  // Expiries at 10, 20, 30, 40.
  ASSERT_TRUE(WaitFor([&] { return expirations.load() == 4; }));
  absl::StatusOr<CpuTimer::Setting> left = timer->Get();
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->value, absl::Milliseconds(5));
  EXPECT_EQ(left->interval, absl::Milliseconds(10));
  // Set returns the old setting and disarms.
  absl::StatusOr<CpuTimer::Setting> old = timer->Set({});
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->value, absl::Milliseconds(5));
  clock.Advance(absl::Seconds(1));
  absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(expirations.load(), 4);
  EXPECT_EQ(service.ArmedForTest(), 0);
}

TEST(CpuTimerTest, StopsWhenTheProcessIsGone) {
  IntervalTimerService service;
  FakeClock clock;
  auto timer = CpuTimer::Create(service, clock.Sampler(), [](int64_t) { return true; });
  ASSERT_TRUE(timer->Set({absl::Milliseconds(1), absl::ZeroDuration()}).ok());
  {
    absl::MutexLock lock(&clock.mu);
    clock.gone = true;
  }
  ASSERT_TRUE(WaitFor([&] { return service.ArmedForTest() == 0; }));
  EXPECT_FALSE(timer->Get().ok());
}

TEST(CpuTimerTest, ADroppedTimerNeverFires) {
  IntervalTimerService service;
  FakeClock clock;
  std::atomic<int> fired{0};
  auto timer = CpuTimer::Create(service, clock.Sampler(), [&](int64_t) {
    ++fired;
    return true;
  });
  ASSERT_TRUE(timer->Set({absl::Milliseconds(1), absl::ZeroDuration()}).ok());
  timer.reset();
  clock.Advance(absl::Seconds(1));
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(fired.load(), 0);
}

}  // namespace
}  // namespace runsc::sentry
