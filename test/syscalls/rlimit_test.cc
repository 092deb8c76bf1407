// Family: getrlimit, setrlimit, prlimit64.
//
// Limits are only ever changed in forked children.
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// Beyond any pid_max (at most 2^22), so no process has it.
constexpr pid_t kNoSuchPid = 0x3ffffff0;

// Drops `capability` from the effective set, keeping it permitted.
bool DropEffectiveCapability(int capability) {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  data[capability / 32].effective &= ~(1u << (capability % 32));
  return syscall(SYS_capset, &header, data) == 0;
}

// Lowers the soft RLIMIT_NOFILE to `soft`, keeping the hard limit.
bool SetSoftNofile(rlim_t soft) {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
  limit.rlim_cur = soft;
  return setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

// The lowest fd number not in use.
int LowestFreeFd() {
  int fd = dup(0);
  if (fd < 0) fd = open("/proc/self/exe", O_RDONLY);
  if (fd >= 0) close(fd);
  return fd;
}

TEST(RlimitTest, TheSoftLimitIsAtMostTheHardLimit) {
  for (int resource : {RLIMIT_NOFILE, RLIMIT_STACK, RLIMIT_CORE, RLIMIT_NPROC, RLIMIT_AS}) {
    struct rlimit limit;
    ASSERT_SYSCALL_OK(getrlimit(resource, &limit));
    EXPECT_LE(limit.rlim_cur, limit.rlim_max) << resource;
  }
}

TEST(RlimitTest, ALoweredSoftLimitIsReportedBackAndInherited) {
  EXPECT_EQ(RunInChild([] {
              struct rlimit limit;
              CHILD_CHECK(getrlimit(RLIMIT_NOFILE, &limit) == 0);
              const rlim_t hard = limit.rlim_max;
              limit.rlim_cur = 64;
              CHILD_CHECK(setrlimit(RLIMIT_NOFILE, &limit) == 0);
              CHILD_CHECK(getrlimit(RLIMIT_NOFILE, &limit) == 0);
              CHILD_CHECK(limit.rlim_cur == 64 && limit.rlim_max == hard);
              return RunInChild([hard] {
                struct rlimit inherited;
                CHILD_CHECK(getrlimit(RLIMIT_NOFILE, &inherited) == 0);
                CHILD_CHECK(inherited.rlim_cur == 64 && inherited.rlim_max == hard);
                return 0;
              });
            }),
            0);
}

TEST(RlimitTest, ASoftLimitAboveTheHardLimitIsEINVAL) {
  // In a child, in case the call wrongly succeeds.
  EXPECT_EQ(RunInChild([] {
              struct rlimit limit;
              CHILD_CHECK(getrlimit(RLIMIT_NOFILE, &limit) == 0);
              CHILD_CHECK(limit.rlim_max != RLIM_INFINITY);
              struct rlimit bad = {limit.rlim_max + 1, limit.rlim_max};
              CHILD_CHECK(setrlimit(RLIMIT_NOFILE, &bad) == -1 && errno == EINVAL);
              return 0;
            }),
            0);
}

TEST(RlimitTest, RaisingTheHardLimitWithoutCapSysResourceIsEPERM) {
  EXPECT_EQ(RunInChild([] {
              struct rlimit limit;
              CHILD_CHECK(getrlimit(RLIMIT_NOFILE, &limit) == 0);
              limit.rlim_max = limit.rlim_cur = 32;
              CHILD_CHECK(setrlimit(RLIMIT_NOFILE, &limit) == 0);
              CHILD_CHECK(DropEffectiveCapability(CAP_SYS_RESOURCE));
              limit.rlim_max = 33;
              CHILD_CHECK(setrlimit(RLIMIT_NOFILE, &limit) == -1 && errno == EPERM);
              // Lowering is always allowed.
              limit.rlim_max = limit.rlim_cur = 16;
              CHILD_CHECK(setrlimit(RLIMIT_NOFILE, &limit) == 0);
              return 0;
            }),
            0);
}

TEST(RlimitTest, NofileAboveNrOpenIsEPERMEvenForRoot) {
  EXPECT_EQ(RunInChild([] {
              FILE* f = fopen("/proc/sys/fs/nr_open", "r");
              CHILD_CHECK(f != nullptr);
              unsigned long nr_open = 0;
              CHILD_CHECK(fscanf(f, "%lu", &nr_open) == 1);
              fclose(f);
              struct rlimit limit = {nr_open + 1, nr_open + 1};
              CHILD_CHECK(setrlimit(RLIMIT_NOFILE, &limit) == -1 && errno == EPERM);
              return 0;
            }),
            0);
}

TEST(RlimitTest, OpenBeyondNofileIsEMFILE) {
  EXPECT_EQ(RunInChild([] {
              int lowest = LowestFreeFd();
              CHILD_CHECK(lowest >= 0);
              CHILD_CHECK(SetSoftNofile(lowest + 2));
              int a = open("/proc/self/exe", O_RDONLY);
              int b = open("/proc/self/exe", O_RDONLY);
              CHILD_CHECK(a == lowest && b == lowest + 1);
              CHILD_CHECK(open("/proc/self/exe", O_RDONLY) == -1 && errno == EMFILE);
              int fds[2];
              CHILD_CHECK(pipe(fds) == -1 && errno == EMFILE);
              // Freeing one fd makes room again.
              CHILD_CHECK(close(b) == 0);
              CHILD_CHECK(open("/proc/self/exe", O_RDONLY) == b);
              return 0;
            }),
            0);
}

TEST(RlimitTest, DupBeyondNofileIsEMFILEAndDup2AboveItIsEBADF) {
  EXPECT_EQ(RunInChild([] {
              int lowest = LowestFreeFd();
              CHILD_CHECK(lowest >= 0);
              CHILD_CHECK(SetSoftNofile(lowest + 1));
              int fd = open("/proc/self/exe", O_RDONLY);
              CHILD_CHECK(fd == lowest);
              CHILD_CHECK(dup(fd) == -1 && errno == EMFILE);
              CHILD_CHECK(dup2(fd, lowest + 5) == -1 && errno == EBADF);
              CHILD_CHECK(fcntl(fd, F_DUPFD, lowest + 5) == -1 && errno == EINVAL);
              return 0;
            }),
            0);
}

TEST(RlimitTest, PrlimitOfSelfMatchesGetrlimit) {
  struct rlimit by_get, by_prlimit;
  ASSERT_SYSCALL_OK(getrlimit(RLIMIT_STACK, &by_get));
  ASSERT_SYSCALL_OK(prlimit(0, RLIMIT_STACK, nullptr, &by_prlimit));
  EXPECT_EQ(by_get.rlim_cur, by_prlimit.rlim_cur);
  EXPECT_EQ(by_get.rlim_max, by_prlimit.rlim_max);
  ASSERT_SYSCALL_OK(prlimit(getpid(), RLIMIT_STACK, nullptr, &by_prlimit));
  EXPECT_EQ(by_get.rlim_cur, by_prlimit.rlim_cur);
}

TEST(RlimitTest, PrlimitSetsAndReturnsTheOldLimitInOneCall) {
  EXPECT_EQ(RunInChild([] {
              struct rlimit before;
              CHILD_CHECK(getrlimit(RLIMIT_CORE, &before) == 0);
              struct rlimit wanted = {0, before.rlim_max}, old = {};
              CHILD_CHECK(prlimit(0, RLIMIT_CORE, &wanted, &old) == 0);
              CHILD_CHECK(old.rlim_cur == before.rlim_cur && old.rlim_max == before.rlim_max);
              struct rlimit now;
              CHILD_CHECK(getrlimit(RLIMIT_CORE, &now) == 0 && now.rlim_cur == 0);
              return 0;
            }),
            0);
}

TEST(RlimitTest, PrlimitOfAnUnknownPidIsESRCH) {
  struct rlimit limit;
  EXPECT_SYSCALL_ERRNO(prlimit(kNoSuchPid, RLIMIT_NOFILE, nullptr, &limit), ESRCH);
}

// Forks a child that waits until `release`'s write end closes, then exits
// with 0 if its soft RLIMIT_CORE is `expected_core`, 1 otherwise.
pid_t ForkChildThatChecksItsCoreLimit(TestPipe& release, rlim_t expected_core) {
  pid_t child = fork();
  if (child == 0) {
    release.CloseWrite();
    char c;
    (void)!read(release.read_fd(), &c, 1);
    struct rlimit limit;
    _exit(getrlimit(RLIMIT_CORE, &limit) == 0 && limit.rlim_cur == expected_core ? 0 : 1);
  }
  return child;
}

int WaitForChild(pid_t child) {
  int status = 0;
  if (waitpid(child, &status, 0) != child) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(RlimitTest, PrlimitSetsTheLimitOfAnotherProcess) {
  EXPECT_EQ(RunInChild([] {
              TestPipe release;
              pid_t child = ForkChildThatChecksItsCoreLimit(release, 0);
              CHILD_CHECK(child > 0);
              struct rlimit before, old, wanted;
              CHILD_CHECK(getrlimit(RLIMIT_CORE, &before) == 0);
              wanted = {0, before.rlim_max};
              CHILD_CHECK(prlimit(child, RLIMIT_CORE, &wanted, &old) == 0);
              CHILD_CHECK(old.rlim_cur == before.rlim_cur);
              // The caller's own limit is untouched.
              struct rlimit mine;
              CHILD_CHECK(getrlimit(RLIMIT_CORE, &mine) == 0 && mine.rlim_cur == before.rlim_cur);
              release.CloseWrite();
              CHILD_CHECK(WaitForChild(child) == 0);
              return 0;
            }),
            0);
}

TEST(RlimitTest, PrlimitOfAnotherUsersProcessIsEPERM) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  SKIP_UNLESS_CAPABILITY(CAP_SETGID);
  EXPECT_EQ(RunInChild([] {
              TestPipe release;
              struct rlimit before;
              CHILD_CHECK(getrlimit(RLIMIT_CORE, &before) == 0);
              // The child (root) keeps its limit: the change must not happen.
              pid_t child = ForkChildThatChecksItsCoreLimit(release, before.rlim_cur);
              CHILD_CHECK(child > 0);
              CHILD_CHECK(DropToNobody());
              struct rlimit wanted = {0, before.rlim_max}, old;
              CHILD_CHECK(prlimit(child, RLIMIT_CORE, &wanted, nullptr) == -1 && errno == EPERM);
              CHILD_CHECK(prlimit(child, RLIMIT_CORE, nullptr, &old) == -1 && errno == EPERM);
              release.CloseWrite();
              CHILD_CHECK(WaitForChild(child) == 0);
              return 0;
            }),
            0);
}

// RLIMIT_NPROC counts the tasks of the caller's real uid: a uid nothing
// else on the machine runs as has just the caller, so a limit of 1 leaves
// no room for a child, and the limit holds for threads too.
TEST(RlimitTest, ForkAtNprocIsEAGAINForAnUnprivilegedUid) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  SKIP_UNLESS_CAPABILITY(CAP_SETGID);
  EXPECT_EQ(RunInChild([] {
              struct rlimit one = {1, 1};
              CHILD_CHECK(setrlimit(RLIMIT_NPROC, &one) == 0);
              CHILD_CHECK(setresgid(54321, 54321, 54321) == 0);
              CHILD_CHECK(setresuid(54321, 54321, 54321) == 0);
              pid_t child = fork();
              if (child == 0) _exit(0);
              CHILD_CHECK(child == -1 && errno == EAGAIN);
              return 0;
            }),
            0);
}

