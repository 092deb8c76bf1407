// futex(2), prctl(2) and sendfile(2) as Linux defines them. Each check
// prints "ok: <what>" or "FAIL: <what>: <why>", and the output holds no
// pid, time or address: it is the same natively and in a sandbox, and the
// e2e test compares the two.
//
//   runsc_testcase_futex_prctl SCRATCH
//       every check; SCRATCH is an existing file the test may overwrite
//       (the sendfile source). Exit 0 if all passed.
//
// Raw syscall() is used where glibc would check arguments itself or pick
// another call.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void Report(int ok, const char* what, const char* why) {
  if (ok) {
    printf("ok: %s\n", what);
  } else {
    printf("FAIL: %s: %s\n", what, why);
    failures++;
  }
  fflush(stdout);
}

// Expects `r` (a syscall's return) to be `want`, with errno `want_errno`
// when `want` is -1.
static void Expect(long r, int err, long want, int want_errno, const char* what) {
  char why[128];
  snprintf(why, sizeof(why), "returned %ld, errno %s; want %ld, errno %s", r,
           r == -1 ? strerrorname_np(err) : "-", want,
           want == -1 ? strerrorname_np(want_errno) : "-");
  Report(r == want && (want != -1 || err == want_errno), what, why);
}

// (Each macro stringifies its own argument, so the report shows the call
// as written, not with FUTEX_WAIT_PRIVATE and NULL expanded.)
#define EXPECT_RESULT(call, want)                   \
  do {                                              \
    errno = 0;                                      \
    long r_ = (long)(call);                         \
    Expect(r_, errno, (want), 0, #call);            \
  } while (0)
#define EXPECT_ERRNO(call, want_errno)              \
  do {                                              \
    errno = 0;                                      \
    long r_ = (long)(call);                         \
    Expect(r_, errno, -1, (want_errno), #call);     \
  } while (0)

static long Futex(void* addr, int op, uint32_t val, const struct timespec* ts, uint32_t val3) {
  return syscall(SYS_futex, addr, op, val, ts, NULL, val3);
}

static struct timespec Now(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return ts;
}

static struct timespec Add(struct timespec ts, long ns) {
  ts.tv_nsec += ns;
  ts.tv_sec += ts.tv_nsec / 1000000000;
  ts.tv_nsec %= 1000000000;
  return ts;
}

static int NotBefore(struct timespec a, struct timespec b) {  // a >= b
  return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec >= b.tv_nsec);
}

static void* Unmapped(void) {
  void* p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(p, 4096);
  return p;
}

// ------------------------------------------------------------ futex

static uint32_t word;
static volatile sig_atomic_t signals_seen;

static void OnSignal(int sig) {
  (void)sig;
  signals_seen++;
}
static void OnSignalSetWord(int sig) {
  (void)sig;
  signals_seen++;
  __atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
}

// A child that sends `sig` to this process every 20 ms until it is killed:
// whenever the wait starts, a signal soon interrupts it.
static pid_t StartSignaller(int sig) {
  const pid_t parent = getpid();
  pid_t child = fork();
  if (child == 0) {
    for (;;) {
      struct timespec ms20 = {0, 20 * 1000 * 1000};
      nanosleep(&ms20, NULL);
      kill(parent, sig);
    }
  }
  return child;
}

// Stops the signaller; once it is reaped, every signal it sent has been
// delivered.
static void StopSignaller(pid_t child) {
  kill(child, SIGKILL);
  while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
  }
}

