// Family: sigaction, rt_sigaction.
//
// Every case that installs a handler does it in a forked child, so the test
// process keeps its own dispositions.
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// The kernel's sigset_t, which rt_sigaction's last argument must match.
constexpr size_t kKernelSigsetSize = 8;

volatile sig_atomic_t handler_calls = 0;
void CountCalls(int) { handler_calls = handler_calls + 1; }

// Records whether each of two signals was blocked while the handler ran.
volatile sig_atomic_t usr1_blocked_in_handler = -1;
volatile sig_atomic_t usr2_blocked_in_handler = -1;
void RecordMask(int) {
  sigset_t mask;
  sigprocmask(SIG_SETMASK, nullptr, &mask);
  usr1_blocked_in_handler = sigismember(&mask, SIGUSR1);
  usr2_blocked_in_handler = sigismember(&mask, SIGUSR2);
}

siginfo_t recorded_info;
void RecordInfo(int, siginfo_t* info, void*) { recorded_info = *info; }

// For the SA_RESTART cases: the handler writes one byte to the pipe that the
// interrupted read is waiting on, so a restarted read returns it.
int restart_pipe_write_end = -1;
void WriteToPipe(int) { (void)!write(restart_pipe_write_end, "r", 1); }

TEST(SigactionTest, AnInstalledHandlerIsReportedBack) {
  EXPECT_EQ(RunInChild([] {
              struct sigaction action = {}, queried = {};
              action.sa_handler = CountCalls;
              sigemptyset(&action.sa_mask);
              sigaddset(&action.sa_mask, SIGUSR2);
              action.sa_flags = SA_RESTART;
              CHILD_CHECK(sigaction(SIGUSR1, &action, nullptr) == 0);
              CHILD_CHECK(sigaction(SIGUSR1, nullptr, &queried) == 0);
              CHILD_CHECK(queried.sa_handler == CountCalls);
              CHILD_CHECK(sigismember(&queried.sa_mask, SIGUSR2));
              CHILD_CHECK(!sigismember(&queried.sa_mask, SIGTERM));
              CHILD_CHECK((queried.sa_flags & SA_RESTART) != 0);
              CHILD_CHECK((queried.sa_flags & SA_SIGINFO) == 0);
              return 0;
            }),
            0);
}

TEST(SigactionTest, TheOldActionIsReturnedWhenReplacing) {
  EXPECT_EQ(RunInChild([] {
              struct sigaction first = {}, second = {}, old = {};
              first.sa_handler = CountCalls;
              second.sa_handler = SIG_IGN;
              CHILD_CHECK(sigaction(SIGUSR1, &first, nullptr) == 0);
              CHILD_CHECK(sigaction(SIGUSR1, &second, &old) == 0);
              CHILD_CHECK(old.sa_handler == CountCalls);
              CHILD_CHECK(sigaction(SIGUSR1, nullptr, &old) == 0);
              CHILD_CHECK(old.sa_handler == SIG_IGN);
              return 0;
            }),
            0);
}

TEST(SigactionTest, DefaultDispositionIsSigDfl) {
  EXPECT_EQ(RunInChild([] {
              struct sigaction queried = {};
              CHILD_CHECK(sigaction(SIGUSR1, nullptr, &queried) == 0);
              CHILD_CHECK(queried.sa_handler == SIG_DFL);
              return 0;
            }),
            0);
}

TEST(SigactionTest, ChangingSigkillOrSigstopIsEINVALButQueryingWorks) {
  struct sigaction action = {}, queried = {};
  action.sa_handler = SIG_IGN;
  EXPECT_SYSCALL_ERRNO(sigaction(SIGKILL, &action, nullptr), EINVAL);
  EXPECT_SYSCALL_ERRNO(sigaction(SIGSTOP, &action, nullptr), EINVAL);
  EXPECT_SYSCALL_OK(sigaction(SIGKILL, nullptr, &queried));
  EXPECT_EQ(queried.sa_handler, SIG_DFL);
}

TEST(SigactionTest, AnInvalidSignalNumberIsEINVAL) {
  struct sigaction queried = {};
  EXPECT_SYSCALL_ERRNO(syscall(SYS_rt_sigaction, 0, nullptr, &queried, kKernelSigsetSize), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_rt_sigaction, 65, nullptr, &queried, kKernelSigsetSize),
                       EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_rt_sigaction, -1, nullptr, &queried, kKernelSigsetSize),
                       EINVAL);
}

TEST(SigactionTest, RtSigactionWithAWrongSigsetSizeIsEINVAL) {
  char queried[64];
  EXPECT_SYSCALL_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, nullptr, queried, 4), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, nullptr, queried, 16), EINVAL);
}

