#include "fs/xattr_map.h"

#include <sys/xattr.h>

#include <string>

#include "base/errno_status.h"
#include "gtest/gtest.h"

namespace runsc::fs {
namespace {

TEST(XattrMapTest, KeepsUserAndTrustedInTheOrderSet) {
  XattrMap map;
  ASSERT_TRUE(map.Set("user.b", "2", 0).ok());
  ASSERT_TRUE(map.Set("trusted.a", "1", 0).ok());
  ASSERT_TRUE(map.Set("user.e", "", 0).ok());
  EXPECT_EQ(map.Get("user.b").value_or("?"), "2");
  EXPECT_EQ(map.Get("user.e").value_or("?"), "");
  EXPECT_EQ(map.List(), (std::vector<std::string>{"user.b", "trusted.a", "user.e"}));
  ASSERT_TRUE(map.Set("user.b", "22", 0).ok());  // Replacing keeps the place.
  EXPECT_EQ(map.List().front(), "user.b");
  ASSERT_TRUE(map.Remove("user.b").ok());
  EXPECT_EQ(ErrnoOf(map.Get("user.b").status()), ENODATA);
  EXPECT_EQ(ErrnoOf(map.Remove("user.b")), ENODATA);
}

TEST(XattrMapTest, CreateAndReplaceFlags) {
  XattrMap map;
  EXPECT_EQ(ErrnoOf(map.Set("user.a", "1", XATTR_REPLACE)), ENODATA);
  ASSERT_TRUE(map.Set("user.a", "1", XATTR_CREATE).ok());
  EXPECT_EQ(ErrnoOf(map.Set("user.a", "2", XATTR_CREATE)), EEXIST);
  ASSERT_TRUE(map.Set("user.a", "2", XATTR_REPLACE).ok());
  EXPECT_EQ(map.Get("user.a").value_or("?"), "2");
}

TEST(XattrMapTest, OtherNamespacesAndBarePrefixesAreRefused) {
  XattrMap map;
  for (const char* name : {"security.selinux", "system.posix_acl_access", "foo.bar", "user"}) {
    EXPECT_EQ(ErrnoOf(map.Set(name, "v", 0)), EOPNOTSUPP) << name;
    EXPECT_EQ(ErrnoOf(map.Get(name).status()), EOPNOTSUPP) << name;
    EXPECT_EQ(ErrnoOf(map.Remove(name)), EOPNOTSUPP) << name;
  }
  EXPECT_EQ(ErrnoOf(map.Set("user.", "v", 0)), EINVAL);
  EXPECT_EQ(ErrnoOf(map.Get("trusted.").status()), EINVAL);
  EXPECT_TRUE(map.List().empty());
}

TEST(XattrMapTest, SizesAreBounded) {
  XattrMap map;
  EXPECT_TRUE(map.Set("user.max", std::string(65536, 'v'), 0).ok());
  EXPECT_EQ(ErrnoOf(map.Set("user.over", std::string(65537, 'v'), 0)), E2BIG);
  // Past kMaxBytes in all: ENOSPC, and what was there stays.
  int i = 0;
  absl::Status status;
  while ((status = map.Set("user.n" + std::to_string(i), std::string(65536, 'v'), 0)).ok()) ++i;
  EXPECT_EQ(ErrnoOf(status), ENOSPC);
  EXPECT_LT(i, 20);
  EXPECT_EQ(map.Get("user.max")->size(), 65536u);
  // Removing makes room again.
  ASSERT_TRUE(map.Remove("user.max").ok());
  EXPECT_TRUE(map.Set("user.again", std::string(65536, 'v'), 0).ok());
}

}  // namespace
}  // namespace runsc::fs