// Runs `call` while a signaller sends `sig`, then checks its outcome once
// the signals have stopped (so that reporting it cannot be interrupted).
#define EXPECT_ERRNO_UNDER_SIGNALS(sig, call, want_errno) \
  do {                                                    \
    pid_t signaller_ = StartSignaller(sig);               \
    errno = 0;                                            \
    long r_ = (long)(call);                               \
    int errno_ = errno;                                   \
    StopSignaller(signaller_);                            \
    Expect(r_, errno_, -1, (want_errno), #call);          \
  } while (0)

static void Handle(int sig, void (*handler)(int), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = handler;
  sa.sa_flags = flags;
  sigaction(sig, &sa, NULL);
}

static void FutexChecks(void) {
  word = 5;
  const struct timespec ms20 = {0, 20 * 1000 * 1000};
  const struct timespec zero = {0, 0};
  const struct timespec bad_nsec = {0, -1};
  const struct timespec big_nsec = {0, 1000000000};
  const struct timespec neg_sec = {-1, 0};

  // The value differs: no sleep at all.
  EXPECT_ERRNO(Futex(&word, FUTEX_WAIT_PRIVATE, 4, NULL, 0), EAGAIN);
  EXPECT_ERRNO(Futex(&word, FUTEX_WAIT, 4, NULL, 0), EAGAIN);
  EXPECT_ERRNO(Futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 4, NULL, FUTEX_BITSET_MATCH_ANY), EAGAIN);
  // ...even with a timeout that has already passed.
  EXPECT_ERRNO(Futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 4, &zero, FUTEX_BITSET_MATCH_ANY), EAGAIN);

  // Timeouts: relative for FUTEX_WAIT, absolute for FUTEX_WAIT_BITSET.
  struct timespec start = Now(CLOCK_MONOTONIC);
  EXPECT_ERRNO(Futex(&word, FUTEX_WAIT_PRIVATE, 5, &ms20, 0), ETIMEDOUT);
  Report(NotBefore(Now(CLOCK_MONOTONIC), Add(start, 20 * 1000 * 1000)),
         "a relative timeout does not end the wait early", "woke before the timeout");
  EXPECT_ERRNO(Futex(&word, FUTEX_WAIT, 5, &ms20, 0), ETIMEDOUT);
  EXPECT_ERRNO(Futex(&word, FUTEX_WAIT_PRIVATE, 5, &zero, 0), ETIMEDOUT);
  struct timespec deadline = Add(Now(CLOCK_MONOTONIC), 20 * 1000 * 1000);
  EXPECT_ERRNO(Futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &deadline, FUTEX_BITSET_MATCH_ANY),
               ETIMEDOUT);
  Report(NotBefore(Now(CLOCK_MONOTONIC), deadline),
         "an absolute CLOCK_MONOTONIC deadline does not end the wait early", "woke early");
  struct timespec rt_deadline = Add(Now(CLOCK_REALTIME), 20 * 1000 * 1000);
  EXPECT_ERRNO(Futex(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 5, &rt_deadline,
                     FUTEX_BITSET_MATCH_ANY),
               ETIMEDOUT);
  Report(NotBefore(Now(CLOCK_REALTIME), rt_deadline),
         "an absolute CLOCK_REALTIME deadline does not end the wait early", "woke early");
  EXPECT_ERRNO(Futex(&word, FUTEX_WAIT_BITSET, 5, &zero, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);

  // Waking nobody.
  EXPECT_RESULT(Futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, 0), 0);
  EXPECT_RESULT(Futex(&word, FUTEX_WAKE, INT32_MAX, NULL, 0), 0);
  EXPECT_RESULT(Futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, 0x10), 0);

  // Bad addresses. A shared futex needs its page, even to wake; a private
  // one is named by its address alone, so waking an unmapped one is fine.
  void* const unmapped = Unmapped();
  void* const kernel = (void*)0xffff880000000000ull;
  EXPECT_ERRNO(Futex((void*)8, FUTEX_WAIT_PRIVATE, 0, NULL, 0), EFAULT);
  EXPECT_ERRNO(Futex(unmapped, FUTEX_WAIT, 0, &ms20, 0), EFAULT);
  EXPECT_ERRNO(Futex(unmapped, FUTEX_WAKE, 1, NULL, 0), EFAULT);
  EXPECT_RESULT(Futex(unmapped, FUTEX_WAKE_PRIVATE, 1, NULL, 0), 0);
  EXPECT_ERRNO(Futex(kernel, FUTEX_WAKE_PRIVATE, 1, NULL, 0), EFAULT);
  EXPECT_ERRNO(Futex(&word, FUTEX_WAIT_PRIVATE, 5, (const struct timespec*)8, 0), EFAULT);

  // Bad arguments.
  EXPECT_ERRNO(Futex((char*)&word + 1, FUTEX_WAIT_PRIVATE, 5, NULL, 0), EINVAL);
  EXPECT_ERRNO(Futex((char*)&word + 2, FUTEX_WAKE, 1, NULL, 0), EINVAL);
  EXPECT_ERRNO(Futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, NULL, 0), EINVAL);
  EXPECT_ERRNO(Futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, 0), EINVAL);
  EXPECT_ERRNO(Futex(&word, FUTEX_WAIT_PRIVATE, 5, &bad_nsec, 0), EINVAL);
  EXPECT_ERRNO(Futex(&word, FUTEX_WAIT_PRIVATE, 5, &big_nsec, 0), EINVAL);
  EXPECT_ERRNO(Futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &neg_sec, FUTEX_BITSET_MATCH_ANY),
               EINVAL);
  // The timeout is checked before the address.
  EXPECT_ERRNO(Futex((void*)8, FUTEX_WAIT_PRIVATE, 5, &bad_nsec, 0), EINVAL);
  // FUTEX_CLOCK_REALTIME means nothing to a wake; unknown operations.
  EXPECT_ERRNO(Futex(&word, FUTEX_WAKE_PRIVATE | FUTEX_CLOCK_REALTIME, 1, NULL, 0), ENOSYS);
  EXPECT_ERRNO(Futex(&word, 99, 1, NULL, 0), ENOSYS);
  EXPECT_ERRNO(Futex(&word, 99 | FUTEX_PRIVATE_FLAG, 1, NULL, 0), ENOSYS);

  // Signals. A wait without a timeout that a handler interrupts: EINTR
  // without SA_RESTART...
  word = 0;
  Handle(SIGUSR1, OnSignal, 0);
  EXPECT_ERRNO_UNDER_SIGNALS(SIGUSR1, Futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, 0), EINTR);
  // ...and restarted with it: the handler changes the word, so the
  // restarted wait finds another value.
  Handle(SIGUSR1, OnSignalSetWord, SA_RESTART);
  EXPECT_ERRNO_UNDER_SIGNALS(SIGUSR1, Futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, 0), EAGAIN);
  // A wait with a timeout is never restarted after a handler.
  word = 0;
  Handle(SIGUSR1, OnSignal, SA_RESTART);
  const struct timespec long_wait = {60, 0};
  EXPECT_ERRNO_UNDER_SIGNALS(SIGUSR1, Futex(&word, FUTEX_WAIT_PRIVATE, 0, &long_wait, 0), EINTR);
  deadline = Add(Now(CLOCK_MONOTONIC), 60ll * 1000 * 1000 * 1000);
  EXPECT_ERRNO_UNDER_SIGNALS(
      SIGUSR1,
      Futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &deadline, FUTEX_BITSET_MATCH_ANY), EINTR);
  Handle(SIGUSR1, SIG_DFL, 0);
  // A signal that runs no handler (a stop, then a continue) does not end a
  // timed wait: it resumes, to the same deadline, and times out.
  start = Now(CLOCK_MONOTONIC);
  const struct timespec ms300 = {0, 300 * 1000 * 1000};
  const pid_t parent = getpid();
  pid_t stopper = fork();
  if (stopper == 0) {
    nanosleep(&ms20, NULL);
    kill(parent, SIGSTOP);
    kill(parent, SIGCONT);
    _exit(0);
  }
  EXPECT_ERRNO(Futex(&word, FUTEX_WAIT_PRIVATE, 0, &ms300, 0), ETIMEDOUT);
  waitpid(stopper, NULL, 0);
  Report(NotBefore(Now(CLOCK_MONOTONIC), Add(start, 300 * 1000 * 1000)),
         "a stop and continue do not end a timed wait early", "woke early");
}

