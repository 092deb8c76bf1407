// Family: getpid, getppid, gettid, getpgid/setpgid, getsid/setsid.
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

TEST(GetpidTest, MatchesTheRawSyscall) { EXPECT_EQ(getpid(), syscall(SYS_getpid)); }

TEST(GetpidTest, MainThreadTidIsThePid) { EXPECT_EQ(gettid(), getpid()); }

TEST(GetpidTest, ChildSeesItsParent) {
  const pid_t parent = getpid();
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(getppid() == parent && getpid() != parent ? 0 : 1);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(GetpidTest, GetpgidOfAnUnknownPidIsESRCH) {
  EXPECT_SYSCALL_ERRNO(getpgid(0x3ffffff0), ESRCH);
}

TEST(GetpidTest, GetpgidOfNegativePidIsESRCH) { EXPECT_SYSCALL_ERRNO(getpgid(-5), ESRCH); }

TEST(GetpidTest, GetsidOfSelfIsGetsidZero) { EXPECT_EQ(getsid(0), getsid(getpid())); }

TEST(GetpidTest, ChildCanStartASession) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    pid_t sid = setsid();
    _exit(sid == getpid() && getsid(0) == getpid() && getpgid(0) == getpid() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(GetpidTest, SetsidFailsForAGroupLeader) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // A new group with itself as leader; setsid must then fail with EPERM.
    if (setpgid(0, 0) != 0) _exit(2);
    _exit(setsid() == -1 && errno == EPERM ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace runsc::syscall_test
