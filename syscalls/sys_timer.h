// POSIX timers (timer_create(2) and friends): what other families need.
#ifndef RUNSC_SYSCALLS_SYS_TIMER_H_
#define RUNSC_SYSCALLS_SYS_TIMER_H_

#include "sentry/kernel/task.h"

namespace runsc::syscalls {

// execve(2) deletes the process's POSIX timers (a signal already queued
// stays queued). Call after the point of no return.
void DeletePosixTimers(sentry::Task& t) ABSL_LOCKS_EXCLUDED(t.kernel().mu);

}  // namespace runsc::syscalls

#endif  // RUNSC_SYSCALLS_SYS_TIMER_H_
