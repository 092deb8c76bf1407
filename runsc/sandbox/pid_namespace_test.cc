#include "runsc/sandbox/pid_namespace.h"

#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace runsc::sandbox {
namespace {

TEST(InnermostPidTest, TakesTheLastNSpidEntry) {
  EXPECT_EQ(InnermostPid("Name:\tx\nNSpid:\t4242\t1\nPPid:\t1\n"), 1);
  EXPECT_EQ(InnermostPid("NSpid:\t77\n"), 77);
  EXPECT_EQ(InnermostPid("NSpid:\t10 20 30\n"), 30);
}

TEST(InnermostPidTest, MalformedOrMissingIsNullopt) {
  EXPECT_EQ(InnermostPid("Name:\tx\n"), std::nullopt);
  EXPECT_EQ(InnermostPid("NSpid:\n"), std::nullopt);
  EXPECT_EQ(InnermostPid("NSpid:\tabc\n"), std::nullopt);
  EXPECT_EQ(InnermostPid("NSpid:\t-3\n"), std::nullopt);
}

TEST(TranslateToHostPidsTest, OwnNamespaceMapsToItself) {
  // In the test's own pid namespace, pids are host pids (NSpid's last entry
  // is the pid this namespace sees).
  absl::StatusOr<std::vector<pid_t>> pids = TranslateToHostPids(getpid(), {getpid(), 999999999});
  ASSERT_TRUE(pids.ok()) << pids.status();
  EXPECT_THAT(*pids, ::testing::ElementsAre(getpid()));
}

TEST(TranslateToHostPidsTest, UnknownMemberIsAnError) {
  EXPECT_FALSE(TranslateToHostPids(999999999, {1}).ok());
}

}  // namespace
}  // namespace runsc::sandbox
