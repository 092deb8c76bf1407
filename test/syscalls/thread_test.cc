// Threads: clone(CLONE_THREAD) through pthreads, what threads share and what
// they do not, signals to a process and to one thread, and how a process with
// several threads ends.
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <string>
#include <vector>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

pid_t Gettid() { return static_cast<pid_t>(syscall(SYS_gettid)); }

// Runs `body` in a new thread and joins it.
template <typename F>
void RunInThread(F body) {
  pthread_t thread;
  auto trampoline = [](void* arg) -> void* {
    (*static_cast<F*>(arg))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, nullptr, trampoline, &body), 0);
  ASSERT_EQ(pthread_join(thread, nullptr), 0);
}

// Forks; the child runs `body` and exits 0 if it returns. Returns the
// child's wait status.
template <typename F>
int StatusOfChild(F body) {
  pid_t pid = fork();
  if (pid == 0) {
    body();
    _exit(0);
  }
  int status = -1;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  return status;
}

TEST(Thread, CreateAndJoinReturnsTheThreadsValue) {
  pthread_t thread;
  ASSERT_EQ(pthread_create(
                &thread, nullptr, [](void* arg) -> void* { return static_cast<char*>(arg) + 1; },
                reinterpret_cast<void*>(41)),
            0);
  void* result = nullptr;
  ASSERT_EQ(pthread_join(thread, &result), 0);
  EXPECT_EQ(reinterpret_cast<intptr_t>(result), 42);
}

TEST(Thread, ANewThreadInheritsTheFpControlState) {
  const FpControl saved = ReadFpControl();
  WriteFpControl(UnusualFpControl());
  FpControl seen;
  RunInThread([&] { seen = ReadFpControl(); });
  WriteFpControl(saved);
  EXPECT_EQ(seen.mxcsr, UnusualFpControl().mxcsr);
  EXPECT_EQ(seen.x87_control, UnusualFpControl().x87_control);
}

TEST(Thread, SameProcessDifferentThreadId) {
  const pid_t pid = getpid(), main_tid = Gettid();
  EXPECT_EQ(main_tid, pid);
  pid_t thread_pid = 0, thread_tid = 0, thread_ppid = 0;
  RunInThread([&] {
    thread_pid = getpid();
    thread_tid = Gettid();
    thread_ppid = getppid();
  });
  EXPECT_EQ(thread_pid, pid);
  EXPECT_NE(thread_tid, pid);
  EXPECT_GT(thread_tid, 0);
  EXPECT_EQ(thread_ppid, getppid());
}

TEST(Thread, ThreadsShareMemory) {
  std::atomic<int> counter{0};
  std::vector<pthread_t> threads(4);
  auto work = [](void* arg) -> void* {
    auto* c = static_cast<std::atomic<int>*>(arg);
    for (int i = 0; i < 1000; ++i) c->fetch_add(1);
    return nullptr;
  };
  for (pthread_t& t : threads) ASSERT_EQ(pthread_create(&t, nullptr, work, &counter), 0);
  for (pthread_t& t : threads) ASSERT_EQ(pthread_join(t, nullptr), 0);
  EXPECT_EQ(counter.load(), 4000);
}

TEST(Thread, ManyThreadsAtOnce) {
  constexpr int kThreads = 24;
  std::vector<pthread_t> threads(kThreads);
  std::atomic<int> started{0};
  std::atomic<bool> go{false};
  struct Shared {
    std::atomic<int>* started;
    std::atomic<bool>* go;
  } shared{&started, &go};
  auto body = [](void* arg) -> void* {
    auto* s = static_cast<Shared*>(arg);
    s->started->fetch_add(1);
    while (!s->go->load()) sched_yield();
    return reinterpret_cast<void*>(syscall(SYS_gettid));
  };
  for (pthread_t& t : threads) ASSERT_EQ(pthread_create(&t, nullptr, body, &shared), 0);
  while (started.load() < kThreads) sched_yield();
  go.store(true);
  std::set<intptr_t> tids;
  for (pthread_t& t : threads) {
    void* tid = nullptr;
    ASSERT_EQ(pthread_join(t, &tid), 0);
    tids.insert(reinterpret_cast<intptr_t>(tid));
  }
  EXPECT_EQ(tids.size(), static_cast<size_t>(kThreads)) << "every thread has its own tid";
}

