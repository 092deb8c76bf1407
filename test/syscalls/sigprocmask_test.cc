// Family: sigprocmask, rt_sigprocmask, sigpending, sigsuspend.
//
// The mask is changed only in forked children, so no case leaves the test
// process with blocked or pending signals.
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// The kernel's sigset_t, which rt_sigprocmask's last argument must match.
constexpr size_t kKernelSigsetSize = 8;

volatile sig_atomic_t usr1_calls = 0;
volatile sig_atomic_t rt_calls = 0;
void CountUsr1(int) { usr1_calls = usr1_calls + 1; }
void CountRt(int) { rt_calls = rt_calls + 1; }

bool Install(int sig, void (*handler)(int)) {
  struct sigaction action = {};
  action.sa_handler = handler;
  return sigaction(sig, &action, nullptr) == 0;
}

sigset_t SetOf(int sig) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  return set;
}

bool Blocked(int sig) {
  sigset_t mask;
  return sigprocmask(SIG_SETMASK, nullptr, &mask) == 0 && sigismember(&mask, sig) == 1;
}

bool Pending(int sig) {
  sigset_t pending;
  return sigpending(&pending) == 0 && sigismember(&pending, sig) == 1;
}

TEST(SigprocmaskTest, BlockAddsAndUnblockRemovesSignals) {
  EXPECT_EQ(RunInChild([] {
              sigset_t usr1 = SetOf(SIGUSR1), usr2 = SetOf(SIGUSR2);
              CHILD_CHECK(sigprocmask(SIG_BLOCK, &usr1, nullptr) == 0);
              CHILD_CHECK(sigprocmask(SIG_BLOCK, &usr2, nullptr) == 0);
              CHILD_CHECK(Blocked(SIGUSR1) && Blocked(SIGUSR2));
              CHILD_CHECK(sigprocmask(SIG_UNBLOCK, &usr1, nullptr) == 0);
              CHILD_CHECK(!Blocked(SIGUSR1) && Blocked(SIGUSR2));
              return 0;
            }),
            0);
}

TEST(SigprocmaskTest, SetmaskReplacesTheMaskAndReturnsTheOldOne) {
  EXPECT_EQ(RunInChild([] {
              sigset_t usr1 = SetOf(SIGUSR1), usr2 = SetOf(SIGUSR2), old;
              CHILD_CHECK(sigprocmask(SIG_SETMASK, &usr1, nullptr) == 0);
              CHILD_CHECK(sigprocmask(SIG_SETMASK, &usr2, &old) == 0);
              CHILD_CHECK(sigismember(&old, SIGUSR1) && !sigismember(&old, SIGUSR2));
              CHILD_CHECK(!Blocked(SIGUSR1) && Blocked(SIGUSR2));
              return 0;
            }),
            0);
}

TEST(SigprocmaskTest, SigkillAndSigstopCannotBeBlocked) {
  EXPECT_EQ(RunInChild([] {
              sigset_t all;
              sigfillset(&all);
              // glibc refuses to block its own internal signals; use the raw call.
              CHILD_CHECK(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, nullptr,
                                  kKernelSigsetSize) == 0);
              CHILD_CHECK(!Blocked(SIGKILL));
              CHILD_CHECK(!Blocked(SIGSTOP));
              CHILD_CHECK(Blocked(SIGTERM));
              return 0;
            }),
            0);
}

TEST(SigprocmaskTest, AnInvalidHowIsEINVAL) {
  sigset_t usr1 = SetOf(SIGUSR1);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_rt_sigprocmask, 42, &usr1, nullptr, kKernelSigsetSize), EINVAL);
}

TEST(SigprocmaskTest, WithANullSetHowIsIgnored) {
  sigset_t old;
  EXPECT_SYSCALL_OK(syscall(SYS_rt_sigprocmask, 42, nullptr, &old, kKernelSigsetSize));
}

TEST(SigprocmaskTest, AWrongSigsetSizeIsEINVAL) {
  sigset_t old;
  EXPECT_SYSCALL_ERRNO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, nullptr, &old, 4), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, nullptr, &old, 16), EINVAL);
}

TEST(SigprocmaskTest, BadSetPointersAreEFAULT) {
  EXPECT_SYSCALL_ERRNO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, reinterpret_cast<void*>(1), nullptr,
                               kKernelSigsetSize),
                       EFAULT);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, nullptr, reinterpret_cast<void*>(1),
                               kKernelSigsetSize),
                       EFAULT);
}

