// Family: exit, exit_group, _exit and what the parent sees of them.
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// Reads `fd` to EOF.
std::string ReadAll(int fd) {
  std::string data;
  char buf[256];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) data.append(buf, n);
  return data;
}

TEST(ExitTest, TheParentSeesTheExitStatus) {
  EXPECT_EQ(RunInChild([]() -> int { _exit(7); }), 7);
}

TEST(ExitTest, ZeroStatusIsANormalExit) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  int status = -1;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(ExitTest, OnlyTheLowEightBitsOfTheStatusAreKept) {
  EXPECT_EQ(RunInChild([]() -> int { _exit(256 + 3); }), 3);
  EXPECT_EQ(RunInChild([]() -> int { _exit(-1); }), 255);
}

TEST(ExitTest, ExitGroupStatusIsSeenByTheParent) {
  EXPECT_EQ(RunInChild([]() -> int {
              syscall(SYS_exit_group, 5);
              return 99;
            }),
            5);
}

TEST(ExitTest, RawExitOfTheOnlyThreadEndsTheProcess) {
  EXPECT_EQ(RunInChild([]() -> int {
              syscall(SYS_exit, 9);
              return 99;
            }),
            9);
}

int exit_pipe_fd = -1;
void WriteFromAtexit() { (void)!write(exit_pipe_fd, "atexit", 6); }

TEST(ExitTest, UnderscoreExitSkipsAtexitHandlers) {
  int fds[2];
  ASSERT_SYSCALL_OK(pipe(fds));
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    exit_pipe_fd = fds[1];
    atexit(WriteFromAtexit);
    _exit(0);
  }
  close(fds[1]);
  EXPECT_EQ(ReadAll(fds[0]), "");
  close(fds[0]);
  int status;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(ExitTest, ExitRunsAtexitHandlers) {
  int fds[2];
  ASSERT_SYSCALL_OK(pipe(fds));
  // exit() flushes stdio in the child: anything buffered here would print twice.
  fflush(nullptr);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    exit_pipe_fd = fds[1];
    atexit(WriteFromAtexit);
    exit(0);
  }
  close(fds[1]);
  EXPECT_EQ(ReadAll(fds[0]), "atexit");
  close(fds[0]);
  int status;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(ExitTest, UnderscoreExitDiscardsUnflushedStdio) {
  int fds[2];
  ASSERT_SYSCALL_OK(pipe(fds));
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    FILE* out = fdopen(fds[1], "w");
    if (out == nullptr) _exit(2);
    setvbuf(out, nullptr, _IOFBF, 4096);
    fputs("buffered", out);
    _exit(0);
  }
  close(fds[1]);
  EXPECT_EQ(ReadAll(fds[0]), "");
  close(fds[0]);
  int status;
  ASSERT_EQ(waitpid(child, &status, 0), child);
}

TEST(ExitTest, ExitClosesTheChildsFds) {
  int fds[2];
  ASSERT_SYSCALL_OK(pipe(fds));
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    (void)!write(fds[1], "x", 1);
    _exit(0);
  }
  close(fds[1]);
  // EOF comes only once the child's copy of the write end is gone.
  EXPECT_EQ(ReadAll(fds[0]), "x");
  close(fds[0]);
  int status;
  ASSERT_EQ(waitpid(child, &status, 0), child);
}

TEST(ExitTest, TheParentGetsSigchldWithTheExitStatus) {
  EXPECT_EQ(RunInChild([] {
              sigset_t chld;
              sigemptyset(&chld);
              sigaddset(&chld, SIGCHLD);
              CHILD_CHECK(sigprocmask(SIG_BLOCK, &chld, nullptr) == 0);
              pid_t grandchild = fork();
              CHILD_CHECK(grandchild >= 0);
              if (grandchild == 0) _exit(12);
              siginfo_t info = {};
              struct timespec timeout = {10, 0};
              CHILD_CHECK(sigtimedwait(&chld, &info, &timeout) == SIGCHLD);
              CHILD_CHECK(info.si_code == CLD_EXITED);
              CHILD_CHECK(info.si_pid == grandchild);
              CHILD_CHECK(info.si_status == 12);
              int status;
              CHILD_CHECK(waitpid(grandchild, &status, 0) == grandchild);
              return 0;
            }),
            0);
}

TEST(ExitTest, ACloneChildSendsItsOwnExitSignal) {
  EXPECT_EQ(RunInChild([] {
              sigset_t usr1;
              sigemptyset(&usr1);
              sigaddset(&usr1, SIGUSR1);
              CHILD_CHECK(sigprocmask(SIG_BLOCK, &usr1, nullptr) == 0);
              long grandchild = syscall(SYS_clone, SIGUSR1, 0, 0, 0, 0);
              CHILD_CHECK(grandchild >= 0);
              if (grandchild == 0) _exit(0);
              siginfo_t info = {};
              struct timespec timeout = {10, 0};
              CHILD_CHECK(sigtimedwait(&usr1, &info, &timeout) == SIGUSR1);
              CHILD_CHECK(info.si_pid == grandchild);
              int status;
              CHILD_CHECK(waitpid(static_cast<pid_t>(grandchild), &status, __WALL) == grandchild);
              CHILD_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
              return 0;
            }),
            0);
}

TEST(ExitTest, AnOrphanIsReparentedToTheSubreaper) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0);
              const pid_t subreaper = getpid();
              int fds[2];
              CHILD_CHECK(pipe(fds) == 0);
              pid_t middle = fork();
              CHILD_CHECK(middle >= 0);
              if (middle == 0) {
                pid_t orphan = fork();
                if (orphan < 0) _exit(2);
                if (orphan == 0) {
                  // Wait (boundedly: alarms are not inherited) for the middle
                  // process to die, then report the new parent.
                  for (int i = 0; i < 5000 && getppid() != subreaper; ++i) usleep(1000);
                  pid_t parent = getppid();
                  (void)!write(fds[1], &parent, sizeof(parent));
                  _exit(0);
                }
                _exit(0);
              }
              close(fds[1]);
              int status;
              CHILD_CHECK(waitpid(middle, &status, 0) == middle);
              pid_t reported = 0;
              CHILD_CHECK(read(fds[0], &reported, sizeof(reported)) == sizeof(reported));
              CHILD_CHECK(reported == subreaper);
              // The orphan is now our child to reap.
              CHILD_CHECK(waitpid(-1, &status, 0) > 0);
              CHILD_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
              return 0;
            }),
            0);
}

void* ExitGroupFromThread(void*) {
  syscall(SYS_exit_group, 3);
  return nullptr;
}

TEST(ExitTest, ExitGroupFromAnotherThreadEndsTheWholeProcess) {
  EXPECT_EQ(RunInChild([]() -> int {
              pthread_t thread;
              if (pthread_create(&thread, nullptr, ExitGroupFromThread, nullptr) != 0) return 2;
              // Only the other thread's exit_group (or the alarm) ends this wait.
              for (;;) pause();
            }),
            3);
}

}  // namespace
}  // namespace runsc::syscall_test
