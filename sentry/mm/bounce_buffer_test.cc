#include "sentry/mm/bounce_buffer.h"

#include <cstring>
#include <thread>

#include "gtest/gtest.h"

namespace runsc::sentry {
namespace {

TEST(BounceBufferTest, AThreadGetsItsKeptBufferBackEachTime) {
  uint8_t* first = nullptr;
  {
    BounceBuffer b(4096);
    ASSERT_TRUE(b.is_kept());
    ASSERT_EQ(b.span().size(), 4096u);
    std::memset(b.span().data(), 'x', b.span().size());
    first = b.span().data();
  }
  BounceBuffer again(BounceBuffer::kKeptSize);
  EXPECT_TRUE(again.is_kept());
  EXPECT_EQ(again.span().data(), first);
  EXPECT_EQ(again.span().size(), BounceBuffer::kKeptSize);
}

TEST(BounceBufferTest, ALargerOrNestedUseGetsABufferOfItsOwn) {
  BounceBuffer large(BounceBuffer::kKeptSize + 1);
  EXPECT_FALSE(large.is_kept());
  EXPECT_EQ(large.span().size(), BounceBuffer::kKeptSize + 1);
  std::memset(large.span().data(), 'l', large.span().size());

  BounceBuffer outer(64);
  ASSERT_TRUE(outer.is_kept());
  BounceBuffer nested(64);
  EXPECT_FALSE(nested.is_kept());
  EXPECT_NE(nested.span().data(), outer.span().data());
}

TEST(BounceBufferTest, EachThreadHasItsOwn) {
  BounceBuffer mine(64);
  ASSERT_TRUE(mine.is_kept());
  bool other_kept = false;
  uint8_t* other_data = nullptr;
  std::thread([&] {
    BounceBuffer theirs(64);
    other_kept = theirs.is_kept();
    other_data = theirs.span().data();
  }).join();
  EXPECT_TRUE(other_kept);
  EXPECT_NE(other_data, mine.span().data());
}

}  // namespace
}  // namespace runsc::sentry
