#include "sentry/kernel/kernel.h"

#include "base/logging.h"

namespace runsc::sentry {

Kernel::Kernel(std::unique_ptr<platform::Platform> platform, SyscallDispatcher& dispatcher)
    : platform_(std::move(platform)), dispatcher_(dispatcher) {}

Kernel::~Kernel() = default;

std::shared_ptr<Task> Kernel::NewTask() {
  while (tasks_.count(next_tid_) != 0) next_tid_ = next_tid_ >= (1 << 22) ? 2 : next_tid_ + 1;
  auto task = std::make_shared<Task>(*this, next_tid_);
  tasks_[next_tid_] = task;
  ++next_tid_;
  return task;
}

Task* Kernel::FindTask(int tid) {
  auto it = tasks_.find(tid);
  return it == tasks_.end() ? nullptr : it->second.get();
}

std::shared_ptr<Task> Kernel::FindTaskShared(int tid) {
  auto it = tasks_.find(tid);
  return it == tasks_.end() ? nullptr : it->second;
}

void Kernel::RemoveTask(int tid) { tasks_.erase(tid); }

void Kernel::SendSignalLocked(Task& target, const siginfo_t& info) {
  const int sig = info.si_signo;
  if (target.zombie || !ValidSignal(sig)) return;
  const KernelSigaction& act = target.handlers->at(sig);
  const bool ignored = act.handler == reinterpret_cast<uint64_t>(SIG_IGN) ||
                       (act.handler == reinterpret_cast<uint64_t>(SIG_DFL) &&
                        DefaultActionOf(sig) == DefaultAction::kIgnore);
  if (ignored && !(target.blocked & SignalBit(sig)) && sig != SIGKILL) return;
  if (sig < SIGRTMIN) {
    // Standard signals do not queue: one pending instance at most.
    for (const siginfo_t& p : target.pending) {
      if (p.si_signo == sig) return;
    }
  }
  target.pending.push_back(info);
  target.Kick();
  cv.SignalAll();
}

void Kernel::ReportUnimplemented(int nr, absl::string_view name) {
  absl::MutexLock lock(&report_mu_);
  if (nr >= 0 && static_cast<size_t>(nr) < reported_.size()) {
    if (reported_[nr]) return;
    reported_[nr] = true;
  }
  LogWarning("unimplemented syscall ", nr, " (", name, "): returning ENOSYS");
}

}  // namespace runsc::sentry
