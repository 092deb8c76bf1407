#include "runsc/cmd/exec_process.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace runsc::cmd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

config::SpecProcess ContainerProcess() {
  config::SpecProcess p;
  p.args = {"/bin/sh"};
  p.env = {"PATH=/bin", "HOME=/root"};
  p.cwd = "/";
  p.user.uid = 1000;
  p.user.gid = 1000;
  return p;
}

TEST(ApplyExecFlagsTest, ArgsReplaceAndEnvOverridesOrAdds) {
  ExecFlags flags;
  flags.args = {"echo", "hi"};
  flags.env = {"HOME=/tmp", "NEW=1"};
  absl::StatusOr<config::SpecProcess> p = ApplyExecFlags(ContainerProcess(), flags);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_THAT(p->args, ElementsAre("echo", "hi"));
  EXPECT_THAT(p->env, ElementsAre("PATH=/bin", "HOME=/tmp", "NEW=1"));
  EXPECT_EQ(p->user.uid, 1000u);  // Kept from the container's process.
}

TEST(ApplyExecFlagsTest, UserCwdAndGroups) {
  ExecFlags flags;
  flags.user = "5:6";
  flags.cwd = "/tmp";
  flags.additional_gids = {7, 8};
  absl::StatusOr<config::SpecProcess> p = ApplyExecFlags(ContainerProcess(), flags);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->user.uid, 5u);
  EXPECT_EQ(p->user.gid, 6u);
  EXPECT_EQ(p->cwd, "/tmp");
  EXPECT_THAT(p->user.additional_gids, ElementsAre(7u, 8u));
  flags.user = "9";
  p = ApplyExecFlags(ContainerProcess(), flags);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->user.uid, 9u);
  EXPECT_EQ(p->user.gid, 1000u);
}

TEST(ApplyExecFlagsTest, BadFlagsAreErrorsNamingTheFlag) {
  for (auto [mutate, flag] : std::vector<std::pair<std::function<void(ExecFlags&)>, std::string>>{
           {[](ExecFlags& f) { f.user = "root"; }, "--user"},
           {[](ExecFlags& f) { f.user = "1:x"; }, "--user"},
           {[](ExecFlags& f) { f.env = {"=x"}; }, "--env"},
           {[](ExecFlags& f) { f.env = {"NOEQUALS"}; }, "--env"},
           {[](ExecFlags& f) { f.cwd = "relative"; }, "--cwd"},
           {[](ExecFlags& f) { f.caps = {"CAP_NOPE"}; }, "--cap"}}) {
    ExecFlags flags;
    mutate(flags);
    absl::StatusOr<config::SpecProcess> p = ApplyExecFlags(ContainerProcess(), flags);
    ASSERT_FALSE(p.ok()) << flag;
    EXPECT_THAT(p.status().message(), HasSubstr(flag));
  }
}

TEST(ExecRequestJsonTest, CapabilitiesBecomeMasksOfEverySet) {
  config::SpecProcess p = ContainerProcess();
  p.capabilities = config::SpecCapabilities{};
  p.capabilities->bounding = {"CAP_CHOWN", "CAP_KILL"};
  p.capabilities->effective = {"CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_FUTURE_THING"};
  p.capabilities->permitted = {"CAP_KILL"};
  p.capabilities->ambient = {"CAP_KILL"};
  absl::StatusOr<nlohmann::json> j = ExecRequestJson(p);
  ASSERT_TRUE(j.ok()) << j.status();
  // The sentry keeps the invariants (credentials.h); the request says what
  // the spec said, less the unknown name.
  EXPECT_EQ((*j)["caps"]["bounding"], (1u << 0) | (1u << 5));
  EXPECT_EQ((*j)["caps"]["effective"], (1u << 0) | (1u << 21));
  EXPECT_EQ((*j)["caps"]["permitted"], 1u << 5);
  EXPECT_EQ((*j)["caps"]["inheritable"], 0u);
  EXPECT_EQ((*j)["caps"]["ambient"], 1u << 5);
  EXPECT_EQ((*j)["uid"], 1000);
  EXPECT_EQ((*j)["argv"], nlohmann::json({"/bin/sh"}));
}

TEST(ExecRequestJsonTest, CapFlagAddsToEverySet) {
  ExecFlags flags;
  flags.caps = {"net_admin"};
  absl::StatusOr<config::SpecProcess> p = ApplyExecFlags(ContainerProcess(), flags);
  ASSERT_TRUE(p.ok()) << p.status();
  absl::StatusOr<nlohmann::json> j = ExecRequestJson(*p);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["caps"]["effective"], uint64_t{1} << 12);
  EXPECT_EQ((*j)["caps"]["permitted"], uint64_t{1} << 12);
}

TEST(ExecRequestJsonTest, TerminalIsAskedFor) {
  config::SpecProcess p = ContainerProcess();
  absl::StatusOr<nlohmann::json> plain = ExecRequestJson(p);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ((*plain)["terminal"], false);
  p.terminal = true;
  absl::StatusOr<nlohmann::json> j = ExecRequestJson(p);
  ASSERT_TRUE(j.ok()) << j.status();
  EXPECT_EQ((*j)["terminal"], true);
}

TEST(ApplyExecFlagsTest, TtyFlagSetsOrKeepsTheTerminal) {
  config::SpecProcess p = ContainerProcess();
  p.terminal = true;  // The container's own console, as config.json may say.
  ExecFlags flags;
  absl::StatusOr<config::SpecProcess> kept = ApplyExecFlags(p, flags);
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(kept->terminal);
  flags.terminal = false;  // runsc exec ID CMD without --tty: no terminal, as runc.
  absl::StatusOr<config::SpecProcess> off = ApplyExecFlags(p, flags);
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->terminal);
}

TEST(ParseProcessSpecTest, ContainerdProcessJson) {
  absl::StatusOr<config::SpecProcess> p = config::ParseProcessSpec(R"({
    "terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["ps", "aux"],
    "env": ["PATH=/bin"], "cwd": "/", "noNewPrivileges": true,
    "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"]}})");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_THAT(p->args, ElementsAre("ps", "aux"));
  EXPECT_TRUE(p->no_new_privileges);
  ASSERT_TRUE(p->capabilities.has_value());
  EXPECT_THAT(p->capabilities->effective, ElementsAre("CAP_KILL"));
  EXPECT_FALSE(config::ParseProcessSpec("[]").ok());
  EXPECT_FALSE(config::ParseProcessSpec(R"({"args": [], "cwd": "/"})").ok());
  EXPECT_FALSE(config::ParseProcessSpec(R"({"args": ["x"], "cwd": "/", "capabilities": {"effective": [1]}})").ok());
  EXPECT_FALSE(
      config::ParseProcessSpec(R"({"args": ["x"], "cwd": "/", "capabilities": {"ambient": ["CAP_NOPE"]}})")
          .ok());
}

}  // namespace
}  // namespace runsc::cmd