// Root (in the initial user namespace, as natively and in the sandbox) is
// not held to it.
TEST(RlimitTest, RootForksPastNproc) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(getuid() == 0);
              struct rlimit one = {1, 1};
              CHILD_CHECK(setrlimit(RLIMIT_NPROC, &one) == 0);
              pid_t child = fork();
              if (child == 0) _exit(0);
              CHILD_CHECK(child > 0);
              CHILD_CHECK(WaitForChild(child) == 0);
              return 0;
            }),
            0);
}

TEST(RlimitTest, AnUnknownResourceIsEINVAL) {
  struct rlimit limit = {1, 1};
  EXPECT_SYSCALL_ERRNO(syscall(SYS_getrlimit, 999, &limit), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_setrlimit, 999, &limit), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_prlimit64, 0, 999, nullptr, &limit), EINVAL);
}

TEST(RlimitTest, BadPointersAreEFAULT) {
  EXPECT_SYSCALL_ERRNO(syscall(SYS_getrlimit, RLIMIT_NOFILE, reinterpret_cast<void*>(1)), EFAULT);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_setrlimit, RLIMIT_NOFILE, reinterpret_cast<void*>(1)), EFAULT);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, nullptr, reinterpret_cast<void*>(1)),
                       EFAULT);
}

TEST(RlimitTest, WritesPastFsizeAreCutShortThenEFBIG) {
  TempDir dir;
  const std::string path = dir.File("f");
  EXPECT_EQ(RunInChild([path] {
              // Ignored, SIGXFSZ does not kill the writer and the error shows.
              signal(SIGXFSZ, SIG_IGN);
              struct rlimit limit = {10, RLIM_INFINITY};
              CHILD_CHECK(getrlimit(RLIMIT_FSIZE, &limit) == 0);
              limit.rlim_cur = 10;
              CHILD_CHECK(setrlimit(RLIMIT_FSIZE, &limit) == 0);
              int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
              CHILD_CHECK(fd >= 0);
              CHILD_CHECK(write(fd, "0123456789abcdef", 16) == 10);
              CHILD_CHECK(write(fd, "x", 1) == -1 && errno == EFBIG);
              return 0;
            }),
            0);
}

