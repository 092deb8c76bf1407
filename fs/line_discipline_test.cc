// The line discipline alone: what typed bytes become for the reader and
// what the master sees echoed, per termios(3) and Linux's n_tty.
#include "fs/line_discipline.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace runsc::fs {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class LineDisciplineTest : public ::testing::Test {
 protected:
  size_t Type(const std::string& s) {
    return ld_.ReceiveInput(
        absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size()), signals_);
  }
  std::string ReadInput(size_t max = 4096) {
    std::string out(max, '\0');
    out.resize(ld_.ReadInput(absl::MakeSpan(reinterpret_cast<uint8_t*>(out.data()), max)));
    return out;
  }
  size_t Write(const std::string& s) {
    return ld_.WriteOutput(absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  }
  std::string Screen(size_t max = 1 << 20) {
    std::string out(std::min(max, ld_.OutputAvailable()), '\0');
    out.resize(ld_.ReadOutput(absl::MakeSpan(reinterpret_cast<uint8_t*>(out.data()), out.size())));
    return out;
  }
  void ChangeLflag(uint32_t set, uint32_t clear) {
    KernelTermios t = ld_.termios();
    t.c_lflag = (t.c_lflag | set) & ~clear;
    ld_.SetTermios(t);
  }

  LineDiscipline ld_;
  std::vector<int> signals_;
};

TEST_F(LineDisciplineTest, DefaultsAreThoseOfAFreshLinuxPty) {
  const KernelTermios& t = ld_.termios();
  EXPECT_EQ(t.c_iflag, static_cast<uint32_t>(ICRNL | IXON));
  EXPECT_EQ(t.c_oflag, static_cast<uint32_t>(OPOST | ONLCR));
  EXPECT_EQ(t.c_cflag, static_cast<uint32_t>(B38400 | CS8 | CREAD));
  EXPECT_EQ(t.c_lflag, static_cast<uint32_t>(ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL |
                                             ECHOKE | IEXTEN));
  EXPECT_EQ(t.c_cc[VINTR], 3);
  EXPECT_EQ(t.c_cc[VERASE], 0x7f);
  EXPECT_EQ(t.c_cc[VEOF], 4);
  EXPECT_EQ(t.c_cc[VMIN], 1);
}

TEST_F(LineDisciplineTest, CanonicalModeGivesALineOnlyOnceItIsComplete) {
  EXPECT_EQ(Type("hel"), 3u);
  EXPECT_FALSE(ld_.InputReadable());
  EXPECT_EQ(ld_.InputAvailable(), 0u);
  Type("lo\nnext");
  EXPECT_TRUE(ld_.InputReadable());
  EXPECT_EQ(ld_.InputAvailable(), 6u);
  EXPECT_EQ(ReadInput(), "hello\n");  // One line per read, not what follows.
  EXPECT_FALSE(ld_.InputReadable());
}

TEST_F(LineDisciplineTest, CarriageReturnIsANewlineWithIcrnl) {
  Type("ok\r");
  EXPECT_EQ(ReadInput(), "ok\n");
  EXPECT_EQ(Screen(), "ok\r\n");  // Echoed, and ONLCR made it CR LF.
}

TEST_F(LineDisciplineTest, AShortReadLeavesTheRestOfTheLine) {
  Type("abcdef\n");
  EXPECT_EQ(ReadInput(2), "ab");
  EXPECT_EQ(ReadInput(), "cdef\n");
}

TEST_F(LineDisciplineTest, EraseRemovesTheLastCharacterAndRubsItOut) {
  Type("abx\x7f");
  Type("c\n");
  EXPECT_EQ(ReadInput(), "abc\n");
  EXPECT_EQ(Screen(), "abx\b \bc\r\n");
}

TEST_F(LineDisciplineTest, EraseOfAControlCharacterRubsOutBothColumns) {
  Type("a\x01\x7f\n");
  EXPECT_EQ(ReadInput(), "a\n");
  EXPECT_EQ(Screen(), "a^A\b \b\b \b\r\n");
}

