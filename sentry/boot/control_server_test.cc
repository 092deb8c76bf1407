#include "sentry/boot/control_server.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace runsc::sentry {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

// Records what reached it. The test is about the protocol, so a fake handler
// is all it needs.
class FakeHandler : public ControlHandler {
 public:
  absl::Status Start() override {
    absl::MutexLock lock(&mu_);
    ++starts_;
    if (starts_ > 1) return absl::FailedPreconditionError("already started");
    return absl::OkStatus();
  }
  absl::Status Signal(int signo, bool all) override {
    absl::MutexLock lock(&mu_);
    signals_.push_back({signo, all});
    if (signo == 13) return absl::NotFoundError("no such process");
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<pid_t>> HostPids() override {
    absl::MutexLock lock(&mu_);
    ++pids_calls_;
    if (fail_pids_) return absl::InternalError("pids \xff unavailable");
    return std::vector<pid_t>{10, 20};
  }

  absl::Status SignalProcess(int pid, int signo) override {
    absl::MutexLock lock(&mu_);
    process_signals_.push_back({pid, signo, false});
    return absl::OkStatus();
  }
  absl::Status SignalTerminalForeground(int pid, int signo) override {
    absl::MutexLock lock(&mu_);
    process_signals_.push_back({pid, signo, true});
    return absl::OkStatus();
  }
  absl::StatusOr<int> WaitForInit() override { return 7 << 8; }  // exit(7)

  struct ProcessSignal {
    int pid, signo;
    bool terminal;
    bool operator==(const ProcessSignal&) const = default;
  };
  std::vector<ProcessSignal> process_signals() {
    absl::MutexLock lock(&mu_);
    return process_signals_;
  }

  int starts() {
    absl::MutexLock lock(&mu_);
    return starts_;
  }
  std::vector<std::pair<int, bool>> signals() {
    absl::MutexLock lock(&mu_);
    return signals_;
  }
  int calls() {
    absl::MutexLock lock(&mu_);
    return starts_ + static_cast<int>(signals_.size()) + pids_calls_ +
           static_cast<int>(process_signals_.size());
  }
  void set_fail_pids(bool fail) {
    absl::MutexLock lock(&mu_);
    fail_pids_ = fail;
  }

 private:
  absl::Mutex mu_;
  int starts_ = 0;
  int pids_calls_ = 0;
  bool fail_pids_ = false;
  std::vector<std::pair<int, bool>> signals_;
  std::vector<ProcessSignal> process_signals_;
};

json Handle(const std::string& line, ControlHandler& handler) {
  std::string reply = ControlServer::HandleRequest(line, handler);
  EXPECT_EQ(reply.find('\n'), std::string::npos);
  json j = json::parse(reply, nullptr, false);
  EXPECT_TRUE(j.is_object()) << reply;
  return j;
}

TEST(ControlProtocolTest, Start) {
  FakeHandler handler;
  EXPECT_EQ(Handle(R"({"cmd":"start"})", handler), json({{"ok", true}}));
  json again = Handle(R"({"cmd":"start"})", handler);
  EXPECT_EQ(again["ok"], false);
  EXPECT_EQ(again["error"], "already started");
}

TEST(ControlProtocolTest, Signal) {
  FakeHandler handler;
  EXPECT_EQ(Handle(R"({"cmd":"signal","signo":15})", handler)["ok"], true);
  EXPECT_EQ(Handle(R"({"cmd":"signal","signo":9,"all":true})", handler)["ok"], true);
  EXPECT_EQ(Handle(R"({"cmd":"signal","signo":64,"all":false})", handler)["ok"], true);
  json failed = Handle(R"({"cmd":"signal","signo":13})", handler);
  EXPECT_EQ(failed["ok"], false);
  EXPECT_EQ(failed["error"], "no such process");
  std::vector<std::pair<int, bool>> want = {{15, false}, {9, true}, {64, false}, {13, false}};
  EXPECT_EQ(handler.signals(), want);
}

// runsc exec forwards its own signals to its process, and runsc exec
// --tty's relay those of the terminal to the terminal's foreground group.
TEST(ControlProtocolTest, SignalOneProcessOrItsTerminalsForeground) {
  FakeHandler handler;
  EXPECT_EQ(Handle(R"({"cmd":"signal","signo":15,"pid":7})", handler)["ok"], true);
  EXPECT_EQ(Handle(R"({"cmd":"signal","signo":2,"pid":7,"terminal":true})", handler)["ok"], true);
  EXPECT_EQ(Handle(R"({"cmd":"signal","signo":28,"pid":8,"terminal":false})", handler)["ok"], true);
  std::vector<FakeHandler::ProcessSignal> want = {{7, 15, false}, {7, 2, true}, {8, 28, false}};
  EXPECT_EQ(handler.process_signals(), want);
  EXPECT_TRUE(handler.signals().empty());
}

TEST(ControlProtocolTest, Pids) {
  FakeHandler handler;
  json reply = Handle(R"({"cmd":"pids"})", handler);
  EXPECT_EQ(reply["ok"], true);
  EXPECT_EQ(reply["pids"], json({10, 20}));
  handler.set_fail_pids(true);
  reply = Handle(R"({"cmd":"pids"})", handler);
  EXPECT_EQ(reply["ok"], false);
  EXPECT_THAT(reply["error"].get<std::string>(), HasSubstr("unavailable"));
}

// runsc wait: the first reply says the wait is on, the second (from a
// thread of the server's) carries init's wait status.
TEST(ControlProtocolTest, WaitRepliesTwiceOnTheSameConnection) {
  FakeHandler handler;
  ControlServer::Response r = ControlServer::Handle(R"({"cmd":"wait"})", {}, handler);
  EXPECT_EQ(json::parse(r.reply), json({{"ok", true}, {"pid", 1}}));
  ASSERT_TRUE(r.then);
  EXPECT_EQ(json::parse(r.then()), json({{"ok", true}, {"status", 7 << 8}}));

  ControlServer::Response bad = ControlServer::Handle(R"({"cmd":"wait","pid":3})", {}, handler);
  EXPECT_EQ(json::parse(bad.reply)["ok"], false);
  EXPECT_FALSE(bad.then);

  // A handler that cannot wait says so in the second reply.
  class NoWait : public FakeHandler {
   public:
    absl::StatusOr<int> WaitForInit() override { return absl::UnavailableError("gone"); }
  } no_wait;
  ControlServer::Response r2 = ControlServer::Handle(R"({"cmd":"wait"})", {}, no_wait);
  ASSERT_TRUE(r2.then);
  json second = json::parse(r2.then());
  EXPECT_EQ(second["ok"], false);
  EXPECT_EQ(second["error"], "gone");
}

TEST(ControlProtocolTest, MalformedRequestsNeverReachTheHandler) {
  FakeHandler handler;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "not JSON"},
      {"garbage", "not JSON"},
      {"{\"cmd\":", "not JSON"},
      {std::string("\0\1\2\xff", 4), "not JSON"},
      {"[1,2]", "not a JSON object"},
      {"\"start\"", "not a JSON object"},
      {"{}", "\"cmd\" is missing"},
      {R"({"cmd":1})", "\"cmd\" must be a string"},
      {R"({"cmd":"reboot"})", "unknown cmd \"reboot\""},
      {R"({"cmd":"start","force":true})", "unknown member \"force\""},
      {R"({"cmd":"pids","x":1})", "unknown member \"x\""},
      {R"({"cmd":"signal"})", "\"signo\" is missing"},
      {R"({"cmd":"signal","signo":"9"})", "\"signo\" must be an integer"},
      {R"({"cmd":"signal","signo":9.5})", "\"signo\" must be an integer"},
      {R"({"cmd":"signal","signo":0})", "is not a signal number"},
      {R"({"cmd":"signal","signo":-9})", "is not a signal number"},
      {R"({"cmd":"signal","signo":65})", "is not a signal number"},
      {R"({"cmd":"signal","signo":4294967311})", "is not a signal number"},
      {R"({"cmd":"signal","signo":18446744073709551615})", "is not a signal number"},
      {R"({"cmd":"signal","signo":9,"all":"yes"})", "\"all\" must be a boolean"},
      {R"({"cmd":"signal","signo":9,"pid":0})", "must be a positive pid"},
      {R"({"cmd":"signal","signo":9,"pid":-1})", "must be a positive pid"},
      {R"({"cmd":"signal","signo":9,"pid":"1"})", "must be a positive pid"},
      {R"({"cmd":"signal","signo":9,"pid":99999999999})", "must be a positive pid"},
      {R"({"cmd":"signal","signo":9,"pid":3,"all":true})", "exclude each other"},
      {R"({"cmd":"signal","signo":2,"pid":3,"terminal":"yes"})", "\"terminal\" must be a boolean"},
      {R"({"cmd":"signal","signo":2,"terminal":true})", "\"terminal\" needs a \"pid\""},
      {R"({"cmd":"exec"})", "\"argv\" is missing"},
      {R"({"cmd":"exec","argv":[]})", "must name a program"},
      {R"({"cmd":"exec","argv":[""]})", "must name a program"},
      {R"({"cmd":"exec","argv":"sh"})", "\"argv\" must be an array"},
      {R"({"cmd":"exec","argv":[1]})", "\"argv\" must hold strings"},
      {R"({"cmd":"exec","argv":["sh"],"env":[null]})", "\"env\" must hold strings"},
      {R"({"cmd":"exec","argv":["sh"],"cwd":"tmp"})", "\"cwd\" must be an absolute path"},
      {R"({"cmd":"exec","argv":["sh"],"uid":-1})", "\"uid\" must be a 32-bit"},
      {R"({"cmd":"exec","argv":["sh"],"gid":4294967296})", "\"gid\" must be a 32-bit"},
      {R"({"cmd":"exec","argv":["sh"],"groups":[1,"x"]})", "\"groups\" must be"},
      {R"({"cmd":"exec","argv":["sh"],"no_new_privs":1})", "\"no_new_privs\" must be a boolean"},
      {R"({"cmd":"exec","argv":["sh"],"caps":{"effective":1}})", "\"permitted\" is missing"},
      {R"({"cmd":"exec","argv":["sh"],"caps":{"effective":1,"permitted":1,"inheritable":1,"x":1}})",
       "unknown member \"x\" in \"caps\""},
      {R"({"cmd":"exec","argv":["sh"],"caps":{"effective":1,"permitted":1,"inheritable":1,"bounding":-1}})",
       "\"bounding\" must be an unsigned integer"},
      {R"({"cmd":"exec","argv":["sh"],"rlimits":[[7,2,1]]})", "bad rlimit"},
      {R"({"cmd":"exec","argv":["sh"],"rlimits":[[99,1,1]]})", "bad rlimit"},
      {R"({"cmd":"exec","argv":["sh"],"rlimits":[[7,1]]})", "[resource, soft, hard]"},
      {R"({"cmd":"exec","argv":["sh"],"rootfs":"/"})", "unknown member \"rootfs\""},
      {R"({"cmd":"exec","argv":["sh"],"terminal":1})", "\"terminal\" must be a boolean"},
      // Well-formed, but no descriptors came with it.
      {R"({"cmd":"exec","argv":["sh"]})", "needs 3 descriptors"},
      {std::string(kControlMaxRequestBytes, ' '), "longer than"},
      {std::string(kControlMaxRequestBytes / 2, '[') + std::string(kControlMaxRequestBytes / 2, ']'),
       "longer than"},
      {std::string(2000, '[') + std::string(2000, ']'), "not a JSON object"},
  };
  for (const auto& [line, want] : cases) {
    json reply = Handle(line, handler);
    EXPECT_EQ(reply["ok"], false) << line.substr(0, 80);
    std::string error = reply.value("error", "");
    EXPECT_THAT(error, HasSubstr("malformed request")) << line.substr(0, 80);
    EXPECT_THAT(error, HasSubstr(want)) << line.substr(0, 80);
  }
  EXPECT_EQ(handler.calls(), 0);
}

