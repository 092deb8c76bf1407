// process.capabilities, end to end: busybox as uid 0 with a reduced set
// lacks what the set leaves out (DAC override, chown, sethostname), /proc
// shows the sets the spec asked for, runsc exec gets the config's sets and
// --cap adds to them, and an unknown name stops create. Where runc is
// installed (and we are root), the same bundle under runc must print the
// same lines: runsc is a drop-in for it.
//
// Every test runs once per platform (DESIGN §9).
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test/e2e/runsc_fixture.h"
#include "test/e2e/test_bundle.h"

namespace runsc::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kRunc[] = "/usr/sbin/runc";
constexpr uid_t kOtherUid = 1000;

// CAP_KILL (5), CAP_SETGID (6), CAP_SETUID (7), CAP_NET_BIND_SERVICE (10):
// no CAP_CHOWN (0), CAP_DAC_OVERRIDE (1), CAP_DAC_READ_SEARCH (2),
// CAP_FOWNER (3) or CAP_SYS_ADMIN (21).
const std::vector<std::string> kReduced = {"CAP_KILL", "CAP_SETGID", "CAP_SETUID",
                                           "CAP_NET_BIND_SERVICE"};
constexpr char kReducedMask[] = "00000000000004e0";

// What the container prints: one line per check, the same under runc.
constexpr char kScript[] =
    "cat /secret >/dev/null 2>&1 && echo read-secret || echo no-read-secret; "
    "echo x > /tmp/mine; chown 2000 /tmp/mine 2>/dev/null && echo chowned || echo no-chown; "
    "hostname other 2>/dev/null && echo renamed || echo no-hostname; "
    "grep ^Cap /proc/self/status";

class CapabilitiesTest : public RunscTestBase, public ::testing::TestWithParam<std::string> {
 protected:
  std::string Platform() const override { return GetParam(); }

  // A bundle running kScript as uid 0, with /secret (0600, another uid's)
  // in its rootfs and `caps` as every set but inheritable and ambient.
  std::unique_ptr<TestBundle> ScriptBundle(const std::vector<std::string>* caps) {
    std::unique_ptr<TestBundle> bundle = NewBundle({"/bin/sh", "-c", kScript});
    if (bundle == nullptr) return nullptr;
    const std::string secret = bundle->rootfs() + "/secret";
    std::ofstream(secret) << "top secret\n";
    EXPECT_EQ(chown(secret.c_str(), kOtherUid, kOtherUid), 0);
    EXPECT_EQ(chmod(secret.c_str(), 0600), 0);
    if (caps != nullptr) {
      bundle->config()["process"]["capabilities"] = {{"bounding", *caps},
                                                     {"effective", *caps},
                                                     {"permitted", *caps},
                                                     {"inheritable", nlohmann::json::array()},
                                                     {"ambient", nlohmann::json::array()}};
    }
    EXPECT_TRUE(bundle->WriteConfig().ok());
    return bundle;
  }

  CommandResult RunBundle(const TestBundle& bundle, const std::string& id) {
    return RunCommand(Runsc({"run", "--bundle", bundle.dir(), id}), "", 60);
  }
};

TEST_P(CapabilitiesTest, AReducedSetIsWhatUidZeroGets) {
  std::unique_ptr<TestBundle> bundle = ScriptBundle(&kReduced);
  ASSERT_NE(bundle, nullptr);
  CommandResult r = RunBundle(*bundle, "caps-reduced");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat("no-read-secret\nno-chown\nno-hostname\n",
                                "CapInh:\t0000000000000000\n",
                                "CapPrm:\t", kReducedMask, "\n",
                                "CapEff:\t", kReducedMask, "\n",
                                "CapBnd:\t", kReducedMask, "\n",
                                "CapAmb:\t0000000000000000\n"));

  if (geteuid() != 0 || access(kRunc, X_OK) != 0) {
    GTEST_SKIP() << "no runc to compare with (needs root and " << kRunc << ")";
  }
  const std::string runc_root = bundle->dir() + "/runc-root";
  CommandResult runc = RunProgram(
      {kRunc, "--root", runc_root, "run", "--bundle", bundle->dir(), "caps-runc-" + GetParam()});
  ASSERT_EQ(runc.exit_code, 0) << runc.err;
  EXPECT_EQ(r.out, runc.out) << "runc gives the same bundle other capabilities";
}

TEST_P(CapabilitiesTest, WithoutCapabilitiesUidZeroHasThemAll) {
  // The control: the same script passes every check when the spec names no
  // capability sets (as runc, which then keeps its own).
  std::unique_ptr<TestBundle> bundle = ScriptBundle(nullptr);
  ASSERT_NE(bundle, nullptr);
  CommandResult r = RunBundle(*bundle, "caps-all");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("read-secret\nchowned\nrenamed\n"));
  EXPECT_THAT(r.out, HasSubstr("CapEff:\t000001ffffffffff\n"));
}

TEST_P(CapabilitiesTest, ExecGetsTheConfigsSetsAndCapAddsOne) {
  std::unique_ptr<TestBundle> bundle = NewBundle({"/bin/sleep", "1000"});
  ASSERT_NE(bundle, nullptr);
  bundle->config()["process"]["capabilities"] = {
      {"bounding", kReduced}, {"effective", kReduced}, {"permitted", kReduced}};
  ASSERT_TRUE(bundle->WriteConfig().ok());
  ASSERT_GT(CreateAndStart(*bundle, "caps-exec"), 0);
  ASSERT_EQ(WaitForStatus("caps-exec", "running"), "running");
  CommandResult r = RunCommand(Runsc({"exec", "caps-exec", "grep", "CapEff", "/proc/self/status"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat("CapEff:\t", kReducedMask, "\n"));
  r = RunCommand(Runsc({"exec", "--cap", "CAP_SYS_ADMIN", "caps-exec", "/bin/sh", "-c",
                        "grep -E 'CapEff|CapBnd' /proc/self/status; hostname renamed && hostname"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "CapEff:\t00000000002004e0\nCapBnd:\t00000000002004e0\nrenamed\n");
}

TEST_P(CapabilitiesTest, AnUnknownCapabilityNameStopsCreate) {
  std::unique_ptr<TestBundle> bundle = NewBundle({"/bin/true"});
  ASSERT_NE(bundle, nullptr);
  bundle->config()["process"]["capabilities"] = {{"bounding", {"CAP_KILL", "CAP_TIME_TRAVEL"}}};
  ASSERT_TRUE(bundle->WriteConfig().ok());
  CommandResult r = RunCommand(Runsc({"create", "--bundle", bundle->dir(), "caps-unknown"}));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("process.capabilities.bounding[1]: unknown capability "
                               "\"CAP_TIME_TRAVEL\""));
}

INSTANTIATE_TEST_SUITE_P(Platforms, CapabilitiesTest, ::testing::ValuesIn(kPlatforms),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace runsc::testing
