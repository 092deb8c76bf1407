// The state letter of /proc/<pid>/stat for a task asleep in a blocking
// call: 'S' (TASK_INTERRUPTIBLE) for each of the waits below, as Linux
// shows it; a monitoring tool (ps, top) or a test that waits for a child to
// block reads it. Each case forks a child that blocks in one call and polls
// the child's state until it reads 'S' (or gives up after 10 s).
#include <linux/futex.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>

#include "test/syscalls/proc_read_util.h"
#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// The state letter of `pid`, or 0 if its stat cannot be read.
char StateOf(pid_t pid) {
  std::string stat;
  if (!ReadProcFile("/proc/" + std::to_string(pid) + "/stat", &stat)) return 0;
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return 0;
  return stat[paren + 2];
}

// Forks a child running `block` (which should never return) and returns
// the state the child settled in: 'S' as soon as it is seen, else the last
// one read after 10 s. Kills and reaps the child.
char StateOfChildBlockedIn(const std::function<void()>& block) {
  pid_t child = fork();
  if (child == 0) {
    alarm(20);
    block();
    _exit(0);
  }
  if (child < 0) return 0;
  char state = 0;
  for (int i = 0; i < 10000 && state != 'S'; ++i) {
    state = StateOf(child);
    if (state != 'S') usleep(1000);
  }
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  return state;
}

TEST(TaskStateTest, FutexWaitSleeps) {
  static uint32_t word = 0;
  EXPECT_EQ(StateOfChildBlockedIn([] {
              syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, nullptr, nullptr, 0);
            }),
            'S');
}

TEST(TaskStateTest, Wait4Sleeps) {
  EXPECT_EQ(StateOfChildBlockedIn([] {
              pid_t grandchild = fork();
              if (grandchild == 0) {
                pause();
                _exit(0);
              }
              waitpid(grandchild, nullptr, 0);
            }),
            'S');
}

TEST(TaskStateTest, PauseSleeps) {
  EXPECT_EQ(StateOfChildBlockedIn([] { pause(); }), 'S');
}

TEST(TaskStateTest, SigtimedwaitSleeps) {
  EXPECT_EQ(StateOfChildBlockedIn([] {
              sigset_t set;
              sigemptyset(&set);
              sigaddset(&set, SIGUSR1);
              sigprocmask(SIG_BLOCK, &set, nullptr);
              siginfo_t info;
              sigwaitinfo(&set, &info);
            }),
            'S');
}

TEST(TaskStateTest, EventfdReadSleeps) {
  EXPECT_EQ(StateOfChildBlockedIn([] {
              int fd = eventfd(0, 0);
              uint64_t value;
              (void)!read(fd, &value, sizeof(value));
            }),
            'S');
}

TEST(TaskStateTest, UnixSocketReceiveSleeps) {
  EXPECT_EQ(StateOfChildBlockedIn([] {
              int fds[2];
              if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) _exit(1);
              char c;
              (void)!recv(fds[0], &c, 1, 0);
            }),
            'S');
}

}  // namespace
}  // namespace runsc::syscall_test
