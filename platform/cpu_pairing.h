// Keeps each application thread and the sentry thread that serves it on one
// host CPU.
//
// Why: every syscall the sentry answers is two hand-offs between host
// threads (stub -> sentry -> stub), whether by ptrace stops or by systrap's
// futex words. When the two threads sit on different CPUs each hand-off is
// a cross-CPU wake-up, an inter-processor interrupt, which on the VMs this
// is built on costs ~15 us. On one CPU it is a plain context switch. Measured
// on the 2-core CI VM (SCHED_FIFO, so that no other load interfered): a
// futex ping-pong between two processes took 32 us per round trip across
// CPUs and 5.8 us on one; a PTRACE_SYSEMU round trip 29 us and 9.2 us.
//
// The cost is load balancing: a pinned pair cannot move to an idle CPU. So
// each pair goes to the CPU with the fewest pairs (the one the sentry
// thread is on when there is a tie), and a sandbox can turn pairing off
// (`runsc --cpu-pairing=false`).
//
// Spinning (systrap, platform/systrap/spin_policy.h) is the other way
// round: a pair whose two threads spin while they wait for each other needs
// a CPU each, and is slowest of all on one (measured 30 µs per round trip
// against 8.3 µs paired and sleeping, and 1.5 µs spinning on two). So
// StartSpinning lets a pair spin only if that leaves two CPUs for each
// spinning pair (at most cpus / 2 spinning pairs, one on a 2-CPU host),
// and pins its two threads to two different CPUs, those with the fewest
// spinning threads; StopSpinning pins the pair to one CPU again.
// Why pinned apart and not merely unpinned: an unpinned pair that was
// paired stays on its one CPU until the load balancer moves a thread, and
// until then each hand-off waits out the spinner's whole budget; measured
// on a 2-core VM (Linux 6.18), the spin policy saw 39 misses in 48
// spinning round trips and gave up every time, so no benchmark ever got
// the spinning round trip. Two pinned CPUs ping-pong a cache line in
// 124 ns there.
#ifndef RUNSC_PLATFORM_CPU_PAIRING_H_
#define RUNSC_PLATFORM_CPU_PAIRING_H_

#include <sched.h>
#include <sys/types.h>

#include <map>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace runsc::platform {

class CpuPairing : public std::enable_shared_from_this<CpuPairing> {
 public:
  // Pairs over the CPUs the calling thread may run on now (the sandbox's
  // cpuset). With `enabled` false, or a single CPU, Pin() does nothing.
  static std::shared_ptr<CpuPairing> Create(bool enabled);

  // One pinned pair: while it lives, the sentry thread that made it and
  // its stub thread run on cpu(). Destroying it on that sentry thread lets
  // it run anywhere again (the stub thread is gone or parked by then);
  // destroyed elsewhere it only frees the CPU's place.
  class Pin {
   public:
    Pin() = default;
    Pin(Pin&& other) noexcept { *this = std::move(other); }
    Pin& operator=(Pin&& other) noexcept;
    ~Pin() { Reset(); }
    void Reset();
    // -1: not pinned. While spinning: the sentry thread's CPU.
    int cpu() const { return cpu_; }
    // While spinning: the stub thread's CPU (-1 otherwise).
    int stub_cpu() const { return stub_cpu_; }
    bool spinning() const { return spinning_; }

   private:
    friend class CpuPairing;
    std::shared_ptr<CpuPairing> owner_;
    pid_t sentry_tid_ = 0;
    int cpu_ = -1;
    int stub_cpu_ = -1;
    bool spinning_ = false;
  };

  // Pins the calling thread and host thread `stub_tid` to one CPU. Never
  // fails: a host that refuses affinity costs speed, not correctness, so it
  // is logged once and the threads stay where they are.
  Pin PinCallerWith(pid_t stub_tid);

  // Lets the pair of `pin` (made by the calling thread with `stub_tid`, or
  // an empty Pin when pairing is off) spin: true if there are two CPUs to
  // spare for it, and then the two threads run on two CPUs of their own
  // (pairing on) until StopSpinning (or the Pin's end). False: nothing
  // changed.
  bool StartSpinning(Pin& pin, pid_t stub_tid);
  // The pair stops spinning: pinned to one CPU again (the least used).
  void StopSpinning(Pin& pin, pid_t stub_tid);
  int spinning_pairs() const;
  int max_spinning_pairs() const { return cpu_count_ / 2; }

  bool enabled() const { return !cpus_.empty(); }
  // How many pairs are pinned to each CPU of cpus(), in the same order.
  std::vector<int> PairsPerCpu() const;
  const std::vector<int>& cpus() const { return cpus_; }

 private:
  CpuPairing(std::vector<int> cpus, cpu_set_t allowed, int cpu_count)
      : cpus_(std::move(cpus)),
        allowed_(allowed),
        cpu_count_(cpu_count),
        pairs_(cpus_.size(), 0),
        spinners_(cpus_.size(), 0) {}
  void Unpin(pid_t sentry_tid, int cpu, int stub_cpu, bool spinning);
  // Adds `delta` to the count of `counts` at CPU `cpu`'s index.
  void CountLocked(std::vector<int>& counts, int cpu, int delta) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Makes `pin` one of this pairing's, held by `sentry_tid`.
  void HoldLocked(Pin& pin, pid_t sentry_tid) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Drops a pin `sentry_tid` held; true if it held no other. A sentry
  // thread can hold two for a moment: execve pins the new stub's thread
  // before the old address space (and its pin) goes, and that old pin must
  // not then unpin the thread from the new one's CPU.
  bool ReleaseLocked(pid_t sentry_tid) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Pins `sentry_tid` (the caller) and `stub_tid` to the least used CPU.
  bool PinLocked(Pin& pin, pid_t sentry_tid, pid_t stub_tid) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Index in cpus_ of the CPU the next pair goes to.
  size_t ChooseLocked(int current_cpu) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::vector<int> cpus_;  // Empty: pairing is off.
  const cpu_set_t allowed_;      // What an unpinned sentry thread gets back.
  const int cpu_count_;          // In allowed_, paired or not.
  mutable absl::Mutex mu_;
  std::vector<int> pairs_ ABSL_GUARDED_BY(mu_);
  std::vector<int> spinners_ ABSL_GUARDED_BY(mu_);  // Spinning threads per CPU.
  bool warned_ ABSL_GUARDED_BY(mu_) = false;
  int spinning_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<pid_t, int> pins_held_ ABSL_GUARDED_BY(mu_);  // By sentry thread.
};

}  // namespace runsc::platform

#endif  // RUNSC_PLATFORM_CPU_PAIRING_H_
