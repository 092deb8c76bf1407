#include "runsc/sandbox/process_identity.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace runsc::sandbox {
namespace {

TEST(ProcStatTest, ParsesStateAndStartTime) {
  auto stat = ParseProcStat(
      "1234 (sleep) S 1 1234 1234 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 98765 1000 "
      "200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->start_time, 98765u);
}

TEST(ProcStatTest, CommandNameWithParenthesesAndSpaces) {
  // A process can name itself anything, including ") Z 1 2 3".
  auto stat = ParseProcStat(
      "42 (evil) Z 1 2 3 (x) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 555 0 0\n");
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->state, 'R');
  EXPECT_EQ(stat->start_time, 555u);
}

TEST(ProcStatTest, Malformed) {
  EXPECT_FALSE(ParseProcStat("").ok());
  EXPECT_FALSE(ParseProcStat("1 (x) S 1 2").ok());
  EXPECT_FALSE(ParseProcStat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 abc 0").ok());
}

TEST(ProcessIdentityTest, Self) {
  auto self = IdentifyProcess(getpid());
  ASSERT_TRUE(self.ok()) << self.status();
  EXPECT_EQ(self->pid, getpid());
  EXPECT_GT(self->start_time, 0u);
  EXPECT_TRUE(IsLive(*self));
  // The same pid with another start time is another process: not ours.
  ProcessIdentity reused = *self;
  reused.start_time += 1;
  EXPECT_FALSE(IsLive(reused));
}

TEST(ProcessIdentityTest, ZombieIsNotLiveAndReapedIsGone) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) _exit(0);
  auto child = IdentifyProcess(pid);
  ASSERT_TRUE(child.ok()) << child.status();
  // Wait until it is a zombie without reaping it.
  siginfo_t info;
  ASSERT_EQ(waitid(P_PID, pid, &info, WEXITED | WNOWAIT), 0);
  EXPECT_FALSE(IsLive(*child));
  EXPECT_TRUE(IdentifyProcess(pid).ok());  // Still there as a zombie.
  ASSERT_EQ(waitpid(pid, nullptr, 0), pid);
  EXPECT_FALSE(IsLive(*child));
  EXPECT_EQ(IdentifyProcess(pid).status().code(), absl::StatusCode::kNotFound);
}

TEST(ProcessIdentityTest, InvalidPids) {
  EXPECT_FALSE(IsLive({0, 0}));
  EXPECT_FALSE(IsLive({-1, 0}));
  EXPECT_FALSE(IdentifyProcess(0).ok());
}

}  // namespace
}  // namespace runsc::sandbox
