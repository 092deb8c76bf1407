// Container operations that need no sandbox: id rules, lookups, errors, and
// delete/kill over state files that name ordinary host processes. Creating a
// real sandbox is covered by test/e2e.
#include "runsc/container/container.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runsc/sandbox/child_process.h"
#include "runsc/sandbox/sandbox.h"

namespace runsc::container {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ContainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "/root-XXXXXX";
    ASSERT_NE(mkdtemp(root_.data()), nullptr);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // A container directory as create leaves it, with `state`.
  void Plant(const ContainerState& state) {
    std::string dir = root_ + "/" + state.id;
    ASSERT_EQ(mkdir(dir.c_str(), 0711), 0);
    std::ofstream(dir + "/lock");
    ASSERT_TRUE(WriteStateFile(dir, state).ok());
  }

  ContainerState StateWith(const std::string& id, ContainerStatus status,
                           sandbox::ProcessIdentity sentry = {}) {
    ContainerState state;
    state.oci_version = "1.0.2";
    state.id = id;
    state.status = status;
    state.bundle = "/bundle";
    state.rootfs = "/bundle/rootfs";
    state.sentry = sentry;
    return state;
  }

  sandbox::ProcessIdentity SpawnSleeper() {
    sandbox::ChildSpec spec;
    spec.path = "/bin/sleep";
    spec.argv = {"sleep", "100"};
    auto child = sandbox::SpawnChild(spec);
    EXPECT_TRUE(child.ok()) << child.status();
    return child.value_or(sandbox::ProcessIdentity{});
  }

  bool Exists(const std::string& path) { return std::filesystem::exists(path); }

  std::string root_;
};

TEST(ContainerIdTest, Rules) {
  for (const std::string& good :
       std::vector<std::string>{"a", "abc-1.2_3+x", "A", std::string(255, 'x')}) {
    EXPECT_TRUE(Container::ValidateId(good).ok()) << good;
  }
  for (const std::string& bad : std::vector<std::string>{"", ".", "..", "a/b", "../x", "a b", "x\n",
                                                         "\xc3\xa9", std::string(256, 'x')}) {
    EXPECT_FALSE(Container::ValidateId(bad).ok()) << bad;
  }
}

TEST_F(ContainerTest, UnknownContainerDoesNotExist) {
  auto loaded = Container::Load(root_, "nope");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(loaded.status().message(), "container \"nope\" does not exist");
  auto peeked = Container::Peek(root_, "nope");
  EXPECT_EQ(peeked.status().message(), "container \"nope\" does not exist");
  EXPECT_FALSE(Container::Load(root_ + "/missing-root", "x").ok());
  EXPECT_FALSE(Container::Load(root_, "../etc").ok());
}

TEST_F(ContainerTest, ListIds) {
  EXPECT_TRUE(Container::ListIds(root_ + "/missing")->empty());
  Plant(StateWith("b", ContainerStatus::kStopped));
  Plant(StateWith("a", ContainerStatus::kStopped));
  std::ofstream(root_ + "/not-a-container");
  auto ids = Container::ListIds(root_);
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_THAT(*ids, ElementsAre("a", "b"));
}

TEST_F(ContainerTest, DeadSentryMeansStopped) {
  // A pid that is certainly not the recorded process: ours, wrong start time.
  Plant(StateWith("c", ContainerStatus::kRunning, {getpid(), 1}));
  auto snap = Container::Peek(root_, "c");
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ(snap->status, ContainerStatus::kStopped);
  auto c = Container::Load(root_, "c");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->status(), ContainerStatus::kStopped);
  EXPECT_EQ(c->state().status, ContainerStatus::kRunning);  // As recorded.
}

TEST_F(ContainerTest, LiveSentryKeepsRecordedStatus) {
  sandbox::ProcessIdentity sleeper = SpawnSleeper();
  Plant(StateWith("live", ContainerStatus::kRunning, sleeper));
  EXPECT_EQ(Container::Peek(root_, "live")->status, ContainerStatus::kRunning);
  ASSERT_TRUE(sandbox::KillAndWait(sleeper).ok());
  EXPECT_EQ(Container::Peek(root_, "live")->status, ContainerStatus::kStopped);
}

