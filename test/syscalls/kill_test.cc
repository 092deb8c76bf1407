// Family: kill, tgkill, tkill.
//
// Cases that install handlers, block signals or change credentials do it in a
// forked child, so the test process keeps its own signal state.
#include <linux/capability.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// Beyond any pid_max (at most 2^22), so no process has it.
constexpr pid_t kNoSuchPid = 0x3ffffff0;

long Tgkill(pid_t tgid, pid_t tid, int sig) { return syscall(SYS_tgkill, tgid, tid, sig); }
long Tkill(pid_t tid, int sig) { return syscall(SYS_tkill, tid, sig); }

volatile sig_atomic_t handled_signal = 0;
volatile pid_t handled_sender = 0;
void RecordSignal(int sig, siginfo_t* info, void*) {
  handled_signal = sig;
  handled_sender = info->si_pid;
}

bool InstallRecorder(int sig) {
  struct sigaction action = {};
  action.sa_sigaction = RecordSignal;
  action.sa_flags = SA_SIGINFO;
  return sigaction(sig, &action, nullptr) == 0;
}

TEST(KillTest, SignalZeroProbesAnExistingProcess) {
  EXPECT_SYSCALL_OK(kill(getpid(), 0));
  EXPECT_SYSCALL_OK(Tgkill(getpid(), gettid(), 0));
  EXPECT_SYSCALL_OK(Tkill(gettid(), 0));
}

TEST(KillTest, AnUnknownPidIsESRCH) {
  EXPECT_SYSCALL_ERRNO(kill(kNoSuchPid, 0), ESRCH);
  EXPECT_SYSCALL_ERRNO(kill(kNoSuchPid, SIGTERM), ESRCH);
  EXPECT_SYSCALL_ERRNO(Tkill(kNoSuchPid, 0), ESRCH);
}

TEST(KillTest, AnUnknownProcessGroupIsESRCH) {
  EXPECT_SYSCALL_ERRNO(kill(-kNoSuchPid, 0), ESRCH);
}

TEST(KillTest, AReapedChildIsESRCHButAZombieCanStillBeProbed) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  siginfo_t info = {};
  // Wait for the exit without reaping: the zombie is still a process.
  ASSERT_SYSCALL_OK(waitid(P_PID, child, &info, WEXITED | WNOWAIT));
  EXPECT_SYSCALL_OK(kill(child, 0));
  int status;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_SYSCALL_ERRNO(kill(child, 0), ESRCH);
}

TEST(KillTest, AnInvalidSignalIsEINVAL) {
  EXPECT_SYSCALL_ERRNO(kill(getpid(), -1), EINVAL);
  EXPECT_SYSCALL_ERRNO(kill(getpid(), 65), EINVAL);
  EXPECT_SYSCALL_ERRNO(Tgkill(getpid(), gettid(), 65), EINVAL);
  EXPECT_SYSCALL_ERRNO(Tkill(gettid(), 65), EINVAL);
}

TEST(KillTest, ASignalToSelfRunsTheHandlerBeforeKillReturns) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(InstallRecorder(SIGUSR1));
              CHILD_CHECK(kill(getpid(), SIGUSR1) == 0);
              CHILD_CHECK(handled_signal == SIGUSR1);
              CHILD_CHECK(handled_sender == getpid());
              return 0;
            }),
            0);
}

TEST(KillTest, TgkillToSelfRunsTheHandler) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(InstallRecorder(SIGUSR2));
              CHILD_CHECK(Tgkill(getpid(), gettid(), SIGUSR2) == 0);
              CHILD_CHECK(handled_signal == SIGUSR2);
              return 0;
            }),
            0);
}

TEST(KillTest, TkillToSelfRunsTheHandler) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(InstallRecorder(SIGUSR1));
              CHILD_CHECK(Tkill(gettid(), SIGUSR1) == 0);
              CHILD_CHECK(handled_signal == SIGUSR1);
              return 0;
            }),
            0);
}

