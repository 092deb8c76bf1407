#include "sentry/boot/gofer_watchdog.h"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace runsc::sentry {
namespace {

struct Pair {
  UniqueFd sentry_end, gofer_end;
};

Pair SeqPacketPair() {
  int fds[2];
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

TEST(GoferWatchdogTest, CallsBackWhenTheGoferCloses) {
  Pair pair = SeqPacketPair();
  absl::Notification hung_up;
  auto watchdog = GoferWatchdog::Start(std::move(pair.sentry_end), [&] { hung_up.Notify(); });
  ASSERT_TRUE(watchdog.ok()) << watchdog.status();
  pair.gofer_end.reset();
  EXPECT_TRUE(hung_up.WaitForNotificationWithTimeout(absl::Seconds(30)));
}

TEST(GoferWatchdogTest, IgnoresTrafficAndStopsQuietly) {
  Pair pair = SeqPacketPair();
  std::atomic<int> calls{0};
  {
    auto watchdog = GoferWatchdog::Start(std::move(pair.sentry_end), [&] { ++calls; });
    ASSERT_TRUE(watchdog.ok()) << watchdog.status();
    // A reply waiting to be read is not a hang-up (and stays unread).
    ASSERT_EQ(send(pair.gofer_end.get(), "reply", 5, 0), 5);
    absl::SleepFor(absl::Milliseconds(50));  // A window for a wrong call, not a timing check.
  }
  EXPECT_EQ(calls.load(), 0);
}

TEST(GoferWatchdogTest, RefusesAnInvalidSocket) {
  EXPECT_FALSE(GoferWatchdog::Start(UniqueFd(), [] {}).ok());
}

}  // namespace
}  // namespace runsc::sentry
