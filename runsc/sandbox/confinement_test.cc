// The confinement steps and policies, each tried in a forked child (they are
// irrevocable), checking what the kernel then reports and refuses.
#include "runsc/sandbox/confinement.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runsc/sandbox/gofer_confinement.h"
#include "runsc/sandbox/sentry_confinement.h"

namespace runsc::sandbox {
namespace {

using ::testing::HasSubstr;

// Runs `body` in a forked child; returns its wait status. `body` returns the
// child's exit code.
int InChild(const std::function<int()>& body) {
  pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

bool ExitedWith(int status, int code) { return WIFEXITED(status) && WEXITSTATUS(status) == code; }
bool KilledBySigsys(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS; }

std::string StatusLine(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return line.substr(key.size() + 1);
  }
  return "";
}

uint64_t CapMask(const std::string& key) {
  return std::stoull(StatusLine(key), nullptr, 16);
}

TEST(SeccompPolicyTest, BuildsAndExports) {
  absl::StatusOr<SeccompPolicy> policy = SentrySeccompPolicy().TryBuild();
  ASSERT_TRUE(policy.ok()) << policy.status();
  absl::StatusOr<std::vector<uint8_t>> bpf = policy->ExportBpf();
  ASSERT_TRUE(bpf.ok()) << bpf.status();
  EXPECT_GT(bpf->size(), 8u);
  EXPECT_TRUE(GoferSeccompPolicy().TryBuild().ok());
}

TEST(SeccompPolicyTest, FirstErrorIsReportedAtBuild) {
  absl::StatusOr<SeccompPolicy> policy =
      SeccompPolicyBuilder("broken").Allow({SYS_read}).Allow({-7}).TryBuild();
  ASSERT_FALSE(policy.ok());
  EXPECT_THAT(policy.status().message(), HasSubstr("broken policy: rule for"));
}

TEST(SeccompPolicyTest, DeniedSyscallKillsAndFailRuleFails) {
  const int status = InChild([] {
    absl::StatusOr<SeccompPolicy> policy = SeccompPolicyBuilder("test")
                                               .Allow({SYS_exit_group, SYS_exit, SYS_write})
                                               .Fail(SYS_getppid, ENOSYS)
                                               .TryBuild();
    if (!policy.ok() || !policy->Install().ok()) return 10;
    if (syscall(SYS_getppid) != -1 || errno != ENOSYS) return 11;
    syscall(SYS_getuid);  // Not allowed: the process dies here.
    return 12;
  });
  EXPECT_TRUE(KilledBySigsys(status)) << status;
}

TEST(ConfinementTest, DropCapabilitiesKeepsExactlyTheSet) {
  const int status = InChild([] {
    if (!DropCapabilities({CAP_CHOWN, CAP_FOWNER}).ok()) return 10;
    const uint64_t want = (1ull << CAP_CHOWN) | (1ull << CAP_FOWNER);
    if (CapMask("CapEff") != want || CapMask("CapPrm") != want) return 11;
    if (CapMask("CapBnd") != 0 || CapMask("CapInh") != 0 || CapMask("CapAmb") != 0) return 12;
    // What a dropped capability guarded is refused now.
    if (syscall(SYS_setuid, 1234) == 0) return 13;
    return 0;
  });
  EXPECT_TRUE(ExitedWith(status, 0)) << status;
}

TEST(ConfinementTest, PivotRootLeavesAnEmptyReadOnlyRoot) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  const int status = InChild([] {
    if (unshare(CLONE_NEWNS) != 0) return 10;
    if (!MakeMountsPrivate().ok()) return 11;
    if (!PivotRootIntoEmptyDir("/tmp").ok()) return 12;
    DIR* root = opendir("/");
    if (root == nullptr) return 13;
    int entries = 0;
    while (dirent* e = readdir(root)) entries += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(root);
    if (entries != 0) return 14;
    if (open("/etc/passwd", O_RDONLY) >= 0 || errno != ENOENT) return 15;
    if (open("/../proc/self/status", O_RDONLY) >= 0) return 16;
    if (mkdir("/x", 0755) == 0 || errno != EROFS) return 17;
    return 0;
  });
  EXPECT_TRUE(ExitedWith(status, 0)) << status;
}

TEST(SentryPolicyTest, AllowsUnixSocketsAndRefusesTheNetwork) {
  const int unix_status = InChild([] {
    if (!SentrySeccompPolicy().TryBuild()->Install().ok()) return 10;
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return 11;
    return 0;
  });
  EXPECT_TRUE(ExitedWith(unix_status, 0)) << unix_status;
  const int inet_status = InChild([] {
    if (!SentrySeccompPolicy().TryBuild()->Install().ok()) return 10;
    socket(AF_INET, SOCK_STREAM, 0);
    return 12;
  });
  EXPECT_TRUE(KilledBySigsys(inet_status)) << inet_status;
}

TEST(SentryPolicyTest, ThreadsAndForksButNoNewNamespaces) {
  const int fork_status = InChild([] {
    if (!SentrySeccompPolicy().TryBuild()->Install().ok()) return 10;
    // glibc's fork is clone(SIGCHLD|...); its pthread_create tries clone3
    // first, which fails with ENOSYS, and falls back to clone.
    pid_t child = fork();
    if (child == 0) _exit(3);
    int st;
    if (child < 0 || waitpid(child, &st, 0) != child || !ExitedWith(st, 3)) return 11;
    if (syscall(SYS_clone3, nullptr, 0) != -1 || errno != ENOSYS) return 12;
    return 0;
  });
  EXPECT_TRUE(ExitedWith(fork_status, 0)) << fork_status;
  const int netns_status = InChild([] {
    if (!SentrySeccompPolicy().TryBuild()->Install().ok()) return 10;
    syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0);
    return 12;
  });
  EXPECT_TRUE(KilledBySigsys(netns_status)) << netns_status;
}

