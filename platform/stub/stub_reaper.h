// Reaps killed stub processes off the caller's path.
//
// A stub that is SIGKILLed is not gone at once: the host must schedule it,
// tear down its address space (the copy-on-write copy of a whole
// application after a fork) and only then report its exit. Waiting for that
// in the sentry thread that dropped the address space put the host's
// teardown on the application's critical path: an exit(2) was not reported
// to the parent's wait4 until the stub was reaped, and an execve did not
// return until the stub of the old image was. Here the caller kills the stub
// (so it can never run application code again) and this object's one
// thread waits for the exit, so the pid stays reserved as a zombie until
// then and is never confused with a later process.
#ifndef RUNSC_PLATFORM_STUB_STUB_REAPER_H_
#define RUNSC_PLATFORM_STUB_STUB_REAPER_H_

#include <sys/types.h>

#include <deque>

#include "absl/synchronization/mutex.h"

namespace runsc::platform::stub {

class StubReaper {
 public:
  // The process's reaper; its thread starts with the first Reap() and
  // sleeps (no CPU) while there is nothing to reap.
  static StubReaper& Get();

  // `pid`, a child of this process that the caller has sent SIGKILL and
  // that no other host thread waits for, will be reaped.
  void Reap(pid_t pid);

  // Lets stub thread `tid`, about to be killed or to exit, run anywhere.
  // Paired with its sentry thread on one CPU (cpu_pairing.h), the stub's
  // last thread would tear down the whole address space (a copy-on-write
  // copy of the application, 100-300 µs here) on that CPU, preempting the
  // sentry thread that is serving the exit or execve. Best effort.
  static void UnpinDying(pid_t tid);

  // Blocks until every process handed to Reap() so far has been reaped
  // (for tests, and for callers that must see the host process gone).
  void WaitIdle();

 private:
  StubReaper() = default;
  void Loop();

  absl::Mutex mu_;
  std::deque<pid_t> queue_ ABSL_GUARDED_BY(mu_);
  // Handed over and not reaped yet (queued or being waited for).
  size_t outstanding_ ABSL_GUARDED_BY(mu_) = 0;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace runsc::platform::stub

#endif  // RUNSC_PLATFORM_STUB_STUB_REAPER_H_
