// Family: wait4, waitpid, waitid.
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// A child that exits with `code` at once.
pid_t ForkExiting(int code) {
  pid_t child = fork();
  if (child == 0) _exit(code);
  return child;
}

// A child that blocks until the write end of `fds` (a pipe) is closed, then
// exits with `code`. The parent closes fds[0] and keeps fds[1] as the release.
pid_t ForkBlocked(int fds[2], int code) {
  pid_t child = fork();
  if (child == 0) {
    alarm(10);
    close(fds[1]);
    char c;
    while (read(fds[0], &c, 1) > 0) {
    }
    _exit(code);
  }
  return child;
}

TEST(WaitTest, WaitpidReportsTheExitStatus) {
  pid_t child = ForkExiting(42);
  ASSERT_GE(child, 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_FALSE(WIFSIGNALED(status));
  EXPECT_FALSE(WIFSTOPPED(status));
  EXPECT_EQ(WEXITSTATUS(status), 42);
}

TEST(WaitTest, WaitpidReportsTheKillingSignal) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    raise(SIGKILL);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_FALSE(WIFEXITED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

TEST(WaitTest, WnohangWithARunningChildReturnsZero) {
  int fds[2];
  ASSERT_SYSCALL_OK(pipe(fds));
  pid_t child = ForkBlocked(fds, 3);
  ASSERT_GE(child, 0);
  close(fds[0]);
  int status = 0x5a5a;
  EXPECT_EQ(waitpid(child, &status, WNOHANG), 0);
  close(fds[1]);
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
}

TEST(WaitTest, WaitingWithNoChildrenIsECHILD) {
  EXPECT_EQ(RunInChild([] {
              // A fresh child has no children of its own.
              int status;
              CHILD_CHECK(waitpid(-1, &status, 0) == -1 && errno == ECHILD);
              CHILD_CHECK(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD);
              siginfo_t info;
              CHILD_CHECK(waitid(P_ALL, 0, &info, WEXITED) == -1 && errno == ECHILD);
              return 0;
            }),
            0);
}

TEST(WaitTest, WaitingForAProcessThatIsNotAChildIsECHILD) {
  int status;
  EXPECT_SYSCALL_ERRNO(waitpid(getpid(), &status, WNOHANG), ECHILD);
  EXPECT_SYSCALL_ERRNO(waitpid(getppid(), &status, WNOHANG), ECHILD);
}

TEST(WaitTest, WaitpidForASpecificPidLeavesOtherChildren) {
  pid_t first = ForkExiting(1);
  ASSERT_GE(first, 0);
  pid_t second = ForkExiting(2);
  ASSERT_GE(second, 0);
  int status = 0;
  ASSERT_EQ(waitpid(second, &status, 0), second);
  EXPECT_EQ(WEXITSTATUS(status), 2);
  ASSERT_EQ(waitpid(first, &status, 0), first);
  EXPECT_EQ(WEXITSTATUS(status), 1);
}

TEST(WaitTest, Wait4FillsInTheChildsResourceUsage) {
  pid_t child = ForkExiting(0);
  ASSERT_GE(child, 0);
  // Filled with a pattern no kernel writes: what wait4 leaves must be its own.
  struct rusage usage;
  memset(&usage, 0xab, sizeof(usage));
  int status = 0;
  ASSERT_EQ(wait4(child, &status, 0, &usage), child);
  EXPECT_TRUE(WIFEXITED(status));
  // (ru_maxrss of a child that only _exits can be 0 on a loaded host.)
  EXPECT_GE(usage.ru_maxrss, 0);
  EXPECT_GE(usage.ru_utime.tv_usec, 0);
  EXPECT_LT(usage.ru_utime.tv_usec, 1000000);
  EXPECT_GE(usage.ru_stime.tv_usec, 0);
  EXPECT_LT(usage.ru_stime.tv_usec, 1000000);
}

TEST(WaitTest, Wait4WithABadRusagePointerReapsAndIsEFAULT) {
  pid_t child = ForkExiting(0);
  ASSERT_GE(child, 0);
  int status = 0;
  EXPECT_SYSCALL_ERRNO(
      syscall(SYS_wait4, child, &status, 0, reinterpret_cast<struct rusage*>(1)), EFAULT);
  // The child was reaped before the copy-out failed.
  EXPECT_SYSCALL_ERRNO(waitpid(child, &status, WNOHANG), ECHILD);
}

TEST(WaitTest, Wait4WithABadStatusPointerIsEFAULT) {
  pid_t child = ForkExiting(0);
  ASSERT_GE(child, 0);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_wait4, child, reinterpret_cast<int*>(1), 0, nullptr), EFAULT);
  int status;
  waitpid(child, &status, WNOHANG);
}

TEST(WaitTest, Wait4WithUnknownOptionsIsEINVAL) {
  int status;
  // WNOWAIT belongs to waitid only.
  EXPECT_SYSCALL_ERRNO(syscall(SYS_wait4, -1, &status, WNOWAIT, nullptr), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_wait4, -1, &status, 0x100, nullptr), EINVAL);
}

TEST(WaitTest, WaitidFillsInSiginfoForAnExitedChild) {
  pid_t child = ForkExiting(9);
  ASSERT_GE(child, 0);
  siginfo_t info = {};
  ASSERT_SYSCALL_OK(waitid(P_PID, child, &info, WEXITED));
  EXPECT_EQ(info.si_signo, SIGCHLD);
  EXPECT_EQ(info.si_code, CLD_EXITED);
  EXPECT_EQ(info.si_pid, child);
  EXPECT_EQ(info.si_uid, getuid());
  EXPECT_EQ(info.si_status, 9);
}

