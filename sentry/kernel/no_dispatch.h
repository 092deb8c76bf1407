// A dispatcher that answers nothing, for unit tests of kernel objects
// (files, pipes, ptys, signal frames...) that need a Kernel and a Task, for
// their lock, condition variable and signal state, but never run a syscall.
#ifndef RUNSC_SENTRY_KERNEL_NO_DISPATCH_H_
#define RUNSC_SENTRY_KERNEL_NO_DISPATCH_H_

#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"

namespace runsc::sentry {

class NoDispatch : public SyscallDispatcher {
 public:
  void Dispatch(Task&) override {}
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_KERNEL_NO_DISPATCH_H_
