// Family: futex (the raw syscall: glibc has no wrapper).
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

long Futex(void* uaddr, int op, uint32_t val, const timespec* timeout = nullptr,
           void* uaddr2 = nullptr, uint32_t val3 = 0) {
  return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}

int64_t MonotonicNanos() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

// An address that is aligned but has no mapping behind it.
void* UnmappedAddress() {
  void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return nullptr;
  munmap(page, 4096);
  return page;
}

TEST(FutexTest, WaitOnAMismatchedValueIsEAGAIN) {
  uint32_t word = 1;
  EXPECT_SYSCALL_ERRNO(Futex(&word, FUTEX_WAIT_PRIVATE, 0), EAGAIN);
  EXPECT_SYSCALL_ERRNO(Futex(&word, FUTEX_WAIT, 0), EAGAIN);
}

TEST(FutexTest, WaitTimesOutWithETIMEDOUTAfterAtLeastTheTimeout) {
  uint32_t word = 0;
  timespec timeout = {0, 10 * 1000000};
  ScopedAlarm guard(10);
  const int64_t start = MonotonicNanos();
  EXPECT_SYSCALL_ERRNO(Futex(&word, FUTEX_WAIT_PRIVATE, 0, &timeout), ETIMEDOUT);
  EXPECT_GE(MonotonicNanos() - start, 10 * 1000000LL);
}

TEST(FutexTest, ZeroTimeoutTimesOutAtOnce) {
  ScopedAlarm guard(10);
  uint32_t word = 0;
  timespec timeout = {0, 0};
  EXPECT_SYSCALL_ERRNO(Futex(&word, FUTEX_WAIT_PRIVATE, 0, &timeout), ETIMEDOUT);
}

TEST(FutexTest, WakeWithNoWaitersReturnsZero) {
  uint32_t word = 0;
  EXPECT_EQ(Futex(&word, FUTEX_WAKE_PRIVATE, 1), 0);
  EXPECT_EQ(Futex(&word, FUTEX_WAKE, INT32_MAX), 0);
}

TEST(FutexTest, WaitOnAnUnmappedAddressIsEFAULT) {
  void* addr = UnmappedAddress();
  ASSERT_NE(addr, nullptr);
  EXPECT_SYSCALL_ERRNO(Futex(addr, FUTEX_WAIT_PRIVATE, 0), EFAULT);
  EXPECT_SYSCALL_ERRNO(Futex(nullptr, FUTEX_WAIT_PRIVATE, 0), EFAULT);
}

TEST(FutexTest, BadTimeoutPointerIsEFAULT) {
  uint32_t word = 0;
  EXPECT_SYSCALL_ERRNO(
      Futex(&word, FUTEX_WAIT_PRIVATE, 0, reinterpret_cast<const timespec*>(1)), EFAULT);
}

TEST(FutexTest, MisalignedAddressIsEINVAL) {
  alignas(8) char buf[8] = {};
  EXPECT_SYSCALL_ERRNO(Futex(buf + 1, FUTEX_WAIT_PRIVATE, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(Futex(buf + 2, FUTEX_WAKE_PRIVATE, 1), EINVAL);
}

TEST(FutexTest, InvalidTimeoutIsEINVAL) {
  uint32_t word = 0;
  timespec bad = {0, 1000000000};
  EXPECT_SYSCALL_ERRNO(Futex(&word, FUTEX_WAIT_PRIVATE, 0, &bad), EINVAL);
  timespec negative = {-1, 0};
  EXPECT_SYSCALL_ERRNO(Futex(&word, FUTEX_WAIT_PRIVATE, 0, &negative), EINVAL);
}

TEST(FutexTest, UnknownOperationIsENOSYS) {
  uint32_t word = 0;
  EXPECT_SYSCALL_ERRNO(Futex(&word, 99, 0), ENOSYS);
}

TEST(FutexTest, ClockRealtimeOnPlainWaitIsENOSYS) {
  uint32_t word = 1;
  EXPECT_SYSCALL_ERRNO(Futex(&word, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 0), ENOSYS);
}

TEST(FutexTest, WaitBitsetWithAZeroBitsetIsEINVAL) {
  uint32_t word = 0;
  EXPECT_SYSCALL_ERRNO(Futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, nullptr, nullptr, 0), EINVAL);
}

TEST(FutexTest, WaitBitsetTakesAnAbsoluteDeadline) {
  ScopedAlarm guard(10);
  uint32_t word = 0;
  timespec past;
  clock_gettime(CLOCK_MONOTONIC, &past);
  past.tv_sec -= 1;
  EXPECT_SYSCALL_ERRNO(Futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &past, nullptr,
                             FUTEX_BITSET_MATCH_ANY),
                       ETIMEDOUT);
  timespec soon;
  clock_gettime(CLOCK_REALTIME, &soon);
  soon.tv_nsec += 10 * 1000000;
  if (soon.tv_nsec >= 1000000000) {
    soon.tv_sec += 1;
    soon.tv_nsec -= 1000000000;
  }
  EXPECT_SYSCALL_ERRNO(Futex(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &soon,
                             nullptr, FUTEX_BITSET_MATCH_ANY),
                       ETIMEDOUT);
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  EXPECT_TRUE(now.tv_sec > soon.tv_sec || (now.tv_sec == soon.tv_sec && now.tv_nsec >= soon.tv_nsec));
}