TEST(KillTest, TgkillWithATidOutsideTheThreadGroupIsESRCH) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    alarm(10);
    pause();
    _exit(0);
  }
  // Our tid is not a thread of the child's group, nor the child's of ours.
  EXPECT_SYSCALL_ERRNO(Tgkill(child, gettid(), 0), ESRCH);
  EXPECT_SYSCALL_ERRNO(Tgkill(getpid(), child, 0), ESRCH);
  kill(child, SIGKILL);
  int status;
  waitpid(child, &status, 0);
}

TEST(KillTest, NonPositiveIdsForTgkillAndTkillAreEINVAL) {
  EXPECT_SYSCALL_ERRNO(Tgkill(0, gettid(), 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(Tgkill(getpid(), 0, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(Tgkill(-1, gettid(), 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(Tkill(0, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(Tkill(-1, 0), EINVAL);
}

TEST(KillTest, ABlockedSignalToSelfStaysPending) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(InstallRecorder(SIGUSR1));
              sigset_t usr1, pending;
              sigemptyset(&usr1);
              sigaddset(&usr1, SIGUSR1);
              CHILD_CHECK(sigprocmask(SIG_BLOCK, &usr1, nullptr) == 0);
              CHILD_CHECK(kill(getpid(), SIGUSR1) == 0);
              CHILD_CHECK(handled_signal == 0);
              CHILD_CHECK(sigpending(&pending) == 0 && sigismember(&pending, SIGUSR1));
              CHILD_CHECK(sigprocmask(SIG_UNBLOCK, &usr1, nullptr) == 0);
              CHILD_CHECK(handled_signal == SIGUSR1);
              return 0;
            }),
            0);
}

TEST(KillTest, KillOfANegativePidSignalsTheWholeProcessGroup) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    alarm(10);
    setpgid(0, 0);
    pause();
    _exit(0);
  }
  setpgid(child, child);
  ASSERT_SYSCALL_OK(kill(-child, SIGTERM));
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
}

TEST(KillTest, KillOfPidZeroSignalsEveryMemberOfTheCallersGroup) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(setpgid(0, 0) == 0);
              // The sender blocks the signal so that it survives to check the member.
              sigset_t term, pending;
              sigemptyset(&term);
              sigaddset(&term, SIGTERM);
              CHILD_CHECK(sigprocmask(SIG_BLOCK, &term, nullptr) == 0);
              pid_t member = fork();
              CHILD_CHECK(member >= 0);
              if (member == 0) {
                alarm(10);
                sigprocmask(SIG_UNBLOCK, &term, nullptr);
                for (;;) pause();
              }
              CHILD_CHECK(kill(0, SIGTERM) == 0);
              int status = 0;
              CHILD_CHECK(waitpid(member, &status, 0) == member);
              CHILD_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
              CHILD_CHECK(sigpending(&pending) == 0 && sigismember(&pending, SIGTERM));
              return 0;
            }),
            0);
}

TEST(KillTest, AnUnprivilegedSenderCannotSignalAnotherUsersProcessEPERM) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  EXPECT_EQ(RunInChild([] {
              int fds[2];
              CHILD_CHECK(pipe(fds) == 0);
              pid_t target = fork();
              CHILD_CHECK(target >= 0);
              if (target == 0) {
                // Stays root; ends when the write end closes.
                close(fds[1]);
                char c;
                while (read(fds[0], &c, 1) > 0) {
                }
                _exit(0);
              }
              close(fds[0]);
              CHILD_CHECK(setresuid(65534, 65534, 65534) == 0);
              CHILD_CHECK(kill(target, 0) == -1 && errno == EPERM);
              CHILD_CHECK(kill(target, SIGKILL) == -1 && errno == EPERM);
              close(fds[1]);
              int status = 0;
              CHILD_CHECK(waitpid(target, &status, 0) == target);
              CHILD_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
              return 0;
            }),
            0);
}

TEST(KillTest, SigkillCannotBeCaughtAndEndsTheTarget) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    alarm(10);
    signal(SIGTERM, SIG_IGN);
    for (;;) pause();
  }
  ASSERT_SYSCALL_OK(kill(child, SIGKILL));
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

}  // namespace
}  // namespace runsc::syscall_test