// A shared futex is the memory behind the address, so a forked child's
// wake reaches a parent waiting on MAP_SHARED memory; a private futex is
// the address space's own, so the same wake does not.
static void SharedFutexAcrossFork(void) {
  uint32_t* shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) {
    Report(0, "mmap of shared memory", strerror(errno));
    return;
  }
  shared[0] = 0;
  // The child wakes until its wake finds a waiter (the parent, asleep).
  pid_t child = fork();
  if (child == 0) {
    const struct timespec ms1 = {0, 1000 * 1000};
    for (int i = 0; i < 10000; i++) {
      if (Futex(shared, FUTEX_WAKE, 1, NULL, 0) == 1) _exit(0);
      nanosleep(&ms1, NULL);
    }
    _exit(1);
  }
  const struct timespec s20 = {20, 0};
  EXPECT_RESULT(Futex(shared, FUTEX_WAIT, 0, &s20, 0), 0);
  int status = 0;
  waitpid(child, &status, 0);
  Report(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a forked child's wake found the parent",
         "the child never woke anyone");

  // A private wait on the same memory: the child's shared wakes miss it.
  child = fork();
  if (child == 0) {
    const struct timespec ms1 = {0, 1000 * 1000};
    int woken = 0;
    for (int i = 0; i < 100; i++) {
      woken += (int)Futex(shared, FUTEX_WAKE, 1, NULL, 0);
      nanosleep(&ms1, NULL);
    }
    _exit(woken);
  }
  const struct timespec ms300 = {0, 300 * 1000 * 1000};
  EXPECT_ERRNO(Futex(shared, FUTEX_WAIT_PRIVATE, 0, &ms300, 0), ETIMEDOUT);
  waitpid(child, &status, 0);
  Report(WIFEXITED(status) && WEXITSTATUS(status) == 0,
         "a shared wake does not reach a private waiter", "it did");

  // What glibc builds on it: a process-shared semaphore.
  sem_t* sem = (sem_t*)(shared + 16);
  if (sem_init(sem, /*pshared=*/1, 0) != 0) {
    Report(0, "sem_init", strerror(errno));
    return;
  }
  child = fork();
  if (child == 0) {
    const struct timespec ms20 = {0, 20 * 1000 * 1000};
    nanosleep(&ms20, NULL);
    _exit(sem_post(sem) == 0 ? 0 : 1);
  }
  struct timespec until = Add(Now(CLOCK_REALTIME), 20ll * 1000 * 1000 * 1000);
  EXPECT_RESULT(sem_timedwait(sem, &until), 0);
  waitpid(child, &status, 0);
  munmap(shared, 4096);
}

