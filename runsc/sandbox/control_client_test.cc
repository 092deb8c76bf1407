#include "runsc/sandbox/control_client.h"

#include <fcntl.h>
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
  absl::Status SignalProcess(int pid, int signo) override {
    last_pid = pid;
    last_signo = signo;
    return pid == 42 ? absl::OkStatus() : absl::NotFoundError("no process");
  }
  // A fake exec: writes its argv[1] to the stdout it was given, so that the
  // test sees the descriptor came through, and exits with argv.size().
  absl::StatusOr<sentry::ExecStarted> Exec(const sentry::ExecRequest& request,
                                           std::array<UniqueFd, 3> stdio) override {
    if (request.argv[0] == "fail") return absl::NotFoundError("no such program");
    const std::string& text = request.argv.size() > 1 ? request.argv[1] : "";
    EXPECT_EQ(write(stdio[1].get(), text.data(), text.size()), static_cast<ssize_t>(text.size()));
    int code = static_cast<int>(request.argv.size());
    return sentry::ExecStarted{42, [code]() -> absl::StatusOr<int> { return code << 8; }};
  }

  std::atomic<int> last_pid{0};
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

// A pipe whose write end we pass; EOF on the read end proves that nobody
// (the server included) holds a copy any more.
struct Pipe {
  Pipe() {
    int fds[2];
    EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
    read_end.reset(fds[0]);
    write_end.reset(fds[1]);
  }
  std::string ReadAll() {
    write_end.reset();
    std::string out;
    char buf[256];
    ssize_t n;
    while ((n = read(read_end.get(), buf, sizeof(buf))) > 0) out.append(buf, n);
    return out;
  }
  UniqueFd read_end, write_end;
};

TEST_F(ControlClientTest, ExecPassesStdioAndReportsTheExit) {
  Serve();
  ControlClient client(dir_);
  Pipe out;
  absl::StatusOr<ExecSession> session =
      client.Exec({{"argv", {"prog", "written through the fd"}}}, {0, out.write_end.get(), 2});
  ASSERT_TRUE(session.ok()) << session.status();
  EXPECT_EQ(session->pid(), 42);
  absl::StatusOr<int> status = session->Wait();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(*status, 2 << 8);
  EXPECT_EQ(out.ReadAll(), "written through the fd");
  EXPECT_TRUE(client.SignalProcess(42, 15).ok());
  EXPECT_EQ(handler_.last_pid, 42);
  EXPECT_EQ(client.SignalProcess(43, 15).code(), absl::StatusCode::kUnknown);
}

TEST_F(ControlClientTest, ExecFailureIsTheHandlersError) {
  Serve();
  Pipe out;
  absl::StatusOr<ExecSession> session =
      ControlClient(dir_).Exec({{"argv", {"fail"}}}, {0, out.write_end.get(), 2});
  EXPECT_EQ(session.status().code(), absl::StatusCode::kUnknown);
  EXPECT_THAT(session.status().message(), HasSubstr("no such program"));
  EXPECT_EQ(out.ReadAll(), "");  // The server closed its copy.
}

TEST_F(ControlClientTest, WrongDescriptorCountsAreRefusedAndClosed) {
  Serve();
  ControlClient client(dir_);
  for (size_t count : {0, 1, 2, 4, 8, 12}) {
    SCOPED_TRACE(count);
    Pipe p;
    std::vector<int> fds(count, p.write_end.get());
    absl::StatusOr<nlohmann::json> reply =
        client.CallWithFds({{"cmd", "exec"}, {"argv", {"prog", "x"}}}, fds);
    ASSERT_FALSE(reply.ok());
    EXPECT_THAT(reply.status().message(),
                count > 8 ? HasSubstr("more than 8 descriptors") : HasSubstr("needs 3 descriptors"));
    EXPECT_EQ(p.ReadAll(), "");  // Every copy the server got is closed, none was used.
  }
  // Descriptors with any other request: refused, closed, handler untouched.
  Pipe p;
  absl::StatusOr<nlohmann::json> reply = client.CallWithFds({{"cmd", "start"}}, {p.write_end.get()});
  ASSERT_FALSE(reply.ok());
  EXPECT_THAT(reply.status().message(), HasSubstr("takes no descriptors"));
  EXPECT_EQ(handler_.starts, 0);
  EXPECT_EQ(p.ReadAll(), "");
  // The server still works.
  EXPECT_TRUE(client.Start().ok());
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