// ---------------------------------------------------------------- over a socket

class ControlServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signal(SIGPIPE, SIG_IGN);  // As a failed test's writes must not kill the binary.
    dir_ = ::testing::TempDir() + "/ctl-XXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
    path_ = dir_ + "/control.sock";
    UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(fd.valid());
    sockaddr_un addr = Address();
    ASSERT_EQ(bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0)
        << strerror(errno);
    ASSERT_EQ(listen(fd.get(), 16), 0);
    server_ = std::make_unique<ControlServer>(std::move(fd), handler_);
    ASSERT_TRUE(server_->StartServing().ok());
  }

  void TearDown() override {
    server_.reset();
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }

  sockaddr_un Address() const {
    sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    return addr;
  }

  UniqueFd Connect() {
    UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr = Address();
    EXPECT_EQ(connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0)
        << strerror(errno);
    timeval tv = {10, 0};
    setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
  }

  // Sends `request` as is and returns everything the server answers.
  std::string RoundTrip(const std::string& request) {
    UniqueFd fd = Connect();
    size_t sent = 0;
    while (sent < request.size()) {
      ssize_t n = send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += n;
    }
    std::string reply;
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd.get(), buf, sizeof(buf), 0)) > 0) reply.append(buf, n);
    return reply;
  }

  std::string dir_, path_;
  FakeHandler handler_;
  std::unique_ptr<ControlServer> server_;
};

