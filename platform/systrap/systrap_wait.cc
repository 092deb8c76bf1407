#include "platform/systrap/systrap_wait.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"

namespace runsc::platform::systrap {
namespace {

uint64_t MonotonicNs() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

// A (TSC, CLOCK_MONOTONIC) pair read as close together as we can: of three
// tries, the one whose two TSC reads around the clock read are closest (a
// preemption between the reads would skew the rate).
struct ClockPair {
  uint64_t tsc, ns;
};
ClockPair ReadClockPair() {
  ClockPair best{};
  uint64_t best_gap = ~0ull;
  for (int i = 0; i < 3; ++i) {
    const uint64_t before = ReadTsc();
    const uint64_t ns = MonotonicNs();
    const uint64_t after = ReadTsc();
    if (after - before < best_gap) {
      best_gap = after - before;
      best = {before + (after - before) / 2, ns};
    }
  }
  return best;
}

// TSC cycles per ns: the TSC is invariant on the machines we run on, so one
// short measurement holds for the process's life. 1 ms of it is on every
// sandbox's start-up path (it was 5 ms): with both ends read in tight
// pairs, 1 ms is within 0.1 %, plenty for spin budgets.
double TscCyclesPerNs() {
  static const double rate = [] {
    const ClockPair start = ReadClockPair();
    timespec pause{0, 1'000'000};
    ::nanosleep(&pause, nullptr);
    const ClockPair end = ReadClockPair();
    const double r = static_cast<double>(end.tsc - start.tsc) / static_cast<double>(end.ns - start.ns);
    return r > 0.1 ? r : 1.0;
  }();
  return rate;
}

}  // namespace

uint64_t TscCyclesFor(uint64_t ns) {
  if (ns == 0) return 0;  // No spinning needs no rate (the clean stub's).
  return static_cast<uint64_t>(static_cast<double>(ns) * TscCyclesPerNs());
}

bool Post(std::atomic<uint32_t>& word, uint32_t value, std::atomic<uint32_t>& peer_sleeping) {
  word.store(value, std::memory_order_seq_cst);
  if (peer_sleeping.load(std::memory_order_seq_cst) == 0) return false;
  ::syscall(SYS_futex, &word, FUTEX_WAKE, 1, nullptr, nullptr, 0);
  return true;
}

bool StubAlive(pid_t pid) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return errno == EINTR;  // ECHILD: already reaped, so gone.
  }
  return info.si_pid == 0;
}

absl::Status WaitUntil(std::atomic<uint32_t>& word, std::atomic<uint32_t>& sleeping,
                       uint64_t spin_cycles, pid_t pid, absl::FunctionRef<bool(uint32_t)> done,
                       bool* served_by_spin) {
  if (served_by_spin != nullptr) *served_by_spin = true;
  for (;;) {
    const uint64_t deadline = ReadTsc() + spin_cycles;
    do {
      if (done(word.load(std::memory_order_acquire))) return absl::OkStatus();
      __builtin_ia32_pause();
    } while (ReadTsc() < deadline);
    if (served_by_spin != nullptr) *served_by_spin = false;
    sleeping.store(1, std::memory_order_seq_cst);
    const uint32_t seen = word.load(std::memory_order_seq_cst);
    if (done(seen)) {
      sleeping.store(0, std::memory_order_relaxed);
      return absl::OkStatus();
    }
    timespec timeout{0, 100'000'000};
    long r = ::syscall(SYS_futex, &word, FUTEX_WAIT, seen, &timeout, nullptr, 0);
    const int err = errno;
    sleeping.store(0, std::memory_order_relaxed);
    if (r != 0 && err == ETIMEDOUT && !StubAlive(pid)) {
      return absl::UnavailableError(absl::StrCat("stub process ", pid, " is gone"));
    }
  }
}

}  // namespace runsc::platform::systrap
