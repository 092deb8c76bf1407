// A program that drives an interactive shell on a pseudo-terminal it makes
// itself (posix_openpt, as script(1) and terminal emulators do): the shell
// is a session leader whose controlling terminal is the replica. It types
// two commands, reads everything the terminal shows until the shell exits,
// and prints one line per check. In a sandbox the pty is the sentry's.
//
// argv[1]: the shell (default /bin/sh).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static char screen[65536];
static size_t screen_len = 0;

// Reads the master until `want` shows up (or the replica is gone, EIO, or
// nothing comes for 10 seconds).
static int ReadUntil(int master, const char* want) {
  for (;;) {
    screen[screen_len] = '\0';
    if (want != NULL && strstr(screen, want) != NULL) return 1;
    struct pollfd p = {master, POLLIN, 0};
    if (poll(&p, 1, 10000) <= 0) return 0;
    ssize_t n = read(master, screen + screen_len, sizeof(screen) - 1 - screen_len);
    if (n <= 0) return 0;  // EIO: every replica closed.
    screen_len += (size_t)n;
  }
}

int main(int argc, char** argv) {
  const char* shell = argc > 1 ? argv[1] : "/bin/sh";
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
    printf("posix_openpt: %s\n", strerror(errno));
    return 1;
  }
  char name[64];
  if (ptsname_r(master, name, sizeof(name)) != 0) {
    printf("ptsname: %s\n", strerror(errno));
    return 1;
  }
  printf("ptsname=%s\n", strncmp(name, "/dev/pts/", 9) == 0 ? "/dev/pts/N" : name);
  struct winsize ws = {.ws_row = 30, .ws_col = 100};
  ioctl(master, TIOCSWINSZ, &ws);
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    int replica = open(name, O_RDWR);  // Becomes the controlling terminal.
    if (replica < 0) _exit(126);
    dup2(replica, 0);
    dup2(replica, 1);
    dup2(replica, 2);
    if (replica > 2) close(replica);
    close(master);
    execl(shell, "sh", "-i", (char*)NULL);
    _exit(127);
  }
  // Each command is typed once the previous one has run: what the shell
  // prints for it is the answer, not the echo of what was typed.
  const char* first = "echo tty=$(tty) size=$(stty size)\r";
  if (write(master, first, strlen(first)) < 0) return 1;
  printf("tty-seen=%d\n", ReadUntil(master, "tty=/dev/pts/"));
  printf("size-seen=%d\n", ReadUntil(master, "size=30 100"));
  const char* second = "echo sum=$((6*7)); exit 3\r";
  if (write(master, second, strlen(second)) < 0) return 1;
  printf("sum-seen=%d\n", ReadUntil(master, "sum=42\r\n"));
  ReadUntil(master, NULL);  // To the end: EIO once the shell is gone.
  int status = 0;
  waitpid(pid, &status, 0);
  printf("exit=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  return 0;
}