TEST(Thread, MutexAndConditionVariable) {
  struct Queue {
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
    std::vector<int> items;
    bool done = false;
  } q;
  pthread_t consumer;
  ASSERT_EQ(pthread_create(
                &consumer, nullptr,
                [](void* arg) -> void* {
                  auto* q = static_cast<Queue*>(arg);
                  long sum = 0;
                  pthread_mutex_lock(&q->mu);
                  for (;;) {
                    while (q->items.empty() && !q->done) pthread_cond_wait(&q->cv, &q->mu);
                    if (q->items.empty()) break;
                    sum += q->items.back();
                    q->items.pop_back();
                  }
                  pthread_mutex_unlock(&q->mu);
                  return reinterpret_cast<void*>(sum);
                },
                &q),
            0);
  for (int i = 1; i <= 100; ++i) {
    pthread_mutex_lock(&q.mu);
    q.items.push_back(i);
    pthread_cond_signal(&q.cv);
    pthread_mutex_unlock(&q.mu);
  }
  pthread_mutex_lock(&q.mu);
  q.done = true;
  pthread_cond_broadcast(&q.cv);
  pthread_mutex_unlock(&q.mu);
  void* sum = nullptr;
  ASSERT_EQ(pthread_join(consumer, &sum), 0);
  EXPECT_EQ(reinterpret_cast<long>(sum), 5050);
}

TEST(Thread, SignalMasksArePerThread) {
  sigset_t main_mask, thread_mask;
  sigemptyset(&main_mask);
  ASSERT_EQ(pthread_sigmask(SIG_SETMASK, nullptr, &main_mask), 0);
  RunInThread([&] {
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &block, nullptr);
    pthread_sigmask(SIG_SETMASK, nullptr, &thread_mask);
  });
  sigset_t now;
  ASSERT_EQ(pthread_sigmask(SIG_SETMASK, nullptr, &now), 0);
  EXPECT_TRUE(sigismember(&thread_mask, SIGUSR2));
  EXPECT_FALSE(sigismember(&now, SIGUSR2)) << "the thread's mask is its own";
}

std::atomic<pid_t> handled_on{0};
void RecordTid(int) { handled_on.store(Gettid()); }

TEST(Thread, TgkillRunsTheHandlerOnThatThread) {
  struct sigaction sa {}, old {};
  sa.sa_handler = RecordTid;
  ASSERT_EQ(sigaction(SIGUSR1, &sa, &old), 0);
  handled_on.store(0);
  std::atomic<pid_t> thread_tid{0};
  std::atomic<bool> stop{false};
  pthread_t thread;
  struct Shared {
    std::atomic<pid_t>* tid;
    std::atomic<bool>* stop;
  } shared{&thread_tid, &stop};
  ASSERT_EQ(pthread_create(
                &thread, nullptr,
                [](void* arg) -> void* {
                  auto* s = static_cast<Shared*>(arg);
                  s->tid->store(Gettid());
                  while (!s->stop->load() && handled_on.load() == 0) usleep(1000);
                  return nullptr;
                },
                &shared),
            0);
  while (thread_tid.load() == 0) sched_yield();
  ASSERT_EQ(syscall(SYS_tgkill, getpid(), thread_tid.load(), SIGUSR1), 0);
  for (int i = 0; i < 5000 && handled_on.load() == 0; ++i) usleep(1000);
  stop.store(true);
  ASSERT_EQ(pthread_join(thread, nullptr), 0);
  EXPECT_EQ(handled_on.load(), thread_tid.load());
  sigaction(SIGUSR1, &old, nullptr);
}

TEST(Thread, TgkillOfAThreadOfAnotherProcessIsEsrch) {
  pid_t tid = 0;
  RunInThread([&] { tid = Gettid(); });
  // The thread is gone; and a live tid with the wrong tgid is no match.
  EXPECT_SYSCALL_ERRNO(syscall(SYS_tgkill, getpid(), tid, 0), ESRCH);
  pid_t other = fork();
  if (other == 0) {
    pause();
    _exit(0);
  }
  ASSERT_GT(other, 0);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_tgkill, other, Gettid(), 0), ESRCH);
  kill(other, SIGKILL);
  waitpid(other, nullptr, 0);
}