TEST_F(ContainerTest, OperationsOnAStoppedContainer) {
  Plant(StateWith("s", ContainerStatus::kCreated));
  auto c = Container::Load(root_, "s");
  ASSERT_TRUE(c.ok()) << c.status();
  absl::Status start = c->Start();
  EXPECT_THAT(start.message(), HasSubstr("container \"s\" is not running"));
  EXPECT_TRUE(IllegalTransitionOf(start).has_value());
  EXPECT_EQ(c->Signal(SIGTERM, false).message(), "container \"s\": container not running");
  EXPECT_TRUE(c->Delete(false).ok());
  EXPECT_FALSE(Exists(root_ + "/s"));
}

// A short program (`sh -c "exit 7"`) may end, and its sentry with it, before
// runsc has recorded the start. The start happened all the same.
TEST_F(ContainerTest, StartSucceedsWhenTheContainerEndsAtOnce) {
  sandbox::ProcessIdentity sentry = SpawnSleeper();
  Plant(StateWith("quick", ContainerStatus::kCreated, sentry));
  // A stand-in for the sentry's control server: on "start", the sentry
  // exits, and only then does the reply arrive.
  int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::string path = root_ + "/quick/" + sandbox::kControlSocketName;
  ASSERT_LT(path.size(), sizeof(addr.sun_path));
  path.copy(addr.sun_path, path.size());
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(listener, 1), 0);
  std::thread server([&] {
    int conn = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) return;
    char buf[256];
    ssize_t unused = read(conn, buf, sizeof(buf));
    EXPECT_TRUE(sandbox::KillAndWait(sentry).ok());
    unused = write(conn, "{\"ok\":true}\n", 12);
    (void)unused;
    close(conn);
  });
  absl::Status started;
  {
    auto c = Container::Load(root_, "quick");
    started = c.ok() ? c->Start() : c.status();
  }
  shutdown(listener, SHUT_RDWR);  // Unblocks accept if Start never connected.
  server.join();
  close(listener);
  EXPECT_TRUE(started.ok()) << started;
  auto recorded = ReadStateFile(root_ + "/quick");
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  EXPECT_EQ(recorded->status, ContainerStatus::kRunning);
  EXPECT_EQ(Container::Peek(root_, "quick")->status, ContainerStatus::kStopped);
}

TEST_F(ContainerTest, DeleteRunningNeedsForceAndKillsTheSandbox) {
  sandbox::ProcessIdentity sentry = SpawnSleeper();
  sandbox::ProcessIdentity gofer = SpawnSleeper();
  ContainerState state = StateWith("r", ContainerStatus::kRunning, sentry);
  state.gofer = gofer;
  Plant(state);
  {
    auto c = Container::Load(root_, "r");
    ASSERT_TRUE(c.ok()) << c.status();
    absl::Status refused = c->Delete(false);
    EXPECT_THAT(refused.message(), HasSubstr("container \"r\" is running"));
    EXPECT_TRUE(sandbox::IsLive(sentry));
    EXPECT_TRUE(Exists(root_ + "/r"));
  }
  auto c = Container::Load(root_, "r");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(c->Delete(true).ok());
  EXPECT_FALSE(sandbox::IsLive(sentry));
  EXPECT_FALSE(sandbox::IsLive(gofer));
  EXPECT_FALSE(Exists(root_ + "/r"));
  EXPECT_EQ(Container::Load(root_, "r").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ContainerTest, SigkillFallsBackToTheSentryPid) {
  // No control socket: the sentry "does not answer".
  sandbox::ProcessIdentity sentry = SpawnSleeper();
  Plant(StateWith("k", ContainerStatus::kRunning, sentry));
  auto c = Container::Load(root_, "k");
  ASSERT_TRUE(c.ok()) << c.status();
  absl::Status term = c->Signal(SIGTERM, false);
  EXPECT_FALSE(term.ok());
  EXPECT_THAT(term.message(), HasSubstr("signalling container \"k\""));
  EXPECT_TRUE(sandbox::IsLive(sentry));
  ASSERT_TRUE(c->Signal(SIGKILL, false).ok());
  auto code = sandbox::WaitForExitCode(sentry.pid);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 128 + SIGKILL);
}

