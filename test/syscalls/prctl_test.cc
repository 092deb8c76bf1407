// Family: prctl.
//
// Every setting is changed in a forked child: names, death signals and
// no_new_privs would otherwise stick to the test process.
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

TEST(PrctlTest, SetNameIsReadBackByGetName) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(prctl(PR_SET_NAME, "runsc-named", 0, 0, 0) == 0);
              char name[16] = {};
              CHILD_CHECK(prctl(PR_GET_NAME, name, 0, 0, 0) == 0);
              CHILD_CHECK(strcmp(name, "runsc-named") == 0);
              return 0;
            }),
            0);
}

TEST(PrctlTest, ANameIsTruncatedToFifteenBytes) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(prctl(PR_SET_NAME, "0123456789abcdefghij", 0, 0, 0) == 0);
              char name[32];
              memset(name, 'x', sizeof(name));
              CHILD_CHECK(prctl(PR_GET_NAME, name, 0, 0, 0) == 0);
              CHILD_CHECK(strcmp(name, "0123456789abcde") == 0);
              return 0;
            }),
            0);
}

TEST(PrctlTest, TheNameIsShownInProcSelfComm) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(prctl(PR_SET_NAME, "comm-check", 0, 0, 0) == 0);
              int fd = open("/proc/self/comm", O_RDONLY);
              CHILD_CHECK(fd >= 0);
              char comm[32] = {};
              CHILD_CHECK(read(fd, comm, sizeof(comm) - 1) > 0);
              CHILD_CHECK(strcmp(comm, "comm-check\n") == 0);
              return 0;
            }),
            0);
}

TEST(PrctlTest, NameWithABadPointerIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(prctl(PR_GET_NAME, reinterpret_cast<char*>(1), 0, 0, 0), EFAULT);
  EXPECT_SYSCALL_ERRNO(prctl(PR_SET_NAME, reinterpret_cast<char*>(1), 0, 0, 0), EFAULT);
}

TEST(PrctlTest, PdeathsigIsReportedBack) {
  EXPECT_EQ(RunInChild([] {
              int sig = -1;
              CHILD_CHECK(prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0) == 0);
              CHILD_CHECK(sig == 0);
              CHILD_CHECK(prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0) == 0);
              CHILD_CHECK(prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0) == 0);
              CHILD_CHECK(sig == SIGUSR1);
              return 0;
            }),
            0);
}

TEST(PrctlTest, PdeathsigOfAnInvalidSignalIsEINVAL) {
  EXPECT_SYSCALL_ERRNO(prctl(PR_SET_PDEATHSIG, 65, 0, 0, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(prctl(PR_SET_PDEATHSIG, -1, 0, 0, 0), EINVAL);
}

TEST(PrctlTest, PdeathsigIsNotInheritedByAForkedChild) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0) == 0);
              return RunInChild([] {
                int sig = -1;
                CHILD_CHECK(prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0) == 0);
                CHILD_CHECK(sig == 0);
                return 0;
              });
            }),
            0);
}

TEST(PrctlTest, PdeathsigIsSentWhenTheParentDies) {
  EXPECT_EQ(RunInChild([] {
              // As subreaper, this process inherits the orphan and can wait for it.
              CHILD_CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0);
              int ready[2];
              CHILD_CHECK(pipe(ready) == 0);
              pid_t parent = fork();
              CHILD_CHECK(parent >= 0);
              if (parent == 0) {
                const pid_t self = getpid();
                pid_t orphan = fork();
                if (orphan < 0) _exit(2);
                if (orphan == 0) {
                  alarm(10);
                  if (prctl(PR_SET_PDEATHSIG, SIGUSR2, 0, 0, 0) != 0) _exit(3);
                  // The parent may already be gone; then no signal will come.
                  if (getppid() != self) _exit(4);
                  (void)!write(ready[1], "r", 1);
                  for (;;) pause();
                }
                close(ready[1]);
                char c;
                if (read(ready[0], &c, 1) != 1) _exit(5);
                _exit(0);
              }
              close(ready[1]);
              int status = 0;
              CHILD_CHECK(waitpid(parent, &status, 0) == parent);
              CHILD_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
              CHILD_CHECK(waitpid(-1, &status, 0) > 0);
              CHILD_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR2);
              return 0;
            }),
            0);
}

TEST(PrctlTest, DumpableCanBeClearedAndSetAgain) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0);
              CHILD_CHECK(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0);
              CHILD_CHECK(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0);
              CHILD_CHECK(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1);
              return 0;
            }),
            0);
}

TEST(PrctlTest, DumpableOtherThanZeroOrOneIsEINVAL) {
  EXPECT_SYSCALL_ERRNO(prctl(PR_SET_DUMPABLE, 2, 0, 0, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(prctl(PR_SET_DUMPABLE, 3, 0, 0, 0), EINVAL);
}

TEST(PrctlTest, NoNewPrivsIsStickyAndInherited) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0);
              CHILD_CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
              CHILD_CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
              // It cannot be unset.
              CHILD_CHECK(prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0) == -1 && errno == EINVAL);
              return RunInChild([] { return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : 1; });
            }),
            0);
}

TEST(PrctlTest, NoNewPrivsWithNonzeroUnusedArgumentsIsEINVAL) {
  EXPECT_SYSCALL_ERRNO(prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0), EINVAL);
}

TEST(PrctlTest, KeepcapsIsReportedBackAndOnlyTakesZeroOrOne) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0);
              CHILD_CHECK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0);
              CHILD_CHECK(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 1);
              CHILD_CHECK(prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0) == -1 && errno == EINVAL);
              return 0;
            }),
            0);
}

TEST(PrctlTest, ChildSubreaperIsReportedBack) {
  EXPECT_EQ(RunInChild([] {
              int value = -1;
              CHILD_CHECK(prctl(PR_GET_CHILD_SUBREAPER, &value, 0, 0, 0) == 0);
              CHILD_CHECK(value == 0);
              CHILD_CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0);
              CHILD_CHECK(prctl(PR_GET_CHILD_SUBREAPER, &value, 0, 0, 0) == 0);
              CHILD_CHECK(value == 1);
              return 0;
            }),
            0);
}

TEST(PrctlTest, TimerslackIsReportedBack) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) > 0);
              CHILD_CHECK(prctl(PR_SET_TIMERSLACK, 123456, 0, 0, 0) == 0);
              CHILD_CHECK(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) == 123456);
              return 0;
            }),
            0);
}

TEST(PrctlTest, CapbsetReadOfAnUnknownCapabilityIsEINVAL) {
  EXPECT_GE(prctl(PR_CAPBSET_READ, CAP_CHOWN, 0, 0, 0), 0);
  EXPECT_SYSCALL_ERRNO(prctl(PR_CAPBSET_READ, 1000, 0, 0, 0), EINVAL);
}

TEST(PrctlTest, AnUnknownOptionIsEINVAL) {
  EXPECT_SYSCALL_ERRNO(prctl(0x7fff1234, 0, 0, 0, 0), EINVAL);
}

}  // namespace
}  // namespace runsc::syscall_test
