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
  for (const std::deque<siginfo_t>* queue :
       {&t.pending, static_cast<const std::deque<siginfo_t>*>(&t.group().pending)}) {
    for (const siginfo_t& i : *queue) {
      if (set & SignalBit(i.si_signo)) return true;
    }
  }
  return false;
}

// Takes the lowest-numbered pending signal in `set` out of the thread's
// queue, else the process's (of a queued real-time signal, the oldest
// instance) into `out`; false if none is pending. Requires kernel().mu.
inline bool DequeueSignalLocked(Task& t, SignalSet set, siginfo_t& out) {
  for (std::deque<siginfo_t>* queue : {&t.pending, &t.group().pending}) {
    auto best = queue->end();
    for (auto it = queue->begin(); it != queue->end(); ++it) {
      if (!(set & SignalBit(it->si_signo))) continue;
      if (best == queue->end() || it->si_signo < best->si_signo) best = it;
    }
    if (best == queue->end()) continue;
    out = *best;
    queue->erase(best);
    t.group().posix_timers.OnSignalTaken(out);
    return true;
  }
  return false;
}

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_KERNEL_DEQUEUE_SIGNAL_H_
