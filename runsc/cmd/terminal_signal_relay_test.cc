#include "runsc/cmd/terminal_signal_relay.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "runsc/sandbox/host_console.h"
#include "runsc/sandbox/sandbox.h"
#include "sentry/boot/control_server.h"

namespace runsc::cmd {
namespace {

// Stands in for the sentry: records which terminal signals were asked for.
class TerminalHandler : public sentry::ControlHandler {
 public:
  absl::Status Start() override { return absl::OkStatus(); }
  absl::Status Signal(int, bool) override { return absl::OkStatus(); }
  absl::StatusOr<std::vector<pid_t>> HostPids() override { return std::vector<pid_t>{}; }
  absl::Status SignalTerminalForeground(int pid, int signo) override {
    absl::MutexLock lock(&mu_);
    asked_.push_back({pid, signo});
    return absl::OkStatus();
  }
  // Waits until a request for `signo` came; the pid it named, or 0.
  int WaitFor(int signo) {
    absl::MutexLock lock(&mu_);
    auto came = [&] {
      for (const auto& [pid, sig] : asked_) {
        if (sig == signo) return true;
      }
      return false;
    };
    mu_.AwaitWithTimeout(absl::Condition(&came), absl::Seconds(30));
    for (const auto& [pid, sig] : asked_) {
      if (sig == signo) return pid;
    }
    return 0;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::pair<int, int>> asked_;
};

UniqueFd Listen(const std::string& dir) {
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::string path = dir + "/" + sandbox::kControlSocketName;
  strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  EXPECT_EQ(bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_EQ(listen(fd.get(), 4), 0);
  return fd;
}

TEST(TerminalSignalRelayTest, KeysAndWindowChangesOnTheMasterReachTheSandbox) {
  std::string dir = ::testing::TempDir() + "/relay-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  absl::StatusOr<sandbox::HostPty> pty = sandbox::OpenHostPty(24, 80);
  ASSERT_TRUE(pty.ok()) << pty.status();
  // Before the server's thread exists: the relay forks without exec.
  absl::StatusOr<std::unique_ptr<TerminalSignalRelay>> relay =
      TerminalSignalRelay::Start(pty->slave.get(), dir, /*die_with_parent=*/true);
  ASSERT_TRUE(relay.ok()) << relay.status();
  TerminalHandler handler;
  {
    sentry::ControlServer server(Listen(dir), handler);
    ASSERT_TRUE(server.StartServing().ok());
    // A window change before Attach queues in the relay; it is not lost.
    struct winsize size = {};
    size.ws_row = 30;
    size.ws_col = 90;
    ASSERT_EQ(ioctl(pty->master.get(), TIOCSWINSZ, &size), 0);
    ASSERT_TRUE((*relay)->Attach(7).ok());
    EXPECT_EQ(handler.WaitFor(SIGWINCH), 7);
    // ^C typed on the master: the line discipline's SIGINT, relayed.
    ASSERT_EQ(write(pty->master.get(), "\x03", 1), 1);
    EXPECT_EQ(handler.WaitFor(SIGINT), 7);
    relay->reset();  // Killed and reaped before the server goes.
  }
  std::filesystem::remove_all(dir);
}

TEST(TerminalSignalRelayTest, FailsCleanlyOnSomethingThatIsNotATerminal) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  absl::StatusOr<std::unique_ptr<TerminalSignalRelay>> relay =
      TerminalSignalRelay::Start(read_end.get(), ::testing::TempDir(), /*die_with_parent=*/true);
  EXPECT_FALSE(relay.ok());
}

}  // namespace
}  // namespace runsc::cmd
