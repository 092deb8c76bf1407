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
  const GoferFsCache::Stamp stamp = cache.Now();
  EXPECT_TRUE(cache.MayKeep(kFile, stamp));
  EXPECT_TRUE(cache.Current(kFile, stamp));
  EXPECT_TRUE(cache.Unchanged(stamp));
  cache.Invalidate();
  EXPECT_FALSE(cache.Current(kFile, stamp));
  EXPECT_FALSE(cache.Current(kOther, stamp));
  EXPECT_FALSE(cache.MayKeep(kFile, stamp));
  EXPECT_FALSE(cache.Unchanged(stamp));
}

TEST(GoferFsCacheTest, AChangeDuringTheRequestRefusesItsStat) {
  GoferFsCache cache;
  const GoferFsCache::Stamp stamp = cache.Now();
  cache.Invalidate();  // Another thread's rename returned while the stat was in flight.
  EXPECT_FALSE(cache.MayKeep(kFile, stamp));
  EXPECT_TRUE(cache.MayKeep(kFile, cache.Now()));
}

TEST(GoferFsCacheTest, AnOpenFileKeepsItsInodeUncachedAndItsOpenAndCloseEndItsKeptStat) {
  auto cache = std::make_shared<GoferFsCache>();
  const GoferFsCache::Stamp before = cache->Now();
  auto open = std::make_unique<GoferFsCache::OpenFile>(cache, kFile);
  EXPECT_FALSE(cache->Current(kFile, before));
  EXPECT_EQ(cache->OpenCount(kFile), 1);
  EXPECT_FALSE(cache->MayKeep(kFile, cache->Now()));
  // Only that inode: the same number elsewhere, another file and the
  // missing names are unaffected.
  EXPECT_TRUE(cache->Current(kFileElsewhere, before));
  EXPECT_TRUE(cache->Current(kOther, before));
  EXPECT_TRUE(cache->Unchanged(before));
  EXPECT_TRUE(cache->MayKeep(kOther, cache->Now()));
  const GoferFsCache::Stamp while_open = cache->Now();
  open.reset();
  EXPECT_EQ(cache->OpenCount(kFile), 0);
  EXPECT_FALSE(cache->MayKeep(kFile, while_open));
  EXPECT_TRUE(cache->MayKeep(kFile, cache->Now()));
  EXPECT_TRUE(cache->Current(kOther, before));
}

TEST(GoferFsCacheTest, AnOpenAndCloseDuringTheRequestRefusesItsStat) {
  auto cache = std::make_shared<GoferFsCache>();
  const GoferFsCache::Stamp stamp = cache->Now();
  // Another thread opened, wrote and closed the file while a walk to it
  // was in flight: the walk's stat may predate the write.
  { GoferFsCache::OpenFile open(cache, kFile); }
  EXPECT_FALSE(cache->MayKeep(kFile, stamp));
  EXPECT_TRUE(cache->MayKeep(kOther, stamp));
}

TEST(GoferFsCacheTest, TwoOpensOfOneInodeKeepItUncachedUntilBothClose) {
  auto cache = std::make_shared<GoferFsCache>();
  auto first = std::make_unique<GoferFsCache::OpenFile>(cache, kFile);
  auto second = std::make_unique<GoferFsCache::OpenFile>(cache, kFile);
  first.reset();
  EXPECT_EQ(cache->OpenCount(kFile), 1);
  EXPECT_FALSE(cache->MayKeep(kFile, cache->Now()));
  second.reset();
  EXPECT_TRUE(cache->MayKeep(kFile, cache->Now()));
}

TEST(GoferFsCacheTest, AFileThatMayBeMappedWritableIsNeverCachedAgain) {
  auto cache = std::make_shared<GoferFsCache>();
  {
    GoferFsCache::OpenFile open(cache, kFile);
    open.MayBeMappedWritable();
  }
  EXPECT_FALSE(cache->MayKeep(kFile, cache->Now()));
  EXPECT_TRUE(cache->MayKeep(kOther, cache->Now()));
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
