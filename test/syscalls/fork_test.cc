// Family: fork, vfork, clone (used like fork, with an exit signal).
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// A child that execs this program with RUNSC_FORK_HELPER_EXIT=N in its
// environment exits N at once, before gtest's main runs.
constexpr char kHelperExitVariable[] = "RUNSC_FORK_HELPER_EXIT";

__attribute__((constructor)) void MaybeExitAsHelper() {
  if (const char* code = getenv(kHelperExitVariable)) _exit(atoi(code));
}

// Waits for `pid` and returns its exit code, or 128 + the signal that killed it.
int WaitForExitCode(pid_t pid, int options = 0) {
  int status = 0;
  pid_t waited;
  do {
    waited = waitpid(pid, &status, options);
  } while (waited < 0 && errno == EINTR);
  if (waited != pid) return -1;
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

// clone() with only an exit signal in its flags: a fork by another name. The
// raw system call returns twice on the same (copied) stack, like fork.
long CloneLikeFork(unsigned long flags) { return syscall(SYS_clone, flags, 0, 0, 0, 0); }

TEST(ForkTest, AChildInheritsTheFpControlState) {
  const FpControl saved = ReadFpControl();
  WriteFpControl(UnusualFpControl());
  pid_t child = fork();
  if (child == 0) _exit(ReadFpControl() == UnusualFpControl() ? 0 : 1);
  WriteFpControl(saved);
  ASSERT_GT(child, 0) << strerrorname_np(errno);
  EXPECT_EQ(WaitForExitCode(child), 0);
}

TEST(ForkTest, ForkReturnsZeroInTheChildAndTheChildPidInTheParent) {
  int fds[2];
  ASSERT_SYSCALL_OK(pipe(fds));
  pid_t child = fork();
  ASSERT_GE(child, 0) << strerrorname_np(errno);
  if (child == 0) {
    pid_t self = getpid();
    (void)!write(fds[1], &self, sizeof(self));
    _exit(0);
  }
  close(fds[1]);
  pid_t reported = 0;
  EXPECT_EQ(read(fds[0], &reported, sizeof(reported)), static_cast<ssize_t>(sizeof(reported)));
  close(fds[0]);
  EXPECT_GT(child, 0);
  EXPECT_NE(child, getpid());
  EXPECT_EQ(reported, child);
  EXPECT_EQ(WaitForExitCode(child), 0);
}

TEST(ForkTest, TheChildsParentIsTheForkingProcess) {
  const pid_t parent = getpid();
  EXPECT_EQ(RunInChild([parent] { return getppid() == parent ? 0 : 1; }), 0);
}

TEST(ForkTest, TheChildSeesACopyOfTheParentsMemory) {
  std::string on_heap = "heap contents";
  int on_stack = 1234;
  EXPECT_EQ(RunInChild([&] { return on_heap == "heap contents" && on_stack == 1234 ? 0 : 1; }), 0);
}

TEST(ForkTest, ChildWritesAreNotSeenByTheParent) {
  static int global = 1;
  int local = 2;
  EXPECT_EQ(RunInChild([&] {
              global = 10;
              local = 20;
              return global == 10 && local == 20 ? 0 : 1;
            }),
            0);
  EXPECT_EQ(global, 1);
  EXPECT_EQ(local, 2);
}

TEST(ForkTest, ParentWritesAfterForkAreNotSeenByTheChild) {
  volatile int value = 1;
  int go[2];
  ASSERT_SYSCALL_OK(pipe(go));
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(go[1]);
    char c;
    // Wait until the parent has written its copy.
    if (read(go[0], &c, 1) != 1) _exit(2);
    _exit(value == 1 ? 0 : 1);
  }
  close(go[0]);
  value = 2;
  ASSERT_EQ(write(go[1], "g", 1), 1);
  close(go[1]);
  EXPECT_EQ(WaitForExitCode(child), 0);
  EXPECT_EQ(value, 2);
}

TEST(ForkTest, TheChildInheritsOpenFdsSharingTheFileOffset) {
  TempDir dir;
  const std::string path = dir.File("f");
  WriteFileOrDie(path, "0123456789");
  int fd = open(path.c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(RunInChild([fd] {
              char buf[4];
              return read(fd, buf, sizeof(buf)) == 4 && buf[0] == '0' ? 0 : 1;
            }),
            0);
  // The open file description, and so its offset, is shared with the child.
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 4);
  close(fd);
}

TEST(ForkTest, TheChildInheritsTheSignalMaskButNoPendingSignals) {
  sigset_t usr1, old;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  ASSERT_SYSCALL_OK(sigprocmask(SIG_BLOCK, &usr1, &old));
  ASSERT_SYSCALL_OK(kill(getpid(), SIGUSR1));
  sigset_t pending;
  ASSERT_SYSCALL_OK(sigpending(&pending));
  EXPECT_TRUE(sigismember(&pending, SIGUSR1));
  int result = RunInChild([] {
    sigset_t mask, pending;
    CHILD_CHECK(sigprocmask(SIG_SETMASK, nullptr, &mask) == 0);
    CHILD_CHECK(sigismember(&mask, SIGUSR1));
    CHILD_CHECK(sigpending(&pending) == 0);
    CHILD_CHECK(!sigismember(&pending, SIGUSR1));
    return 0;
  });
  // Ignoring a pending signal discards it; then the old state comes back.
  struct sigaction ignore = {}, previous;
  ignore.sa_handler = SIG_IGN;
  ASSERT_SYSCALL_OK(sigaction(SIGUSR1, &ignore, &previous));
  ASSERT_SYSCALL_OK(sigprocmask(SIG_SETMASK, &old, nullptr));
  ASSERT_SYSCALL_OK(sigaction(SIGUSR1, &previous, nullptr));
  EXPECT_EQ(result, 0);
}

