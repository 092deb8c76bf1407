// Taking a signal off a task's queue without delivering it: what
// rt_sigtimedwait(2) and a signalfd read share (Linux's dequeue_signal).
#ifndef RUNSC_SENTRY_KERNEL_DEQUEUE_SIGNAL_H_
#define RUNSC_SENTRY_KERNEL_DEQUEUE_SIGNAL_H_

#include <signal.h>

#include "sentry/kernel/signals.h"
#include "sentry/kernel/task.h"

namespace runsc::sentry {

// True if a signal in `set` is pending for `t`. Requires kernel().mu.
inline bool HasPendingInLocked(const Task& t, SignalSet set) {
  for (const siginfo_t& i : t.pending) {
    if (set & SignalBit(i.si_signo)) return true;
  }
  return false;
}

// Takes the lowest-numbered pending signal in `set` out of t.pending (of a
// queued real-time signal, the oldest instance) into `out`; false if none
// is pending. Requires kernel().mu.
inline bool DequeueSignalLocked(Task& t, SignalSet set, siginfo_t& out) {
  auto best = t.pending.end();
  for (auto it = t.pending.begin(); it != t.pending.end(); ++it) {
    if (!(set & SignalBit(it->si_signo))) continue;
    if (best == t.pending.end() || it->si_signo < best->si_signo) best = it;
  }
  if (best == t.pending.end()) return false;
  out = *best;
  t.pending.erase(best);
  return true;
}

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_KERNEL_DEQUEUE_SIGNAL_H_
