#include "platform/cpu_pairing.h"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <numeric>
#include <thread>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace runsc::platform {
namespace {

// The CPUs `tid` may run on.
std::vector<int> CpusOf(pid_t tid) {
  cpu_set_t set;
  CPU_ZERO(&set);
  EXPECT_EQ(sched_getaffinity(tid, sizeof(set), &set), 0);
  std::vector<int> cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

pid_t Gettid() { return static_cast<pid_t>(syscall(SYS_gettid)); }

// A host thread that stands in for a stub thread until it is told to go.
class Sleeper {
 public:
  Sleeper() : thread_([this] {
    tid_ = Gettid();
    started_.Notify();
    done_.WaitForNotification();
  }) {
    started_.WaitForNotification();
  }
  ~Sleeper() {
    done_.Notify();
    thread_.join();
  }
  pid_t tid() const { return tid_; }

 private:
  absl::Notification started_, done_;
  std::atomic<pid_t> tid_{0};
  std::thread thread_;
};

TEST(CpuPairingTest, DisabledPinsNothing) {
  const std::vector<int> before = CpusOf(0);
  std::shared_ptr<CpuPairing> pairing = CpuPairing::Create(false);
  EXPECT_FALSE(pairing->enabled());
  Sleeper stub;
  CpuPairing::Pin pin = pairing->PinCallerWith(stub.tid());
  EXPECT_EQ(pin.cpu(), -1);
  EXPECT_EQ(CpusOf(0), before);
  EXPECT_EQ(CpusOf(stub.tid()), before);
}

TEST(CpuPairingTest, PinsBothThreadsToOneCpuAndUndoesIt) {
  const std::vector<int> allowed = CpusOf(0);
  if (allowed.size() < 2) GTEST_SKIP() << "one CPU: pairing is off by design";
  std::shared_ptr<CpuPairing> pairing = CpuPairing::Create(true);
  ASSERT_TRUE(pairing->enabled());
  EXPECT_EQ(pairing->cpus(), allowed);
  Sleeper stub;
  {
    CpuPairing::Pin pin = pairing->PinCallerWith(stub.tid());
    ASSERT_GE(pin.cpu(), 0);
    EXPECT_EQ(CpusOf(0), std::vector<int>{pin.cpu()});
    EXPECT_EQ(CpusOf(stub.tid()), std::vector<int>{pin.cpu()});
    std::vector<int> pairs = pairing->PairsPerCpu();
    EXPECT_EQ(std::accumulate(pairs.begin(), pairs.end(), 0), 1);
  }
  // Gone on this thread: it may run anywhere again, the CPU is free.
  EXPECT_EQ(CpusOf(0), allowed);
  std::vector<int> pairs = pairing->PairsPerCpu();
  EXPECT_EQ(std::accumulate(pairs.begin(), pairs.end(), 0), 0);
}

TEST(CpuPairingTest, SpreadsPairsOverTheCpus) {
  const std::vector<int> allowed = CpusOf(0);
  if (allowed.size() < 2) GTEST_SKIP() << "one CPU: pairing is off by design";
  std::shared_ptr<CpuPairing> pairing = CpuPairing::Create(true);
  Sleeper first_stub, second_stub;
  CpuPairing::Pin first = pairing->PinCallerWith(first_stub.tid());
  // A second sentry thread: its pair goes to the CPU with no pair yet.
  int second_cpu = -2;
  std::thread([&] {
    CpuPairing::Pin second = pairing->PinCallerWith(second_stub.tid());
    second_cpu = second.cpu();
  }).join();
  EXPECT_GE(first.cpu(), 0);
  EXPECT_GE(second_cpu, 0);
  EXPECT_NE(first.cpu(), second_cpu);
  // The second pin went with its thread; the first holds.
  std::vector<int> pairs = pairing->PairsPerCpu();
  EXPECT_EQ(std::accumulate(pairs.begin(), pairs.end(), 0), 1);
  EXPECT_EQ(CpusOf(first_stub.tid()), std::vector<int>{first.cpu()});
}

// execve: the new stub's thread is pinned before the old address space,
// and its pin, go. Dropping the old pin must leave the sentry thread on the
// new pin's CPU, with its stub thread; dropping the last one frees it.
TEST(CpuPairingTest, AnOlderPinDroppedLastKeepsTheNewerOnesCpu) {
  const std::vector<int> allowed = CpusOf(0);
  if (allowed.size() < 2) GTEST_SKIP() << "one CPU: pairing is off by design";
  std::shared_ptr<CpuPairing> pairing = CpuPairing::Create(true);
  Sleeper old_stub, new_stub;
  auto old_pin = std::make_unique<CpuPairing::Pin>(pairing->PinCallerWith(old_stub.tid()));
  CpuPairing::Pin new_pin = pairing->PinCallerWith(new_stub.tid());
  ASSERT_GE(new_pin.cpu(), 0);
  old_pin.reset();
  EXPECT_EQ(CpusOf(0), std::vector<int>{new_pin.cpu()});
  EXPECT_EQ(CpusOf(new_stub.tid()), std::vector<int>{new_pin.cpu()});
  new_pin.Reset();
  EXPECT_EQ(CpusOf(0), allowed);
}

TEST(CpuPairingTest, MovedPinIsReleasedOnce) {
  const std::vector<int> allowed = CpusOf(0);
  if (allowed.size() < 2) GTEST_SKIP() << "one CPU: pairing is off by design";
  std::shared_ptr<CpuPairing> pairing = CpuPairing::Create(true);
  Sleeper stub;
  CpuPairing::Pin pin = pairing->PinCallerWith(stub.tid());
  CpuPairing::Pin moved = std::move(pin);
  EXPECT_EQ(pin.cpu(), -1);  // NOLINT(bugprone-use-after-move): the point of the test.
  EXPECT_GE(moved.cpu(), 0);
  pin.Reset();
  std::vector<int> pairs = pairing->PairsPerCpu();
  EXPECT_EQ(std::accumulate(pairs.begin(), pairs.end(), 0), 1);
  moved.Reset();
  pairs = pairing->PairsPerCpu();
  EXPECT_EQ(std::accumulate(pairs.begin(), pairs.end(), 0), 0);
  EXPECT_EQ(CpusOf(0), allowed);
}

int TotalPairs(const CpuPairing& pairing) {
  std::vector<int> pairs = pairing.PairsPerCpu();
  return std::accumulate(pairs.begin(), pairs.end(), 0);
}

TEST(CpuPairingTest, ASpinningPairGetsTwoCpusAndIsPinnedToOneAgainAfter) {
  const std::vector<int> allowed = CpusOf(0);
  if (allowed.size() < 2) GTEST_SKIP() << "one CPU: pairing is off by design";
  std::shared_ptr<CpuPairing> pairing = CpuPairing::Create(true);
  EXPECT_EQ(pairing->max_spinning_pairs(), static_cast<int>(allowed.size()) / 2);
  Sleeper stub;
  CpuPairing::Pin pin = pairing->PinCallerWith(stub.tid());
  ASSERT_GE(pin.cpu(), 0);
  ASSERT_TRUE(pairing->StartSpinning(pin, stub.tid()));
  EXPECT_TRUE(pin.spinning());
  ASSERT_GE(pin.cpu(), 0);
  ASSERT_GE(pin.stub_cpu(), 0);
  EXPECT_NE(pin.cpu(), pin.stub_cpu());
  EXPECT_EQ(CpusOf(0), std::vector<int>{pin.cpu()});
  EXPECT_EQ(CpusOf(stub.tid()), std::vector<int>{pin.stub_cpu()});
  EXPECT_EQ(TotalPairs(*pairing), 0);  // Its CPU is no longer shared.
  EXPECT_EQ(pairing->spinning_pairs(), 1);
  pairing->StopSpinning(pin, stub.tid());
  EXPECT_FALSE(pin.spinning());
  ASSERT_GE(pin.cpu(), 0);
  EXPECT_EQ(CpusOf(0), std::vector<int>{pin.cpu()});
  EXPECT_EQ(CpusOf(stub.tid()), std::vector<int>{pin.cpu()});
  EXPECT_EQ(TotalPairs(*pairing), 1);
  EXPECT_EQ(pairing->spinning_pairs(), 0);
}

TEST(CpuPairingTest, NoMoreSpinningPairsThanHalfTheCpus) {
  const std::vector<int> allowed = CpusOf(0);
  if (allowed.size() < 2) GTEST_SKIP() << "one CPU: pairing is off by design";
  std::shared_ptr<CpuPairing> pairing = CpuPairing::Create(true);
  const int max = pairing->max_spinning_pairs();
  std::vector<std::unique_ptr<Sleeper>> stubs;
  std::vector<CpuPairing::Pin> pins;
  for (int i = 0; i < max + 1; ++i) stubs.push_back(std::make_unique<Sleeper>());
  // All pairs on this thread, as if it served them all: what is counted is
  // the same.
  for (int i = 0; i < max + 1; ++i) pins.push_back(pairing->PinCallerWith(stubs[i]->tid()));
  for (int i = 0; i < max; ++i) EXPECT_TRUE(pairing->StartSpinning(pins[i], stubs[i]->tid()));
  EXPECT_FALSE(pairing->StartSpinning(pins[max], stubs[max]->tid()));
  EXPECT_FALSE(pins[max].spinning());
  EXPECT_EQ(CpusOf(stubs[max]->tid()).size(), 1u);  // Left as it was.
  // A spinning pair that ends frees its place.
  pins[0].Reset();
  EXPECT_EQ(pairing->spinning_pairs(), max - 1);
  EXPECT_TRUE(pairing->StartSpinning(pins[max], stubs[max]->tid()));
}

TEST(CpuPairingTest, WithPairingOffSpinningIsStillCounted) {
  std::shared_ptr<CpuPairing> pairing = CpuPairing::Create(false);
  const std::vector<int> before = CpusOf(0);
  Sleeper stub;
  CpuPairing::Pin pin = pairing->PinCallerWith(stub.tid());
  if (pairing->max_spinning_pairs() == 0) {
    EXPECT_FALSE(pairing->StartSpinning(pin, stub.tid()));
    return;
  }
  ASSERT_TRUE(pairing->StartSpinning(pin, stub.tid()));
  EXPECT_EQ(pairing->spinning_pairs(), 1);
  EXPECT_EQ(CpusOf(0), before);
  pairing->StopSpinning(pin, stub.tid());
  EXPECT_EQ(pairing->spinning_pairs(), 0);
  EXPECT_EQ(pin.cpu(), -1);
  EXPECT_EQ(CpusOf(0), before);
}

}  // namespace
}  // namespace runsc::platform
