// Passes bad pointers to syscalls and checks that each one fails with EFAULT
// while the process (and the sandbox) goes on, as on Linux.
//
//   runsc_testcase_bad_pointers          every EFAULT check; exit 0 if all passed
//   runsc_testcase_bad_pointers segv     a fault with a SIGSEGV handler: the handler
//                                        sees si_addr and SEGV_MAPERR; exit 0
//   runsc_testcase_bad_pointers segv-default
//                                        a fault without a handler: killed by SIGSEGV
//   runsc_testcase_bad_pointers pages ADDR
//                                        madvise(DONTNEED), munmap, mprotect, mmap
//                                        MAP_FIXED and mremap of the page at ADDR
//                                        (hex; the test passes where the sandbox
//                                        keeps its own code), then mmap, fork and
//                                        wait: whatever the calls answered, memory
//                                        management must still work; exit 0
//
// Raw syscall() is used where libc could answer from user space (vDSO) or
// check the pointer itself.
#define _GNU_SOURCE
// The bad pointers are the point: the compiler rightly sees through some.
#pragma GCC diagnostic ignored "-Wstringop-overread"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void ExpectEfault(long r, const char* what) {
  const int err = errno;
  if (r == -1 && err == EFAULT) {
    printf("ok: %s\n", what);
  } else {
    printf("FAIL: %s: returned %ld, errno %d (%s)\n", what, r, err, strerror(err));
    failures++;
  }
  fflush(stdout);
}

#define EXPECT_EFAULT(call)        \
  do {                             \
    errno = 0;                     \
    ExpectEfault((long)(call), #call); \
  } while (0)

// An address that was mapped and no longer is. Fixed, far from where the
// host places mappings, so that no later mmap (ours or malloc's) can reuse
// the hole.
static void* UnmappedPage(void) {
  void* const at = (void*)0x100000000ull;
  void* p = mmap(at, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                 -1, 0);
  if (p != at) {
    perror("mmap at 4 GiB");
    exit(2);
  }
  memset(p, 'x', 4096);
  munmap(p, 4096);
  return p;
}

static void* InaccessiblePage(void) {
  void* p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    perror("mmap");
    exit(2);
  }
  return p;
}

static void* ReadOnlyPage(void) {
  void* p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    perror("mmap");
    exit(2);
  }
  return p;
}

static int EfaultChecks(void) {
  void* const unmapped = UnmappedPage();
  void* const read_only = ReadOnlyPage();
  void* const inaccessible = InaccessiblePage();
  void* const kernel = (void*)0xffff880000000000ull;
  void* const noncanonical = (void*)0x0000800000000000ull;
  struct stat st;
  char buf[64];

  // Copy-in of a buffer.
  EXPECT_EFAULT(write(1, (void*)1, 10));
  EXPECT_EFAULT(write(1, unmapped, 10));
  EXPECT_EFAULT(write(1, inaccessible, 10));
  EXPECT_EFAULT(write(1, kernel, 10));
  EXPECT_EFAULT(write(1, noncanonical, 10));
  // A valid start whose range runs off the end of the address space.
  EXPECT_EFAULT(syscall(SYS_write, 1, buf, SIZE_MAX));

  // Copy-out into unmapped and read-only memory.
  int fd = open("/etc/passwd", O_RDONLY);
  if (fd < 0) {
    perror("open /etc/passwd");
    return 2;
  }
  EXPECT_EFAULT(read(fd, unmapped, 10));
  EXPECT_EFAULT(read(fd, (void*)8, 10));
  EXPECT_EFAULT(read(fd, read_only, 10));
  EXPECT_EFAULT(read(fd, inaccessible, 10));
  EXPECT_EFAULT(pread(fd, kernel, 10, 0));
  close(fd);

  // Paths (strings) and structs.
  EXPECT_EFAULT(syscall(SYS_stat, (const char*)1, &st));
  EXPECT_EFAULT(syscall(SYS_stat, "/", (struct stat*)1));
  EXPECT_EFAULT(syscall(SYS_newfstatat, AT_FDCWD, unmapped, &st, 0));
  EXPECT_EFAULT(syscall(SYS_fstat, 1, read_only));
  EXPECT_EFAULT(syscall(SYS_openat, AT_FDCWD, unmapped, O_RDONLY));
  EXPECT_EFAULT(syscall(SYS_access, kernel, F_OK));
  EXPECT_EFAULT(syscall(SYS_chdir, (const char*)1));
  EXPECT_EFAULT(syscall(SYS_readlink, "/proc/self/exe", unmapped, sizeof(buf)));
  EXPECT_EFAULT(syscall(SYS_getcwd, unmapped, sizeof(buf)));

  // Time.
  EXPECT_EFAULT(syscall(SYS_clock_gettime, CLOCK_REALTIME, (void*)1));
  EXPECT_EFAULT(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, read_only));
  EXPECT_EFAULT(syscall(SYS_gettimeofday, unmapped, NULL));
  EXPECT_EFAULT(syscall(SYS_nanosleep, (void*)1, NULL));

  // Identity and limits.
  EXPECT_EFAULT(syscall(SYS_uname, NULL));
  EXPECT_EFAULT(syscall(SYS_uname, read_only));
  EXPECT_EFAULT(syscall(SYS_getrandom, unmapped, 16, 0));
  EXPECT_EFAULT(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, unmapped));
  EXPECT_EFAULT(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, unmapped, NULL));

  // Signals.
  EXPECT_EFAULT(syscall(SYS_rt_sigaction, SIGUSR1, unmapped, NULL, 8));
  EXPECT_EFAULT(syscall(SYS_rt_sigaction, SIGUSR1, NULL, read_only, 8));
  EXPECT_EFAULT(syscall(SYS_rt_sigprocmask, SIG_BLOCK, unmapped, NULL, 8));

  // Fds: pipe2 into bad memory must not leave fds behind.
  EXPECT_EFAULT(syscall(SYS_pipe2, unmapped, 0));
  int probe = open("/etc/passwd", O_RDONLY);
  if (probe != 3) {
    printf("FAIL: pipe2 with a bad pointer left fds behind (next fd is %d)\n", probe);
    failures++;
  } else {
    printf("ok: no fds left behind\n");
  }
  close(probe);

  // Process calls.
  char* const bad_argv[] = {(char*)1, NULL};
  EXPECT_EFAULT(syscall(SYS_execve, (const char*)1, NULL, NULL));
  EXPECT_EFAULT(syscall(SYS_execve, "/bin/true", unmapped, NULL));
  EXPECT_EFAULT(syscall(SYS_execve, "/bin/true", bad_argv, NULL));
  pid_t child = fork();
  if (child == 0) _exit(7);
  EXPECT_EFAULT(syscall(SYS_wait4, child, unmapped, 0, NULL));
  // Linux reaps the child even though the status could not be stored.
  errno = 0;
  long again = syscall(SYS_wait4, child, NULL, WNOHANG, NULL);
  if (again == -1 && errno == ECHILD) {
    printf("ok: child reaped despite the bad status pointer\n");
  } else {
    printf("FAIL: second wait4 returned %ld errno %d\n", again, errno);
    failures++;
  }

  // Still alive and well: an ordinary write works.
  static const char msg[] = "sandbox goes on\n";
  if (write(1, msg, sizeof(msg) - 1) != (ssize_t)(sizeof(msg) - 1)) failures++;
  printf("%d failures\n", failures);
  return failures == 0 ? 0 : 1;
}