TEST_F(ControlServerTest, OneRequestPerConnection) {
  EXPECT_EQ(RoundTrip("{\"cmd\":\"start\"}\n"), "{\"ok\":true}\n");
  EXPECT_EQ(RoundTrip("{\"cmd\":\"signal\",\"signo\":2,\"all\":true}\n"), "{\"ok\":true}\n");
  std::string pids = RoundTrip("{\"cmd\":\"pids\"}\n");
  EXPECT_EQ(json::parse(pids)["pids"], json({10, 20}));
  EXPECT_EQ(handler_.starts(), 1);
  ASSERT_EQ(handler_.signals().size(), 1u);
  EXPECT_EQ(handler_.signals()[0], std::make_pair(2, true));
}

TEST_F(ControlServerTest, RequestWithoutNewlineEndsAtHangUp) {
  UniqueFd fd = Connect();
  std::string request = "{\"cmd\":\"start\"}";
  ASSERT_EQ(send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(request.size()));
  shutdown(fd.get(), SHUT_WR);
  char buf[256];
  ssize_t n = recv(fd.get(), buf, sizeof(buf), 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, n), "{\"ok\":true}\n");
}

TEST_F(ControlServerTest, OnlyTheFirstLineCounts) {
  EXPECT_EQ(RoundTrip("{\"cmd\":\"start\"}\n{\"cmd\":\"start\"}\n"), "{\"ok\":true}\n");
  EXPECT_EQ(handler_.starts(), 1);
}

