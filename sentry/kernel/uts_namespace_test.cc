#include "sentry/kernel/uts_namespace.h"

#include <string>

#include "gtest/gtest.h"

namespace runsc::sentry {
namespace {

TEST(UtsNamespaceTest, SetNamesAreReadBack) {
  UtsNamespace uts("runsc", "(none)");
  ASSERT_TRUE(uts.SetHostname("box").ok());
  ASSERT_TRUE(uts.SetDomainname("example.test").ok());
  EXPECT_EQ(uts.hostname(), "box");
  EXPECT_EQ(uts.domainname(), "example.test");
}

TEST(UtsNamespaceTest, SixtyFourBytesFitSixtyFiveDoNot) {
  UtsNamespace uts("runsc", "(none)");
  EXPECT_TRUE(uts.SetHostname(std::string(64, 'h')).ok());
  EXPECT_EQ(uts.SetHostname(std::string(65, 'h')).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(uts.SetDomainname(std::string(65, 'd')).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(uts.hostname(), std::string(64, 'h'));
  EXPECT_EQ(uts.domainname(), "(none)");
}

TEST(UtsNamespaceTest, AnEmptyNameIsAllowed) {
  UtsNamespace uts("runsc", "(none)");
  EXPECT_TRUE(uts.SetHostname("").ok());
  EXPECT_EQ(uts.hostname(), "");
}

TEST(UtsNamespaceTest, ACloneIsIndependent) {
  UtsNamespace uts("runsc", "(none)");
  std::shared_ptr<UtsNamespace> copy = uts.Clone();
  EXPECT_EQ(copy->hostname(), "runsc");
  ASSERT_TRUE(copy->SetHostname("other").ok());
  EXPECT_EQ(uts.hostname(), "runsc");
  EXPECT_EQ(copy->hostname(), "other");
}

}  // namespace
}  // namespace runsc::sentry
