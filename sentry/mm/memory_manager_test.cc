// MemoryManager's RLIMIT_AS accounting and brk accessors, over a real
// (ptrace) stub address space.
#include "sentry/mm/memory_manager.h"

#include <sys/mman.h>
#include <sys/resource.h>

#include <memory>
#include <vector>

#include "base/errno_status.h"
#include "gtest/gtest.h"
#include "sentry/mm/test_memory.h"

namespace runsc::sentry {
namespace {

constexpr uint64_t kBase = 0x100000000;
constexpr uint64_t kMiB = 1 << 20;

class MemoryManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TestMemory> memory = NewTestMemory();
    ASSERT_TRUE(memory.ok()) << memory.status();
    platform_ = std::move(memory->platform);
    mm_ = std::move(memory->mm);
  }

  // Maps `length` bytes at `addr` (MAP_FIXED) and returns whether it worked.
  bool MapAt(uint64_t addr, uint64_t length) {
    return mm_->Map(addr, length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0, "")
        .ok();
  }

  std::unique_ptr<platform::Platform> platform_;
  std::unique_ptr<MemoryManager> mm_;
};

TEST_F(MemoryManagerTest, WithoutALimitAnyMappingFits) {
  EXPECT_TRUE(mm_->CheckAddressSpaceLimit(std::nullopt, uint64_t{1} << 46, RLIM_INFINITY).ok());
}

TEST_F(MemoryManagerTest, AMappingPastTheLimitIsENOMEM) {
  ASSERT_TRUE(MapAt(kBase, 4 * kMiB));
  // 4 MiB mapped: 4 more fit in 8, 5 more do not; a page rounds up.
  EXPECT_TRUE(mm_->CheckAddressSpaceLimit(std::nullopt, 4 * kMiB, 8 * kMiB).ok());
  EXPECT_EQ(ErrnoOf(mm_->CheckAddressSpaceLimit(std::nullopt, 5 * kMiB, 8 * kMiB)), ENOMEM);
  EXPECT_EQ(ErrnoOf(mm_->CheckAddressSpaceLimit(std::nullopt, 4 * kMiB + 1, 8 * kMiB)), ENOMEM);
}

TEST_F(MemoryManagerTest, WhatAFixedMappingReplacesIsNotCountedTwice) {
  ASSERT_TRUE(MapAt(kBase, 4 * kMiB));
  // 6 MiB at kBase + 2 MiB replace 2 MiB of the mapping: 8 MiB in all.
  EXPECT_TRUE(mm_->CheckAddressSpaceLimit(kBase + 2 * kMiB, 6 * kMiB, 8 * kMiB).ok());
  EXPECT_EQ(ErrnoOf(mm_->CheckAddressSpaceLimit(kBase + 2 * kMiB, 6 * kMiB, 8 * kMiB - 4096)),
            ENOMEM);
  // Elsewhere, nothing is replaced.
  EXPECT_EQ(ErrnoOf(mm_->CheckAddressSpaceLimit(kBase + 64 * kMiB, 6 * kMiB, 8 * kMiB)), ENOMEM);
}

TEST_F(MemoryManagerTest, BrkStartAndBreakAreReported) {
  mm_->SetBrkStart(kBase);
  EXPECT_EQ(mm_->brk_start(), kBase);
  EXPECT_EQ(mm_->brk(), kBase);
  EXPECT_EQ(mm_->Brk(kBase + 3 * 4096 + 5), kBase + 3 * 4096 + 5);
  EXPECT_EQ(mm_->brk(), kBase + 3 * 4096 + 5);
  EXPECT_EQ(mm_->brk_start(), kBase);
}

TEST_F(MemoryManagerTest, PartialCopiesStopWhereTheMemoryEnds) {
  ASSERT_TRUE(mm_->Map(kBase, 4096, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0, "")
                  .ok());
  std::vector<uint8_t> out(8192, 'o');
  absl::StatusOr<size_t> n = mm_->CopyOutPartial(kBase, out);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 4096u);
  std::vector<uint8_t> in(8192, 0);
  n = mm_->CopyInPartial(kBase + 100, absl::MakeSpan(in));
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 4096u - 100);
  EXPECT_EQ(in[0], 'o');
  // Nothing at all: EFAULT. Nothing asked: 0.
  EXPECT_EQ(ErrnoOf(mm_->CopyOutPartial(kBase + 4096, out).status()), EFAULT);
  EXPECT_EQ(ErrnoOf(mm_->CopyInPartial(kBase + 4096, absl::MakeSpan(in)).status()), EFAULT);
  EXPECT_EQ(*mm_->CopyOutPartial(kBase + 4096, {}), 0u);
  // The whole-or-nothing copies still fail a short one.
  EXPECT_EQ(ErrnoOf(mm_->CopyOut(kBase, out)), EFAULT);
}

}  // namespace
}  // namespace runsc::sentry
