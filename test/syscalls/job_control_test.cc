// Family: job-control stops (man 7 signal "Stop" and "Continue", man 2
// waitpid, man 2 waitid): SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU at their default
// action stop the whole process until SIGCONT or SIGKILL, and the parent
// hears of it through wait(2) and SIGCHLD.
//
// Every wait for a stop or continue is guarded (ScopedAlarm, or the child's
// own alarm), so a runtime that never stops or never continues fails the
// case instead of hanging the family. SIGSTOP is the stop signal of most
// cases: the others do nothing to an orphaned process group, which the
// test's own may be (under runsc it is init's); the orphan cases make their
// own sessions to know. Nothing here measures time: where a
// case shows that a stopped process does not run, it looks for progress
// after the stop was reported, which a stopped process cannot make.
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <new>
#include <string>

#include "test/syscalls/proc_read_util.h"
#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// A child blocked reading `pipe` until a byte comes (it then exits with 0
// if it got one, 1 otherwise) or the write end closes (exit 2). The parent
// closes nothing: the TestPipe does that when the case ends.
pid_t ForkReader(TestPipe& pipe) {
  pid_t child = fork();
  if (child == 0) {
    alarm(20);
    close(pipe.write_fd());
    char c;
    ssize_t n = read(pipe.read_fd(), &c, 1);
    _exit(n == 1 ? 0 : n == 0 ? 2 : 1);
  }
  return child;
}

// Stops `child` with `sig` and waits until the stop is complete.
void StopAndWait(pid_t child, int sig) {
  ScopedAlarm guard(10);
  ASSERT_SYSCALL_OK(kill(child, sig));
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, WUNTRACED), child) << strerror(errno);
  ASSERT_TRUE(WIFSTOPPED(status)) << std::hex << status;
  ASSERT_EQ(WSTOPSIG(status), sig);
}

// Continues `child` and waits for the report.
void ContinueAndWait(pid_t child) {
  ScopedAlarm guard(10);
  ASSERT_SYSCALL_OK(kill(child, SIGCONT));
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, WCONTINUED), child) << strerror(errno);
  ASSERT_TRUE(WIFCONTINUED(status)) << std::hex << status;
}

