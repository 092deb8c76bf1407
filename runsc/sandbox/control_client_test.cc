#include "runsc/sandbox/control_client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runsc/sandbox/sandbox.h"
#include "sentry/boot/control_server.h"

namespace runsc::sandbox {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class RecordingHandler : public sentry::ControlHandler {
 public:
  absl::Status Start() override {
    ++starts;
    return starts == 1 ? absl::OkStatus() : absl::FailedPreconditionError("already started");
  }
  absl::Status Signal(int signo, bool all) override {
    last_signo = signo;
    last_all = all;
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<pid_t>> HostPids() override { return std::vector<pid_t>{7, 8}; }

  std::atomic<int> starts{0};
  std::atomic<int> last_signo{0};
  std::atomic<bool> last_all{false};
};

class ControlClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/client-XXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  UniqueFd Listen() {
    UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    std::string path = dir_ + "/" + kControlSocketName;
    strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    EXPECT_EQ(bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(fd.get(), 4), 0);
    return fd;
  }

  void Serve() {
    server_ = std::make_unique<sentry::ControlServer>(Listen(), handler_);
    ASSERT_TRUE(server_->StartServing().ok());
  }

  std::string dir_;
  RecordingHandler handler_;
  std::unique_ptr<sentry::ControlServer> server_;
};

TEST_F(ControlClientTest, TalksToTheServer) {
  Serve();
  ControlClient client(dir_);
  EXPECT_TRUE(client.Start().ok());
  absl::Status again = client.Start();
  EXPECT_EQ(again.code(), absl::StatusCode::kUnknown);
  EXPECT_EQ(again.message(), "already started");
  EXPECT_TRUE(client.Signal(9, true).ok());
  EXPECT_EQ(handler_.last_signo, 9);
  EXPECT_TRUE(handler_.last_all);
  auto pids = client.HostPids();
  ASSERT_TRUE(pids.ok()) << pids.status();
  EXPECT_THAT(*pids, ElementsAre(7, 8));
}

TEST_F(ControlClientTest, NoSocketIsUnavailable) {
  ControlClient client(dir_);
  absl::Status status = client.Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("cannot reach the sandbox"));
}

TEST_F(ControlClientTest, SilentServerTimesOut) {
  UniqueFd listening = Listen();  // Accepts connections (backlog) but never answers.
  ControlClient client(dir_, absl::Milliseconds(200));
  absl::Status status = client.Signal(15, false);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("did not answer in time"));
}

TEST_F(ControlClientTest, LongStateDirectoryPath) {
  // Longer than sun_path: the client goes through /proc/self/fd.
  std::string deep = dir_;
  while (deep.size() < 200) {
    deep += "/0123456789abcdef";
    ASSERT_EQ(mkdir(deep.c_str(), 0700), 0);
  }
  ControlClient client(deep);
  EXPECT_EQ(client.Start().code(), absl::StatusCode::kUnavailable);  // No socket there.
}

}  // namespace
}  // namespace runsc::sandbox