// ------------------------------------------------------------ prctl

static volatile sig_atomic_t death_signo, death_from_parent, death_code;
static pid_t my_parent;

static void OnParentDeath(int sig, siginfo_t* info, void* ucontext) {
  (void)ucontext;
  death_signo = sig;
  death_code = info->si_code;
  death_from_parent = info->si_pid == my_parent;
}

static int ReadSmallFile(const char* path, char* buf, size_t size) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, size - 1);
  close(fd);
  if (n < 0) return -1;
  buf[n] = '\0';
  return 0;
}

// Child A forks grandchild B and exits once B has asked for a death
// signal; B must get it from A, and be adopted by this process, a child
// subreaper, rather than by init.
static void ParentDeathSignal(void) {
  int ready[2], report[2];
  if (pipe(ready) != 0 || pipe(report) != 0) {
    Report(0, "pipes for the parent-death test", strerror(errno));
    return;
  }
  const pid_t subreaper = getpid();
  pid_t a = fork();
  if (a == 0) {
    // A's own death signal, which B must not inherit.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    pid_t b = fork();
    if (b == 0) {
      my_parent = getppid();  // A, until it dies.
      sigset_t usr1, old;
      sigemptyset(&usr1);
      sigaddset(&usr1, SIGUSR1);
      sigprocmask(SIG_BLOCK, &usr1, &old);
      struct sigaction sa;
      memset(&sa, 0, sizeof(sa));
      sa.sa_sigaction = OnParentDeath;
      sa.sa_flags = SA_SIGINFO;
      sigaction(SIGUSR1, &sa, NULL);
      int inherited = -1;
      prctl(PR_GET_PDEATHSIG, &inherited);
      prctl(PR_SET_PDEATHSIG, SIGUSR1);
      (void)!write(ready[1], "r", 1);
      while (death_signo == 0) sigsuspend(&old);
      char line[160];
      int n = snprintf(line, sizeof(line),
                       "pdeathsig: inherited=%d signo=%d from-dying-parent=%d si_code=%d "
                       "adopted-by-subreaper=%d\n",
                       inherited, (int)death_signo, (int)death_from_parent, (int)death_code,
                       getppid() == subreaper);
      (void)!write(report[1], line, n);
      _exit(0);
    }
    char c;
    (void)!read(ready[0], &c, 1);
    (void)!write(report[1], &b, sizeof(b));
    _exit(0);
  }
  close(ready[1]);
  close(report[1]);
  int status = 0;
  waitpid(a, &status, 0);
  pid_t b = -1;
  char line[160] = {0};
  if (read(report[0], &b, sizeof(b)) != sizeof(b)) {
    Report(0, "the middle child names its child", "no pid");
    return;
  }
  // B is ours to wait for only if it was adopted by this subreaper.
  errno = 0;
  pid_t waited = waitpid(b, &status, 0);
  Report(waited == b && WIFEXITED(status) && WEXITSTATUS(status) == 0,
         "the orphan is adopted by the child subreaper and exits normally",
         waited == b ? "wrong status" : "not our child");
  ssize_t n = read(report[0], line, sizeof(line) - 1);
  printf("%s", n > 0 ? line : "pdeathsig: no report\n");
  fflush(stdout);
  close(ready[0]);
  close(report[0]);
}