static void* const kFaultAddress = (void*)0x1000;  // Below every mapping.

static void OnSegv(int sig, siginfo_t* info, void* ucontext) {
  (void)ucontext;
  char line[128];
  int ok = sig == SIGSEGV && info->si_signo == SIGSEGV && info->si_addr == kFaultAddress &&
           info->si_code == SEGV_MAPERR;
  int n = snprintf(line, sizeof(line), "%s: SIGSEGV handler: signo %d code %d addr %p\n",
                   ok ? "ok" : "FAIL", info->si_signo, info->si_code, info->si_addr);
  (void)!write(1, line, n);
  _exit(ok ? 0 : 1);
}

static int HostilePageCalls(const char* hex_addr) {
  void* const at = (void*)strtoull(hex_addr, NULL, 16);
  printf("madvise=%d\n", madvise(at, 4096, MADV_DONTNEED));
  printf("munmap=%d\n", munmap(at, 4096));
  printf("mprotect=%d\n", mprotect(at, 4096, PROT_READ | PROT_WRITE));
  void* m = mmap(at, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  printf("mmap-fixed=%s\n", m == MAP_FAILED ? "failed" : "mapped");
  printf("mremap=%s\n", mremap(at, 4096, 8192, 0) == MAP_FAILED ? "failed" : "moved");
  // mincore writes its vector: pointed at the stub's code, it must not.
  printf("mincore-into=%d\n", mincore(at, 4096, (unsigned char*)at));
  fflush(stdout);
  // Memory management and fork still work.
  char* p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    printf("FAIL: mmap after the hostile calls\n");
    return 1;
  }
  strcpy(p, "still mapped");
  pid_t child = fork();
  if (child == 0) _exit(strcmp(p, "still mapped") == 0 ? 0 : 1);
  int status = -1;
  if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    printf("FAIL: fork after the hostile calls (status %d)\n", status);
    return 1;
  }
  printf("ok: memory management survived\n");
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 2) return EfaultChecks();
  if (strcmp(argv[1], "pages") == 0 && argc == 3) return HostilePageCalls(argv[2]);
  if (strcmp(argv[1], "segv") == 0) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = OnSegv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
  }
  if (strcmp(argv[1], "segv") == 0 || strcmp(argv[1], "segv-default") == 0) {
    printf("faulting\n");
    fflush(stdout);
    *(volatile int*)kFaultAddress = 1;
    printf("FAIL: survived the fault\n");
    return 1;
  }
  fprintf(stderr, "unknown mode %s\n", argv[1]);
  return 2;
}