TEST(FutexTest, CmpRequeueWithAMismatchedValueIsEAGAIN) {
  uint32_t word = 5, other = 0;
  EXPECT_SYSCALL_ERRNO(
      Futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, reinterpret_cast<const timespec*>(1), &other, 4),
      EAGAIN);
  EXPECT_EQ(Futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, reinterpret_cast<const timespec*>(1),
                  &other, 5),
            0);
}

TEST(FutexTest, WaiterInAnotherProcessIsWokenOverASharedMapping) {
  void* mem = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  auto* word = static_cast<std::atomic<uint32_t>*>(mem);
  word->store(0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    timespec timeout = {5, 0};
    // Shared (not _PRIVATE): the two processes have different address spaces.
    long rc = Futex(mem, FUTEX_WAIT, 0, &timeout);
    _exit(rc == 0 ? 0 : 1);
  }
  // Wake until the child is found waiting; a wake before it waits finds nobody.
  long woken = 0;
  for (int i = 0; i < 2000 && woken == 0; ++i) {
    woken = Futex(mem, FUTEX_WAKE, 1);
    if (woken == 0) usleep(1000);
  }
  EXPECT_EQ(woken, 1);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  munmap(mem, 4096);
}

TEST(FutexTest, CmpRequeueMovesAWaiterToTheSecondWord) {
  void* mem = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  auto* words = static_cast<uint32_t*>(mem);
  words[0] = words[1] = 0;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    timespec timeout = {10, 0};
    _exit(Futex(&words[0], FUTEX_WAIT, 0, &timeout) == 0 ? 0 : 1);
  }
  // Requeue (wake none, move one) until the child is found waiting.
  long moved = 0;
  for (int i = 0; i < 2000 && moved == 0; ++i) {
    moved = Futex(&words[0], FUTEX_CMP_REQUEUE, 0, reinterpret_cast<const timespec*>(1),
                  &words[1], 0);
    if (moved == 0) usleep(1000);
  }
  EXPECT_EQ(moved, 1);
  // It waits on the second word now: waking the first finds nobody.
  EXPECT_EQ(Futex(&words[0], FUTEX_WAKE, 1), 0);
  EXPECT_EQ(Futex(&words[1], FUTEX_WAKE, 1), 1);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  munmap(mem, 4096);
}

TEST(FutexTest, RequeueWithANegativeCountIsEINVAL) {
  uint32_t word = 0, other = 0;
  EXPECT_SYSCALL_ERRNO(Futex(&word, FUTEX_REQUEUE_PRIVATE, static_cast<uint32_t>(-1),
                             reinterpret_cast<const timespec*>(1), &other),
                       EINVAL);
  EXPECT_EQ(Futex(&word, FUTEX_REQUEUE_PRIVATE, 1, reinterpret_cast<const timespec*>(1), &other),
            0);
}

}  // namespace
}  // namespace runsc::syscall_test
