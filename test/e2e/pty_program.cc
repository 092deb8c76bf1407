#include "test/e2e/pty_program.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "absl/strings/str_join.h"
#include "gtest/gtest.h"

namespace runsc::testing {

CommandResult RunOnPty(const std::vector<std::string>& argv, const std::string& input,
                       int timeout_seconds) {
  CommandResult result;
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
    ADD_FAILURE() << "posix_openpt: " << strerror(errno);
    if (master >= 0) close(master);
    return result;
  }
  std::string slave_path = ptsname(master);
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << strerror(errno);
    close(master);
    return result;
  }
  if (pid == 0) {
    setsid();
    int slave = open(slave_path.c_str(), O_RDWR);  // Becomes the controlling terminal.
    if (slave < 0) _exit(126);
    ioctl(slave, TIOCSCTTY, 0);
    winsize size = {.ws_row = 24, .ws_col = 80, .ws_xpixel = 0, .ws_ypixel = 0};
    ioctl(slave, TIOCSWINSZ, &size);
    dup2(slave, 0);
    dup2(slave, 1);
    dup2(slave, 2);
    if (slave > 2) close(slave);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
  std::string pending = input;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  bool exited = false;
  while (!exited) {
    if (std::chrono::steady_clock::now() >= deadline) break;
    pollfd p = {master, static_cast<short>(POLLIN | (pending.empty() ? 0 : POLLOUT)), 0};
    poll(&p, 1, 100);
    char buf[4096];
    ssize_t n;
    while ((n = read(master, buf, sizeof(buf))) > 0) result.out.append(buf, n);
    if (!pending.empty() && (p.revents & POLLOUT)) {
      ssize_t w = write(master, pending.data(), pending.size());
      if (w > 0) pending.erase(0, w);
    }
    exited = waitpid(pid, &status, WNOHANG) == pid;
  }
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    ADD_FAILURE() << absl::StrJoin(argv, " ") << " on a pty timed out after " << timeout_seconds
                  << "s; the terminal showed: " << result.out;
    close(master);
    return result;
  }
  char buf[4096];
  ssize_t n;
  while ((n = read(master, buf, sizeof(buf))) > 0) result.out.append(buf, n);
  close(master);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  return result;
}

}  // namespace runsc::testing