TEST(SigactionTest, BadActionPointersAreEFAULT) {
  EXPECT_SYSCALL_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, reinterpret_cast<void*>(1), nullptr,
                               kKernelSigsetSize),
                       EFAULT);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, nullptr, reinterpret_cast<void*>(1),
                               kKernelSigsetSize),
                       EFAULT);
}

TEST(SigactionTest, SaResethandRestoresTheDefaultAfterOneDelivery) {
  EXPECT_EQ(RunInChild([] {
              struct sigaction action = {}, queried = {};
              action.sa_handler = CountCalls;
              action.sa_flags = SA_RESETHAND;
              CHILD_CHECK(sigaction(SIGUSR1, &action, nullptr) == 0);
              CHILD_CHECK(raise(SIGUSR1) == 0);
              CHILD_CHECK(handler_calls == 1);
              CHILD_CHECK(sigaction(SIGUSR1, nullptr, &queried) == 0);
              CHILD_CHECK(queried.sa_handler == SIG_DFL);
              return 0;
            }),
            0);
}

TEST(SigactionTest, TheSignalIsBlockedInItsHandlerWithoutSaNodefer) {
  EXPECT_EQ(RunInChild([] {
              struct sigaction action = {};
              action.sa_handler = RecordMask;
              CHILD_CHECK(sigaction(SIGUSR1, &action, nullptr) == 0);
              CHILD_CHECK(raise(SIGUSR1) == 0);
              CHILD_CHECK(usr1_blocked_in_handler == 1);
              // The mask in force before the handler comes back afterwards.
              sigset_t mask;
              CHILD_CHECK(sigprocmask(SIG_SETMASK, nullptr, &mask) == 0);
              CHILD_CHECK(!sigismember(&mask, SIGUSR1));
              return 0;
            }),
            0);
}

TEST(SigactionTest, SaNodeferLeavesTheSignalUnblockedInItsHandler) {
  EXPECT_EQ(RunInChild([] {
              struct sigaction action = {};
              action.sa_handler = RecordMask;
              action.sa_flags = SA_NODEFER;
              CHILD_CHECK(sigaction(SIGUSR1, &action, nullptr) == 0);
              CHILD_CHECK(raise(SIGUSR1) == 0);
              CHILD_CHECK(usr1_blocked_in_handler == 0);
              return 0;
            }),
            0);
}

TEST(SigactionTest, SaMaskIsBlockedOnlyWhileTheHandlerRuns) {
  EXPECT_EQ(RunInChild([] {
              struct sigaction action = {};
              action.sa_handler = RecordMask;
              sigemptyset(&action.sa_mask);
              sigaddset(&action.sa_mask, SIGUSR2);
              CHILD_CHECK(sigaction(SIGUSR1, &action, nullptr) == 0);
              CHILD_CHECK(raise(SIGUSR1) == 0);
              CHILD_CHECK(usr2_blocked_in_handler == 1);
              sigset_t mask;
              CHILD_CHECK(sigprocmask(SIG_SETMASK, nullptr, &mask) == 0);
              CHILD_CHECK(!sigismember(&mask, SIGUSR2));
              return 0;
            }),
            0);
}

TEST(SigactionTest, SaSiginfoReportsSenderAndCodeForKill) {
  EXPECT_EQ(RunInChild([] {
              struct sigaction action = {};
              action.sa_sigaction = RecordInfo;
              action.sa_flags = SA_SIGINFO;
              CHILD_CHECK(sigaction(SIGUSR1, &action, nullptr) == 0);
              CHILD_CHECK(kill(getpid(), SIGUSR1) == 0);
              CHILD_CHECK(recorded_info.si_signo == SIGUSR1);
              CHILD_CHECK(recorded_info.si_code == SI_USER);
              CHILD_CHECK(recorded_info.si_pid == getpid());
              CHILD_CHECK(recorded_info.si_uid == getuid());
              return 0;
            }),
            0);
}

TEST(SigactionTest, SaSiginfoReportsTheValueForSigqueue) {
  EXPECT_EQ(RunInChild([] {
              struct sigaction action = {};
              action.sa_sigaction = RecordInfo;
              action.sa_flags = SA_SIGINFO;
              CHILD_CHECK(sigaction(SIGRTMIN, &action, nullptr) == 0);
              union sigval value;
              value.sival_int = 4242;
              CHILD_CHECK(sigqueue(getpid(), SIGRTMIN, value) == 0);
              CHILD_CHECK(recorded_info.si_signo == SIGRTMIN);
              CHILD_CHECK(recorded_info.si_code == SI_QUEUE);
              CHILD_CHECK(recorded_info.si_pid == getpid());
              CHILD_CHECK(recorded_info.si_value.sival_int == 4242);
              return 0;
            }),
            0);
}

