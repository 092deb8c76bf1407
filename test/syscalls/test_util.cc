#include "test/syscalls/test_util.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

namespace runsc::syscall_test {

TempDir::TempDir() {
  const char* base = getenv("TEST_TMPDIR");
  std::string templ = std::string(base != nullptr && *base != '\0' ? base : "/tmp") +
                      "/runsc_syscall_test.XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp " << templ << ": " << strerror(errno);
  }
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

bool HaveCapability(int capability) {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  return (data[capability / 32].effective & (1u << (capability % 32))) != 0;
}

void WriteFileOrDie(const std::string& path, const std::string& contents) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    ADD_FAILURE() << "open " << path << ": " << strerror(errno);
    return;
  }
  if (write(fd, contents.data(), contents.size()) != static_cast<ssize_t>(contents.size())) {
    ADD_FAILURE() << "write " << path << ": " << strerror(errno);
  }
  close(fd);
}

int RunInChild(const std::function<int()>& body, unsigned timeout_seconds) {
  pid_t child = fork();
  if (child < 0) {
    ADD_FAILURE() << "fork: " << strerror(errno);
    return -1;
  }
  if (child == 0) {
    alarm(timeout_seconds);
    _exit(body());
  }
  int status = 0;
  pid_t waited;
  do {
    waited = waitpid(child, &status, 0);
  } while (waited < 0 && errno == EINTR);
  if (waited != child) {
    ADD_FAILURE() << "waitpid: " << strerror(errno);
    return -1;
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

void ChildCheckFailed(const char* file, int line, const char* condition) {
  const int err = errno;
  // No stdio stream and no allocation: the parent's buffered output must not be
  // flushed twice, and the child may run in a signal handler.
  char message[512];
  int n = snprintf(message, sizeof(message), "%s:%d: child check failed: %s (errno %s)\n", file,
                   line, condition, err != 0 ? strerrorname_np(err) : "0");
  if (n > 0) {
    size_t length = static_cast<size_t>(n) < sizeof(message) ? n : sizeof(message) - 1;
    (void)!write(2, message, length);
  }
  _exit(1);
}

TestPipe::TestPipe(int flags) {
  if (pipe2(fds_, flags) != 0) {
    ADD_FAILURE() << "pipe2: " << strerror(errno);
    fds_[0] = fds_[1] = -1;
  }
}

TestPipe::~TestPipe() {
  CloseRead();
  CloseWrite();
}

void TestPipe::CloseRead() {
  if (fds_[0] >= 0) close(fds_[0]);
  fds_[0] = -1;
}

void TestPipe::CloseWrite() {
  if (fds_[1] >= 0) close(fds_[1]);
  fds_[1] = -1;
}

bool DropToNobody() {
  return setgroups(0, nullptr) == 0 && setresgid(kNobodyId, kNobodyId, kNobodyId) == 0 &&
         setresuid(kNobodyId, kNobodyId, kNobodyId) == 0;
}

void DisableCoreDumps() {
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_CORE, &none);
}

ScopedAlarm::ScopedAlarm(unsigned seconds) {
  struct sigaction action = {};
  action.sa_handler = [](int) {};
  sigemptyset(&action.sa_mask);
  sigaction(SIGALRM, &action, &old_action_);
  alarm(seconds);
}

ScopedAlarm::~ScopedAlarm() {
  alarm(0);
  sigaction(SIGALRM, &old_action_, nullptr);
}

}  // namespace runsc::syscall_test
