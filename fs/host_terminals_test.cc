#include "fs/host_terminals.h"

#include <fcntl.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace runsc::fs {
namespace {

// Any descriptor does: the registry only names and keeps terminals.
UniqueFd AnyFd() { return UniqueFd(open("/dev/null", O_RDWR | O_CLOEXEC)); }

TEST(HostTerminalsTest, NumbersFromZeroAndReusesTheLowestFreeNumber) {
  HostTerminals terminals;
  std::shared_ptr<HostTty> first = terminals.Add(AnyFd());
  std::shared_ptr<HostTty> second = terminals.Add(AnyFd());
  EXPECT_EQ(first->path(), "/dev/pts/0");
  EXPECT_EQ(second->path(), "/dev/pts/1");
  EXPECT_EQ(terminals.Find(1), second);
  first.reset();  // Nobody holds pts/0 any more.
  EXPECT_EQ(terminals.Find(0), nullptr);
  std::shared_ptr<HostTty> third = terminals.Add(AnyFd());
  EXPECT_EQ(third->path(), "/dev/pts/0");
}

TEST(HostTerminalsTest, ReservedNumbersAreSkippedUntilReleased) {
  HostTerminals terminals;
  std::shared_ptr<HostTty> host = terminals.Add(AnyFd());  // 0
  EXPECT_EQ(terminals.Reserve(), 1);  // A sentry pty's.
  EXPECT_EQ(terminals.Add(AnyFd())->path(), "/dev/pts/2");  // Dropped at once.
  EXPECT_EQ(terminals.Reserve(), 2);
  terminals.Release(1);
  EXPECT_EQ(terminals.Add(AnyFd())->path(), "/dev/pts/1");
}

TEST(HostTerminalsTest, ListsOnlyTerminalsInUse) {
  HostTerminals terminals;
  std::shared_ptr<HostTty> kept = terminals.Add(AnyFd());
  terminals.Add(AnyFd());  // Dropped at once.
  auto listed = terminals.List();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].first, 0);
  EXPECT_EQ(listed[0].second, kept);
  EXPECT_EQ(terminals.Find(7), nullptr);
}

TEST(HostTerminalsTest, OpenFilesCarryTheTerminalsPath) {
  HostTerminals terminals;
  std::shared_ptr<HostTty> tty = terminals.Add(AnyFd());
  absl::StatusOr<std::shared_ptr<File>> file = tty->Open(O_RDWR);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ((*file)->Path(), "/dev/pts/0");
  tty.reset();
  // The open file keeps the terminal, and its number, in use.
  EXPECT_NE(terminals.Find(0), nullptr);
}

}  // namespace
}  // namespace runsc::fs