TEST(SentryPolicyTest, NoExecAndNoOpen) {
  // open fails as the empty root would answer, without killing the sentry
  // (glibc probes a few files and falls back).
  const int open_status = InChild([] {
    if (!SentrySeccompPolicy().TryBuild()->Install().ok()) return 10;
    if (openat(AT_FDCWD, "/proc/self/status", O_RDONLY) != -1 || errno != ENOENT) return 11;
    return 0;
  });
  EXPECT_TRUE(ExitedWith(open_status, 0)) << open_status;
  for (int nr : {SYS_execve, SYS_execveat, SYS_mount, SYS_chroot, SYS_unshare, SYS_setns}) {
    const int status = InChild([nr] {
      if (!SentrySeccompPolicy().TryBuild()->Install().ok()) return 10;
      syscall(nr, 0, 0, 0, 0);
      return 12;
    });
    EXPECT_TRUE(KilledBySigsys(status)) << "syscall " << nr << ": " << status;
  }
}

TEST(GoferPolicyTest, OpensFilesButMakesNoSocket) {
  const int open_status = InChild([] {
    if (!GoferSeccompPolicy().TryBuild()->Install().ok()) return 10;
    int fd = openat(AT_FDCWD, "/proc/self/status", O_RDONLY);
    if (fd < 0) return 11;
    char buf[16];
    if (read(fd, buf, sizeof(buf)) <= 0) return 12;
    return 0;
  });
  EXPECT_TRUE(ExitedWith(open_status, 0)) << open_status;
  for (int nr : {SYS_socket, SYS_execve, SYS_ptrace, SYS_clone}) {
    const int status = InChild([nr] {
      if (!GoferSeccompPolicy().TryBuild()->Install().ok()) return 10;
      syscall(nr, AF_UNIX, SOCK_STREAM, 0, 0);
      return 12;
    });
    EXPECT_TRUE(KilledBySigsys(status)) << "syscall " << nr << ": " << status;
  }
}

TEST(GoferPolicyTest, XattrsOnlyThroughFds) {
  const int fd_status = InChild([] {
    if (!GoferSeccompPolicy().TryBuild()->Install().ok()) return 10;
    int fd = openat(AT_FDCWD, "/", O_RDONLY | O_DIRECTORY);
    if (fd < 0) return 11;
    char buf[64];
    // Allowed through: whatever the host answers, the call is not killed.
    (void)syscall(SYS_fgetxattr, fd, "user.runsc_absent", buf, sizeof(buf));
    (void)syscall(SYS_flistxattr, fd, buf, sizeof(buf));
    (void)syscall(SYS_fremovexattr, fd, "user.runsc_absent");
    return 0;
  });
  EXPECT_TRUE(ExitedWith(fd_status, 0)) << fd_status;
  // The path forms would take a host path string: never.
  for (int nr : {SYS_getxattr, SYS_lgetxattr, SYS_setxattr, SYS_lsetxattr, SYS_listxattr,
                 SYS_llistxattr, SYS_removexattr, SYS_lremovexattr}) {
    const int status = InChild([nr] {
      if (!GoferSeccompPolicy().TryBuild()->Install().ok()) return 10;
      syscall(nr, "/", "user.x", nullptr, 0, 0);
      return 12;
    });
    EXPECT_TRUE(KilledBySigsys(status)) << "syscall " << nr << ": " << status;
  }
}

TEST(GoferConfinementTest, KeepsOnlyFileServingCapabilities) {
  const int status = InChild([] {
    if (!ConfineGofer().ok()) return 10;
    uint64_t want = 0;
    for (int cap : GoferCapabilities()) want |= 1ull << cap;
    if (CapMask("CapEff") != want || CapMask("CapBnd") != 0) return 11;
    if (StatusLine("NoNewPrivs").find('1') == std::string::npos) return 12;
    if (StatusLine("Seccomp").find('2') == std::string::npos) return 13;
    return 0;
  });
  EXPECT_TRUE(ExitedWith(status, 0)) << status;
}

}  // namespace
}  // namespace runsc::sandbox
