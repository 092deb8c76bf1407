// Calls a syscall the sentry's table leaves unimplemented and checks that
// the sandbox answers it with ENOSYS and goes on.
//
// The syscall is ioprio_get(IOPRIO_WHO_PROCESS, 0): the host kernel always
// answers it with a priority (>= 0), so ENOSYS can only come from the sentry.
// If the table ever implements it, pick another unimplemented syscall that
// the host answers successfully.
//
// Prints one line per check and exits 0 if every check passed, 1 otherwise.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define IOPRIO_WHO_PROCESS 1

static int failures;

static void Check(int ok, const char* what) {
  printf("%s: %s\n", ok ? "ok" : "FAIL", what);
  if (!ok) failures++;
}

int main(void) {
  errno = 0;
  long r = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);
  printf("ioprio_get = %ld errno = %d (%s)\n", r, errno, strerror(errno));
  Check(r == -1 && errno == ENOSYS, "ioprio_get gives ENOSYS");

  // Twice: the sentry reports an unimplemented syscall once per sandbox.
  errno = 0;
  r = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);
  Check(r == -1 && errno == ENOSYS, "ioprio_get again gives ENOSYS");

  // A number past the end of the table.
  errno = 0;
  r = syscall(1000, 0, 0, 0);
  Check(r == -1 && errno == ENOSYS, "syscall 1000 gives ENOSYS");
  errno = 0;
  r = syscall(-5L);
  Check(r == -1 && errno == ENOSYS, "syscall -5 gives ENOSYS");

  // The process goes on and implemented syscalls still work.
  Check(getpid() > 0 && getpid() == syscall(SYS_getpid), "getpid still answers");
  printf("still running\n");
  fflush(stdout);
  return failures == 0 ? 0 : 1;
}