TEST_F(ControlServerTest, SurvivesGarbage) {
  std::string huge(64 * 1024, 'x');
  std::string reply = RoundTrip(huge);
  // The server may close before reading everything; if it answered, it
  // refused the request.
  if (!reply.empty()) {
    EXPECT_THAT(reply, HasSubstr("longer than"));
  }
  EXPECT_THAT(RoundTrip(std::string("\0\0\0\n", 4)), HasSubstr("malformed request"));
  EXPECT_THAT(RoundTrip("\n"), HasSubstr("malformed request"));
  // A client that connects and leaves without a word gets nothing.
  { UniqueFd fd = Connect(); }
  // And the server still works.
  EXPECT_EQ(RoundTrip("{\"cmd\":\"start\"}\n"), "{\"ok\":true}\n");
  EXPECT_EQ(handler_.calls(), 1);
}

TEST_F(ControlServerTest, StopReturnsWhileAClientStalls) {
  UniqueFd stalled = Connect();
  ASSERT_EQ(send(stalled.get(), "{\"cmd\"", 6, MSG_NOSIGNAL), 6);
  // Give the server time to pick the connection up, then stop it: it must
  // not wait for the stalled client's request to complete.
  usleep(100 * 1000);
  server_->Stop();
  server_->Stop();  // Idempotent.
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(ControlServerTest, StartingTwiceFails) { EXPECT_FALSE(server_->StartServing().ok()); }

}  // namespace
}  // namespace runsc::sentry
