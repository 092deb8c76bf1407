// Family: sched_yield, sched_{get,set}affinity, sched_{get,set}scheduler,
// sched_{get,set}param, sched_get_priority_{max,min}, sched_rr_get_interval,
// getcpu.
//
// Scheduling settings are changed only in forked children.
#include <linux/capability.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// Beyond any pid_max (at most 2^22), so no process has it.
constexpr pid_t kNoSuchPid = 0x3ffffff0;

long RawGetaffinity(pid_t pid, size_t size, void* mask) {
  return syscall(SYS_sched_getaffinity, pid, size, mask);
}

TEST(SchedTest, SchedYieldSucceeds) {
  EXPECT_EQ(sched_yield(), 0);
  EXPECT_EQ(syscall(SYS_sched_yield), 0);
}

TEST(SchedTest, GetaffinityReturnsTheMaskSizeAndHoldsTheCurrentCpu) {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  long size = RawGetaffinity(0, sizeof(mask), &mask);
  ASSERT_GT(size, 0) << strerrorname_np(errno);
  // The kernel copies whole longs.
  EXPECT_EQ(size % sizeof(long), 0u);
  EXPECT_LE(static_cast<size_t>(size), sizeof(mask));
  EXPECT_GE(CPU_COUNT(&mask), 1);
  int cpu = sched_getcpu();
  ASSERT_GE(cpu, 0);
  EXPECT_TRUE(CPU_ISSET(cpu, &mask));
}

TEST(SchedTest, GetaffinityOfSelfByPidMatchesPidZero) {
  cpu_set_t by_zero, by_pid;
  ASSERT_SYSCALL_OK(sched_getaffinity(0, sizeof(by_zero), &by_zero));
  ASSERT_SYSCALL_OK(sched_getaffinity(getpid(), sizeof(by_pid), &by_pid));
  EXPECT_TRUE(CPU_EQUAL(&by_zero, &by_pid));
}

TEST(SchedTest, GetaffinityWithAZeroOrUnalignedSizeIsEINVAL) {
  cpu_set_t mask;
  EXPECT_SYSCALL_ERRNO(RawGetaffinity(0, 0, &mask), EINVAL);
  EXPECT_SYSCALL_ERRNO(RawGetaffinity(0, sizeof(long) + 1, &mask), EINVAL);
}

TEST(SchedTest, GetaffinityWithABadPointerIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(RawGetaffinity(0, sizeof(cpu_set_t), reinterpret_cast<void*>(1)), EFAULT);
}

TEST(SchedTest, GetaffinityOfAnUnknownPidIsESRCH) {
  cpu_set_t mask;
  EXPECT_SYSCALL_ERRNO(sched_getaffinity(kNoSuchPid, sizeof(mask), &mask), ESRCH);
}

TEST(SchedTest, SetaffinityToOneCpuIsReportedBackAndObeyed) {
  EXPECT_EQ(RunInChild([] {
              cpu_set_t mask;
              CHILD_CHECK(sched_getaffinity(0, sizeof(mask), &mask) == 0);
              int chosen = -1;
              for (int i = CPU_SETSIZE - 1; i >= 0 && chosen < 0; --i) {
                if (CPU_ISSET(i, &mask)) chosen = i;
              }
              CHILD_CHECK(chosen >= 0);
              cpu_set_t one;
              CPU_ZERO(&one);
              CPU_SET(chosen, &one);
              CHILD_CHECK(sched_setaffinity(0, sizeof(one), &one) == 0);
              cpu_set_t queried;
              CHILD_CHECK(sched_getaffinity(0, sizeof(queried), &queried) == 0);
              CHILD_CHECK(CPU_EQUAL(&one, &queried));
              // The change takes effect before the call returns.
              CHILD_CHECK(sched_getcpu() == chosen);
              return 0;
            }),
            0);
}

TEST(SchedTest, SetaffinityWithAnEmptyMaskIsEINVAL) {
  cpu_set_t empty;
  CPU_ZERO(&empty);
  EXPECT_SYSCALL_ERRNO(sched_setaffinity(0, sizeof(empty), &empty), EINVAL);
}

TEST(SchedTest, TheDefaultPolicyIsSchedOtherWithPriorityZero) {
  EXPECT_EQ(sched_getscheduler(0), SCHED_OTHER);
  struct sched_param param = {-1};
  ASSERT_SYSCALL_OK(sched_getparam(0, &param));
  EXPECT_EQ(param.sched_priority, 0);
}

