// Family: signals that race with a thread's syscalls.
//
// A thread that makes syscalls in a tight loop is, most of the time, on its
// way into a syscall, stopped in one, or on its way back; a signal sent to it
// can land in any of those moments. Natively the kernel handles that; in a
// sandbox each moment is a different piece of the platform (on systrap: the
// patched entry, the wait for the sentry, the resume without rt_sigreturn),
// and a signal lost in one of them hangs the sender, a register lost
// corrupts the thread. Each case sends thousands of signals, one at a time,
// to a thread looping in syscalls, waits for each to be handled, and checks
// what the thread saw.
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

constexpr int kSignals = 2000;

std::atomic<int> handled{0};
void CountAndClobber(int) {
  // The interrupted thread's vector registers must come back whatever a
  // handler does with them (xmm8 is caller-saved: a handler may).
  asm volatile("pcmpeqd %%xmm8, %%xmm8" ::: "xmm8");
  // And a syscall of its own, with registers of its own: whatever a
  // platform keeps of the interrupted syscall must not be this one's.
  (void)syscall(SYS_getpid);
  handled.fetch_add(1, std::memory_order_relaxed);
}

struct Loop {
  std::atomic<bool> stop{false};
  std::atomic<pid_t> tid{0};
  std::atomic<uint64_t> bad{0};    // Iterations whose registers came back wrong.
  std::atomic<uint64_t> calls{0};  // Iterations made.
};

// getppid as `mov $nr, %eax; syscall` (glibc's inline form), with known
// values in the argument registers, a callee-saved one and xmm8; counts
// iterations where any of them came back changed or the result is wrong.
void* RawSyscallLoop(void* arg) {
  auto* loop = static_cast<Loop*>(arg);
  loop->tid = static_cast<pid_t>(syscall(SYS_gettid));
  const uint64_t ppid = static_cast<uint64_t>(getppid());
  for (uint64_t i = 1; !loop->stop.load(std::memory_order_relaxed); ++i) {
    register uint64_t r8 asm("r8") = i * 3;
    register uint64_t r9 asm("r9") = i * 5;
    register uint64_t r10 asm("r10") = i * 7;
    register uint64_t r12 asm("r12") = i * 11;
    uint64_t rdi = i, rsi = i * 2, rdx = ~i;
    uint64_t xmm_in = i * 13, xmm_out = 0, result = 0;
    asm volatile(
        "movq %[xin], %%xmm8\n\t"
        "mov $110, %%eax\n\t"  // SYS_getppid
        "syscall\n\t"
        "movq %%xmm8, %[xout]\n\t"
        : "=a"(result), [xout] "=r"(xmm_out), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r8),
          "+r"(r9), "+r"(r10), "+r"(r12)
        : [xin] "r"(xmm_in)
        : "rcx", "r11", "xmm8", "memory");
    const bool ok = result == ppid && rdi == i && rsi == i * 2 && rdx == ~i && r8 == i * 3 &&
                    r9 == i * 5 && r10 == i * 7 && r12 == i * 11 && xmm_out == i * 13;
    if (!ok) loop->bad.fetch_add(1, std::memory_order_relaxed);
    loop->calls.store(i, std::memory_order_relaxed);
  }
  return nullptr;
}

// glibc's syscall(2) (`syscall; cmp $-4095, %rax` inside), with a little
// computation between calls so that signals also land outside syscalls.
void* LibcSyscallLoop(void* arg) {
  auto* loop = static_cast<Loop*>(arg);
  loop->tid = static_cast<pid_t>(syscall(SYS_gettid));
  const long ppid = getppid();
  volatile double x = 1.0;
  for (uint64_t i = 1; !loop->stop.load(std::memory_order_relaxed); ++i) {
    if (syscall(SYS_getppid) != ppid) loop->bad.fetch_add(1, std::memory_order_relaxed);
    for (uint64_t k = 0; k < (i % 64); ++k) x = x * 1.000001;
    loop->calls.store(i, std::memory_order_relaxed);
  }
  return nullptr;
}

double Seconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Starts `body` on a thread, sends it kSignals SIGUSR1s one at a time (each
// waited for: standard signals do not queue), stops it and returns 0, or
// fails the child with the first thing that went wrong. `also_kill`: every
// other signal goes to the process, which only that thread leaves
// unblocked.
int SignalALoopingThread(void* (*body)(void*), bool also_kill = false) {
  struct sigaction action = {};
  action.sa_handler = CountAndClobber;
  action.sa_flags = SA_RESTART;
  CHILD_CHECK(sigaction(SIGUSR1, &action, nullptr) == 0);
  Loop loop;
  pthread_t thread;
  CHILD_CHECK(pthread_create(&thread, nullptr, body, &loop) == 0);
  if (also_kill) {
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    CHILD_CHECK(pthread_sigmask(SIG_BLOCK, &usr1, nullptr) == 0);
  }
  while (loop.tid.load() == 0 || loop.calls.load() < 100) sched_yield();
  const double deadline = Seconds() + 60;
  for (int n = 1; n <= kSignals; ++n) {
    if (also_kill && n % 2 == 0) {
      CHILD_CHECK(kill(getpid(), SIGUSR1) == 0);
    } else {
      CHILD_CHECK(syscall(SYS_tgkill, getpid(), loop.tid.load(), SIGUSR1) == 0);
    }
    // A lost signal hangs here until the deadline.
    // The target needs a CPU more than this wait does.
    while (handled.load() < n) {
      CHILD_CHECK(Seconds() < deadline);
      sched_yield();
    }
  }
  // And the thread still runs after all that.
  const uint64_t calls = loop.calls.load();
  while (loop.calls.load() < calls + 100) {
    CHILD_CHECK(Seconds() < deadline);
    sched_yield();
  }
  loop.stop = true;
  CHILD_CHECK(pthread_join(thread, nullptr) == 0);
  CHILD_CHECK(handled.load() == kSignals);
  CHILD_CHECK(loop.bad.load() == 0);
  return 0;
}

TEST(SignalRaceTest, EverySignalToARawSyscallLoopIsHandledAndItsRegistersSurvive) {
  EXPECT_EQ(RunInChild([] { return SignalALoopingThread(RawSyscallLoop); }, 90), 0);
}

TEST(SignalRaceTest, EverySignalToALibcSyscallLoopIsHandled) {
  EXPECT_EQ(RunInChild([] { return SignalALoopingThread(LibcSyscallLoop); }, 90), 0);
}

// Every other signal sent to the process (kill), which only the looping
// thread leaves unblocked: both kinds of pending signal, one target.
TEST(SignalRaceTest, ProcessAndThreadSignalsToALoopingThreadAreAllHandled) {
  EXPECT_EQ(RunInChild([] { return SignalALoopingThread(RawSyscallLoop, /*also_kill=*/true); }, 90),
            0);
}

}  // namespace
}  // namespace runsc::syscall_test
