// VvarClock against the host clocks: disabled until calibrated (and when
// forced), then never backwards across refreshes, close to the host, and
// the same offsets between clocks as the host has.
#include "sentry/vdso/vvar_clock.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace runsc::sentry {
namespace {

int64_t Nanos(const timespec& ts) { return ts.tv_sec * 1000000000LL + ts.tv_nsec; }
int64_t Host(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return Nanos(ts);
}

// Waits (without asserting how long it takes) for the first calibration.
bool WaitUntilEnabled(const VvarClock& clock) {
  const int64_t give_up = Host(CLOCK_MONOTONIC) + 10 * 1000000000LL;
  while (!clock.enabled() && Host(CLOCK_MONOTONIC) < give_up) usleep(1000);
  return clock.enabled();
}

VvarClock::Options Fast() {
  VvarClock::Options o;
  o.first_interval = absl::Milliseconds(1);
  o.max_interval = absl::Milliseconds(4);
  return o;
}

TEST(VvarClockTest, InvarianceMatchesTheFlagsLinuxReports) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  bool constant = false, nonstop = false;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream words(line);
    for (std::string w; words >> w;) {
      constant |= w == "constant_tsc";
      nonstop |= w == "nonstop_tsc";
    }
    break;
  }
  EXPECT_EQ(VvarClock::HostTscIsInvariant(), constant && nonstop);
}

TEST(VvarClockTest, ForcedSyscallsKeepThePageDisabled) {
  runsc_vvar page{};
  VvarClock::Options o = Fast();
  o.force_syscalls = true;
  VvarClock clock(&page, o);
  usleep(20000);
  EXPECT_FALSE(clock.enabled());
  EXPECT_EQ(page.magic, RUNSC_VVAR_MAGIC);
  timespec ts;
  EXPECT_FALSE(clock.Now(CLOCK_MONOTONIC, &ts));
}

class CalibratedClockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!VvarClock::HostTscIsInvariant()) GTEST_SKIP() << "host TSC is not invariant";
    clock_ = std::make_unique<VvarClock>(&page_, Fast());
    ASSERT_TRUE(WaitUntilEnabled(*clock_));
  }
  int64_t Served(clockid_t id) {
    timespec ts{};
    EXPECT_TRUE(clock_->Now(id, &ts)) << "clock " << id;
    EXPECT_GE(ts.tv_nsec, 0);
    EXPECT_LT(ts.tv_nsec, 1000000000);
    return Nanos(ts);
  }
  runsc_vvar page_{};
  std::unique_ptr<VvarClock> clock_;
};

TEST_F(CalibratedClockTest, NeverGoesBackwardsAcrossRefreshesAndTracksTheHost) {
  const uint32_t first_seq = __atomic_load_n(&page_.seq, __ATOMIC_ACQUIRE);
  int64_t last = Served(CLOCK_MONOTONIC);
  int64_t worst_behind = 0, worst_ahead = 0;
  // Long enough for many refreshes (every 4 ms).
  for (int i = 0; i < 200000 || __atomic_load_n(&page_.seq, __ATOMIC_ACQUIRE) < first_seq + 20;
       ++i) {
    const int64_t before = Host(CLOCK_MONOTONIC);
    const int64_t now = Served(CLOCK_MONOTONIC);
    const int64_t after = Host(CLOCK_MONOTONIC);
    ASSERT_GE(now, last) << "iteration " << i;
    last = now;
    worst_behind = std::max(worst_behind, before - now);
    worst_ahead = std::max(worst_ahead, now - after);
    if (i > 50000000) FAIL() << "the page is not being refreshed";
  }
  // Generous bounds: the slew keeps it within microseconds; a broken rate
  // or base would be off by milliseconds or more.
  EXPECT_LT(worst_behind, 100000) << "ns behind the host";
  EXPECT_LT(worst_ahead, 100000) << "ns ahead of the host";
}

TEST_F(CalibratedClockTest, OffsetsBetweenClocksAreTheHosts) {
  // One read per statement: the order of a call's arguments is unspecified.
  const int64_t host_realtime = Host(CLOCK_REALTIME);
  const int64_t host_mono = Host(CLOCK_MONOTONIC);
  const int64_t host_boottime = Host(CLOCK_BOOTTIME);
  const int64_t realtime = Served(CLOCK_REALTIME);
  const int64_t mono = Served(CLOCK_MONOTONIC);
  const int64_t boottime = Served(CLOCK_BOOTTIME);
  EXPECT_LT(std::abs((realtime - mono) - (host_realtime - host_mono)), 1000000);
  EXPECT_GE(boottime, mono);
  EXPECT_GE(boottime - mono, host_boottime - host_mono - 1000000);
}

TEST_F(CalibratedClockTest, OtherClocksAreLeftToTheSyscall) {
  timespec ts;
  // The coarse clocks are the host's last tick, which the page cannot know.
  for (clockid_t id : {CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_MONOTONIC_RAW,
                       CLOCK_TAI, CLOCK_PROCESS_CPUTIME_ID,
                       CLOCK_THREAD_CPUTIME_ID, static_cast<clockid_t>(12345), -1}) {
    EXPECT_FALSE(clock_->Now(id, &ts)) << "clock " << id;
  }
}

}  // namespace
}  // namespace runsc::sentry