static void PrctlChecks(void) {
  char name[32];
  char buf[4096];

  // The task's name: 16 bytes with the NUL, a longer one cut.
  EXPECT_RESULT(prctl(PR_SET_NAME, "futex-prctl-name-too-long"), 0);
  memset(name, 'x', sizeof(name));
  EXPECT_RESULT(prctl(PR_GET_NAME, name), 0);
  printf("name=%s (%d bytes, then %s)\n", name, (int)strlen(name),
         name[16] == 'x' ? "untouched" : "overwritten");
  if (ReadSmallFile("/proc/self/comm", buf, sizeof(buf)) == 0) printf("comm=%s", buf);
  if (ReadSmallFile("/proc/self/stat", buf, sizeof(buf)) == 0) {
    char* close_paren = strrchr(buf, ')');
    char* open_paren = strchr(buf, '(');
    if (open_paren && close_paren) {
      *close_paren = '\0';
      printf("stat-comm=%s\n", open_paren + 1);
    }
  }
  if (ReadSmallFile("/proc/self/status", buf, sizeof(buf)) == 0) {
    char* end = strchr(buf, '\n');
    if (end) *end = '\0';
    printf("status-%s\n", buf);
  }
  EXPECT_RESULT(prctl(PR_SET_NAME, "short"), 0);
  EXPECT_RESULT(prctl(PR_GET_NAME, name), 0);
  printf("name=%s\n", name);
  EXPECT_ERRNO(prctl(PR_SET_NAME, (char*)8), EFAULT);
  EXPECT_ERRNO(prctl(PR_GET_NAME, Unmapped()), EFAULT);

  // The parent-death signal.
  int value = -1;
  EXPECT_ERRNO(prctl(PR_SET_PDEATHSIG, 65), EINVAL);
  EXPECT_ERRNO(prctl(PR_SET_PDEATHSIG, -1L), EINVAL);
  EXPECT_RESULT(prctl(PR_SET_PDEATHSIG, SIGUSR2), 0);
  EXPECT_RESULT(prctl(PR_GET_PDEATHSIG, &value), 0);
  printf("pdeathsig=%d\n", value);
  EXPECT_ERRNO(prctl(PR_GET_PDEATHSIG, (int*)8), EFAULT);
  EXPECT_RESULT(prctl(PR_SET_PDEATHSIG, 0), 0);

  // Dumpable: 0 or 1, kept by fork.
  EXPECT_RESULT(prctl(PR_GET_DUMPABLE), 1);
  EXPECT_ERRNO(prctl(PR_SET_DUMPABLE, 2), EINVAL);
  EXPECT_RESULT(prctl(PR_SET_DUMPABLE, 0), 0);
  EXPECT_RESULT(prctl(PR_GET_DUMPABLE), 0);
  pid_t child = fork();
  if (child == 0) _exit(prctl(PR_GET_DUMPABLE));
  int status = 0;
  waitpid(child, &status, 0);
  printf("child-dumpable=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  EXPECT_RESULT(prctl(PR_SET_DUMPABLE, 1), 0);
  EXPECT_RESULT(prctl(PR_GET_DUMPABLE), 1);

  // No new privileges: strict arguments, one way only, inherited.
  EXPECT_ERRNO(prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0), EINVAL);
  EXPECT_ERRNO(prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0), EINVAL);
  EXPECT_ERRNO(prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), EINVAL);
  EXPECT_RESULT(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
  EXPECT_RESULT(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
  if (ReadSmallFile("/proc/self/status", buf, sizeof(buf)) == 0) {
    char* line = strstr(buf, "NoNewPrivs:");
    char* end = line ? strchr(line, '\n') : NULL;
    if (end) *end = '\0';
    printf("status-%s\n", line ? line : "NoNewPrivs missing");
  }
  child = fork();
  if (child == 0) _exit(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
  waitpid(child, &status, 0);
  printf("child-no-new-privs=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);

  // Keepcaps: 0 or 1. The timer slack: set, and reset to the default by 0.
  EXPECT_RESULT(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 0);
  EXPECT_ERRNO(prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0), EINVAL);
  EXPECT_RESULT(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), 0);
  EXPECT_RESULT(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 1);
  EXPECT_RESULT(prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0), 0);
  const long slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
  Report(slack > 0, "prctl(PR_GET_TIMERSLACK) is positive", "it is not");
  EXPECT_RESULT(prctl(PR_SET_TIMERSLACK, 123456, 0, 0, 0), 0);
  EXPECT_RESULT(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0), 123456);
  EXPECT_RESULT(prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0), 0);
  EXPECT_RESULT(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0), slack);

  // Questions.
  EXPECT_RESULT(prctl(PR_GET_SECCOMP), 0);
  EXPECT_RESULT(prctl(PR_CAPBSET_READ, 0 /*CAP_CHOWN*/), 1);
  EXPECT_ERRNO(prctl(PR_CAPBSET_READ, 64), EINVAL);
  EXPECT_ERRNO(prctl(PR_CAPBSET_READ, -1L), EINVAL);
  EXPECT_ERRNO(prctl(0x7fff), EINVAL);
  EXPECT_ERRNO(prctl(-1), EINVAL);

  // Child subreaper, and the death signal it makes observable.
  value = -1;
  EXPECT_RESULT(prctl(PR_GET_CHILD_SUBREAPER, &value), 0);
  printf("subreaper=%d\n", value);
  EXPECT_RESULT(prctl(PR_SET_CHILD_SUBREAPER, 5), 0);
  EXPECT_RESULT(prctl(PR_GET_CHILD_SUBREAPER, &value), 0);
  printf("subreaper=%d\n", value);
  EXPECT_ERRNO(prctl(PR_GET_CHILD_SUBREAPER, (int*)8), EFAULT);
  ParentDeathSignal();
}