TEST_F(LineDisciplineTest, WordEraseRemovesTheLastWord) {
  Type("echo hello\x17world\n");
  EXPECT_EQ(ReadInput(), "echo world\n");
}

TEST_F(LineDisciplineTest, KillRemovesTheWholeLine) {
  Type("rm -rf /\x15ls\n");
  EXPECT_EQ(ReadInput(), "ls\n");
  // ECHOKE: every character rubbed out.
  std::string rubbed;
  for (int i = 0; i < 8; ++i) rubbed += "\b \b";
  EXPECT_EQ(Screen(), "rm -rf /" + rubbed + "ls\r\n");
}

TEST_F(LineDisciplineTest, EndOfFileEndsTheLineWithoutBeingReadOrEchoed) {
  Type("partial\x04");
  EXPECT_EQ(ReadInput(), "partial");
  Type("\x04");  // At the start of a line: a read of 0, end of file.
  EXPECT_TRUE(ld_.InputReadable());
  EXPECT_EQ(ReadInput(), "");
  EXPECT_EQ(Screen(), "partial");
}

TEST_F(LineDisciplineTest, LiteralNextTakesTheEraseKeyAsIs) {
  Type("a\x16\x7f\n");
  EXPECT_EQ(ReadInput(), "a\x7f\n");
}

TEST_F(LineDisciplineTest, ALineStopsGrowingAtTheCanonicalLimitButStillEnds) {
  EXPECT_EQ(Type(std::string(5000, 'x')), 5000u);  // Taken, the excess dropped.
  Type("\n");
  std::string line = ReadInput(8192);
  EXPECT_EQ(line.size(), LineDiscipline::kCanonicalLineMax);
  EXPECT_EQ(line.back(), '\n');
}

TEST_F(LineDisciplineTest, NoEchoShowsNothing) {
  ChangeLflag(0, ECHO);
  Type("secret\n");
  EXPECT_EQ(ReadInput(), "secret\n");
  EXPECT_EQ(Screen(), "");
}

TEST_F(LineDisciplineTest, SignalKeysGiveTheirSignalFlushAndEcho) {
  Type("half a line");
  Type("\x03");
  EXPECT_THAT(signals_, ElementsAre(SIGINT));
  Type("\x1c\x1a");
  EXPECT_THAT(signals_, ElementsAre(SIGINT, SIGQUIT, SIGTSTP));
  Type("\n");
  EXPECT_EQ(ReadInput(), "\n");  // The half line was flushed.
  EXPECT_EQ(Screen(), "half a line^C^\\^Z\r\n");
}

TEST_F(LineDisciplineTest, ASignalKeyDropsTheEchoOfInputThatCameWithIt) {
  Type("shown");
  Type("lost\x03");
  EXPECT_EQ(Screen(), "shown^C");
  EXPECT_EQ(ld_.TakePacketEvents(), TIOCPKT_FLUSHREAD | TIOCPKT_FLUSHWRITE);
  EXPECT_EQ(ld_.TakePacketEvents(), 0);
}

TEST_F(LineDisciplineTest, PacketEventsForStopStartAndFlowControl) {
  Type("\x13");
  EXPECT_EQ(ld_.TakePacketEvents(), TIOCPKT_STOP);
  Type("\x13\x11");  // Stopped again, then started: only the start is left.
  EXPECT_EQ(ld_.TakePacketEvents(), TIOCPKT_START);
  KernelTermios t = ld_.termios();
  t.c_iflag &= ~IXON;
  ld_.SetTermios(t);
  EXPECT_EQ(ld_.TakePacketEvents(), TIOCPKT_NOSTOP);
  t.c_iflag |= IXON;
  ld_.SetTermios(t);
  EXPECT_EQ(ld_.TakePacketEvents(), TIOCPKT_DOSTOP);
}

