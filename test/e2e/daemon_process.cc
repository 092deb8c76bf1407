#include "test/e2e/daemon_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "test/e2e/test_bundle.h"

namespace runsc::testing {

absl::StatusOr<std::unique_ptr<DaemonProcess>> DaemonProcess::Start(
    const std::vector<std::string>& argv, const std::string& log_path) {
  int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0)
    return absl::InternalError(absl::StrCat("open ", log_path, ": ", strerror(errno)));
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
  }
  if (pid == 0) {
    setsid();
    int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    execv(cargv[0], cargv.data());
    dprintf(2, "exec %s: %s\n", cargv[0], strerror(errno));
    _exit(127);
  }
  close(log_fd);
  return std::unique_ptr<DaemonProcess>(new DaemonProcess(pid, log_path));
}

bool DaemonProcess::Exited() {
  if (reaped_) return true;
  int status;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) reaped_ = true;
  return reaped_;
}

absl::Status DaemonProcess::WaitReady(const std::function<bool()>& ready, int timeout_seconds) {
  for (int waited_ms = 0; waited_ms < timeout_seconds * 1000; waited_ms += 100) {
    if (ready()) return absl::OkStatus();
    if (Exited()) {
      return absl::UnavailableError(
          absl::StrCat("daemon exited before it was ready; log:\n", LogTail()));
    }
    usleep(100 * 1000);
  }
  return absl::DeadlineExceededError(
      absl::StrCat("daemon not ready after ", timeout_seconds, "s; log:\n", LogTail()));
}

void DaemonProcess::Stop(int grace_seconds) {
  if (Exited()) return;
  kill(pid_, SIGTERM);
  for (int waited_ms = 0; waited_ms < grace_seconds * 1000; waited_ms += 50) {
    if (Exited()) break;
    usleep(50 * 1000);
  }
  // Whatever is left of its process group goes too (the daemon, if it did
  // not exit, and helpers it started that did not leave the group).
  kill(-pid_, SIGKILL);
  if (!reaped_) {
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
  }
}

std::string DaemonProcess::LogTail(size_t bytes) const {
  std::string log = ReadFile(log_path_);
  return log.size() <= bytes ? log : log.substr(log.size() - bytes);
}

}  // namespace runsc::testing
