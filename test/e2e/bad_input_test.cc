// Bad input to the runsc binary (DESIGN §7-8, issue 3 item 6): broken
// bundles, unknown and duplicate container ids, invalid signals and flags.
// Each must give a clear message on stderr and the same message as a JSON
// line in the --log file, exit non-zero, and leave no process and no state.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "test/e2e/test_bundle.h"

namespace runsc::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAreArray;

void WriteFileOrFail(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  out.close();
  ASSERT_TRUE(out) << "writing " << path;
}

std::string PlatformName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

// A private state root, a JSON --log file, and the checks every failure
// must pass.
class BadInputTestBase {
 protected:
  virtual ~BadInputTestBase() { fs::remove(log_); }
  virtual std::string Platform() const = 0;

  // {"--root", R, "--log", L, "--log-format", "json", "--platform", P, args...}
  std::vector<std::string> Runsc(std::vector<std::string> args) const {
    std::vector<std::string> full = {"--log", log_, "--log-format", "json", "--platform",
                                     Platform()};
    full.insert(full.end(), args.begin(), args.end());
    return root_.Args(full);
  }

  static std::unique_ptr<TestBundle> NewBundle(std::vector<std::string> args) {
    return NewBundleOrFail(std::move(args));
  }

  // Creates `id` from `bundle` (expected to work) and returns the sandbox's
  // pid. Not logged to log_: the failures under test are. Its processes
  // become the ones a later failure must leave exactly as they are.
  pid_t CreateOrFail(const TestBundle& bundle, const std::string& id) {
    const std::string pid_file = absl::StrCat(bundle.dir(), "/", id, ".pid");
    CommandResult r = RunCommand(root_.Args(
        {"--platform", Platform(), "create", "--bundle", bundle.dir(), "--pid-file", pid_file, id}));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    int pid = -1;
    if (!absl::SimpleAtoi(ReadFile(pid_file), &pid)) ADD_FAILURE() << "no pid file for " << id;
    surviving_processes_ = LiveProcessesMentioning(root_.path());
    return pid;
  }

  // The container directories under the state root.
  std::vector<std::string> StateDirectories() const {
    std::vector<std::string> dirs;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_.path(), ec)) {
      if (entry.is_directory()) dirs.push_back(entry.path().filename().string());
    }
    return dirs;
  }

  // `r` is a failure reported as DESIGN §7 asks, whose message contains
  // every one of `expected`; the log's lines are all JSON; and afterwards
  // only the containers `surviving` have state, and the only processes are
  // those they had before.
  void ExpectCleanFailure(const CommandResult& r, const std::vector<std::string>& expected,
                          const std::vector<std::string>& surviving = {}) const {
    EXPECT_NE(r.exit_code, 0) << "stdout: " << r.out;
    EXPECT_GT(r.exit_code, 0) << "runsc crashed or timed out; stderr: " << r.err;
    EXPECT_THAT(r.err, StartsWith("runsc: "));
    // The whole message, on one line.
    std::string message(absl::StripSuffix(absl::StripPrefix(r.err, "runsc: "), "\n"));
    EXPECT_EQ(message.find('\n'), std::string::npos) << r.err;
    for (const std::string& part : expected) EXPECT_THAT(message, HasSubstr(part));

    const std::string log = ReadFile(log_);
    std::vector<std::string> raw = absl::StrSplit(log, '\n', absl::SkipEmpty());
    std::vector<nlohmann::json> lines = ReadJsonLines(log_);
    EXPECT_EQ(lines.size(), raw.size()) << "log lines that are not JSON:\n" << log;
    bool logged = false;
    for (const nlohmann::json& line : lines) {
      if (line.value("level", "") != "error" || line.value("msg", "") != message) continue;
      logged = true;
      absl::Time time;
      std::string error;
      EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, line.value("time", ""), &time, &error))
          << line.dump() << ": " << error;
    }
    EXPECT_TRUE(logged) << "no {\"level\":\"error\",\"msg\":\"" << message
                        << "\"} line in the log:\n" << log;

    EXPECT_THAT(StateDirectories(), UnorderedElementsAreArray(surviving));
    EXPECT_THAT(LiveProcessesMentioning(root_.path()),
                UnorderedElementsAreArray(surviving_processes_));
  }

  TestRoot root_;
  std::vector<pid_t> surviving_processes_;  // Of the containers CreateOrFail made.
  std::string log_ = root_.path() + ".log";
};