TEST(SigprocmaskTest, ABlockedSignalIsPendingAndDeliveredOnUnblock) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(Install(SIGUSR1, CountUsr1));
              sigset_t usr1 = SetOf(SIGUSR1);
              CHILD_CHECK(sigprocmask(SIG_BLOCK, &usr1, nullptr) == 0);
              CHILD_CHECK(raise(SIGUSR1) == 0);
              CHILD_CHECK(usr1_calls == 0);
              CHILD_CHECK(Pending(SIGUSR1));
              // Delivery happens before sigprocmask returns.
              CHILD_CHECK(sigprocmask(SIG_UNBLOCK, &usr1, nullptr) == 0);
              CHILD_CHECK(usr1_calls == 1);
              CHILD_CHECK(!Pending(SIGUSR1));
              return 0;
            }),
            0);
}

TEST(SigprocmaskTest, StandardSignalsCoalesceWhileRealtimeSignalsQueue) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(Install(SIGUSR1, CountUsr1));
              CHILD_CHECK(Install(SIGRTMIN, CountRt));
              sigset_t both = SetOf(SIGUSR1);
              sigaddset(&both, SIGRTMIN);
              CHILD_CHECK(sigprocmask(SIG_BLOCK, &both, nullptr) == 0);
              union sigval value = {};
              for (int i = 0; i < 3; ++i) {
                CHILD_CHECK(kill(getpid(), SIGUSR1) == 0);
                CHILD_CHECK(sigqueue(getpid(), SIGRTMIN, value) == 0);
              }
              CHILD_CHECK(sigprocmask(SIG_UNBLOCK, &both, nullptr) == 0);
              CHILD_CHECK(usr1_calls == 1);
              CHILD_CHECK(rt_calls == 3);
              return 0;
            }),
            0);
}

TEST(SigprocmaskTest, SigpendingWithABadPointerIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(syscall(SYS_rt_sigpending, reinterpret_cast<void*>(1), kKernelSigsetSize),
                       EFAULT);
}

TEST(SigprocmaskTest, SigpendingWithATooLargeSizeIsEINVAL) {
  char set[32];
  EXPECT_SYSCALL_ERRNO(syscall(SYS_rt_sigpending, set, 16), EINVAL);
}

TEST(SigprocmaskTest, SigsuspendRunsTheHandlerReturnsEINTRAndRestoresTheMask) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(Install(SIGUSR1, CountUsr1));
              sigset_t usr1 = SetOf(SIGUSR1);
              CHILD_CHECK(sigprocmask(SIG_BLOCK, &usr1, nullptr) == 0);
              CHILD_CHECK(raise(SIGUSR1) == 0);
              // The pending signal is delivered as soon as sigsuspend unblocks it.
              sigset_t none;
              sigemptyset(&none);
              CHILD_CHECK(sigsuspend(&none) == -1 && errno == EINTR);
              CHILD_CHECK(usr1_calls == 1);
              CHILD_CHECK(Blocked(SIGUSR1));
              return 0;
            }),
            0);
}

TEST(SigprocmaskTest, SigsuspendWaitsForASignalFromAnotherProcess) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(Install(SIGUSR1, CountUsr1));
              sigset_t usr1 = SetOf(SIGUSR1);
              CHILD_CHECK(sigprocmask(SIG_BLOCK, &usr1, nullptr) == 0);
              const pid_t waiter = getpid();
              pid_t sender = fork();
              CHILD_CHECK(sender >= 0);
              if (sender == 0) _exit(kill(waiter, SIGUSR1) == 0 ? 0 : 1);
              sigset_t none;
              sigemptyset(&none);
              // Blocked until then, so the signal cannot slip in before sigsuspend.
              CHILD_CHECK(sigsuspend(&none) == -1 && errno == EINTR);
              CHILD_CHECK(usr1_calls == 1);
              return 0;
            }),
            0);
}

TEST(SigprocmaskTest, RtSigsuspendWithAWrongSigsetSizeIsEINVAL) {
  sigset_t none;
  sigemptyset(&none);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_rt_sigsuspend, &none, 4), EINVAL);
}

TEST(SigprocmaskTest, ABlockedSignalBecomesPendingEvenWhenIgnored) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(Install(SIGUSR1, SIG_IGN));
              sigset_t usr1 = SetOf(SIGUSR1);
              CHILD_CHECK(sigprocmask(SIG_BLOCK, &usr1, nullptr) == 0);
              CHILD_CHECK(raise(SIGUSR1) == 0);
              // Linux keeps a blocked signal pending even if ignored: it may be
              // unignored before it is unblocked.
              CHILD_CHECK(Pending(SIGUSR1));
              return 0;
            }),
            0);
}

}  // namespace
}  // namespace runsc::syscall_test
