#include "sentry/kernel/task.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <system_error>
#include <thread>

#include "base/logging.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/signal_frame.h"

namespace runsc::sentry {

Task::Task(Kernel& kernel, int tid, std::shared_ptr<ThreadGroup> group)
    : kernel_(kernel),
      tid_(tid),
      group_(group ? std::move(group) : std::make_shared<ThreadGroup>(tid, this)) {
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  start_time = absl::Now();
  for (auto& r : rlimits) r = {RLIM_INFINITY, RLIM_INFINITY};
  uts = kernel.root_uts;
}

Task::~Task() {
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

bool Task::Start() {
  {
    absl::MutexLock lock(&kernel_.mu);
    kernel_.TaskThreadStarted();
  }
  // The thread keeps the task alive until it is reaped and has finished.
  try {
    std::thread([self = kernel_.FindTaskSharedUnlocked(tid_)] { self->Run(); }).detach();
  } catch (const std::system_error& e) {
    // The host refused a thread (a pids limit of the sandbox's cgroup):
    // the application gets EAGAIN, as from Linux's fork at RLIMIT_NPROC.
    LogWarning("task ", tid_, ": no host thread for it: ", e.what());
    absl::MutexLock lock(&kernel_.mu);
    kernel_.TaskThreadFinished();
    return false;
  }
  return true;
}

void Task::AbandonUnstartedLocked() {
  group_->RemoveMember(this);
  // Made during a stop (Kernel::AddTaskLocked), it would hold it up forever.
  if (group_stop_pending) {
    kernel_.ParticipateInGroupStopLocked(*this);
    group_stopped = false;
  }
  if (parent != nullptr) {
    parent->children.erase(std::remove(parent->children.begin(), parent->children.end(), this),
                           parent->children.end());
    parent = nullptr;
  }
  kernel_.RemoveTask(tid_);
}

bool Task::InterruptedLocked() const {
  if (exiting || group_stop_pending) return true;
  for (const std::deque<siginfo_t>* queue : {&pending, static_cast<const std::deque<siginfo_t>*>(&group_->pending)}) {
    for (const siginfo_t& info : *queue) {
      if (!(blocked & SignalBit(info.si_signo)) || info.si_signo == SIGKILL) return true;
    }
  }
  return false;
}

void Task::Kick() {
  uint64_t one = 1;
  ssize_t unused = ::write(wake_fd_, &one, sizeof(one));
  (void)unused;
  if (context) context->Interrupt();
}

void Task::DrainWakeFd() {
  uint64_t value;
  ssize_t unused = ::read(wake_fd_, &value, sizeof(value));
  (void)unused;
}

void Task::BeginExitLocked(int status) {
  if (exiting) return;
  exiting = true;
  exit_status = status;
  Kick();
  kernel_.cv.SignalAll();
}

void Task::BeginGroupExitLocked(int status) {
  ThreadGroup& g = *group_;
  if (!g.exiting) {
    g.exiting = true;
    g.exit_status = status;
  }
  // A stopped group that exits is no longer stopped, for wait(2) either.
  kernel_.AbortGroupStopLocked(g);
  for (Task* member : g.members) member->BeginExitLocked(g.exit_status);
}

void Task::Run() {
  if (before_run) {
    if (!before_run(*this)) {
      absl::MutexLock lock(&kernel_.mu);
      BeginExitLocked(SignaledStatus(SIGKILL, false));
    }
  } else if (absl::Status s = stub_thread != 0
                                   ? mm->address_space().AttachThread(stub_thread)
                                   : mm->address_space().Attach();
             !s.ok()) {
    LogError("task ", tid_, ": cannot attach to its stub: ", s.message());
    absl::MutexLock lock(&kernel_.mu);
    BeginGroupExitLocked(SignaledStatus(SIGKILL, false));
  } else if (inherited_fp.has_value()) {
    if (absl::Status s = context->SetFpRegisters(mm->address_space(), *inherited_fp); !s.ok()) {
      LogError("task ", tid_, ": cannot load its parent's FP state: ", s.message());
      absl::MutexLock lock(&kernel_.mu);
      BeginGroupExitLocked(SignaledStatus(SIGKILL, false));
    }
    inherited_fp.reset();
  }
  for (;;) {
    if (mm == nullptr) break;
    if (!DeliverPendingSignal(*this)) break;
    absl::StatusOr<platform::SwitchResult> r = context->Switch(mm->address_space(), regs);
    if (!r.ok()) {
      LogError("task ", tid_, ": platform failure: ", r.status().message());
      absl::MutexLock lock(&kernel_.mu);
      BeginGroupExitLocked(SignaledStatus(SIGKILL, false));
      continue;
    }
    switch (r->reason) {
      case platform::StopReason::kSyscall:
        kernel_.dispatcher().Dispatch(*this);
        break;
      case platform::StopReason::kFault: {
        // A fault the thread cannot ignore or block: like Linux's
        // force_sig_info, reset a blocked or ignored disposition.
        absl::MutexLock lock(&kernel_.mu);
        const int sig = r->info.si_signo;
        KernelSigaction& act = handlers->at(sig);
        if ((blocked & SignalBit(sig)) || act.handler == reinterpret_cast<uint64_t>(SIG_IGN)) {
          act = KernelSigaction{};
          blocked &= ~SignalBit(sig);
        }
        pending.push_back(r->info);
        break;
      }
      case platform::StopReason::kInterrupted:
        break;
      case platform::StopReason::kExited: {
        absl::MutexLock lock(&kernel_.mu);
        BeginGroupExitLocked(SignaledStatus(SIGKILL, false));
        break;
      }
    }
  }
  FinishExit();
}

void Task::ReleaseClearChildTid() {
  const uint64_t addr = clear_child_tid;
  clear_child_tid = 0;
  if (addr == 0 || mm == nullptr) return;
  bool shared = false;
  {
    absl::MutexLock lock(&kernel_.mu);
    kernel_.ForEachTask([&](Task& other) {
      if (&other != this && !other.zombie && other.mm == mm) shared = true;
    });
  }
  if (!shared) return;
  // As Linux, a bad address is the application's problem: no error.
  (void)mm->CopyOutObject(addr, uint32_t{0});
  kernel_.futexes().Wake(FutexKeyOf(*mm, addr, /*is_private=*/false), kFutexBitsetAny, 1);
}

void Task::ReleaseVforkParent() {
  absl::MutexLock lock(&kernel_.mu);
  if (!vfork_parent_waits) return;
  vfork_parent_waits = false;
  kernel_.cv.SignalAll();
}

Task* Task::NewReaperLocked() {
  // Linux's find_new_reaper: the nearest ancestor that is a child
  // subreaper and not itself going, else init.
  Task* init = kernel_.FindTask(1);
  for (Task* t = parent; t != nullptr && t != init; t = t->parent) {
    if (t->child_subreaper && !t->exiting) return t;
  }
  return init != this ? init : nullptr;
}

void Task::FinishExit() {
  ReleaseClearChildTid();
  ReleaseVforkParent();
  // This thread's stub thread goes on this (its tracer) thread.
  std::shared_ptr<MemoryManager> old_mm;
  std::shared_ptr<fs::FdTable> old_fds;
  std::shared_ptr<fs::FsContext> old_fs;
  {
    absl::MutexLock lock(&kernel_.mu);
    old_mm = std::move(mm);
    old_fds = std::move(fds);
    old_fs = std::move(fs);
  }
  if (old_mm != nullptr) old_mm->address_space().ReleaseThread();
  old_mm.reset();
  old_fds.reset();  // Closes files: pipe readers see EOF, writers EPIPE.
  old_fs.reset();

  absl::MutexLock lock(&kernel_.mu);
  ThreadGroup& g = *group_;
  g.RemoveMember(this);
  // A thread the group's stop waited for no longer holds it up (Linux's
  // exit_signals); when the whole process goes there is nothing to report.
  if (group_stop_pending) {
    if (!g.exiting && !g.members.empty()) {
      kernel_.ParticipateInGroupStopLocked(*this);
    }
    group_stop_pending = false;
    group_stopped = false;
  }
  // A thread that is not the leader is gone for good (no zombie, no
  // SIGCHLD, its tid free again); the leader stays as the process.
  if (!is_leader()) kernel_.RemoveTask(tid_);
  if (g.members.empty()) {
    Task& process = leader();
    if (g.exiting) process.exit_status = g.exit_status;
    process.FinishProcessExitLocked();
  }
  kernel_.TaskThreadFinished();
  kernel_.cv.SignalAll();
}

void Task::FinishProcessExitLocked() {
  // Orphans go to the nearest child subreaper or to init; if init itself is
  // going, everyone goes. Those that asked for it (PR_SET_PDEATHSIG) hear
  // of their parent's death.
  Task* reaper = NewReaperLocked();
  for (Task* child : children) {
    child->parent = reaper;
    if (reaper != nullptr) reaper->children.push_back(child);
    if (child->pdeath_signal != 0) {
      siginfo_t info{};
      info.si_signo = child->pdeath_signal;
      info.si_code = SI_USER;
      info.si_pid = tgid();
      info.si_uid = creds.uid;
      kernel_.SendGroupSignalLocked(*child, info);
    }
  }
  children.clear();
  if (tid_ == 1) {
    kernel_.MarkInitExited(exit_status);
    siginfo_t kill_info{};
    kill_info.si_signo = SIGKILL;
    kernel_.ForEachTask([&](Task& t) {
      if (&t.group() != group_.get()) kernel_.SendSignalLocked(t, kill_info);
    });
  }
  zombie = true;
  bool autoreap = parent == nullptr;
  if (parent != nullptr) {
    // An ignored SIGCHLD (or SA_NOCLDWAIT) means nobody waits for children
    // that would send it: they are reaped at once (Linux's do_notify_parent).
    const KernelSigaction& act = parent->handlers->at(SIGCHLD);
    if (exit_signal == SIGCHLD &&
        (act.handler == reinterpret_cast<uint64_t>(SIG_IGN) || (act.flags & SA_NOCLDWAIT))) {
      autoreap = true;
    } else if (exit_signal != 0) {
      siginfo_t info{};
      info.si_signo = exit_signal;
      info.si_code = (exit_status & 0x7f) == 0 ? CLD_EXITED
                     : (exit_status & 0x80)   ? CLD_DUMPED
                                              : CLD_KILLED;
      info.si_pid = tid_;
      info.si_uid = creds.uid;
      info.si_status = (exit_status & 0x7f) == 0 ? (exit_status >> 8) & 0xff : exit_status & 0x7f;
      kernel_.SendGroupSignalLocked(*parent, info);
    }
  }
  if (autoreap) {
    if (parent != nullptr) {
      auto& siblings = parent->children;
      siblings.erase(std::remove(siblings.begin(), siblings.end(), this), siblings.end());
    }
    if (tid_ != 1) kernel_.RemoveTask(tid_);
  }
}

}  // namespace runsc::sentry
