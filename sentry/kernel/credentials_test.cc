#include "sentry/kernel/credentials.h"

#include <linux/capability.h>

#include "gtest/gtest.h"

namespace runsc::sentry {
namespace {

constexpr uint64_t Bit(int cap) { return uint64_t{1} << cap; }

TEST(CredentialsTest, ResetToGivesRootEverythingAndOthersNothing) {
  Credentials c;
  c.ResetTo(0, 0);
  EXPECT_EQ(c.cap_effective, Credentials::kAllCapabilities);
  EXPECT_EQ(c.cap_bounding, Credentials::kAllCapabilities);
  EXPECT_TRUE(c.HasCapability(CAP_CHECKPOINT_RESTORE));
  c.ResetTo(1000, 1000);
  EXPECT_EQ(c.cap_effective, 0u);
  EXPECT_EQ(c.cap_permitted, 0u);
  EXPECT_EQ(c.cap_bounding, Credentials::kAllCapabilities);
  EXPECT_FALSE(c.HasCapability(CAP_CHOWN));
}

TEST(CredentialsTest, HasCapabilityOfAnUnknownNumberIsFalse) {
  Credentials c;
  EXPECT_FALSE(c.HasCapability(-1));
  EXPECT_FALSE(c.HasCapability(41));
  EXPECT_FALSE(c.HasCapability(64));
}

TEST(CredentialsTest, InstalledSetsKeepLinuxInvariants) {
  Credentials c;
  c.ResetTo(0, 0);
  c.InstallCapabilities({.bounding = Bit(CAP_CHOWN) | Bit(CAP_KILL),
                         .effective = Bit(CAP_KILL) | Bit(CAP_SYS_ADMIN),
                         .permitted = Bit(CAP_KILL) | Bit(CAP_SETUID),
                         .inheritable = Bit(CAP_SETUID) | Bit(CAP_CHOWN),
                         .ambient = Bit(CAP_CHOWN) | Bit(CAP_KILL) | (uint64_t{1} << 60)});
  EXPECT_EQ(c.cap_bounding, Bit(CAP_CHOWN) | Bit(CAP_KILL));
  // Effective within permitted (capset refuses more).
  EXPECT_EQ(c.cap_effective, Bit(CAP_KILL));
  EXPECT_EQ(c.cap_permitted, Bit(CAP_KILL) | Bit(CAP_SETUID));
  // Inheritable within the bounding set.
  EXPECT_EQ(c.cap_inheritable, Bit(CAP_CHOWN));
  // Ambient within permitted and inheritable: CHOWN is not permitted, KILL
  // not inheritable, bit 60 no capability.
  EXPECT_EQ(c.cap_ambient, 0u);
  EXPECT_FALSE(c.HasCapability(CAP_SYS_ADMIN));
}

TEST(CredentialsTest, RootGetsTheBoundingSetOnExecve) {
  Credentials c;
  c.ResetTo(0, 0);
  c.InstallCapabilities({.bounding = Bit(CAP_CHOWN) | Bit(CAP_KILL),
                         .effective = Bit(CAP_KILL),
                         .permitted = Bit(CAP_KILL)});
  c.TransformForExecve(false, false);
  EXPECT_EQ(c.cap_permitted, Bit(CAP_CHOWN) | Bit(CAP_KILL));
  EXPECT_EQ(c.cap_effective, Bit(CAP_CHOWN) | Bit(CAP_KILL));
  EXPECT_EQ(c.cap_bounding, Bit(CAP_CHOWN) | Bit(CAP_KILL));
}

TEST(CredentialsTest, RealRootWithAnotherEuidGetsPermittedButNotEffective) {
  Credentials c;
  c.ResetTo(0, 0);
  c.euid = 1000;
  c.cap_effective = 0;
  c.TransformForExecve(false, false);
  EXPECT_EQ(c.cap_permitted, Credentials::kAllCapabilities);
  EXPECT_EQ(c.cap_effective, 0u);
  EXPECT_EQ(c.suid, 1000u);
  EXPECT_EQ(c.fsuid, 1000u);
}

TEST(CredentialsTest, NonRootKeepsOnlyTheAmbientSetOnExecve) {
  Credentials c;
  c.ResetTo(1000, 1000);
  c.InstallCapabilities({.bounding = Credentials::kAllCapabilities,
                         .effective = Bit(CAP_NET_BIND_SERVICE) | Bit(CAP_CHOWN),
                         .permitted = Bit(CAP_NET_BIND_SERVICE) | Bit(CAP_CHOWN),
                         .inheritable = Bit(CAP_NET_BIND_SERVICE),
                         .ambient = Bit(CAP_NET_BIND_SERVICE)});
  c.TransformForExecve(false, false);
  EXPECT_EQ(c.cap_permitted, Bit(CAP_NET_BIND_SERVICE));
  EXPECT_EQ(c.cap_effective, Bit(CAP_NET_BIND_SERVICE));
  EXPECT_EQ(c.cap_inheritable, Bit(CAP_NET_BIND_SERVICE));
  EXPECT_EQ(c.cap_ambient, Bit(CAP_NET_BIND_SERVICE));
}

TEST(CredentialsTest, NoNewPrivsKeepsRootFromRegainingItsBoundingSet) {
  Credentials c;
  c.ResetTo(0, 0);
  c.cap_permitted = c.cap_effective = Bit(CAP_KILL);
  c.TransformForExecve(false, /*no_new_privs=*/true);
  EXPECT_EQ(c.cap_permitted, Bit(CAP_KILL));
  EXPECT_EQ(c.cap_effective, Bit(CAP_KILL));
  // The ambient set is kept, being within what was permitted.
  c.ResetTo(1000, 1000);
  c.cap_permitted = c.cap_inheritable = c.cap_ambient = Bit(CAP_KILL);
  c.TransformForExecve(false, /*no_new_privs=*/true);
  EXPECT_EQ(c.cap_effective, Bit(CAP_KILL));
}

TEST(CredentialsTest, ASetIdFileClearsTheAmbientSet) {
  Credentials c;
  c.ResetTo(1000, 1000);
  c.cap_permitted = c.cap_inheritable = c.cap_ambient = Bit(CAP_KILL);
  c.TransformForExecve(true, false);
  EXPECT_EQ(c.cap_ambient, 0u);
  EXPECT_EQ(c.cap_permitted, 0u);
  EXPECT_EQ(c.cap_effective, 0u);
}

}  // namespace
}  // namespace runsc::sentry
