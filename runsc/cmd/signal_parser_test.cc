#include "runsc/cmd/signal_parser.h"

#include <signal.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace runsc::cmd {
namespace {

TEST(SignalParserTest, Numbers) {
  EXPECT_EQ(ParseSignal("9").value(), 9);
  EXPECT_EQ(ParseSignal("15").value(), 15);
  EXPECT_EQ(ParseSignal("1").value(), 1);
  EXPECT_EQ(ParseSignal("64").value(), 64);
}

TEST(SignalParserTest, NamesWithAndWithoutPrefixAnyCase) {
  EXPECT_EQ(ParseSignal("TERM").value(), SIGTERM);
  EXPECT_EQ(ParseSignal("SIGTERM").value(), SIGTERM);
  EXPECT_EQ(ParseSignal("sigterm").value(), SIGTERM);
  EXPECT_EQ(ParseSignal("kill").value(), SIGKILL);
  EXPECT_EQ(ParseSignal("SIGKILL").value(), SIGKILL);
  EXPECT_EQ(ParseSignal("HUP").value(), SIGHUP);
  EXPECT_EQ(ParseSignal("USR1").value(), SIGUSR1);
  EXPECT_EQ(ParseSignal("SIGWINCH").value(), SIGWINCH);
  EXPECT_EQ(ParseSignal("CHLD").value(), SIGCHLD);
}

TEST(SignalParserTest, RealTime) {
  EXPECT_EQ(ParseSignal("RTMIN").value(), 34);
  EXPECT_EQ(ParseSignal("SIGRTMIN+3").value(), 37);
  EXPECT_EQ(ParseSignal("RTMAX").value(), 64);
  EXPECT_EQ(ParseSignal("rtmax-4").value(), 60);
}

TEST(SignalParserTest, Invalid) {
  for (const char* bad : {"", "0", "65", "-9", "999999999999", "SIG", "FOO", "SIGFOO", "9x",
                          "RTMIN-1", "RTMAX+1", "RTMIN+31", "RTMIN+", "TERM ", " TERM"}) {
    auto signo = ParseSignal(bad);
    EXPECT_FALSE(signo.ok()) << bad;
    if (!signo.ok()) {
      EXPECT_THAT(signo.status().message(), ::testing::HasSubstr("invalid signal"));
    }
  }
}

}  // namespace
}  // namespace runsc::cmd
