// Job control on a controlling terminal (man 4 tty_ioctl, man 2 ioctl_tty):
// run as a session leader whose controlling terminal is fd 0 (the
// container's console under runsc; a pty slave natively), it prints one
// line per check. The e2e test runs it both ways and compares the lines, so
// the host kernel is the referee.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const char* Err(int rc) {
  if (rc >= 0) return "ok";
  switch (errno) {
    case EIO: return "EIO";
    case EINTR: return "EINTR";
    case ENOTTY: return "ENOTTY";
    case EPERM: return "EPERM";
    case ESRCH: return "ESRCH";
    case EINVAL: return "EINVAL";
    case ENXIO: return "ENXIO";
    default: return strerror(errno);
  }
}

static volatile sig_atomic_t caught_ttou = 0;
static void OnTtou(int sig) { (void)sig; caught_ttou = 1; }

static void Say(const char* what, const char* result) {
  printf("%s %s\n", what, result);
  fflush(stdout);
}

// A child that moves to a process group of its own: the background.
static void BackgroundChecks(pid_t parent_pgrp) {
  if (setpgid(0, 0) != 0) Say("setpgid", Err(-1));
  pid_t fg = -1;
  int rc = ioctl(0, TIOCGPGRP, &fg);
  Say("bg_gpgrp", rc == 0 && fg == parent_pgrp ? "parent" : Err(rc));

  struct termios t;
  tcgetattr(0, &t);
  signal(SIGTTOU, SIG_IGN);
  Say("bg_tcsetattr_ttou_ignored", Err(tcsetattr(0, TCSANOW, &t)));

  signal(SIGTTIN, SIG_IGN);
  char c;
  Say("bg_read_ttin_ignored", Err((int)read(0, &c, 1)));

  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = OnTtou;  // No SA_RESTART: the call fails with EINTR.
  sigaction(SIGTTOU, &sa, NULL);
  rc = tcsetattr(0, TCSANOW, &t);
  Say("bg_tcsetattr_ttou_caught", Err(rc));
  Say("bg_ttou_handler_ran", caught_ttou ? "yes" : "no");

  signal(SIGTTOU, SIG_IGN);
  pid_t self = getpgrp();
  rc = ioctl(0, TIOCSPGRP, &self);
  Say("bg_spgrp_self", Err(rc));
  fg = -1;
  ioctl(0, TIOCGPGRP, &fg);
  Say("fg_is_now_child", fg == self ? "yes" : "no");
  pid_t missing = 2000000000;  // Above any pid_max: no such group.
  Say("spgrp_missing", Err(ioctl(0, TIOCSPGRP, &missing)));
  pid_t negative = -5;
  Say("spgrp_negative", Err(ioctl(0, TIOCSPGRP, &negative)));
  Say("spgrp_bad_pointer", Err(ioctl(0, TIOCSPGRP, (void*)8)));
  Say("spgrp_back", Err(ioctl(0, TIOCSPGRP, &parent_pgrp)));
  Say("sctty_not_leader", Err(ioctl(0, TIOCSCTTY, 0)));

}

// A process that is no group leader starts a session of its own: the
// terminal is not its controlling terminal any more.
static void NewSessionChecks(void) {
  pid_t fg;
  if (setsid() < 0) Say("setsid", Err(-1));
  Say("new_session_gpgrp", Err(ioctl(0, TIOCGPGRP, &fg)));
  pid_t sid;
  Say("new_session_gsid", Err(ioctl(0, TIOCGSID, &sid)));
  Say("new_session_dev_tty", Err(open("/dev/tty", O_RDWR)));
  Say("new_session_sctty_taken", Err(ioctl(0, TIOCSCTTY, 0)));
  Say("new_session_notty", Err(ioctl(0, TIOCNOTTY)));
}

// A child in the foreground that gives the terminal up: only it loses it.
static void NottyChecks(void) {
  Say("notty_child", Err(ioctl(0, TIOCNOTTY)));
  pid_t fg;
  Say("notty_child_gpgrp", Err(ioctl(0, TIOCGPGRP, &fg)));
  Say("notty_child_dev_tty", Err(open("/dev/tty", O_RDWR)));
}

// A background process whose stop signal is at its default action: its
// read (SIGTTIN) or terminal change (SIGTTOU) stops its group, which the
// parent sees, then ends.
static void StopCheck(const char* what, int expected_sig, int use_read) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    if (use_read) {
      char c;
      (void)read(0, &c, 1);
    } else {
      struct termios t;
      tcgetattr(0, &t);
      tcsetattr(0, TCSANOW, &t);
    }
    _exit(0);
  }
  setpgid(pid, pid);  // Whichever of the two runs first.
  int status = 0;
  waitpid(pid, &status, WUNTRACED);
  if (WIFSTOPPED(status)) {
    Say(what, WSTOPSIG(status) == expected_sig ? "stopped" : "stopped by another signal");
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  } else {
    Say(what, "not stopped");
  }
}

static void RunChild(void (*checks)(void*), void* arg) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    checks(arg);
    fflush(stdout);
    _exit(0);
  }
  int status;
  waitpid(pid, &status, 0);
  Say("child_exit", WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "0" : "bad");
}

static void Background(void* arg) { BackgroundChecks(*(pid_t*)arg); }
static void NewSession(void* arg) { (void)arg; NewSessionChecks(); }
static void Notty(void* arg) { (void)arg; NottyChecks(); }

int main(void) {
  Say("isatty", isatty(0) ? "yes" : "no");
  pid_t sid = -1, fg = -1;
  int rc = ioctl(0, TIOCGSID, &sid);
  Say("gsid_is_self", rc == 0 && sid == getsid(0) && sid == getpid() ? "yes" : Err(rc));
  rc = ioctl(0, TIOCGPGRP, &fg);
  Say("gpgrp_is_self", rc == 0 && fg == getpgrp() ? "yes" : Err(rc));
  Say("gpgrp_bad_pointer", Err(ioctl(0, TIOCGPGRP, (void*)8)));
  Say("sctty_again", Err(ioctl(0, TIOCSCTTY, 0)));
  int tty = open("/dev/tty", O_RDWR);
  Say("dev_tty", tty >= 0 && isatty(tty) ? "ok" : Err(tty));
  if (tty >= 0) {
    pid_t via_dev_tty = -1;
    ioctl(tty, TIOCGPGRP, &via_dev_tty);
    Say("dev_tty_same_terminal", via_dev_tty == fg ? "yes" : "no");
    close(tty);
  }
  pid_t pgrp = getpgrp();
  RunChild(Background, &pgrp);
  StopCheck("bg_read_ttin_default", SIGTTIN, 1);
  StopCheck("bg_tcsetattr_ttou_default", SIGTTOU, 0);
  fg = -1;
  ioctl(0, TIOCGPGRP, &fg);
  Say("fg_restored", fg == pgrp ? "yes" : "no");
  RunChild(NewSession, NULL);
  RunChild(Notty, NULL);
  Say("parent_still_has_it", ioctl(0, TIOCGPGRP, &fg) == 0 ? "yes" : "no");
  Say("done", "ok");
  return 0;
}
