// Family: sigaltstack.
//
// The alternate stack is per thread and inherited by fork, so every case that
// sets one does it in a forked child.
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// From <linux/signal.h>, which cannot be included beside glibc's <signal.h>.
constexpr int kSsAutodisarm = static_cast<int>(1u << 31);

constexpr size_t kStackSize = 64 * 1024;
alignas(16) char alt_stack[kStackSize];

bool SetAltStack(int flags = 0) {
  stack_t stack = {};
  stack.ss_sp = alt_stack;
  stack.ss_size = kStackSize;
  stack.ss_flags = flags;
  return sigaltstack(&stack, nullptr) == 0;
}

bool OnAltStack(uintptr_t address) {
  uintptr_t base = reinterpret_cast<uintptr_t>(alt_stack);
  return address >= base && address < base + kStackSize;
}

bool Install(int sig, void (*handler)(int), int flags) {
  struct sigaction action = {};
  action.sa_handler = handler;
  action.sa_flags = flags;
  return sigaction(sig, &action, nullptr) == 0;
}

// What a handler saw: where its frame was, and what sigaltstack said there.
volatile uintptr_t handler_frame = 0;
stack_t stack_in_handler;
volatile int set_errno_in_handler = -1;
volatile int disable_errno_in_handler = -1;

void RecordStack(int) {
  volatile char local = 0;
  handler_frame = reinterpret_cast<uintptr_t>(&local);
  sigaltstack(nullptr, &stack_in_handler);
}

void TryToChangeStack(int) {
  static char other[kStackSize];
  stack_t stack = {};
  stack.ss_sp = other;
  stack.ss_size = sizeof(other);
  set_errno_in_handler = sigaltstack(&stack, nullptr) == 0 ? 0 : errno;
  stack_t disable = {};
  disable.ss_flags = SS_DISABLE;
  disable_errno_in_handler = sigaltstack(&disable, nullptr) == 0 ? 0 : errno;
}

TEST(SigaltstackTest, ThereIsNoAlternateStackAtFirst) {
  EXPECT_EQ(RunInChild([] {
              stack_t stack = {};
              CHILD_CHECK(sigaltstack(nullptr, &stack) == 0);
              CHILD_CHECK(stack.ss_flags == SS_DISABLE);
              return 0;
            }),
            0);
}

TEST(SigaltstackTest, ASetStackIsReportedBack) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(SetAltStack());
              stack_t stack = {};
              CHILD_CHECK(sigaltstack(nullptr, &stack) == 0);
              CHILD_CHECK(stack.ss_sp == alt_stack);
              CHILD_CHECK(stack.ss_size == kStackSize);
              CHILD_CHECK(stack.ss_flags == 0);
              return 0;
            }),
            0);
}

TEST(SigaltstackTest, SettingReturnsThePreviousStack) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(SetAltStack());
              static char second[kStackSize];
              stack_t stack = {}, old = {};
              stack.ss_sp = second;
              stack.ss_size = sizeof(second);
              CHILD_CHECK(sigaltstack(&stack, &old) == 0);
              CHILD_CHECK(old.ss_sp == alt_stack && old.ss_size == kStackSize);
              return 0;
            }),
            0);
}

TEST(SigaltstackTest, DisablingIgnoresTheSizeAndIsReportedBack) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(SetAltStack());
              stack_t disable = {};
              disable.ss_flags = SS_DISABLE;
              CHILD_CHECK(sigaltstack(&disable, nullptr) == 0);
              stack_t stack = {};
              CHILD_CHECK(sigaltstack(nullptr, &stack) == 0);
              CHILD_CHECK(stack.ss_flags == SS_DISABLE);
              return 0;
            }),
            0);
}

TEST(SigaltstackTest, AStackSmallerThanMinsigstkszIsENOMEM) {
  EXPECT_EQ(RunInChild([] {
              stack_t stack = {};
              stack.ss_sp = alt_stack;
              stack.ss_size = 1024;
              CHILD_CHECK(sigaltstack(&stack, nullptr) == -1 && errno == ENOMEM);
              return 0;
            }),
            0);
}

TEST(SigaltstackTest, UnknownFlagsAreEINVAL) {
  EXPECT_EQ(RunInChild([] {
              stack_t stack = {};
              stack.ss_sp = alt_stack;
              stack.ss_size = kStackSize;
              stack.ss_flags = 0x10;
              CHILD_CHECK(sigaltstack(&stack, nullptr) == -1 && errno == EINVAL);
              stack.ss_flags = SS_ONSTACK | SS_DISABLE;
              CHILD_CHECK(sigaltstack(&stack, nullptr) == -1 && errno == EINVAL);
              return 0;
            }),
            0);
}

TEST(SigaltstackTest, SsOnstackAsAModeMeansEnabled) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(SetAltStack(SS_ONSTACK));
              stack_t stack = {};
              CHILD_CHECK(sigaltstack(nullptr, &stack) == 0);
              // Not on the stack now: the flag is computed, not stored.
              CHILD_CHECK(stack.ss_flags == 0 && stack.ss_sp == alt_stack);
              return 0;
            }),
            0);
}