TEST(RlimitTest, AWritePastFsizeRaisesSigxfsz) {
  TempDir dir;
  const std::string path = dir.File("f");
  EXPECT_EQ(RunInChild([path] {
              DisableCoreDumps();
              struct rlimit limit;
              CHILD_CHECK(getrlimit(RLIMIT_FSIZE, &limit) == 0);
              limit.rlim_cur = 0;
              CHILD_CHECK(setrlimit(RLIMIT_FSIZE, &limit) == 0);
              int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
              CHILD_CHECK(fd >= 0);
              (void)!write(fd, "x", 1);
              return 0;
            }),
            128 + SIGXFSZ);
}

TEST(RlimitTest, TruncatingPastFsizeIsEFBIG) {
  TempDir dir;
  const std::string path = dir.File("f");
  EXPECT_EQ(RunInChild([path] {
              signal(SIGXFSZ, SIG_IGN);
              struct rlimit limit;
              CHILD_CHECK(getrlimit(RLIMIT_FSIZE, &limit) == 0);
              limit.rlim_cur = 10;
              CHILD_CHECK(setrlimit(RLIMIT_FSIZE, &limit) == 0);
              int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
              CHILD_CHECK(fd >= 0);
              CHILD_CHECK(ftruncate(fd, 10) == 0);
              CHILD_CHECK(ftruncate(fd, 11) == -1 && errno == EFBIG);
              CHILD_CHECK(truncate(path.c_str(), 1000) == -1 && errno == EFBIG);
              // Writes that end below the limit are untouched.
              CHILD_CHECK(pwrite(fd, "abc", 3, 2) == 3);
              CHILD_CHECK(pwrite(fd, "abc", 3, 10) == -1 && errno == EFBIG);
              return 0;
            }),
            0);
}