TEST(WaitTest, WaitidReportsAKilledChildAsCldKilled) {
  int fds[2];
  ASSERT_SYSCALL_OK(pipe(fds));
  pid_t child = ForkBlocked(fds, 0);
  ASSERT_GE(child, 0);
  close(fds[0]);
  ASSERT_SYSCALL_OK(kill(child, SIGTERM));
  siginfo_t info = {};
  ASSERT_SYSCALL_OK(waitid(P_PID, child, &info, WEXITED));
  close(fds[1]);
  EXPECT_EQ(info.si_code, CLD_KILLED);
  EXPECT_EQ(info.si_status, SIGTERM);
  EXPECT_EQ(info.si_pid, child);
}

TEST(WaitTest, WaitidWithWnowaitLeavesTheChildWaitable) {
  pid_t child = ForkExiting(4);
  ASSERT_GE(child, 0);
  siginfo_t info = {};
  ASSERT_SYSCALL_OK(waitid(P_PID, child, &info, WEXITED | WNOWAIT));
  EXPECT_EQ(info.si_pid, child);
  EXPECT_EQ(info.si_status, 4);
  info = {};
  ASSERT_SYSCALL_OK(waitid(P_PID, child, &info, WEXITED | WNOWAIT));
  EXPECT_EQ(info.si_pid, child);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_EQ(WEXITSTATUS(status), 4);
}

TEST(WaitTest, WaitidWnohangWithARunningChildClearsSiPid) {
  int fds[2];
  ASSERT_SYSCALL_OK(pipe(fds));
  pid_t child = ForkBlocked(fds, 0);
  ASSERT_GE(child, 0);
  close(fds[0]);
  siginfo_t info = {};
  info.si_pid = 12345;
  EXPECT_EQ(waitid(P_PID, child, &info, WEXITED | WNOHANG), 0);
  EXPECT_EQ(info.si_pid, 0);
  close(fds[1]);
  int status;
  ASSERT_EQ(waitpid(child, &status, 0), child);
}

TEST(WaitTest, WaitidWithoutAStateOptionIsEINVAL) {
  siginfo_t info;
  EXPECT_SYSCALL_ERRNO(waitid(P_ALL, 0, &info, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(waitid(P_ALL, 0, &info, WNOHANG), EINVAL);
}

TEST(WaitTest, WaitidWithAnUnknownIdtypeIsEINVAL) {
  siginfo_t info;
  EXPECT_SYSCALL_ERRNO(waitid(static_cast<idtype_t>(42), 0, &info, WEXITED), EINVAL);
}

TEST(WaitTest, StoppedAndContinuedChildrenAreReportedWhenAsked) {
  int fds[2];
  ASSERT_SYSCALL_OK(pipe(fds));
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    alarm(10);
    close(fds[1]);
    raise(SIGSTOP);
    // Continued, it waits for the parent to have seen that before it exits:
    // a wait finds a zombie's exit before its continue, as in Linux.
    char c;
    while (read(fds[0], &c, 1) > 0) {
    }
    _exit(6);
  }
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, WUNTRACED), child);
  EXPECT_TRUE(WIFSTOPPED(status));
  EXPECT_EQ(WSTOPSIG(status), SIGSTOP);
  ASSERT_SYSCALL_OK(kill(child, SIGCONT));
  ASSERT_EQ(waitpid(child, &status, WCONTINUED), child);
  EXPECT_TRUE(WIFCONTINUED(status));
  close(fds[1]);
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 6);
}

TEST(WaitTest, WaitpidWithANegativePidWaitsForThatProcessGroup) {
  int fds[2];
  ASSERT_SYSCALL_OK(pipe(fds));
  pid_t in_group = ForkBlocked(fds, 1);
  ASSERT_GE(in_group, 0);
  // Both sides set the group, so it is set whichever runs first.
  setpgid(in_group, in_group);
  pid_t outside = ForkExiting(2);
  ASSERT_GE(outside, 0);
  close(fds[0]);
  close(fds[1]);
  int status = 0;
  ASSERT_EQ(waitpid(-in_group, &status, 0), in_group);
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_SYSCALL_ERRNO(waitpid(-in_group, &status, WNOHANG), ECHILD);
  ASSERT_EQ(waitpid(outside, &status, 0), outside);
}

TEST(WaitTest, WaitidPPgidWaitsForThatProcessGroup) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    setpgid(0, 0);
    _exit(8);
  }
  setpgid(child, child);
  siginfo_t info = {};
  ASSERT_SYSCALL_OK(waitid(P_PGID, child, &info, WEXITED));
  EXPECT_EQ(info.si_pid, child);
  EXPECT_EQ(info.si_status, 8);
}

TEST(WaitTest, WaitpidZeroWaitsForChildrenInTheCallersGroup) {
  EXPECT_EQ(RunInChild([] {
              // The elsewhere child moves to its own group; only `here` is in ours.
              int fds[2];
              CHILD_CHECK(pipe(fds) == 0);
              pid_t elsewhere = ForkBlocked(fds, 1);
              CHILD_CHECK(elsewhere > 0);
              CHILD_CHECK(setpgid(elsewhere, elsewhere) == 0);
              pid_t here = ForkExiting(2);
              CHILD_CHECK(here > 0);
              int status = 0;
              CHILD_CHECK(waitpid(0, &status, 0) == here);
              CHILD_CHECK(WEXITSTATUS(status) == 2);
              close(fds[1]);
              CHILD_CHECK(waitpid(elsewhere, &status, 0) == elsewhere);
              return 0;
            }),
            0);
}

}  // namespace
}  // namespace runsc::syscall_test
