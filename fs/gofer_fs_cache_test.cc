#include "fs/gofer_fs_cache.h"

#include <memory>

#include "gtest/gtest.h"

namespace runsc::fs {
namespace {

constexpr GoferFsCache::InodeKey kFile{1, 42};
constexpr GoferFsCache::InodeKey kOther{1, 43};
// The same inode number on another host filesystem of the tree.
constexpr GoferFsCache::InodeKey kFileElsewhere{2, 42};

TEST(GoferFsCacheTest, AStatTakenWithNothingChangedIsKeptUntilTheNextChange) {
  GoferFsCache cache;
  const GoferFsCache::Generation stamp = cache.Stamp();
  EXPECT_TRUE(cache.MayKeep(kFile, stamp));
  EXPECT_TRUE(cache.Current(stamp));
  cache.Invalidate();
  EXPECT_FALSE(cache.Current(stamp));
  EXPECT_FALSE(cache.MayKeep(kFile, stamp));
}

TEST(GoferFsCacheTest, AChangeDuringTheRequestRefusesItsStat) {
  GoferFsCache cache;
  const GoferFsCache::Generation stamp = cache.Stamp();
  cache.Invalidate();  // Another thread's rename returned while the stat was in flight.
  EXPECT_FALSE(cache.MayKeep(kFile, stamp));
  EXPECT_TRUE(cache.MayKeep(kFile, cache.Stamp()));
}

TEST(GoferFsCacheTest, AnOpenFileKeepsItsInodeUncachedAndItsOpenAndCloseInvalidate) {
  auto cache = std::make_shared<GoferFsCache>();
  const GoferFsCache::Generation before = cache->Stamp();
  auto open = std::make_unique<GoferFsCache::OpenFile>(cache, kFile);
  EXPECT_FALSE(cache->Current(before));
  EXPECT_EQ(cache->OpenCount(kFile), 1);
  EXPECT_FALSE(cache->MayKeep(kFile, cache->Stamp()));
  // Only that inode: same number elsewhere or another file may be kept.
  EXPECT_TRUE(cache->MayKeep(kFileElsewhere, cache->Stamp()));
  EXPECT_TRUE(cache->MayKeep(kOther, cache->Stamp()));
  const GoferFsCache::Generation while_open = cache->Stamp();
  open.reset();
  EXPECT_EQ(cache->OpenCount(kFile), 0);
  EXPECT_FALSE(cache->Current(while_open));
  EXPECT_TRUE(cache->MayKeep(kFile, cache->Stamp()));
}

TEST(GoferFsCacheTest, TwoOpensOfOneInodeKeepItUncachedUntilBothClose) {
  auto cache = std::make_shared<GoferFsCache>();
  auto first = std::make_unique<GoferFsCache::OpenFile>(cache, kFile);
  auto second = std::make_unique<GoferFsCache::OpenFile>(cache, kFile);
  first.reset();
  EXPECT_EQ(cache->OpenCount(kFile), 1);
  EXPECT_FALSE(cache->MayKeep(kFile, cache->Stamp()));
  second.reset();
  EXPECT_TRUE(cache->MayKeep(kFile, cache->Stamp()));
}

TEST(GoferFsCacheTest, AFileThatMayBeMappedWritableIsNeverCachedAgain) {
  auto cache = std::make_shared<GoferFsCache>();
  {
    GoferFsCache::OpenFile open(cache, kFile);
    open.MayBeMappedWritable();
  }
  EXPECT_FALSE(cache->MayKeep(kFile, cache->Stamp()));
  EXPECT_TRUE(cache->MayKeep(kOther, cache->Stamp()));
}

TEST(GoferFsCacheTest, TheKeptFdBudgetIsSpentAndReturned) {
  GoferFsCache cache(/*kept_fd_budget=*/2);
  EXPECT_TRUE(cache.TakeKeptFdSlot());
  EXPECT_TRUE(cache.TakeKeptFdSlot());
  EXPECT_FALSE(cache.TakeKeptFdSlot());
  cache.ReturnKeptFdSlot();
  EXPECT_TRUE(cache.TakeKeptFdSlot());
}

}  // namespace
}  // namespace runsc::fs
