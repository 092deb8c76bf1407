#include "platform/systrap/cmp_site_set.h"

#include "gtest/gtest.h"

namespace runsc::platform::systrap {
namespace {

TEST(CmpSiteSetTest, FindsWhatWasInsertedWithItsImmediate) {
  CmpSiteSet set;
  EXPECT_FALSE(set.Find(0x7f0000101829).has_value());
  ASSERT_TRUE(set.Insert(0x7f0000101829, -4095));
  ASSERT_TRUE(set.Insert(0x7f0000102000, -4096));
  EXPECT_EQ(set.Find(0x7f0000101829), -4095);
  EXPECT_EQ(set.Find(0x7f0000102000), -4096);
  EXPECT_FALSE(set.Find(0x7f000010182b).has_value());
  // Again: updated, not added twice.
  ASSERT_TRUE(set.Insert(0x7f0000101829, -4096));
  EXPECT_EQ(set.Find(0x7f0000101829), -4096);
  EXPECT_EQ(set.size(), 2u);
}

TEST(CmpSiteSetTest, RefusesWhatItCannotHold) {
  CmpSiteSet set;
  EXPECT_FALSE(set.Insert(0x400000, 0x12345));           // immediate beyond 16 bits
  EXPECT_FALSE(set.Insert(uint64_t{1} << 48, -4095));   // not a user address
  EXPECT_FALSE(set.Insert(1, -4095));                   // the tombstone's value
  EXPECT_EQ(set.size(), 0u);
}

TEST(CmpSiteSetTest, EraseRemovesSitesOverlappingTheRangeOnly) {
  CmpSiteSet set;
  // Sites [0x1ffe, 0x2006) and [0x3000, 0x3008), and one well outside.
  ASSERT_TRUE(set.Insert(0x2000, -4095));
  ASSERT_TRUE(set.Insert(0x3002, -4095));
  ASSERT_TRUE(set.Insert(0x9000, -4095));
  // An unmap of [0x2006, 0x3000) touches neither.
  set.EraseOverlapping(0x2006, 0x3000);
  EXPECT_EQ(set.size(), 3u);
  // Its first byte, its last byte.
  set.EraseOverlapping(0x1000, 0x1fff);
  EXPECT_FALSE(set.Find(0x2000).has_value());
  set.EraseOverlapping(0x3007, 0x4000);
  EXPECT_FALSE(set.Find(0x3002).has_value());
  EXPECT_EQ(set.Find(0x9000), -4095);
  EXPECT_EQ(set.size(), 1u);
  // Erased places can be used again.
  ASSERT_TRUE(set.Insert(0x2000, -4096));
  EXPECT_EQ(set.Find(0x2000), -4096);
}

TEST(CmpSiteSetTest, HoldsUpToItsLimitAndEveryEntryStaysFindable) {
  CmpSiteSet set;
  // Addresses that collide in the hash as little or as much as they like.
  for (size_t i = 0; i < CmpSiteSet::kMaxEntries; ++i) {
    ASSERT_TRUE(set.Insert(0x400000 + 0x1000 * i, -4095)) << i;
  }
  EXPECT_FALSE(set.Insert(0x900000, -4095));
  for (size_t i = 0; i < CmpSiteSet::kMaxEntries; ++i) {
    EXPECT_EQ(set.Find(0x400000 + 0x1000 * i), -4095) << i;
  }
  EXPECT_FALSE(set.Find(0x900000).has_value());
  // Erase and insert many times over: tombstones are reused, so the set
  // never fills with them.
  for (int round = 0; round < 10; ++round) {
    set.EraseOverlapping(0, ~uint64_t{0});
    EXPECT_EQ(set.size(), 0u);
    for (size_t i = 0; i < CmpSiteSet::kMaxEntries; ++i) {
      ASSERT_TRUE(set.Insert(0x500000 + 0x40 * i + round, -4096)) << round << " " << i;
    }
  }
  EXPECT_EQ(set.Find(0x500000 + 9), -4096);
}

TEST(CmpSiteSetTest, CopyIsIndependent) {
  CmpSiteSet parent;
  ASSERT_TRUE(parent.Insert(0x2000, -4095));
  CmpSiteSet child;
  child.CopyFrom(parent);
  EXPECT_EQ(child.Find(0x2000), -4095);
  parent.EraseOverlapping(0, 0x10000);
  EXPECT_EQ(child.Find(0x2000), -4095);
  EXPECT_FALSE(parent.Find(0x2000).has_value());
}

}  // namespace
}  // namespace runsc::platform::systrap
