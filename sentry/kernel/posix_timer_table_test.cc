#include "sentry/kernel/posix_timer_table.h"

#include <set>

#include "gtest/gtest.h"

namespace runsc::sentry {
namespace {

PosixTimer SignalTimer(int signo) {
  PosixTimer t;
  t.notify = SIGEV_SIGNAL;
  t.signo = signo;
  t.value.sival_int = 42;
  return t;
}

TEST(PosixTimerTableTest, IdsCountUpAndAreNotReusedAtOnce) {
  PosixTimerTable table;
  ASSERT_EQ(*table.Create(SignalTimer(SIGUSR1)), 0);
  ASSERT_EQ(*table.Create(SignalTimer(SIGUSR1)), 1);
  EXPECT_TRUE(table.Delete(0));
  EXPECT_FALSE(table.Delete(0));
  EXPECT_EQ(*table.Create(SignalTimer(SIGUSR1)), 2);
  EXPECT_EQ(table.Find(0), nullptr);
  EXPECT_NE(table.Find(2), nullptr);
  EXPECT_EQ(table.Ids(), (std::vector<int>{1, 2}));
}

TEST(PosixTimerTableTest, TheTableIsBounded) {
  PosixTimerTable table;
  for (int i = 0; i < PosixTimerTable::kMaxTimers; ++i) ASSERT_TRUE(table.Create(SignalTimer(SIGUSR1)).ok());
  absl::StatusOr<int> one_more = table.Create(SignalTimer(SIGUSR1));
  EXPECT_FALSE(one_more.ok());
  table.Clear();
  EXPECT_EQ(table.size(), 0u);
  EXPECT_TRUE(table.Create(SignalTimer(SIGUSR1)).ok());
}

TEST(PosixTimerTableTest, SignalInfoCarriesIdAndValue) {
  const siginfo_t info = PosixTimerTable::SignalInfo(7, SignalTimer(SIGUSR2));
  EXPECT_EQ(info.si_signo, SIGUSR2);
  EXPECT_EQ(info.si_code, SI_TIMER);
  EXPECT_EQ(info.si_timerid, 7);
  EXPECT_EQ(info.si_value.sival_int, 42);
  std::deque<siginfo_t> queue = {info};
  EXPECT_TRUE(PosixTimerTable::SignalQueued(7, queue));
  EXPECT_FALSE(PosixTimerTable::SignalQueued(8, queue));
}

TEST(PosixTimerTableTest, ExpiriesWhileTheSignalIsPendingAreOverruns) {
  PosixTimerTable table;
  const int id = *table.Create(SignalTimer(SIGUSR1));
  EXPECT_TRUE(table.Expire(id, 1, /*queued=*/false));  // Send one.
  EXPECT_FALSE(table.Expire(id, 1, /*queued=*/true));
  EXPECT_FALSE(table.Expire(id, 3, /*queued=*/true));
  siginfo_t info = PosixTimerTable::SignalInfo(id, *table.Find(id));
  table.OnSignalTaken(info);
  EXPECT_EQ(info.si_overrun, 4);
  EXPECT_EQ(table.Find(id)->overrun_last, 4);
  // Counting starts again; collapsed periods of one expiry are overruns too.
  EXPECT_TRUE(table.Expire(id, 3, /*queued=*/false));
  table.OnSignalTaken(info);
  EXPECT_EQ(info.si_overrun, 2);
  EXPECT_EQ(table.Find(id)->overrun_last, 2);
}

TEST(PosixTimerTableTest, SigevNoneTimersSendNothing) {
  PosixTimerTable table;
  PosixTimer quiet;
  quiet.notify = SIGEV_NONE;
  const int id = *table.Create(quiet);
  EXPECT_FALSE(table.Expire(id, 1, false));
  EXPECT_FALSE(table.Expire(id + 1, 1, false));  // No such timer.
}

TEST(PosixTimerTableTest, OtherSignalsAndDeletedTimersAreLeftAlone) {
  PosixTimerTable table;
  const int id = *table.Create(SignalTimer(SIGUSR1));
  table.Expire(id, 1, true);
  siginfo_t kill_info{};
  kill_info.si_signo = SIGUSR1;
  kill_info.si_code = SI_USER;
  kill_info.si_timerid = id;
  table.OnSignalTaken(kill_info);
  EXPECT_EQ(table.Find(id)->overrun, 1);
  siginfo_t stale = PosixTimerTable::SignalInfo(id, *table.Find(id));
  table.Delete(id);
  table.OnSignalTaken(stale);
  EXPECT_EQ(stale.si_overrun, 0);
}

TEST(PosixTimerTableTest, WallExpirationsCountCollapsedPeriods) {
  PosixTimer t;
  const absl::Time start = absl::UnixEpoch() + absl::Seconds(100);
  t.first_expiry = start;
  t.interval = absl::Milliseconds(10);
  EXPECT_EQ(PosixTimerTable::WallExpirationsDue(t, start), 1);
  // 35 ms later: expiries at +10, +20, +30 are new.
  EXPECT_EQ(PosixTimerTable::WallExpirationsDue(t, start + absl::Milliseconds(35)), 3);
  // A callback that runs early still counts one.
  EXPECT_EQ(PosixTimerTable::WallExpirationsDue(t, start + absl::Milliseconds(36)), 1);
  PosixTimer once;
  once.first_expiry = start;
  EXPECT_EQ(PosixTimerTable::WallExpirationsDue(once, start + absl::Seconds(5)), 1);
}

}  // namespace
}  // namespace runsc::sentry