TEST_F(ContainerTest, AbandonedCreateCanBeDeleted) {
  // A create that died after reserving the id: directory and lock, no state.
  ASSERT_EQ(mkdir((root_ + "/a").c_str(), 0711), 0);
  std::ofstream(root_ + "/a/lock");
  auto snap = Container::Peek(root_, "a");
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ(snap->status, ContainerStatus::kStopped);
  auto c = Container::Load(root_, "a");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->status(), ContainerStatus::kStopped);
  ASSERT_TRUE(c->Delete(false).ok());
  EXPECT_FALSE(Exists(root_ + "/a"));
}

TEST_F(ContainerTest, CreateWithBadBundleLeavesNothing) {
  config::GlobalConfig config;
  config.root = root_ + "/state";
  CreateOptions options;
  options.id = "x";
  options.bundle = root_ + "/no-such-bundle";
  auto c = Container::Create(config, options);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("no-such-bundle"));
  EXPECT_FALSE(Exists(root_ + "/state/x"));
}

TEST_F(ContainerTest, CreateChecksIdAndGlobalsFirst) {
  config::GlobalConfig config;
  config.root = root_;
  CreateOptions options;
  options.id = "../evil";
  options.bundle = "/nonexistent";
  EXPECT_THAT(Container::Create(config, options).status().message(),
              HasSubstr("invalid container id"));
  options.id = "ok";
  config.platform = "kvm";
  EXPECT_THAT(Container::Create(config, options).status().message(),
              HasSubstr("unknown platform"));
}

TEST_F(ContainerTest, CreateRefusesAnExistingId) {
  // A bundle that passes every check before the id is reserved.
  std::string bundle = root_ + "/bundle";
  ASSERT_EQ(mkdir(bundle.c_str(), 0755), 0);
  ASSERT_EQ(mkdir((bundle + "/rootfs").c_str(), 0755), 0);
  std::ofstream(bundle + "/config.json")
      << R"({"ociVersion":"1.0.2","process":{"args":["sh"],"cwd":"/"},"root":{"path":"rootfs"}})";
  Plant(StateWith("dup", ContainerStatus::kStopped));
  config::GlobalConfig config;
  config.root = root_;
  CreateOptions options;
  options.id = "dup";
  options.bundle = bundle;
  auto c = Container::Create(config, options);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(c.status().message(), "container \"dup\" already exists");
  // The existing container is untouched.
  EXPECT_TRUE(Exists(root_ + "/dup/state.json"));
}

// A terminal whose master has nowhere to go: refused as runc refuses it,
// and a console socket nobody listens on: refused before anything exists.
TEST_F(ContainerTest, CreateRefusesTerminalsWithoutAReachableConsoleSocket) {
  std::string bundle = root_ + "/bundle";
  ASSERT_EQ(mkdir(bundle.c_str(), 0755), 0);
  ASSERT_EQ(mkdir((bundle + "/rootfs").c_str(), 0755), 0);
  std::ofstream(bundle + "/config.json") << R"({"ociVersion":"1.0.2",
      "process":{"terminal":true,"args":["sh"],"cwd":"/"},"root":{"path":"rootfs"}})";
  config::GlobalConfig config;
  config.root = root_ + "/state";
  CreateOptions options;
  options.id = "t";
  options.bundle = bundle;
  auto c = Container::Create(config, options);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(), HasSubstr("--console-socket is required"));

  options.console_socket = root_ + "/nobody-listens.sock";
  c = Container::Create(config, options);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("cannot connect to --console-socket"));
  EXPECT_FALSE(Exists(root_ + "/state/t"));
}

}  // namespace
}  // namespace runsc::container