TEST(SigactionTest, SaSiginfoReportsTheFaultAddressForSigsegv) {
  EXPECT_EQ(RunInChild([] {
              struct sigaction action = {};
              action.sa_sigaction = [](int, siginfo_t* info, void*) {
                _exit(info->si_signo == SIGSEGV && info->si_code == SEGV_MAPERR &&
                              info->si_addr == reinterpret_cast<void*>(16)
                          ? 0
                          : 1);
              };
              action.sa_flags = SA_SIGINFO;
              CHILD_CHECK(sigaction(SIGSEGV, &action, nullptr) == 0);
              int* volatile unmapped = reinterpret_cast<int*>(16);
              *unmapped = 1;
              return 2;
            }),
            0);
}

TEST(SigactionTest, SettingSigIgnDiscardsAPendingSignal) {
  EXPECT_EQ(RunInChild([] {
              sigset_t usr1, pending;
              sigemptyset(&usr1);
              sigaddset(&usr1, SIGUSR1);
              CHILD_CHECK(sigprocmask(SIG_BLOCK, &usr1, nullptr) == 0);
              CHILD_CHECK(raise(SIGUSR1) == 0);
              CHILD_CHECK(sigpending(&pending) == 0 && sigismember(&pending, SIGUSR1));
              struct sigaction ignore = {};
              ignore.sa_handler = SIG_IGN;
              CHILD_CHECK(sigaction(SIGUSR1, &ignore, nullptr) == 0);
              CHILD_CHECK(sigpending(&pending) == 0 && !sigismember(&pending, SIGUSR1));
              return 0;
            }),
            0);
}

TEST(SigactionTest, IgnoringSigchldReapsChildrenAutomatically) {
  EXPECT_EQ(RunInChild([] {
              struct sigaction ignore = {};
              ignore.sa_handler = SIG_IGN;
              CHILD_CHECK(sigaction(SIGCHLD, &ignore, nullptr) == 0);
              pid_t grandchild = fork();
              CHILD_CHECK(grandchild >= 0);
              if (grandchild == 0) _exit(0);
              // Without a zombie to collect, wait blocks until the child is
              // gone and then reports that there are no children.
              int status;
              CHILD_CHECK(waitpid(grandchild, &status, 0) == -1 && errno == ECHILD);
              return 0;
            }),
            0);
}

// Runs a read on an empty pipe in a child that handles SIGUSR1 with `flags`,
// sends SIGUSR1 once the child is asleep, and returns the child's exit code:
// 0 if read returned the handler's byte, 1 if it failed with EINTR.
int InterruptPipeRead(int flags) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  pid_t child = fork();
  if (child < 0) return -1;
  if (child == 0) {
    alarm(10);
    restart_pipe_write_end = fds[1];
    struct sigaction action = {};
    action.sa_handler = WriteToPipe;
    action.sa_flags = flags;
    if (sigaction(SIGUSR1, &action, nullptr) != 0) _exit(3);
    char c;
    ssize_t n = read(fds[0], &c, 1);
    if (n == 1 && c == 'r') _exit(0);
    if (n == -1 && errno == EINTR) _exit(1);
    _exit(2);
  }
  // Signal only once the child sleeps in its one blocking call, the read.
  const std::string stat_path = "/proc/" + std::to_string(child) + "/stat";
  for (int i = 0; i < 10000; ++i) {
    char stat[512] = {};
    int fd = open(stat_path.c_str(), O_RDONLY);
    if (fd < 0) break;
    ssize_t n = read(fd, stat, sizeof(stat) - 1);
    close(fd);
    const char* state = n > 0 ? strrchr(stat, ')') : nullptr;
    if (state != nullptr && state[1] == ' ' && state[2] == 'S') break;
    struct timespec pause = {0, 1000000};
    nanosleep(&pause, nullptr);
  }
  kill(child, SIGUSR1);
  int status = 0;
  waitpid(child, &status, 0);
  close(fds[0]);
  close(fds[1]);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(SigactionTest, SaRestartRestartsAnInterruptedPipeRead) {
  EXPECT_EQ(InterruptPipeRead(SA_RESTART), 0);
}

TEST(SigactionTest, WithoutSaRestartAnInterruptedPipeReadFailsWithEINTR) {
  EXPECT_EQ(InterruptPipeRead(0), 1);
}

}  // namespace
}  // namespace runsc::syscall_test
