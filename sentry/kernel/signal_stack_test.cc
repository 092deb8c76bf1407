#include "sentry/kernel/signal_stack.h"

#include "base/errno_status.h"
#include "gtest/gtest.h"

namespace runsc::sentry {
namespace {

constexpr uint64_t kBase = 0x10000;
constexpr uint64_t kSize = 0x4000;
constexpr uint64_t kElsewhere = 0x7f0000000000;

stack_t Stack(uint64_t base, size_t size, int flags) {
  stack_t ss{};
  ss.ss_sp = reinterpret_cast<void*>(base);
  ss.ss_size = size;
  ss.ss_flags = flags;
  return ss;
}

TEST(SignalStackTest, StartsDisabled) {
  SignalStack stack;
  EXPECT_EQ(stack.Report(kElsewhere).ss_flags, SS_DISABLE);
  EXPECT_FALSE(stack.FrameTopFor(kElsewhere).has_value());
}

TEST(SignalStackTest, ReportsOnStackOnlyInsideIt) {
  SignalStack stack;
  ASSERT_TRUE(stack.Set(Stack(kBase, kSize, 0), kElsewhere).ok());
  EXPECT_EQ(stack.Report(kElsewhere).ss_flags, 0);
  EXPECT_EQ(stack.Report(kBase + 16).ss_flags, SS_ONSTACK);
  EXPECT_EQ(stack.Report(kBase + kSize).ss_flags, SS_ONSTACK);  // The top counts, as in Linux.
  EXPECT_EQ(stack.Report(kBase).ss_flags, 0);
  EXPECT_EQ(stack.Report(kBase).ss_sp, reinterpret_cast<void*>(kBase));
  EXPECT_EQ(stack.Report(kBase).ss_size, kSize);
}

TEST(SignalStackTest, TheFrameGoesToTheTopUnlessAlreadyOnTheStack) {
  SignalStack stack;
  ASSERT_TRUE(stack.Set(Stack(kBase, kSize, 0), kElsewhere).ok());
  EXPECT_EQ(stack.FrameTopFor(kElsewhere), kBase + kSize);
  EXPECT_FALSE(stack.FrameTopFor(kBase + 100).has_value());
}

TEST(SignalStackTest, ChangingWhileOnTheStackIsEPERM) {
  SignalStack stack;
  ASSERT_TRUE(stack.Set(Stack(kBase, kSize, 0), kElsewhere).ok());
  EXPECT_EQ(ErrnoOf(stack.Set(Stack(0, 0, SS_DISABLE), kBase + 100)), EPERM);
  EXPECT_EQ(ErrnoOf(stack.Set(Stack(kBase, 2 * kSize, 0), kBase + 100)), EPERM);
  EXPECT_EQ(stack.Report(kElsewhere).ss_size, kSize);
}

TEST(SignalStackTest, BadModesAreEINVALAndSmallStacksENOMEM) {
  SignalStack stack;
  EXPECT_EQ(ErrnoOf(stack.Set(Stack(kBase, kSize, 0x10), kElsewhere)), EINVAL);
  EXPECT_EQ(ErrnoOf(stack.Set(Stack(kBase, kSize, SS_ONSTACK | SS_DISABLE), kElsewhere)), EINVAL);
  EXPECT_EQ(ErrnoOf(stack.Set(Stack(kBase, 2047, 0), kElsewhere)), ENOMEM);  // MINSIGSTKSZ - 1
  EXPECT_TRUE(stack.Set(Stack(kBase, 2048, 0), kElsewhere).ok());
  // SS_ONSTACK as a mode means 0; disabling ignores the size.
  EXPECT_TRUE(stack.Set(Stack(kBase, kSize, SS_ONSTACK), kElsewhere).ok());
  EXPECT_TRUE(stack.Set(Stack(kBase, 1, SS_DISABLE), kElsewhere).ok());
  EXPECT_EQ(stack.Report(kElsewhere).ss_flags, SS_DISABLE);
  EXPECT_EQ(stack.Report(kElsewhere).ss_size, 0u);
}

TEST(SignalStackTest, AutodisarmDropsTheStackForTheHandlerAndTheFrameKeepsIt) {
  SignalStack stack;
  ASSERT_TRUE(stack.Set(Stack(kBase, kSize, SignalStack::kAutoDisarm), kElsewhere).ok());
  // Never "on" the stack: every signal starts at its top, and it may be changed.
  EXPECT_EQ(stack.FrameTopFor(kBase + 100), kBase + kSize);
  EXPECT_EQ(stack.Report(kBase + 100).ss_flags, SignalStack::kAutoDisarm);
  const stack_t saved = stack.Saved();
  stack.OnHandlerEntered();
  EXPECT_EQ(stack.Report(kBase + 100).ss_flags, SS_DISABLE);
  // rt_sigreturn sets it back from the frame.
  ASSERT_TRUE(stack.Set(saved, kElsewhere).ok());
  EXPECT_EQ(stack.Report(kElsewhere).ss_flags, SignalStack::kAutoDisarm);
  EXPECT_EQ(stack.Report(kElsewhere).ss_sp, reinterpret_cast<void*>(kBase));
}

TEST(SignalStackTest, WithoutAutodisarmEnteringAHandlerKeepsTheStack) {
  SignalStack stack;
  ASSERT_TRUE(stack.Set(Stack(kBase, kSize, 0), kElsewhere).ok());
  stack.OnHandlerEntered();
  EXPECT_EQ(stack.Report(kElsewhere).ss_size, kSize);
}

}  // namespace
}  // namespace runsc::sentry