// ------------------------------------------------------------ sendfile

static void SendfileChecks(const char* scratch) {
  // The source: a line, then enough bytes for several of the sentry's
  // transfer steps.
  static const char line[] = "hello via sendfile\n";
  static char big[200000];
  for (size_t i = 0; i < sizeof(big); i++) big[i] = (char)('a' + i % 26);
  int w = open(scratch, O_WRONLY | O_TRUNC);
  if (w < 0 || write(w, line, sizeof(line) - 1) != sizeof(line) - 1 ||
      write(w, big, sizeof(big)) != sizeof(big)) {
    Report(0, "writing the sendfile source", strerror(errno));
    return;
  }
  close(w);
  const long size = (long)(sizeof(line) - 1 + sizeof(big));
  int in = open(scratch, O_RDONLY);
  int wronly = open(scratch, O_WRONLY);
  int append = open(scratch, O_WRONLY | O_APPEND);
  int devnull = open("/dev/null", O_WRONLY);
  int dir = open("/", O_RDONLY | O_DIRECTORY);
  int pipefd[2];
  if (in < 0 || wronly < 0 || append < 0 || devnull < 0 || dir < 0 || pipe(pipefd) != 0) {
    Report(0, "opening the sendfile files", strerror(errno));
    return;
  }

  // From the file offset, to stdout: the offset moves.
  EXPECT_RESULT(sendfile(1, in, NULL, sizeof(line) - 1), (long)sizeof(line) - 1);
  EXPECT_RESULT(lseek(in, 0, SEEK_CUR), (long)sizeof(line) - 1);
  // From an explicit offset: *offset moves, the file offset does not.
  off_t offset = 6;
  errno = 0;
  long sent = sendfile(1, in, &offset, 4);
  int sent_errno = errno;
  printf("\n");
  Expect(sent, sent_errno, 4, 0, "sendfile(1, in, &offset, 4)");
  EXPECT_RESULT(offset, 10);
  EXPECT_RESULT(lseek(in, 0, SEEK_CUR), (long)sizeof(line) - 1);
  // Much more than one step, into a file that throws it away.
  offset = 0;
  EXPECT_RESULT(sendfile(devnull, in, &offset, size + 100), size);
  EXPECT_RESULT(offset, size);
  EXPECT_RESULT(sendfile(devnull, in, &offset, 10), 0);  // At the end.
  offset = size + 4096;
  EXPECT_RESULT(sendfile(devnull, in, &offset, 10), 0);  // Past it.
  EXPECT_RESULT(sendfile(devnull, in, NULL, 0), 0);
  // Into a pipe: the bytes arrive as they are.
  offset = sizeof(line) - 1;
  EXPECT_RESULT(sendfile(pipefd[1], in, &offset, 1000), 1000);
  char got[1000];
  Report(read(pipefd[0], got, sizeof(got)) == sizeof(got) && memcmp(got, big, sizeof(got)) == 0,
         "what sendfile put in a pipe is the file's bytes", "different bytes");

  // Errors, in Linux's order.
  EXPECT_ERRNO(sendfile(1, 99, NULL, 10), EBADF);
  EXPECT_ERRNO(sendfile(99, in, NULL, 10), EBADF);
  EXPECT_ERRNO(sendfile(1, wronly, NULL, 10), EBADF);
  EXPECT_ERRNO(sendfile(in, in, NULL, 10), EBADF);
  EXPECT_ERRNO(sendfile(99, 98, (off_t*)8, 10), EFAULT);
  EXPECT_ERRNO(sendfile(devnull, in, (off_t*)Unmapped(), 10), EFAULT);
  offset = -1;
  EXPECT_ERRNO(sendfile(devnull, in, &offset, 10), EINVAL);
  EXPECT_ERRNO(sendfile(devnull, in, NULL, (size_t)-1), EINVAL);
  EXPECT_ERRNO(sendfile(append, in, NULL, 10), EINVAL);
  EXPECT_ERRNO(sendfile(devnull, dir, NULL, 10), EINVAL);
  offset = 0;
  EXPECT_ERRNO(sendfile(devnull, pipefd[0], &offset, 10), ESPIPE);
  EXPECT_ERRNO(sendfile(devnull, pipefd[0], NULL, 10), EINVAL);
  close(in);
  close(wronly);
  close(append);
  close(devnull);
  close(dir);
  close(pipefd[0]);
  close(pipefd[1]);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s SCRATCH-FILE\n", argv[0]);
    return 2;
  }
  FutexChecks();
  SharedFutexAcrossFork();
  PrctlChecks();
  SendfileChecks(argv[1]);
  printf("%d failures\n", failures);
  return failures == 0 ? 0 : 1;
}
