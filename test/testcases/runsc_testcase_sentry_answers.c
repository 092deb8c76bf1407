// Asks questions whose true host answers are known to the test that runs
// it, and prints what it was told. Every answer must come from the sentry:
//
//   runsc_testcase_sentry_answers HOST_PID HOST_PATH HOST_RELEASE
//
//   HOST_PID      a live host process outside the sandbox: kill() must not
//                 find it (ESRCH), and it must survive.
//   HOST_PATH     a file that exists at that absolute path on the host but
//                 not in the container's rootfs: open() must give ENOENT.
//   HOST_RELEASE  the host's `uname -r`: the sandbox's must differ.
//
// Prints "key=value" lines for the test to compare and "ok:"/"FAIL:" lines
// for each check; exits 0 if every check passed.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

static int failures;

static void Check(int ok, const char* what) {
  printf("%s: %s\n", ok ? "ok" : "FAIL", what);
  if (!ok) failures++;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s HOST_PID HOST_PATH HOST_RELEASE\n", argv[0]);
    return 2;
  }
  const pid_t host_pid = (pid_t)atoi(argv[1]);
  const char* host_path = argv[2];
  const char* host_release = argv[3];

  // Raw syscalls: glibc caches nothing here, but be explicit.
  long pid = syscall(SYS_getpid);
  long ppid = syscall(SYS_getppid);
  printf("getpid=%ld\ngetppid=%ld\n", pid, ppid);
  Check(pid == 1, "getpid is 1 (the container's init)");
  Check(ppid == 0, "getppid is 0 (no parent inside the sandbox)");

  errno = 0;
  long r = syscall(SYS_kill, host_pid, 0);
  printf("kill0=%ld errno=%d\n", r, errno);
  Check(r == -1 && errno == ESRCH, "kill(host pid, 0) gives ESRCH");
  errno = 0;
  r = syscall(SYS_kill, host_pid, SIGKILL);
  printf("kill9=%ld errno=%d\n", r, errno);
  Check(r == -1 && errno == ESRCH, "kill(host pid, SIGKILL) gives ESRCH");

  errno = 0;
  r = syscall(SYS_open, host_path, O_RDONLY);
  printf("open=%ld errno=%d\n", r, errno);
  Check(r == -1 && errno == ENOENT, "open(host-only path) gives ENOENT");
  struct stat st;
  errno = 0;
  r = syscall(SYS_stat, host_path, &st);
  Check(r == -1 && errno == ENOENT, "stat(host-only path) gives ENOENT");

  struct utsname u;
  r = syscall(SYS_uname, &u);
  printf("release=%s\nnodename=%s\nsysname=%s\n", u.release, u.nodename, u.sysname);
  Check(r == 0 && strcmp(u.release, host_release) != 0, "uname release differs from the host's");

  fflush(stdout);
  return failures == 0 ? 0 : 1;
}