TEST(RlimitTest, TruncatingAFileOneMayNotWriteIsEACCESNotSigxfsz) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  SKIP_UNLESS_CAPABILITY(CAP_SETGID);
  TempDir dir;
  ASSERT_SYSCALL_OK(chmod(dir.path().c_str(), 0755));
  WriteFileOrDie(dir.File("f"), "");
  EXPECT_EQ(RunInChild([&] {
              DisableCoreDumps();
              // Relative to the directory, entered while still root.
              CHILD_CHECK(chdir(dir.path().c_str()) == 0);
              CHILD_CHECK(DropToNobody());
              struct rlimit limit;
              CHILD_CHECK(getrlimit(RLIMIT_FSIZE, &limit) == 0);
              limit.rlim_cur = 10;
              CHILD_CHECK(setrlimit(RLIMIT_FSIZE, &limit) == 0);
              // Permission comes first: no SIGXFSZ (which would kill us).
              CHILD_CHECK(truncate("f", 100) == -1 && errno == EACCES);
              return 0;
            }),
            0);
}

TEST(RlimitTest, GrowingAMappingPastTheAddressSpaceLimitIsENOMEM) {
  EXPECT_EQ(RunInChild([] {
              void* p = mmap(nullptr, 1 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
              CHILD_CHECK(p != MAP_FAILED);
              struct rlimit limit;
              CHILD_CHECK(getrlimit(RLIMIT_AS, &limit) == 0);
              limit.rlim_cur = 1ul << 32;
              CHILD_CHECK(setrlimit(RLIMIT_AS, &limit) == 0);
              void* grown = mremap(p, 1 << 20, 1ul << 33, MREMAP_MAYMOVE);
              CHILD_CHECK(grown == MAP_FAILED && errno == ENOMEM);
              grown = mremap(p, 1 << 20, 2 << 20, MREMAP_MAYMOVE);
              CHILD_CHECK(grown != MAP_FAILED);
              return 0;
            }),
            0);
}

TEST(RlimitTest, AnAddressSpaceLimitMakesLargeMappingsFailENOMEM) {
  EXPECT_EQ(RunInChild([] {
              struct rlimit limit;
              CHILD_CHECK(getrlimit(RLIMIT_AS, &limit) == 0);
              // Far more than the process has mapped, far less than what it asks.
              limit.rlim_cur = 1ul << 32;
              CHILD_CHECK(setrlimit(RLIMIT_AS, &limit) == 0);
              void* p = mmap(nullptr, 1ul << 33, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
              CHILD_CHECK(p == MAP_FAILED && errno == ENOMEM);
              void* small = mmap(nullptr, 1 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
              CHILD_CHECK(small != MAP_FAILED);
              return 0;
            }),
            0);
}

}  // namespace
}  // namespace runsc::syscall_test