// ------------------------------------------------------------ broken bundles

struct BundleCase {
  std::string name;
  // Breaks the bundle (a working busybox bundle running `true`).
  std::function<void(TestBundle&)> breaker;
  std::vector<std::string> expected;  // Parts of the error message.
};

// For gtest's messages: the case's name, not its bytes.
void PrintTo(const BundleCase& c, std::ostream* os) { *os << c.name; }

void WriteConfigText(TestBundle& b, const std::string& text) {
  WriteFileOrFail(b.dir() + "/config.json", text);
}
void WriteConfigJson(TestBundle& b) { ASSERT_TRUE(b.WriteConfig().ok()); }

const BundleCase kBundleCases[] = {
    {"MissingConfigJson",
     [](TestBundle& b) { fs::remove(b.dir() + "/config.json"); },
     {"config.json", "No such file or directory"}},
    {"MissingBundleDirectory",
     [](TestBundle& b) { fs::remove_all(b.dir()); },
     {"bundle", "No such file or directory"}},
    {"MalformedJson",
     [](TestBundle& b) { WriteConfigText(b, "{\"ociVersion\": \"1.0.2\", \"process\": {"); },
     {"config.json", "malformed JSON"}},
    {"EmptyConfigJson", [](TestBundle& b) { WriteConfigText(b, ""); },
     {"config.json", "malformed JSON"}},
    {"ConfigIsNotAnObject", [](TestBundle& b) { WriteConfigText(b, "[1, 2]"); },
     {"config.json", "must be a JSON object"}},
    {"MissingProcess",
     [](TestBundle& b) {
       b.config().erase("process");
       WriteConfigJson(b);
     },
     {"process: required field is missing"}},
    {"MissingProcessArgs",
     [](TestBundle& b) {
       b.config()["process"].erase("args");
       WriteConfigJson(b);
     },
     {"process.args: required field is missing"}},
    {"EmptyProcessArgs",
     [](TestBundle& b) {
       b.config()["process"]["args"] = nlohmann::json::array();
       WriteConfigJson(b);
     },
     {"process.args: must not be empty"}},
    {"ProcessArgsNotStrings",
     [](TestBundle& b) {
       b.config()["process"]["args"] = {"/bin/true", 7};
       WriteConfigJson(b);
     },
     {"process.args[1]: must be a string"}},
    {"MissingRoot",
     [](TestBundle& b) {
       b.config().erase("root");
       WriteConfigJson(b);
     },
     {"root: required field is missing"}},
    {"MissingRootPath",
     [](TestBundle& b) {
       b.config()["root"].erase("path");
       WriteConfigJson(b);
     },
     {"root.path: required field is missing"}},
    {"EmptyRootPath",
     [](TestBundle& b) {
       b.config()["root"]["path"] = "";
       WriteConfigJson(b);
     },
     {"root.path: must not be empty"}},
    {"RootfsDoesNotExist",
     [](TestBundle& b) {
       b.config()["root"]["path"] = "no-such-rootfs";
       WriteConfigJson(b);
     },
     {"root.path", "no-such-rootfs", "No such file or directory"}},
    {"RootfsIsAFile",
     [](TestBundle& b) {
       b.config()["root"]["path"] = "config.json";
       WriteConfigJson(b);
     },
     {"root.path", "is not a directory"}},
    // These two pass the bundle checks and fail inside the sandbox: the
    // sentry's and gofer's processes must go too.
    {"ProgramDoesNotExist",
     [](TestBundle& b) {
       b.config()["process"]["args"] = {"/bin/no-such-program"};
       WriteConfigJson(b);
     },
     {"container \"broken\"", "/bin/no-such-program", "No such file or directory"}},
    {"CwdDoesNotExist",
     [](TestBundle& b) {
       b.config()["process"]["cwd"] = "/no-such-dir";
       WriteConfigJson(b);
     },
     {"container \"broken\"", "cwd \"/no-such-dir\""}},
};

class BadBundleTest
    : public BadInputTestBase,
      public ::testing::TestWithParam<std::tuple<std::string, std::string, BundleCase>> {
 protected:
  std::string Platform() const override { return std::get<0>(GetParam()); }
  const std::string& Command() const { return std::get<1>(GetParam()); }
  const BundleCase& Case() const { return std::get<2>(GetParam()); }
};