TEST(ForkTest, VforkSuspendsTheParentUntilTheChildExitsAndSharesMemory) {
  static volatile int shared = 0;
  shared = 0;
  pid_t child = vfork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    shared = 1;
    _exit(7);
  }
  // The parent resumes only after the child's _exit, and saw its store.
  EXPECT_EQ(shared, 1);
  EXPECT_EQ(WaitForExitCode(child), 7);
}

TEST(ForkTest, VforkChildHasItsOwnPidAndTheParentAsParent) {
  static volatile pid_t child_pid = 0;
  static volatile pid_t child_ppid = 0;
  const pid_t parent = getpid();
  pid_t child = vfork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    child_pid = static_cast<pid_t>(syscall(SYS_getpid));
    child_ppid = static_cast<pid_t>(syscall(SYS_getppid));
    _exit(0);
  }
  EXPECT_EQ(child_pid, child);
  EXPECT_EQ(child_ppid, parent);
  EXPECT_EQ(WaitForExitCode(child), 0);
}

TEST(ForkTest, AVforkChildThatExecsReleasesTheParent) {
  static volatile int stored_before_exec = 0;
  stored_before_exec = 0;
  char path[] = "/proc/self/exe";
  char env_entry[] = "RUNSC_FORK_HELPER_EXIT=42";
  char* argv[] = {path, nullptr};
  char* envp[] = {env_entry, nullptr};
  pid_t child = vfork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    stored_before_exec = 1;
    execve(path, argv, envp);
    _exit(100 + errno);
  }
  // Back only once the child's exec let go of the memory it borrowed.
  EXPECT_EQ(stored_before_exec, 1);
  EXPECT_EQ(WaitForExitCode(child), 42);
}

TEST(ForkTest, PosixSpawnRunsTheProgram) {
  // glibc's posix_spawn is clone(CLONE_VM | CLONE_VFORK) on a stack of its own.
  char path[] = "/proc/self/exe";
  char env_entry[] = "RUNSC_FORK_HELPER_EXIT=43";
  char* argv[] = {path, nullptr};
  char* envp[] = {env_entry, nullptr};
  pid_t child = -1;
  ASSERT_EQ(posix_spawn(&child, path, nullptr, nullptr, argv, envp), 0);
  EXPECT_EQ(WaitForExitCode(child), 43);
  // A spawn that cannot exec reports the error to the parent (through the
  // memory the child shares with it).
  char missing[] = "/nonexistent/program";
  char* missing_argv[] = {missing, nullptr};
  EXPECT_EQ(posix_spawn(&child, missing, nullptr, nullptr, missing_argv, envp), ENOENT);
}

TEST(ForkTest, CloneWithSigchldActsLikeFork) {
  static int global = 1;
  const pid_t parent = getpid();
  long child = CloneLikeFork(SIGCHLD);
  ASSERT_GE(child, 0) << strerrorname_np(errno);
  if (child == 0) {
    global = 2;
    _exit(getppid() == parent && getpid() != parent ? 0 : 1);
  }
  EXPECT_EQ(WaitForExitCode(static_cast<pid_t>(child)), 0);
  EXPECT_EQ(global, 1);
}

TEST(ForkTest, ACloneChildWithoutExitSignalIsOnlySeenWithWall) {
  long child = CloneLikeFork(0);
  ASSERT_GE(child, 0) << strerrorname_np(errno);
  if (child == 0) _exit(5);
  int status = 0;
  // A child that sends no SIGCHLD is a "clone" child: plain waits skip it.
  EXPECT_SYSCALL_ERRNO(waitpid(static_cast<pid_t>(child), &status, WNOHANG), ECHILD);
  EXPECT_EQ(WaitForExitCode(static_cast<pid_t>(child), __WALL), 5);
}

TEST(ForkTest, CloneWithSighandButNotVmIsEINVAL) {
  EXPECT_SYSCALL_ERRNO(CloneLikeFork(CLONE_SIGHAND | SIGCHLD), EINVAL);
}

TEST(ForkTest, CloneWithThreadButNotSighandIsEINVAL) {
  EXPECT_SYSCALL_ERRNO(CloneLikeFork(CLONE_THREAD | CLONE_VM | SIGCHLD), EINVAL);
}

TEST(ForkTest, ForkedChildrenGetDistinctPids) {
  pid_t a = fork();
  ASSERT_GE(a, 0);
  if (a == 0) _exit(0);
  pid_t b = fork();
  ASSERT_GE(b, 0);
  if (b == 0) _exit(0);
  EXPECT_NE(a, b);
  // `a` is a zombie, not yet reaped, so its pid cannot have been reused.
  EXPECT_EQ(WaitForExitCode(b), 0);
  EXPECT_EQ(WaitForExitCode(a), 0);
}

}  // namespace
}  // namespace runsc::syscall_test
