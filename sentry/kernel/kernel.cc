#include "sentry/kernel/kernel.h"

#include <algorithm>

#include "base/logging.h"

namespace runsc::sentry {

Kernel::Kernel(std::unique_ptr<platform::Platform> platform, SyscallDispatcher& dispatcher)
    : platform_(std::move(platform)), dispatcher_(dispatcher) {}

Kernel::~Kernel() = default;

namespace {

// Whether `sig` sent to `target` would be dropped at once (sig_ignored).
bool IgnoredLocked(const Task& target, int sig) {
  const KernelSigaction& act = target.handlers->at(sig);
  // SIGCONT at its default action has done its work at generation
  // (PrepareSignalLocked) and is dropped then, as Linux's sig_kernel_ignore.
  const DefaultAction default_action = DefaultActionOf(sig);
  const bool ignored = act.handler == reinterpret_cast<uint64_t>(SIG_IGN) ||
                       (act.handler == reinterpret_cast<uint64_t>(SIG_DFL) &&
                        (default_action == DefaultAction::kIgnore ||
                         default_action == DefaultAction::kContinue));
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

// Takes every signal of `set` off the process's queue and its threads'.
void DiscardPending(ThreadGroup& group, SignalSet set) {
  auto discard = [set](std::deque<siginfo_t>& queue) {
    queue.erase(std::remove_if(queue.begin(), queue.end(),
                               [set](const siginfo_t& i) { return set & SignalBit(i.si_signo); }),
                queue.end());
  };
  discard(group.pending);
  for (Task* member : group.members) discard(member->pending);
}

constexpr SignalSet kStopSignals =
    SignalBit(SIGSTOP) | SignalBit(SIGTSTP) | SignalBit(SIGTTIN) | SignalBit(SIGTTOU);

}  // namespace

std::shared_ptr<Task> Kernel::AddTaskLocked(std::shared_ptr<ThreadGroup> group) {
  while (tasks_.count(next_tid_) != 0) next_tid_ = next_tid_ >= (1 << 22) ? 2 : next_tid_ + 1;
  auto task = std::make_shared<Task>(*this, next_tid_, group);
  if (group != nullptr) {
    group->members.push_back(task.get());
    // Made by a thread on its way to park (clone ran first): parks too.
    if (group->stop.stopping()) {
      task->group_stop_pending = true;
      group->stop.Join();
    }
  }
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
  if (target.zombie || !ValidSignal(sig)) return;
  PrepareSignalLocked(target, sig);
  if (IgnoredLocked(target, sig)) return;
  if (!Enqueue(target.pending, info)) return;
  target.Kick();
  cv.SignalAll();
}

void Kernel::SendGroupSignalLocked(Task& member, const siginfo_t& info) {
  const int sig = info.si_signo;
  Task& leader = member.leader();
  ThreadGroup& group = member.group();
  if (leader.zombie || group.members.empty() || !ValidSignal(sig)) return;
  PrepareSignalLocked(member, sig);
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

void Kernel::PrepareSignalLocked(Task& target, int sig) {
  ThreadGroup& group = target.group();
  if (group.exiting) return;
  if (IsStopSignal(sig)) {
    DiscardPending(group, SignalBit(SIGCONT));
  } else if (sig == SIGCONT) {
    // Even if SIGCONT is blocked or ignored: its sending is what continues.
    DiscardPending(group, kStopSignals);
    const GroupStop::Notice notice = group.stop.Continue();
    for (Task* member : group.members) {
      member->group_stop_pending = false;
      member->group_stopped = false;
    }
    if (notice != GroupStop::Notice::kNone) NotifyParentOfStopLocked(target, notice);
    cv.SignalAll();
  } else if (sig == SIGKILL && (group.stop.stopping() || group.stop.stopped())) {
    // A stopped thread takes no signal, so SIGKILL does its work here: the
    // group exits now (Linux's complete_signal for a fatal signal).
    target.BeginGroupExitLocked(SignaledStatus(SIGKILL, false));
  }
}

void Kernel::BeginGroupStopLocked(Task& taker, int sig) {
  ThreadGroup& group = taker.group();
  int threads = 0;
  for (Task* member : group.members) {
    if (!member->exiting) ++threads;
  }
  if (!group.stop.Begin(sig, threads)) return;
  for (Task* member : group.members) {
    if (member->exiting) continue;
    member->group_stop_pending = true;
    if (member != &taker) member->Kick();
  }
  cv.SignalAll();
}

void Kernel::ParticipateInGroupStopLocked(Task& t) {
  if (!t.group_stop_pending) return;
  t.group_stop_pending = false;
  t.group_stopped = true;
  const GroupStop::Notice notice = t.group().stop.Participate();
  if (notice != GroupStop::Notice::kNone) NotifyParentOfStopLocked(t, notice);
}

void Kernel::AbortGroupStopLocked(ThreadGroup& group) {
  group.stop.Abort();
  for (Task* member : group.members) {
    member->group_stop_pending = false;
    member->group_stopped = false;
  }
  cv.SignalAll();
}

void Kernel::NotifyParentOfStopLocked(Task& member, GroupStop::Notice notice) {
  Task& process = member.leader();
  Task* parent = process.parent;
  cv.SignalAll();  // A wait(2) for the change wakes even without SIGCHLD.
  if (parent == nullptr || parent->zombie) return;
  if (parent->handlers->at(SIGCHLD).flags & SA_NOCLDSTOP) return;
  siginfo_t info{};
  info.si_signo = SIGCHLD;
  info.si_pid = process.tgid();
  info.si_uid = process.creds.uid;
  if (notice == GroupStop::Notice::kStopped) {
    info.si_code = CLD_STOPPED;
    info.si_status = process.group().stop.stop_signal() & 0x7f;
  } else {
    info.si_code = CLD_CONTINUED;
    info.si_status = SIGCONT;
  }
  SendGroupSignalLocked(*parent, info);
}

bool Kernel::IsOrphanedProcessGroupLocked(int pgid) {
  bool orphaned = true;
  ForEachTask([&](Task& t) {
    if (!t.is_leader() || t.zombie || t.pgid != pgid || t.parent == nullptr) return;
    if (t.parent->pgid != pgid && t.parent->sid == t.sid) orphaned = false;
  });
  return orphaned;
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