TEST_F(LineDisciplineTest, WithoutIsigTheInterruptKeyIsData) {
  ChangeLflag(0, ISIG);
  Type("\x03\n");
  EXPECT_THAT(signals_, IsEmpty());
  EXPECT_EQ(ReadInput(), "\x03\n");
}

TEST_F(LineDisciplineTest, RawModeGivesEveryByteAtOnce) {
  KernelTermios t = ld_.termios();
  t.c_iflag &= ~(ICRNL | IXON);
  t.c_oflag &= ~OPOST;
  t.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
  ld_.SetTermios(t);
  Type("a");
  EXPECT_TRUE(ld_.InputReadable());
  EXPECT_EQ(ReadInput(), "a");
  Type("\r\x7f\x03");
  EXPECT_EQ(ReadInput(), "\r\x7f\x03");
  EXPECT_THAT(signals_, IsEmpty());
  EXPECT_EQ(Write("x\n"), 2u);
  EXPECT_EQ(Screen(), "x\n");  // No ONLCR without OPOST.
}

TEST_F(LineDisciplineTest, LeavingCanonicalModeKeepsWhatWasTyped) {
  Type("li");
  ChangeLflag(0, ICANON);
  EXPECT_EQ(ReadInput(), "li");
  Type("ne");
  ChangeLflag(ICANON, 0);
  EXPECT_EQ(ReadInput(), "ne");  // Pushed as a line, as Linux does.
}

TEST_F(LineDisciplineTest, OutputTurnsNewlineIntoCrLf) {
  EXPECT_EQ(Write("a\nb\n"), 4u);
  EXPECT_EQ(Screen(), "a\r\nb\r\n");
}

TEST_F(LineDisciplineTest, InputIgncrAndInlcr) {
  KernelTermios t = ld_.termios();
  t.c_iflag = IGNCR;
  ld_.SetTermios(t);
  Type("a\rb\n");
  EXPECT_EQ(ReadInput(), "ab\n");
  t.c_iflag = INLCR;
  t.c_lflag &= ~ICANON;
  ld_.SetTermios(t);
  Type("\n");
  EXPECT_EQ(ReadInput(), "\r");
}

TEST_F(LineDisciplineTest, StopKeyHoldsOutputUntilStart) {
  Type("\x13");
  EXPECT_FALSE(ld_.OutputHasRoom());
  EXPECT_EQ(Write("held"), 0u);
  Type("\x11");
  EXPECT_EQ(Write("go"), 2u);
  EXPECT_EQ(Screen(), "go");
}

TEST_F(LineDisciplineTest, QueuesAreBounded) {
  ChangeLflag(0, ICANON | ECHO);
  EXPECT_EQ(Type(std::string(LineDiscipline::kQueueCapacity + 10, 'i')),
            LineDiscipline::kQueueCapacity);
  EXPECT_FALSE(ld_.InputHasRoom());
  EXPECT_EQ(Write(std::string(LineDiscipline::kQueueCapacity + 10, 'o')),
            LineDiscipline::kQueueCapacity);
  EXPECT_FALSE(ld_.OutputHasRoom());
  Screen(10);
  EXPECT_TRUE(ld_.OutputHasRoom());
}

TEST_F(LineDisciplineTest, EchoesStopWhenNobodyReadsTheMaster) {
  for (int i = 0; i < 40; ++i) {
    Type(std::string(4000, 'e') + "\n");
    ReadInput(8192);  // The replica keeps up; the master never reads.
  }
  EXPECT_LE(ld_.OutputAvailable(), LineDiscipline::kQueueCapacity + 2);  // A last CR LF.
}

TEST_F(LineDisciplineTest, FlushDropsEachQueue) {
  Type("typed\n");
  Write("written");
  ld_.FlushInput();
  EXPECT_EQ(ld_.InputAvailable(), 0u);
  EXPECT_GT(ld_.OutputAvailable(), 0u);
  ld_.FlushOutput();
  EXPECT_EQ(ld_.OutputAvailable(), 0u);
}

}  // namespace
}  // namespace runsc::fs