// Runs `body` in a child and returns its exit code, as RunInChild, but a
// child that stops is reported as 200 + the stop signal (then killed)
// instead of hanging the case: for bodies that must not stop.
int RunInChildThatMustNotStop(const std::function<int()>& body) {
  pid_t child = fork();
  if (child < 0) return -1;
  if (child == 0) {
    alarm(10);
    _exit(body());
  }
  int status = 0;
  pid_t waited;
  do {
    waited = waitpid(child, &status, WUNTRACED);
  } while (waited < 0 && errno == EINTR);
  if (waited != child) return -1;
  if (WIFSTOPPED(status)) {
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    return 200 + WSTOPSIG(status);
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

// The state letter of /proc/<pid>/stat (the field after the command).
char StateLetterOf(pid_t pid) {
  const std::string stat = ReadProcOrFail("/proc/" + std::to_string(pid) + "/stat");
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return '?';
  return stat[paren + 2];
}

TEST(JobControlTest, Wait4ReportsTheStopAndTheContinueOnce) {
  TestPipe pipe;
  pid_t child = ForkReader(pipe);
  ASSERT_GE(child, 0);
  StopAndWait(child, SIGSTOP);
  int status = 0;
  // Reported once; and a plain wait does not see it at all.
  EXPECT_EQ(waitpid(child, &status, WUNTRACED | WNOHANG), 0);
  EXPECT_EQ(waitpid(child, &status, WNOHANG), 0);
  ContinueAndWait(child);
  EXPECT_EQ(waitpid(child, &status, WCONTINUED | WNOHANG), 0);
  // The reader is still blocked; the byte ends it normally.
  ASSERT_EQ(write(pipe.write_fd(), "x", 1), 1);
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(JobControlTest, WaitidReportsStopsAndContinuesAndWnowaitKeepsThem) {
  TestPipe pipe;
  pid_t child = ForkReader(pipe);
  ASSERT_GE(child, 0);
  {
    ScopedAlarm guard(10);
    ASSERT_SYSCALL_OK(kill(child, SIGSTOP));
    siginfo_t info = {};
    ASSERT_SYSCALL_OK(waitid(P_PID, child, &info, WSTOPPED | WNOWAIT));
    EXPECT_EQ(info.si_signo, SIGCHLD);
    EXPECT_EQ(info.si_code, CLD_STOPPED);
    EXPECT_EQ(info.si_status, SIGSTOP);
    EXPECT_EQ(info.si_pid, child);
    EXPECT_EQ(info.si_uid, getuid());
    info = {};
    ASSERT_SYSCALL_OK(waitid(P_PID, child, &info, WSTOPPED | WEXITED));
    EXPECT_EQ(info.si_code, CLD_STOPPED);
    EXPECT_EQ(info.si_pid, child);
    info = {};
    ASSERT_SYSCALL_OK(waitid(P_PID, child, &info, WSTOPPED | WNOHANG));
    EXPECT_EQ(info.si_pid, 0);  // Taken: nothing left to report.
  }
  {
    ScopedAlarm guard(10);
    ASSERT_SYSCALL_OK(kill(child, SIGCONT));
    siginfo_t info = {};
    ASSERT_SYSCALL_OK(waitid(P_PID, child, &info, WCONTINUED | WNOWAIT));
    EXPECT_EQ(info.si_code, CLD_CONTINUED);
    EXPECT_EQ(info.si_status, SIGCONT);
    EXPECT_EQ(info.si_pid, child);
    info = {};
    ASSERT_SYSCALL_OK(waitid(P_ALL, 0, &info, WCONTINUED));
    EXPECT_EQ(info.si_code, CLD_CONTINUED);
    EXPECT_EQ(info.si_pid, child);
    info = {};
    ASSERT_SYSCALL_OK(waitid(P_PID, child, &info, WCONTINUED | WSTOPPED | WNOHANG));
    EXPECT_EQ(info.si_pid, 0);
  }
  ASSERT_EQ(write(pipe.write_fd(), "x", 1), 1);
  siginfo_t info = {};
  ASSERT_SYSCALL_OK(waitid(P_PID, child, &info, WEXITED));
  EXPECT_EQ(info.si_code, CLD_EXITED);
  EXPECT_EQ(info.si_status, 0);
}

// The parent side of the SIGCHLD cases: with SIGCHLD blocked, a grandchild
// is stopped and continued; returns what sigtimedwait then finds.
int TakeSigchld(siginfo_t* info) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  struct timespec timeout = {10, 0};
  return sigtimedwait(&set, info, &timeout);
}

TEST(JobControlTest, TheParentGetsSigchldWithCldStoppedAndCldContinued) {
  EXPECT_EQ(RunInChild([] {
              sigset_t set;
              sigemptyset(&set);
              sigaddset(&set, SIGCHLD);
              CHILD_CHECK(sigprocmask(SIG_BLOCK, &set, nullptr) == 0);
              TestPipe pipe;
              pid_t child = ForkReader(pipe);
              CHILD_CHECK(child > 0);
              CHILD_CHECK(kill(child, SIGSTOP) == 0);
              siginfo_t info = {};
              CHILD_CHECK(TakeSigchld(&info) == SIGCHLD);
              CHILD_CHECK(info.si_code == CLD_STOPPED);
              CHILD_CHECK(info.si_status == SIGSTOP);
              CHILD_CHECK(info.si_pid == child);
              CHILD_CHECK(kill(child, SIGCONT) == 0);
              info = {};
              CHILD_CHECK(TakeSigchld(&info) == SIGCHLD);
              CHILD_CHECK(info.si_code == CLD_CONTINUED);
              CHILD_CHECK(info.si_status == SIGCONT);
              CHILD_CHECK(info.si_pid == child);
              CHILD_CHECK(write(pipe.write_fd(), "x", 1) == 1);
              int status = 0;
              CHILD_CHECK(waitpid(child, &status, 0) == child);
              CHILD_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
              return 0;
            }),
            0);
}

void NoteSigchld(int) {}

TEST(JobControlTest, SaNocldstopKeepsStopsAndContinuesFromSendingSigchld) {
  EXPECT_EQ(RunInChild([] {
              sigset_t set;
              sigemptyset(&set);
              sigaddset(&set, SIGCHLD);
              CHILD_CHECK(sigprocmask(SIG_BLOCK, &set, nullptr) == 0);
              struct sigaction act = {};
              act.sa_handler = NoteSigchld;
              act.sa_flags = SA_NOCLDSTOP;
              CHILD_CHECK(sigaction(SIGCHLD, &act, nullptr) == 0);
              TestPipe pipe;
              pid_t child = ForkReader(pipe);
              CHILD_CHECK(child > 0);
              int status = 0;
              CHILD_CHECK(kill(child, SIGSTOP) == 0);
              CHILD_CHECK(waitpid(child, &status, WUNTRACED) == child && WIFSTOPPED(status));
              CHILD_CHECK(kill(child, SIGCONT) == 0);
              CHILD_CHECK(waitpid(child, &status, WCONTINUED) == child && WIFCONTINUED(status));
              CHILD_CHECK(write(pipe.write_fd(), "x", 1) == 1);
              CHILD_CHECK(waitpid(child, &status, 0) == child);
              // SIGCHLD does not queue: had the stop or the continue sent
              // one, that would be the instance still pending.
              siginfo_t info = {};
              CHILD_CHECK(TakeSigchld(&info) == SIGCHLD);
              CHILD_CHECK(info.si_code == CLD_EXITED);
              CHILD_CHECK(info.si_pid == child);
              return 0;
            }),
            0);
}

// Shared with the child: the thread's progress and the flag that ends it.
struct Shared {
  std::atomic<long> counter;
  std::atomic<int> stop_thread;
};

void* Count(void* arg) {
  Shared* shared = static_cast<Shared*>(arg);
  while (!shared->stop_thread.load()) shared->counter.fetch_add(1);
  return nullptr;
}

TEST(JobControlTest, EveryThreadOfAStoppedProcessStops) {
  void* mem = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  Shared* shared = new (mem) Shared{};
  TestPipe pipe;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    alarm(20);
    close(pipe.write_fd());
    pthread_t thread;
    if (pthread_create(&thread, nullptr, Count, shared) != 0) _exit(3);
    // The main thread blocks: the stop must reach it in its read as well as
    // the counting thread in application code.
    char c;
    ssize_t n = read(pipe.read_fd(), &c, 1);
    shared->stop_thread.store(1);
    pthread_join(thread, nullptr);
    _exit(n == 1 ? 0 : 1);
  }
  {
    ScopedAlarm guard(10);
    while (shared->counter.load() == 0) sched_yield();  // The thread runs.
  }
  StopAndWait(child, SIGSTOP);
  const long at_stop = shared->counter.load();
  // Give a thread that missed the stop every chance to show it.
  for (int i = 0; i < 100; ++i) sched_yield();
  struct timespec pause = {0, 50 * 1000 * 1000};
  nanosleep(&pause, nullptr);
  EXPECT_EQ(shared->counter.load(), at_stop);
  EXPECT_EQ(StateLetterOf(child), 'T');
  ContinueAndWait(child);
  {
    ScopedAlarm guard(10);
    while (shared->counter.load() == at_stop) sched_yield();  // It runs again.
  }
  ASSERT_EQ(write(pipe.write_fd(), "x", 1), 1);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  munmap(mem, sizeof(Shared));
}

TEST(JobControlTest, SigcontDiscardsAPendingStopSignalAndAStopSignalAPendingSigcont) {
  EXPECT_EQ(RunInChildThatMustNotStop([] {
              struct sigaction act = {};
              act.sa_handler = NoteSigchld;  // SIGCONT caught: it stays pending while blocked.
              CHILD_CHECK(sigaction(SIGCONT, &act, nullptr) == 0);
              sigset_t set;
              sigemptyset(&set);
              sigaddset(&set, SIGTSTP);
              sigaddset(&set, SIGCONT);
              CHILD_CHECK(sigprocmask(SIG_BLOCK, &set, nullptr) == 0);
              sigset_t pending;
              CHILD_CHECK(raise(SIGCONT) == 0);
              CHILD_CHECK(sigpending(&pending) == 0 && sigismember(&pending, SIGCONT));
              CHILD_CHECK(raise(SIGTSTP) == 0);
              CHILD_CHECK(sigpending(&pending) == 0);
              CHILD_CHECK(sigismember(&pending, SIGTSTP) && !sigismember(&pending, SIGCONT));
              CHILD_CHECK(kill(getpid(), SIGCONT) == 0);
              CHILD_CHECK(sigpending(&pending) == 0);
              CHILD_CHECK(!sigismember(&pending, SIGTSTP) && sigismember(&pending, SIGCONT));
              // Unblocked, nothing stops the process; SIGCONT's handler runs.
              CHILD_CHECK(sigprocmask(SIG_UNBLOCK, &set, nullptr) == 0);
              return 0;
            }),
            0);
}

TEST(JobControlTest, SigkillEndsAStoppedProcess) {
  TestPipe pipe;
  pid_t child = ForkReader(pipe);
  ASSERT_GE(child, 0);
  StopAndWait(child, SIGSTOP);
  // A signal other than SIGKILL waits for SIGCONT: it does not end the stop.
  ASSERT_SYSCALL_OK(kill(child, SIGTERM));
  int status = 0;
  EXPECT_EQ(waitpid(child, &status, WNOHANG), 0);
  ASSERT_SYSCALL_OK(kill(child, SIGKILL));
  ScopedAlarm guard(10);
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

TEST(JobControlTest, ASignalSentWhileStoppedIsTakenAfterSigcont) {
  TestPipe pipe;
  pid_t child = ForkReader(pipe);
  ASSERT_GE(child, 0);
  StopAndWait(child, SIGSTOP);
  ASSERT_SYSCALL_OK(kill(child, SIGTERM));
  ScopedAlarm guard(10);
  ASSERT_SYSCALL_OK(kill(child, SIGCONT));
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
}

TEST(JobControlTest, ASleepInterruptedByAStopGoesOnAfterSigcont) {
  TestPipe ready;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    alarm(20);
    struct timespec sleep = {0, 300 * 1000 * 1000};
    struct timespec left = {};
    if (write(ready.write_fd(), "r", 1) != 1) _exit(3);
    // Stopped and continued, the sleep resumes; only a handler makes EINTR.
    _exit(nanosleep(&sleep, &left) == 0 ? 0 : 1);
  }
  char c;
  ASSERT_EQ(read(ready.read_fd(), &c, 1), 1);
  StopAndWait(child, SIGSTOP);
  ContinueAndWait(child);
  ScopedAlarm guard(10);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(JobControlTest, AReadBlockedWhenStoppedGoesOnAfterSigcont) {
  TestPipe pipe;
  pid_t child = ForkReader(pipe);
  ASSERT_GE(child, 0);
  StopAndWait(child, SIGSTOP);
  ContinueAndWait(child);
  ASSERT_EQ(write(pipe.write_fd(), "x", 1), 1);
  ScopedAlarm guard(10);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);  // Not 1: the read did not fail with EINTR.
}

volatile sig_atomic_t tstp_handled = 0;
void NoteTstp(int) { tstp_handled = 1; }

TEST(JobControlTest, SigtstpWithAHandlerRunsItAndDoesNotStop) {
  EXPECT_EQ(RunInChildThatMustNotStop([] {
              struct sigaction act = {};
              act.sa_handler = NoteTstp;
              CHILD_CHECK(sigaction(SIGTSTP, &act, nullptr) == 0);
              CHILD_CHECK(raise(SIGTSTP) == 0);
              CHILD_CHECK(tstp_handled == 1);
              return 0;
            }),
            0);
}

TEST(JobControlTest, ProcShowsAStoppedProcessAsT) {
  TestPipe pipe;
  pid_t child = ForkReader(pipe);
  ASSERT_GE(child, 0);
  StopAndWait(child, SIGSTOP);
  EXPECT_EQ(StateLetterOf(child), 'T');
  const std::string status = ReadProcOrFail("/proc/" + std::to_string(child) + "/status");
  EXPECT_NE(status.find("\nState:\tT (stopped)\n"), std::string::npos) << status;
  ContinueAndWait(child);
  EXPECT_NE(StateLetterOf(child), 'T');
  ASSERT_EQ(write(pipe.write_fd(), "x", 1), 1);
  int status_word = 0;
  ASSERT_EQ(waitpid(child, &status_word, 0), child);
}

TEST(JobControlTest, TerminalStopSignalsToAnOrphanedProcessGroupAreDiscarded) {
  EXPECT_EQ(RunInChildThatMustNotStop([] {
              // A new session: the process's group has no parent in another
              // group of its session, so it is orphaned.
              CHILD_CHECK(setsid() == getpid());
              CHILD_CHECK(raise(SIGTSTP) == 0);
              CHILD_CHECK(raise(SIGTTOU) == 0);
              CHILD_CHECK(raise(SIGTTIN) == 0);
              return 0;
            }),
            0);
}

TEST(JobControlTest, SigstopStopsAnOrphanedProcessGroupAnyway) {
  // Continued, the child waits for a byte before it exits: an exit right
  // after SIGCONT could be reported before the continue (Linux too).
  TestPipe go;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    alarm(20);
    close(go.write_fd());
    if (setsid() != getpid()) _exit(3);
    raise(SIGSTOP);
    char c;
    _exit(read(go.read_fd(), &c, 1) == 1 ? 4 : 5);
  }
  {
    ScopedAlarm guard(10);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, WUNTRACED), child);
    ASSERT_TRUE(WIFSTOPPED(status)) << std::hex << status;
    EXPECT_EQ(WSTOPSIG(status), SIGSTOP);
  }
  ContinueAndWait(child);
  ASSERT_EQ(write(go.write_fd(), "x", 1), 1);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_EQ(WEXITSTATUS(status), 4);
}

TEST(JobControlTest, SigtstpStopsAProcessGroupThatIsNotOrphaned) {
  EXPECT_EQ(RunInChild([] {
              // This process leads a new session; its child gets a group of
              // its own in that session, whose parent (this process) is in
              // another group of the same session: not orphaned.
              CHILD_CHECK(setsid() == getpid());
              pid_t child = fork();
              CHILD_CHECK(child >= 0);
              if (child == 0) {
                if (setpgid(0, 0) != 0) _exit(3);
                raise(SIGTSTP);
                _exit(5);
              }
              int status = 0;
              CHILD_CHECK(waitpid(child, &status, WUNTRACED) == child);
              CHILD_CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTSTP);
              CHILD_CHECK(kill(child, SIGCONT) == 0);
              CHILD_CHECK(waitpid(child, &status, 0) == child);
              CHILD_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 5);
              return 0;
            }),
            0);
}

}  // namespace
}  // namespace runsc::syscall_test
