// Family: prctl.
//
// Every setting is changed in a forked child: names, death signals and
// no_new_privs would otherwise stick to the test process.
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

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

// capget/capset without libcap: the effective, permitted and inheritable sets.
struct CapSets {
  uint64_t effective = 0, permitted = 0, inheritable = 0;
};
bool GetCaps(CapSets* c) {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  c->effective = data[0].effective | (uint64_t{data[1].effective} << 32);
  c->permitted = data[0].permitted | (uint64_t{data[1].permitted} << 32);
  c->inheritable = data[0].inheritable | (uint64_t{data[1].inheritable} << 32);
  return true;
}
bool SetCaps(const CapSets& c) {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  for (int i = 0; i < 2; ++i) {
    data[i].effective = static_cast<uint32_t>(c.effective >> (32 * i));
    data[i].permitted = static_cast<uint32_t>(c.permitted >> (32 * i));
    data[i].inheritable = static_cast<uint32_t>(c.inheritable >> (32 * i));
  }
  return syscall(SYS_capset, &header, data) == 0;
}
constexpr uint64_t CapBit(int cap) { return uint64_t{1} << cap; }

TEST(PrctlTest, CapbsetDropRemovesACapabilityForGood) {
  SKIP_UNLESS_CAPABILITY(CAP_SETPCAP);
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(prctl(PR_CAPBSET_READ, CAP_MKNOD, 0, 0, 0) == 1);
              CHILD_CHECK(prctl(PR_CAPBSET_DROP, CAP_MKNOD, 0, 0, 0) == 0);
              CHILD_CHECK(prctl(PR_CAPBSET_READ, CAP_MKNOD, 0, 0, 0) == 0);
              // Dropping it again is fine; an unknown number is EINVAL.
              CHILD_CHECK(prctl(PR_CAPBSET_DROP, CAP_MKNOD, 0, 0, 0) == 0);
              CHILD_CHECK(prctl(PR_CAPBSET_DROP, 1000, 0, 0, 0) == -1 && errno == EINVAL);
              // The bounding set bounds what may become inheritable.
              CapSets c;
              CHILD_CHECK(GetCaps(&c));
              c.inheritable |= CapBit(CAP_MKNOD);
              CHILD_CHECK(!SetCaps(c) && errno == EPERM);
              // A fork inherits the bounding set.
              CHILD_CHECK(RunInChild([] { return prctl(PR_CAPBSET_READ, CAP_MKNOD, 0, 0, 0); }) == 0);
              return 0;
            }),
            0);
}

TEST(PrctlTest, CapbsetDropWithoutCapSetpcapIsEPERM) {
  SKIP_UNLESS_CAPABILITY(CAP_SETPCAP);
  EXPECT_EQ(RunInChild([] {
              CapSets c;
              CHILD_CHECK(GetCaps(&c));
              c.effective &= ~CapBit(CAP_SETPCAP);
              CHILD_CHECK(SetCaps(c));
              CHILD_CHECK(prctl(PR_CAPBSET_DROP, CAP_MKNOD, 0, 0, 0) == -1 && errno == EPERM);
              // EPERM comes before the check of the number.
              CHILD_CHECK(prctl(PR_CAPBSET_DROP, 1000, 0, 0, 0) == -1 && errno == EPERM);
              CHILD_CHECK(prctl(PR_CAPBSET_READ, CAP_MKNOD, 0, 0, 0) == 1);
              return 0;
            }),
            0);
}

TEST(PrctlTest, AmbientRaiseNeedsPermittedAndInheritable) {
  SKIP_UNLESS_CAPABILITY(CAP_KILL);
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0) == 0);
              CHILD_CHECK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0) == -1 &&
                          errno == EPERM);
              CapSets c;
              CHILD_CHECK(GetCaps(&c));
              c.inheritable |= CapBit(CAP_KILL);
              CHILD_CHECK(SetCaps(c));
              CHILD_CHECK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0) == 0);
              CHILD_CHECK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0) == 1);
              CHILD_CHECK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_KILL, 0, 0) == 0);
              CHILD_CHECK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0) == 0);
              // Leaving the inheritable set takes a capability out of the ambient one.
              CHILD_CHECK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0) == 0);
              c.inheritable &= ~CapBit(CAP_KILL);
              CHILD_CHECK(SetCaps(c));
              CHILD_CHECK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0) == 0);
              return 0;
            }),
            0);
}

TEST(PrctlTest, AmbientArgumentsAreChecked) {
  EXPECT_SYSCALL_ERRNO(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 1000, 0, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 1, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 1, 0, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(prctl(PR_CAP_AMBIENT, 99, CAP_KILL, 0, 0), EINVAL);
  EXPECT_SYSCALL_OK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
}

TEST(PrctlTest, ProcStatusShowsTheBoundingAndAmbientSets) {
  SKIP_UNLESS_CAPABILITY(CAP_SETPCAP);
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(prctl(PR_CAPBSET_DROP, CAP_SYS_BOOT, 0, 0, 0) == 0);
              CapSets c;
              CHILD_CHECK(GetCaps(&c));
              c.inheritable |= CapBit(CAP_KILL);
              CHILD_CHECK(SetCaps(c));
              CHILD_CHECK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0) == 0);
              int fd = open("/proc/self/status", O_RDONLY);
              CHILD_CHECK(fd >= 0);
              char buf[8192] = {};
              CHILD_CHECK(read(fd, buf, sizeof(buf) - 1) > 0);
              close(fd);
              const std::string status(buf);
              auto field = [&](const char* key) {
                size_t at = status.find(std::string("\n") + key + ":\t");
                return at == std::string::npos
                           ? ~uint64_t{0}
                           : strtoull(status.c_str() + at + strlen(key) + 3, nullptr, 16);
              };
              CHILD_CHECK((field("CapBnd") & CapBit(CAP_SYS_BOOT)) == 0);
              CHILD_CHECK((field("CapBnd") & CapBit(CAP_CHOWN)) != 0);
              CHILD_CHECK(field("CapAmb") == CapBit(CAP_KILL));
              CHILD_CHECK(field("CapInh") == c.inheritable);
              return 0;
            }),
            0);
}

TEST(PrctlTest, AnUnknownOptionIsEINVAL) {
  EXPECT_SYSCALL_ERRNO(prctl(0x7fff1234, 0, 0, 0, 0), EINVAL);
}

}  // namespace
}  // namespace runsc::syscall_test