TEST_P(BadBundleTest, FailsCleanly) {
  auto bundle = NewBundle({"/bin/true"});
  ASSERT_NE(bundle, nullptr);
  Case().breaker(*bundle);
  const std::string pid_file = root_.path() + ".pid";
  CommandResult r = RunCommand(
      Runsc({Command(), "--bundle", bundle->dir(), "--pid-file", pid_file, "broken"}));
  ExpectCleanFailure(r, Case().expected);
  EXPECT_FALSE(fs::exists(pid_file));
  CommandResult state = RunCommand(Runsc({"state", "broken"}));
  EXPECT_NE(state.exit_code, 0);
  EXPECT_THAT(state.err, HasSubstr("container \"broken\" does not exist"));
}

INSTANTIATE_TEST_SUITE_P(
    Bundles, BadBundleTest,
    ::testing::Combine(::testing::ValuesIn(kPlatforms), ::testing::Values("create", "run"),
                       ::testing::ValuesIn(kBundleCases)),
    [](const ::testing::TestParamInfo<BadBundleTest::ParamType>& info) {
      return absl::StrCat(std::get<0>(info.param), "_", std::get<1>(info.param), "_",
                          std::get<2>(info.param).name);
    });

// ---------------------------------------------------------- ids and signals

class BadIdTest : public BadInputTestBase, public ::testing::TestWithParam<std::string> {
 protected:
  std::string Platform() const override { return GetParam(); }
};

TEST_P(BadIdTest, UnknownIdDoesNotExist) {
  const std::vector<std::vector<std::string>> commands = {
      {"state", "nope"}, {"start", "nope"},  {"kill", "nope"},
      {"kill", "nope", "KILL"}, {"delete", "nope"}, {"exec", "nope", "/bin/true"},
      {"exec", "--detach", "nope", "/bin/true"}, {"ps", "nope"}, {"ps", "--format", "json", "nope"},
      {"pause", "nope"}, {"resume", "nope"},
  };
  for (const auto& command : commands) {
    SCOPED_TRACE(absl::StrJoin(command, " "));
    fs::remove(log_);
    ExpectCleanFailure(RunCommand(Runsc(command)), {"container \"nope\" does not exist"});
  }
}

TEST_P(BadIdTest, UnknownIdAmongOthers) {
  // Another container exists; the unknown one is still unknown, and the
  // other is not disturbed.
  auto bundle = NewBundle({"/bin/sleep", "1000"});
  ASSERT_NE(bundle, nullptr);
  pid_t pid = CreateOrFail(*bundle, "known");
  ASSERT_GT(pid, 0);
  ExpectCleanFailure(RunCommand(Runsc({"kill", "nope", "KILL"})),
                     {"container \"nope\" does not exist"}, {"known"});
  EXPECT_TRUE(ProcessIsLive(pid));
}

TEST_P(BadIdTest, InvalidIdIsRefused) {
  auto bundle = NewBundle({"/bin/true"});
  ASSERT_NE(bundle, nullptr);
  for (const std::string id : {"../escape", "a/b", "..", "white space"}) {
    SCOPED_TRACE(id);
    fs::remove(log_);
    ExpectCleanFailure(RunCommand(Runsc({"create", "--bundle", bundle->dir(), id})),
                       {"invalid container id"});
    fs::remove(log_);
    ExpectCleanFailure(RunCommand(Runsc({"state", id})), {"invalid container id"});
  }
  // Nothing escaped the root either.
  EXPECT_FALSE(fs::exists(fs::path(root_.path()).parent_path() / "escape"));
}