TEST(Thread, AProcessSignalGoesToAThreadThatDoesNotBlockIt) {
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR2);
  sigset_t old_mask;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &block, &old_mask), 0);
  std::atomic<bool> ready{false};
  int got = 0;
  pthread_t thread;
  struct Shared {
    std::atomic<bool>* ready;
    int* got;
    sigset_t* set;
  } shared{&ready, &got, &block};
  ASSERT_EQ(pthread_create(
                &thread, nullptr,
                [](void* arg) -> void* {
                  auto* s = static_cast<Shared*>(arg);
                  s->ready->store(true);
                  siginfo_t info;
                  *s->got = sigwaitinfo(s->set, &info);
                  return nullptr;
                },
                &shared),
            0);
  while (!ready.load()) sched_yield();
  ASSERT_EQ(kill(getpid(), SIGUSR2), 0);
  ASSERT_EQ(pthread_join(thread, nullptr), 0);
  EXPECT_EQ(got, SIGUSR2);
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
}

TEST(Thread, ExitGroupFromAThreadEndsTheProcess) {
  int status = StatusOfChild([] {
    pthread_t thread;
    pthread_create(
        &thread, nullptr,
        [](void*) -> void* {
          exit(3);
        },
        nullptr);
    for (;;) pause();
  });
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 3);
}

TEST(Thread, TheProcessOutlivesItsMainThread) {
  int status = StatusOfChild([] {
    pthread_t thread;
    pthread_create(
        &thread, nullptr,
        [](void*) -> void* {
          usleep(50000);
          exit(7);
        },
        nullptr);
    // exit(2) of the main thread alone (pthread_exit would need libgcc_s
    // to unwind, which a static binary cannot load).
    syscall(SYS_exit, 0);
  });
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 7);
}

TEST(Thread, AFatalSignalInOneThreadKillsThemAll) {
  int status = StatusOfChild([] {
    pthread_t thread;
    pthread_create(
        &thread, nullptr,
        [](void*) -> void* {
          raise(SIGTERM);  // To this thread; SIGTERM's default kills the process.
          for (;;) pause();
        },
        nullptr);
    for (;;) pause();
  });
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
}

TEST(Thread, AnyThreadMayWaitForTheProcessChildren) {
  pid_t child = fork();
  if (child == 0) _exit(9);
  ASSERT_GT(child, 0);
  int status = -1;
  pid_t reaped = 0;
  RunInThread([&] { reaped = waitpid(child, &status, 0); });
  EXPECT_EQ(reaped, child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 9);
}

TEST(Thread, ForkFromAThreadMakesAOneThreadProcess) {
  pid_t forked = 0;
  int status = -1;
  RunInThread([&] {
    forked = fork();
    if (forked == 0) _exit(getpid() == static_cast<pid_t>(syscall(SYS_gettid)) ? 0 : 1);
  });
  ASSERT_GT(forked, 0);
  ASSERT_EQ(waitpid(forked, &status, 0), forked);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the child's only thread is its leader";
}

TEST(Thread, ProcSelfTaskListsEveryThread) {
  std::atomic<bool> stop{false};
  std::atomic<pid_t> tid{0};
  pthread_t thread;
  struct Shared {
    std::atomic<bool>* stop;
    std::atomic<pid_t>* tid;
  } shared{&stop, &tid};
  ASSERT_EQ(pthread_create(
                &thread, nullptr,
                [](void* arg) -> void* {
                  auto* s = static_cast<Shared*>(arg);
                  s->tid->store(Gettid());
                  while (!s->stop->load()) usleep(1000);
                  return nullptr;
                },
                &shared),
            0);
  while (tid.load() == 0) sched_yield();
  std::set<std::string> names;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d)) names.insert(e->d_name);
    closedir(d);
  }
  stop.store(true);
  ASSERT_EQ(pthread_join(thread, nullptr), 0);
  EXPECT_TRUE(names.count(std::to_string(getpid())));
  EXPECT_TRUE(names.count(std::to_string(tid.load())));
}

TEST(Thread, CloneFlagCombinationsLinuxRefuses) {
  // CLONE_THREAD needs CLONE_SIGHAND, which needs CLONE_VM.
  EXPECT_SYSCALL_ERRNO(syscall(SYS_clone, CLONE_THREAD | CLONE_VM, 0, 0, 0, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_clone, CLONE_SIGHAND, 0, 0, 0, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_clone, CLONE_NEWNS | CLONE_FS, 0, 0, 0, 0), EINVAL);
}

}  // namespace
}  // namespace runsc::syscall_test
