#include "sentry/kernel/kernel.h"

#include "base/logging.h"

namespace runsc::sentry {

Kernel::Kernel(std::unique_ptr<platform::Platform> platform, SyscallDispatcher& dispatcher)
    : platform_(std::move(platform)), dispatcher_(dispatcher) {}

Kernel::~Kernel() = default;

namespace {

// Whether `sig` sent to `target` would be dropped at once (sig_ignored).
bool IgnoredLocked(const Task& target, int sig) {
  const KernelSigaction& act = target.handlers->at(sig);
  const bool ignored = act.handler == reinterpret_cast<uint64_t>(SIG_IGN) ||
                       (act.handler == reinterpret_cast<uint64_t>(SIG_DFL) &&
                        DefaultActionOf(sig) == DefaultAction::kIgnore);
  return ignored && !(target.blocked & SignalBit(sig)) && sig != SIGKILL;
}

// Queues `info` on `queue`; false if a standard signal was already there
// (they do not queue: one pending instance at most).
bool Enqueue(std::deque<siginfo_t>& queue, const siginfo_t& info) {
  if (info.si_signo < SIGRTMIN) {
    for (const siginfo_t& p : queue) {
      if (p.si_signo == info.si_signo) return false;
    }
  }
  queue.push_back(info);
  return true;
}

}  // namespace

std::shared_ptr<Task> Kernel::AddTaskLocked(std::shared_ptr<ThreadGroup> group) {
  while (tasks_.count(next_tid_) != 0) next_tid_ = next_tid_ >= (1 << 22) ? 2 : next_tid_ + 1;
  auto task = std::make_shared<Task>(*this, next_tid_, group);
  if (group != nullptr) group->members.push_back(task.get());
  tasks_[next_tid_] = task;
  ++next_tid_;
  return task;
}

std::shared_ptr<Task> Kernel::NewTask() { return AddTaskLocked(nullptr); }

std::shared_ptr<Task> Kernel::NewThreadOf(Task& sibling) {
  return AddTaskLocked(sibling.group_shared());
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
  if (target.zombie || !ValidSignal(sig) || IgnoredLocked(target, sig)) return;
  if (!Enqueue(target.pending, info)) return;
  target.Kick();
  cv.SignalAll();
}

void Kernel::SendGroupSignalLocked(Task& member, const siginfo_t& info) {
  const int sig = info.si_signo;
  Task& leader = member.leader();
  ThreadGroup& group = member.group();
  if (leader.zombie || group.members.empty() || !ValidSignal(sig)) return;
  if (IgnoredLocked(leader, sig)) return;
  if (!Enqueue(group.pending, info)) return;
  Task* taker = nullptr;
  for (Task* t : group.members) {
    if (t->exiting || ((t->blocked & SignalBit(sig)) && sig != SIGKILL)) continue;
    if (taker == nullptr || t == &leader) taker = t;
  }
  if (taker != nullptr) taker->Kick();
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