TEST_P(BadIdTest, DuplicateIdFails) {
  auto first = NewBundle({"/bin/sleep", "1000"});
  auto second = NewBundle({"/bin/true"});
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  pid_t pid = CreateOrFail(*first, "twice");
  ASSERT_GT(pid, 0);
  for (const std::string command : {"create", "run"}) {
    SCOPED_TRACE(command);
    fs::remove(log_);
    ExpectCleanFailure(RunCommand(Runsc({command, "--bundle", second->dir(), "twice"})),
                       {"container \"twice\" already exists"}, {"twice"});
  }
  // The first container is as it was.
  CommandResult state = RunCommand(Runsc({"state", "twice"}));
  ASSERT_EQ(state.exit_code, 0) << state.err;
  nlohmann::json j = nlohmann::json::parse(state.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_EQ(j.value("status", ""), "created");
  EXPECT_EQ(j.value("pid", -1), pid);
  EXPECT_EQ(j.value("bundle", ""), fs::canonical(first->dir()).string());
  EXPECT_TRUE(ProcessIsLive(pid));
}

TEST_P(BadIdTest, InvalidSignalIsRefused) {
  auto bundle = NewBundle({"/bin/sleep", "1000"});
  ASSERT_NE(bundle, nullptr);
  pid_t pid = CreateOrFail(*bundle, "target");
  ASSERT_GT(pid, 0);
  for (const std::string signal : {"NOPE", "SIGNOPE", "0", "65", "-9", "KILL9", "RTMIN+31"}) {
    SCOPED_TRACE(signal);
    fs::remove(log_);
    ExpectCleanFailure(RunCommand(Runsc({"kill", "target", signal})),
                       {absl::StrCat("invalid signal \"", signal, "\"")}, {"target"});
  }
  // The signal is checked first, even for a container that does not exist.
  fs::remove(log_);
  ExpectCleanFailure(RunCommand(Runsc({"kill", "nope", "NOPE"})), {"invalid signal \"NOPE\""},
                     {"target"});
  // The container was never signalled.
  CommandResult state = RunCommand(Runsc({"state", "target"}));
  EXPECT_THAT(state.out, HasSubstr("\"created\""));
  EXPECT_TRUE(ProcessIsLive(pid));
}

INSTANTIATE_TEST_SUITE_P(Platforms, BadIdTest, ::testing::ValuesIn(kPlatforms), PlatformName);

// ------------------------------------------------------- commands and flags

class BadFlagsTest : public BadInputTestBase, public ::testing::TestWithParam<std::string> {
 protected:
  std::string Platform() const override { return GetParam(); }
};

TEST_P(BadFlagsTest, UnknownCommand) {
  ExpectCleanFailure(RunCommand(Runsc({"frobnicate"})), {"unknown command \"frobnicate\""});
}

TEST_P(BadFlagsTest, MissingContainerId) {
  ExpectCleanFailure(RunCommand(Runsc({"state"})), {"container-id"});
}

TEST_P(BadFlagsTest, FlagsRunscCannotHonourAreRefusedAtCreate) {
  auto bundle = NewBundle({"/bin/true"});
  ASSERT_NE(bundle, nullptr);
  struct Case {
    std::vector<std::string> flags;
    std::string expected;
  };
  const Case cases[] = {
      {{"--systemd-cgroup"}, "--systemd-cgroup is not supported"},
      {{"--network", "host"}, "--network=host is not supported"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expected);
    fs::remove(log_);
    std::vector<std::string> args = c.flags;
    args.insert(args.end(), {"create", "--bundle", bundle->dir(), "unhonoured"});
    ExpectCleanFailure(RunCommand(Runsc(args)), {c.expected});
  }
}

// create detaches, so a terminal's master needs a console socket (runc's rule).
TEST_P(BadFlagsTest, TerminalWithoutConsoleSocketIsRefused) {
  auto bundle = NewBundle({"/bin/true"});
  ASSERT_NE(bundle, nullptr);
  bundle->config()["process"]["terminal"] = true;
  ASSERT_TRUE(bundle->WriteConfig().ok());
  ExpectCleanFailure(RunCommand(Runsc({"create", "--bundle", bundle->dir(), "tty"})),
                     {"process.terminal", "--console-socket is required"});
}

TEST_P(BadFlagsTest, ConsoleSocketThatDoesNotExistIsRefused) {
  auto bundle = NewBundle({"/bin/true"});
  ASSERT_NE(bundle, nullptr);
  bundle->config()["process"]["terminal"] = true;
  ASSERT_TRUE(bundle->WriteConfig().ok());
  const std::string socket = bundle->dir() + "/nobody-listens-here.sock";
  ExpectCleanFailure(
      RunCommand(Runsc({"create", "--bundle", bundle->dir(), "--console-socket", socket, "tty"})),
      {"cannot connect to --console-socket", socket});
}

TEST_P(BadFlagsTest, ConsoleSocketWithoutTerminalIsRefused) {
  auto bundle = NewBundle({"/bin/true"});
  ASSERT_NE(bundle, nullptr);
  ExpectCleanFailure(RunCommand(Runsc({"create", "--bundle", bundle->dir(), "--console-socket",
                                       bundle->dir() + "/c.sock", "tty"})),
                     {"--console-socket is only used with process.terminal: true"});
}

INSTANTIATE_TEST_SUITE_P(Platforms, BadFlagsTest, ::testing::ValuesIn(kPlatforms), PlatformName);

}  // namespace
}  // namespace runsc::testing
