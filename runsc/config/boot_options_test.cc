#include "runsc/config/boot_options.h"

#include <sys/resource.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace runsc::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Spec SampleSpec() {
  Spec spec;
  spec.oci_version = "1.0.2";
  spec.process.args = {"/bin/echo", "hi"};
  spec.process.env = {"PATH=/bin", "A=b"};
  spec.process.cwd = "/tmp";
  spec.process.user = {1000, 100, {5, 6}};
  spec.process.rlimits = {{"RLIMIT_NOFILE", 64, 128}};
  spec.root.path = "rootfs";
  spec.hostname = "box";
  return spec;
}

TEST(BootOptionsTest, CopiesProcessAndIdentity) {
  auto options = MakeBootOptions(SampleSpec(), "abc");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->container_id, "abc");
  EXPECT_THAT(options->argv, ElementsAre("/bin/echo", "hi"));
  EXPECT_THAT(options->env, ElementsAre("PATH=/bin", "A=b"));
  EXPECT_EQ(options->cwd, "/tmp");
  EXPECT_EQ(options->uid, 1000u);
  EXPECT_EQ(options->gid, 100u);
  EXPECT_THAT(options->additional_gids, ElementsAre(5u, 6u));
  ASSERT_EQ(options->rlimits.size(), 1u);
  EXPECT_EQ(options->rlimits[0].resource, RLIMIT_NOFILE);
  EXPECT_EQ(options->rlimits[0].soft, 64u);
  EXPECT_EQ(options->rlimits[0].hard, 128u);
  EXPECT_EQ(options->hostname, "box");
  EXPECT_FALSE(options->terminal);
  // Descriptors are the caller's business.
  EXPECT_EQ(options->gofer_fd, -1);
  EXPECT_EQ(options->control_fd, -1);
}

TEST(BootOptionsTest, CapabilitySetsBecomeMasks) {
  Spec spec = SampleSpec();
  EXPECT_FALSE(MakeBootOptions(spec, "abc")->capabilities.has_value());
  spec.process.capabilities = SpecCapabilities{.bounding = {"CAP_CHOWN", "CAP_KILL"},
                                               .effective = {"CAP_KILL"},
                                               .inheritable = {},
                                               .permitted = {"CAP_KILL"},
                                               .ambient = {"CAP_SYS_ADMIN"}};
  auto options = MakeBootOptions(spec, "abc");
  ASSERT_TRUE(options.ok()) << options.status();
  ASSERT_TRUE(options->capabilities.has_value());
  EXPECT_EQ(options->capabilities->bounding, (1u << 0) | (1u << 5));
  EXPECT_EQ(options->capabilities->effective, 1u << 5);
  EXPECT_EQ(options->capabilities->permitted, 1u << 5);
  EXPECT_EQ(options->capabilities->inheritable, 0u);
  EXPECT_EQ(options->capabilities->ambient, 1u << 21);
  EXPECT_FALSE(options->no_new_privileges);
  spec.process.no_new_privileges = true;
  EXPECT_TRUE(MakeBootOptions(spec, "abc")->no_new_privileges);
}

TEST(BootOptionsTest, TerminalReachesTheSentry) {
  Spec spec = SampleSpec();
  spec.process.terminal = true;
  auto options = MakeBootOptions(spec, "abc");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->terminal);
}

TEST(BootOptionsTest, UnknownRlimitFromHandBuiltSpec) {
  Spec spec = SampleSpec();
  spec.process.rlimits = {{"RLIMIT_BOGUS", 1, 1}};
  EXPECT_FALSE(MakeBootOptions(spec, "abc").ok());
}

}  // namespace
}  // namespace runsc::config
