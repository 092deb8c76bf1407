#include "fs/tty_job_control.h"

#include <signal.h>
#include <sys/ioctl.h>

#include "absl/synchronization/mutex.h"
#include "base/errno_status.h"
#include "base/logging.h"
#include "sentry/kernel/signals.h"

namespace runsc::fs {
namespace {

constexpr int kCapSysAdmin = 21;

// Every terminal, so that TIOCSCTTY can tell whether the caller's session
// already has one. Entries are read under the kernel mutex.
absl::Mutex registry_mu;
std::set<TtyJobControl*>& Registry() {
  static auto* registry = new std::set<TtyJobControl*>;
  return *registry;
}

bool IsIgnoredOrBlocked(sentry::Task& task, int sig) {
  if (task.blocked & sentry::SignalBit(sig)) return true;
  return task.handlers->at(sig).handler == reinterpret_cast<uint64_t>(SIG_IGN);
}

void SignalGroupLocked(sentry::Kernel& kernel, int pgid, int sig) {
  siginfo_t info{};
  info.si_signo = sig;
  info.si_code = SI_KERNEL;
  kernel.ForEachTask([&](sentry::Task& t) {
    if (t.is_leader() && !t.zombie && t.pgid == pgid) kernel.SendGroupSignalLocked(t, info);
  });
}

bool GroupExistsInLocked(sentry::Kernel& kernel, int pgid, int* sid) {
  bool found = false;
  kernel.ForEachTask([&](sentry::Task& t) {
    if (!found && t.is_leader() && !t.zombie && t.pgid == pgid) {
      found = true;
      *sid = t.sid;
    }
  });
  return found;
}

}  // namespace

TtyJobControl::~TtyJobControl() {
  absl::MutexLock lock(&registry_mu);
  Registry().erase(this);
}

void TtyJobControl::SetControllingSessionLocked(int session, int pgid) {
  {
    absl::MutexLock lock(&registry_mu);
    Registry().insert(this);
  }
  session_ = session;
  foreground_ = pgid;
  detached_.clear();
}

bool TtyJobControl::IsJobControlIoctl(uint64_t cmd) {
  return cmd == TIOCSCTTY || cmd == TIOCNOTTY || cmd == TIOCGPGRP || cmd == TIOCSPGRP ||
         cmd == TIOCGSID;
}

bool TtyJobControl::IsCttyLocked(sentry::Task& task) const {
  const sentry::Task& leader = task.leader();
  return session_ != 0 && leader.sid == session_ && !detached_.contains(leader.tgid());
}

bool TtyJobControl::IsControllingTerminalOf(sentry::Task& task) {
  absl::MutexLock lock(&task.kernel().mu);
  return IsCttyLocked(task);
}

int TtyJobControl::foreground_pgid(sentry::Kernel& kernel) {
  absl::MutexLock lock(&kernel.mu);
  return foreground_;
}

absl::Status TtyJobControl::CheckBackgroundLocked(sentry::Task& task, int sig) {
  if (!IsCttyLocked(task)) return absl::OkStatus();
  const sentry::Task& leader = task.leader();
  if (foreground_ == 0 || leader.pgid == foreground_) return absl::OkStatus();
  if (IsIgnoredOrBlocked(task, sig)) {
    if (sig == SIGTTIN) return ErrnoError(EIO, "background read with SIGTTIN ignored");
    return absl::OkStatus();
  }
  if (task.kernel().IsOrphanedProcessGroupLocked(leader.pgid)) {
    return ErrnoError(EIO, "orphaned background process group");
  }
  // At its default action the signal stops the group before the call
  // restarts (and checks again once the group is continued); a handler
  // runs first and SA_RESTART decides.
  SignalGroupLocked(task.kernel(), leader.pgid, sig);
  return ErrnoError(static_cast<int>(-sentry::kErrRestartSys), "background process group signalled");
}

absl::Status TtyJobControl::CheckRead(sentry::Task& task) {
  absl::MutexLock lock(&task.kernel().mu);
  return CheckBackgroundLocked(task, SIGTTIN);
}

absl::Status TtyJobControl::CheckChange(sentry::Task& task) {
  absl::MutexLock lock(&task.kernel().mu);
  return CheckBackgroundLocked(task, SIGTTOU);
}

void TtyJobControl::SignalForeground(sentry::Kernel& kernel, int sig) {
  absl::MutexLock lock(&kernel.mu);
  SignalForegroundLocked(kernel, sig);
}

void TtyJobControl::HangUpLocked(sentry::Kernel& kernel) {
  if (session_ == 0) return;
  siginfo_t info{};
  info.si_code = SI_KERNEL;
  kernel.ForEachTask([&](sentry::Task& t) {
    if (!t.is_leader() || t.zombie || t.tgid() != session_ || t.sid != session_) return;
    for (int sig : {SIGHUP, SIGCONT}) {
      info.si_signo = sig;
      kernel.SendGroupSignalLocked(t, info);
    }
  });
  ClearSessionLocked();
}

void TtyJobControl::SignalForegroundLocked(sentry::Kernel& kernel, int sig) {
  if (foreground_ == 0) return;
  SignalGroupLocked(kernel, foreground_, sig);
  if (sig == SIGHUP) SignalGroupLocked(kernel, foreground_, SIGCONT);
}

void TtyJobControl::ClearSessionLocked() {
  session_ = 0;
  foreground_ = 0;
  detached_.clear();
}

int64_t TtyJobControl::SetControllingTerminalLocked(sentry::Task& task, uint64_t arg,
                                                    bool readable) {
  sentry::Task& leader = task.leader();
  const bool is_session_leader = leader.sid == leader.tgid();
  if (is_session_leader && session_ == leader.sid) return 0;  // Already ours.
  if (!is_session_leader) return -EPERM;
  {
    absl::MutexLock lock(&registry_mu);
    for (TtyJobControl* other : Registry()) {
      if (other != this && other->IsCttyLocked(task)) return -EPERM;  // Has one already.
    }
    Registry().insert(this);
  }
  const bool admin = task.creds.HasCapability(kCapSysAdmin);
  if (!readable && !admin) return -EPERM;
  if (session_ != 0) {
    // Another session's: only stolen with arg 1 by CAP_SYS_ADMIN.
    if (arg != 1 || !admin) return -EPERM;
  }
  session_ = leader.sid;
  foreground_ = leader.pgid;
  detached_.clear();
  return 0;
}

int64_t TtyJobControl::DetachLocked(sentry::Task& task) {
  if (!IsCttyLocked(task)) return -ENOTTY;
  sentry::Task& leader = task.leader();
  if (leader.sid == leader.tgid()) {
    // The session leader gives it up for the whole session; the foreground
    // hears of it (Linux's disassociate_ctty).
    if (foreground_ != 0) {
      SignalGroupLocked(task.kernel(), foreground_, SIGHUP);
      SignalGroupLocked(task.kernel(), foreground_, SIGCONT);
    }
    ClearSessionLocked();
  } else {
    detached_.insert(leader.tgid());
  }
  return 0;
}

absl::StatusOr<int64_t> TtyJobControl::Ioctl(sentry::Task& task, uint64_t cmd, uint64_t arg,
                                             bool readable) {
  sentry::Kernel& kernel = task.kernel();
  sentry::MemoryManager& mm = *task.mm;
  switch (cmd) {
    case TIOCSCTTY: {
      absl::MutexLock lock(&kernel.mu);
      int64_t r = SetControllingTerminalLocked(task, arg, readable);
      if (r < 0) return ErrnoError(static_cast<int>(-r), "TIOCSCTTY");
      return 0;
    }
    case TIOCNOTTY: {
      absl::MutexLock lock(&kernel.mu);
      int64_t r = DetachLocked(task);
      if (r < 0) return ErrnoError(static_cast<int>(-r), "TIOCNOTTY");
      return 0;
    }
    case TIOCGPGRP:
    case TIOCGSID: {
      int32_t value;
      {
        absl::MutexLock lock(&kernel.mu);
        if (!IsCttyLocked(task)) return ErrnoError(ENOTTY, "not the controlling terminal");
        value = cmd == TIOCGPGRP ? foreground_ : session_;
      }
      if (absl::Status s = mm.CopyOutObject(arg, value); !s.ok()) return s;
      return 0;
    }
    case TIOCSPGRP: {
      if (absl::Status s = CheckChange(task); !s.ok()) {
        // Linux: an EIO from the background check is ENOTTY here.
        if (ErrnoOf(s) == EIO) return ErrnoError(ENOTTY, "TIOCSPGRP from an orphaned group");
        return s;
      }
      int32_t pgid;
      if (absl::Status s = mm.CopyInObject(arg, pgid); !s.ok()) return s;
      if (pgid < 0) return ErrnoError(EINVAL, "negative process group");
      absl::MutexLock lock(&kernel.mu);
      if (!IsCttyLocked(task)) return ErrnoError(ENOTTY, "not the controlling terminal");
      int group_sid = 0;
      if (!GroupExistsInLocked(kernel, pgid, &group_sid)) {
        return ErrnoError(ESRCH, "no such process group");
      }
      if (group_sid != task.leader().sid) return ErrnoError(EPERM, "process group of another session");
      foreground_ = pgid;
      return 0;
    }
  }
  return ErrnoError(ENOTTY, "not a job-control ioctl");
}

}  // namespace runsc::fs
