// Whether the two sides of one application thread's hand-offs (its stub
// thread and the sentry thread that serves it) spin while they wait for each
// other, decided from what the last round trips did.
//
// Why adaptive: measured by bench-platform on the 2-core CI VM, a patched
// getppid round trip is 8.3 µs with the two threads paired on one CPU and
// sleeping in FUTEX_WAIT, but 1.5 µs with each on its own CPU spinning (10 µs
// budget); paired *and* spinning it is 30 µs (the spinner holds the very CPU
// its peer needs), and unpaired spinning under load lost as badly (the
// spinner's CPU is wanted by the build next to it). So spinning pays only
// while (a) the pair has two CPUs to itself, which CpuPairing grants to at
// most cpus / 2 pairs at a time, and (b) the peer does answer within the
// budget, which only trying tells: the gap between a reply and the next
// request is ~3 µs for a syscall loop, but unbounded for a thread that
// computes, or sleeps in a syscall, between them.
//
// The policy, per thread, from each round trip's two outcomes (did the
// sentry's wait for the stop end while it spun, did the stub's wait for
// the reply):
// - Paired and not spinning (the start, and the state under load): every
//   `retry_round_trips` round trips it asks to spin (kStartSpinning); the
//   caller asks CpuPairing for two CPUs and calls Refused() if there are
//   none, which doubles the wait before the next try (up to
//   kMaxRetryRoundTrips).
// - Spinning: after each window of `window` round trips, more than
//   `max_misses` waits that ran out of budget stop it (kStopSpinning: the
//   pair goes back to one CPU and futexes), and double the wait before the
//   next try; a good window resets that wait. `max_consecutive_misses`
//   misses in a row stop it at once: the thread has gone idle or slow, and
//   each miss burnt a whole budget of CPU.
// So an idle sandbox spins for at most a few budgets before it sleeps (~0
// CPU), a busy thread on a spare CPU gets the spinning round trip, and
// under load a thread falls back to the paired one within a window, trying
// again ever more rarely while spinning keeps failing.
#ifndef RUNSC_PLATFORM_SYSTRAP_SPIN_POLICY_H_
#define RUNSC_PLATFORM_SYSTRAP_SPIN_POLICY_H_

#include <cstdint>
#include <string>

namespace runsc::platform::systrap {

class SpinPolicy {
 public:
  struct Config {
    int window = 64;
    int max_misses = 8;
    int max_consecutive_misses = 4;
    uint64_t retry_round_trips = 64;
  };
  static constexpr uint64_t kMaxRetryRoundTrips = uint64_t{1} << 20;

  enum class Action { kNone, kStartSpinning, kStopSpinning };

  SpinPolicy() : SpinPolicy(Config{}) {}
  explicit SpinPolicy(Config config)
      : config_(config), retry_after_(config.retry_round_trips), until_retry_(retry_after_) {}

  bool spinning() const { return spinning_; }

  // After a round trip: whether the sentry's wait for the thread's stop,
  // and the stub's wait for the reply before it, ended within the spin
  // budget (while not spinning both are ignored).
  Action Record(bool sentry_spin_served, bool stub_spin_served);
  // The caller could not get two CPUs for the pair (kStartSpinning).
  void Refused();
  // The caller started or stopped spinning as asked.
  void Started();
  void Stopped();

  uint64_t retry_after() const { return retry_after_; }

  // What the policy saw and did over the thread's life, for --debug logs
  // (why a benchmark did or did not get the spinning round trip).
  struct Stats {
    uint64_t round_trips = 0;
    uint64_t spinning_round_trips = 0;
    uint64_t sentry_misses = 0;  // While spinning: the sentry's wait slept.
    uint64_t stub_misses = 0;    // While spinning: the stub's wait slept.
    uint64_t starts = 0;
    uint64_t refusals = 0;
    uint64_t stops = 0;
  };
  const Stats& stats() const { return stats_; }
  std::string Summary() const;

 private:
  void Backoff();

  const Config config_;
  bool spinning_ = false;
  uint64_t retry_after_;
  uint64_t until_retry_;
  int in_window_ = 0;
  int misses_ = 0;
  int consecutive_misses_ = 0;
  Stats stats_;
};

}  // namespace runsc::platform::systrap

#endif  // RUNSC_PLATFORM_SYSTRAP_SPIN_POLICY_H_