TEST(SchedTest, PriorityRangesFollowThePolicy) {
  EXPECT_EQ(sched_get_priority_max(SCHED_FIFO), 99);
  EXPECT_EQ(sched_get_priority_min(SCHED_FIFO), 1);
  EXPECT_EQ(sched_get_priority_max(SCHED_RR), 99);
  EXPECT_EQ(sched_get_priority_min(SCHED_RR), 1);
  for (int policy : {SCHED_OTHER, SCHED_BATCH, SCHED_IDLE}) {
    EXPECT_EQ(sched_get_priority_max(policy), 0) << policy;
    EXPECT_EQ(sched_get_priority_min(policy), 0) << policy;
  }
}

TEST(SchedTest, PriorityRangeOfAnUnknownPolicyIsEINVAL) {
  EXPECT_SYSCALL_ERRNO(sched_get_priority_max(42), EINVAL);
  EXPECT_SYSCALL_ERRNO(sched_get_priority_min(-1), EINVAL);
}

TEST(SchedTest, SetschedulerToBatchIsReportedBack) {
  EXPECT_EQ(RunInChild([] {
              struct sched_param param = {0};
              CHILD_CHECK(sched_setscheduler(0, SCHED_BATCH, &param) == 0);
              CHILD_CHECK(sched_getscheduler(0) == SCHED_BATCH);
              CHILD_CHECK(sched_setscheduler(0, SCHED_OTHER, &param) == 0);
              CHILD_CHECK(sched_getscheduler(0) == SCHED_OTHER);
              return 0;
            }),
            0);
}

TEST(SchedTest, SetschedulerWithAPriorityOutsideThePolicysRangeIsEINVAL) {
  struct sched_param param = {5};
  EXPECT_SYSCALL_ERRNO(sched_setscheduler(0, SCHED_OTHER, &param), EINVAL);
  param.sched_priority = 100;
  EXPECT_SYSCALL_ERRNO(sched_setscheduler(0, SCHED_FIFO, &param), EINVAL);
}

TEST(SchedTest, SetschedulerWithAnUnknownPolicyIsEINVAL) {
  struct sched_param param = {0};
  EXPECT_SYSCALL_ERRNO(sched_setscheduler(0, 42, &param), EINVAL);
}

TEST(SchedTest, SetschedulerToFifoWithCapSysNiceIsReportedBack) {
  SKIP_UNLESS_CAPABILITY(CAP_SYS_NICE);
  EXPECT_EQ(RunInChild([] {
              struct sched_param param = {1};
              CHILD_CHECK(sched_setscheduler(0, SCHED_FIFO, &param) == 0);
              CHILD_CHECK(sched_getscheduler(0) == SCHED_FIFO);
              struct sched_param queried = {0};
              CHILD_CHECK(sched_getparam(0, &queried) == 0 && queried.sched_priority == 1);
              param.sched_priority = 0;
              CHILD_CHECK(sched_setscheduler(0, SCHED_OTHER, &param) == 0);
              return 0;
            }),
            0);
}

TEST(SchedTest, BadArgumentsToGetschedulerAndGetparam) {
  EXPECT_SYSCALL_ERRNO(sched_getscheduler(-1), EINVAL);
  EXPECT_SYSCALL_ERRNO(sched_getscheduler(kNoSuchPid), ESRCH);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_sched_getparam, 0, nullptr), EINVAL);
  struct sched_param param;
  EXPECT_SYSCALL_ERRNO(sched_getparam(kNoSuchPid, &param), ESRCH);
}

TEST(SchedTest, GetcpuReportsACpuInTheAffinityMask) {
  unsigned cpu = ~0u, node = ~0u;
  ASSERT_SYSCALL_OK(syscall(SYS_getcpu, &cpu, &node, nullptr));
  cpu_set_t mask;
  ASSERT_SYSCALL_OK(sched_getaffinity(0, sizeof(mask), &mask));
  ASSERT_LT(cpu, static_cast<unsigned>(CPU_SETSIZE));
  EXPECT_TRUE(CPU_ISSET(cpu, &mask));
  EXPECT_NE(node, ~0u);
  // Either pointer may be null.
  EXPECT_SYSCALL_OK(syscall(SYS_getcpu, nullptr, nullptr, nullptr));
}

TEST(SchedTest, RrGetIntervalFillsInATimespec) {
  struct timespec interval = {-1, -1};
  ASSERT_SYSCALL_OK(sched_rr_get_interval(0, &interval));
  EXPECT_GE(interval.tv_sec, 0);
  EXPECT_GE(interval.tv_nsec, 0);
  EXPECT_LT(interval.tv_nsec, 1000000000);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_sched_rr_get_interval, 0, reinterpret_cast<void*>(1)), EFAULT);
}

}  // namespace
}  // namespace runsc::syscall_test