TEST(SigaltstackTest, AFailedChangeDoesNotReportTheOldStack) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(SetAltStack());
              stack_t bad = {};
              bad.ss_sp = alt_stack;
              bad.ss_size = 1024;
              stack_t old = {};
              old.ss_flags = 0x55;
              CHILD_CHECK(sigaltstack(&bad, &old) == -1 && errno == ENOMEM);
              CHILD_CHECK(old.ss_flags == 0x55);
              stack_t now = {};
              CHILD_CHECK(sigaltstack(nullptr, &now) == 0 && now.ss_size == kStackSize);
              return 0;
            }),
            0);
}

TEST(SigaltstackTest, BadPointersAreEFAULT) {
  EXPECT_SYSCALL_ERRNO(sigaltstack(reinterpret_cast<stack_t*>(1), nullptr), EFAULT);
  EXPECT_SYSCALL_ERRNO(sigaltstack(nullptr, reinterpret_cast<stack_t*>(1)), EFAULT);
}

TEST(SigaltstackTest, AnSaOnstackHandlerRunsOnTheAlternateStack) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(SetAltStack());
              CHILD_CHECK(Install(SIGUSR1, RecordStack, SA_ONSTACK));
              CHILD_CHECK(raise(SIGUSR1) == 0);
              CHILD_CHECK(OnAltStack(handler_frame));
              CHILD_CHECK((stack_in_handler.ss_flags & SS_ONSTACK) != 0);
              // Back on the normal stack, the flag is clear again.
              stack_t stack = {};
              CHILD_CHECK(sigaltstack(nullptr, &stack) == 0 && stack.ss_flags == 0);
              return 0;
            }),
            0);
}

TEST(SigaltstackTest, AHandlerWithoutSaOnstackRunsOnTheNormalStack) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(SetAltStack());
              CHILD_CHECK(Install(SIGUSR1, RecordStack, 0));
              CHILD_CHECK(raise(SIGUSR1) == 0);
              CHILD_CHECK(handler_frame != 0 && !OnAltStack(handler_frame));
              CHILD_CHECK((stack_in_handler.ss_flags & SS_ONSTACK) == 0);
              return 0;
            }),
            0);
}

TEST(SigaltstackTest, ChangingOrDisablingTheStackWhileOnItIsEPERM) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(SetAltStack());
              CHILD_CHECK(Install(SIGUSR1, TryToChangeStack, SA_ONSTACK));
              CHILD_CHECK(raise(SIGUSR1) == 0);
              CHILD_CHECK(set_errno_in_handler == EPERM);
              CHILD_CHECK(disable_errno_in_handler == EPERM);
              return 0;
            }),
            0);
}

TEST(SigaltstackTest, SsAutodisarmClearsTheStackInsideTheHandlerOnly) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(SetAltStack(kSsAutodisarm));
              CHILD_CHECK(Install(SIGUSR1, RecordStack, SA_ONSTACK));
              CHILD_CHECK(raise(SIGUSR1) == 0);
              CHILD_CHECK(OnAltStack(handler_frame));
              CHILD_CHECK(stack_in_handler.ss_flags == SS_DISABLE);
              // sigreturn puts the stack back.
              stack_t stack = {};
              CHILD_CHECK(sigaltstack(nullptr, &stack) == 0);
              CHILD_CHECK(stack.ss_sp == alt_stack);
              CHILD_CHECK(stack.ss_flags == kSsAutodisarm);
              return 0;
            }),
            0);
}

TEST(SigaltstackTest, AForkedChildInheritsTheAlternateStack) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(SetAltStack());
              return RunInChild([] {
                stack_t stack = {};
                CHILD_CHECK(sigaltstack(nullptr, &stack) == 0);
                CHILD_CHECK(stack.ss_sp == alt_stack && stack.ss_size == kStackSize);
                return 0;
              });
            }),
            0);
}

[[noreturn]] void ExitOnAltStack(int) {
  volatile char local = 0;
  _exit(OnAltStack(reinterpret_cast<uintptr_t>(&local)) ? 0 : 1);
}

// Recurses until the stack runs out (long before the bound); the frame's
// array keeps the compiler from turning it into a loop.
int Recurse(int depth) {
  if (depth > (1 << 30)) return 0;
  volatile char frame[512];
  frame[0] = static_cast<char>(depth);
  return Recurse(depth + 1) + frame[0];
}

TEST(SigaltstackTest, AStackOverflowIsHandledOnTheAlternateStack) {
  EXPECT_EQ(RunInChild([] {
              // A small stack limit keeps the overflow quick.
              struct rlimit limit = {256 * 1024, 256 * 1024};
              struct rlimit current;
              CHILD_CHECK(getrlimit(RLIMIT_STACK, &current) == 0);
              if (current.rlim_max < limit.rlim_max) limit = current;
              CHILD_CHECK(setrlimit(RLIMIT_STACK, &limit) == 0);
              CHILD_CHECK(SetAltStack());
              CHILD_CHECK(Install(SIGSEGV, ExitOnAltStack, SA_ONSTACK));
              return Recurse(0);
            }),
            0);
}

}  // namespace
}  // namespace runsc::syscall_test
