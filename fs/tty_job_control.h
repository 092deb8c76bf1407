// The job-control side of a terminal, kept by the sentry: which session has
// it as controlling terminal and which process group is in the foreground,
// the ioctls that read and change that (TIOCSCTTY, TIOCNOTTY, TIOCGPGRP,
// TIOCSPGRP, TIOCGSID) and the background checks that send SIGTTIN/SIGTTOU
// (man 4 tty_ioctl, man 2 ioctl_tty; Linux's tty_jobctrl.c).
//
// Shared by every open file description of one terminal: the container's
// console (a host pty slave, host_tty_file.h) now, sentry ptys later. The
// host never sees these: its tty's session and foreground group are the
// sentry's own, so that the host line discipline's signals reach the sentry
// (which passes them on with SignalForeground).
//
// All state is guarded by the kernel mutex; every method takes it.
#ifndef RUNSC_FS_TTY_JOB_CONTROL_H_
#define RUNSC_FS_TTY_JOB_CONTROL_H_

#include <cstdint>
#include <set>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sentry/kernel/kernel.h"

namespace runsc::fs {

class TtyJobControl {
 public:
  TtyJobControl() = default;
  ~TtyJobControl();
  TtyJobControl(const TtyJobControl&) = delete;
  TtyJobControl& operator=(const TtyJobControl&) = delete;

  // Makes the terminal the controlling terminal of `session` with `pgid`
  // in the foreground, as the container's init gets its console under runc
  // (setsid + TIOCSCTTY before the exec).
  void SetControllingSessionLocked(int session, int pgid);

  static bool IsJobControlIoctl(uint64_t cmd);
  // TIOCSCTTY, TIOCNOTTY, TIOCGPGRP, TIOCSPGRP, TIOCGSID. `readable`: the
  // file was opened for reading (TIOCSCTTY needs it, or CAP_SYS_ADMIN).
  absl::StatusOr<int64_t> Ioctl(sentry::Task& task, uint64_t cmd, uint64_t arg, bool readable);

  // Before a read: OK for the foreground and for tasks this is not the
  // controlling terminal of. A background reader gets EIO if it ignores or
  // blocks SIGTTIN or its group is orphaned; else its group gets SIGTTIN
  // (which stops it at its default action) and the read restarts once that
  // is handled (kErrRestartSys).
  absl::Status CheckRead(sentry::Task& task);
  // Before a write with TOSTOP set, and before calls that change the
  // terminal (TCSETS*, TCFLSH, TCXONC, TIOCSPGRP): the same with SIGTTOU,
  // except that a task ignoring or blocking SIGTTOU may go ahead.
  absl::Status CheckChange(sentry::Task& task);

  // Sends `sig` to the foreground process group (a key the host line
  // discipline turned into a signal, a window change, a hang-up). SIGHUP is
  // followed by SIGCONT, as Linux does on hang-up. No-op without one.
  void SignalForeground(sentry::Kernel& kernel, int sig);
  // The same with the kernel mutex held (a sentry pty's line discipline
  // meets the signal key while it holds it).
  void SignalForegroundLocked(sentry::Kernel& kernel, int sig);
  // The terminal hung up (a sentry pty's master closed): as Linux's
  // tty_signal_session_leader, the session leader gets SIGHUP and SIGCONT
  // and the session loses its controlling terminal.
  void HangUpLocked(sentry::Kernel& kernel);

  // True if this is the controlling terminal of `task`'s process.
  bool IsControllingTerminalOf(sentry::Task& task);

  int foreground_pgid(sentry::Kernel& kernel);

 private:
  bool IsCttyLocked(sentry::Task& task) const;
  // tty_check_change: `sig` is SIGTTIN or SIGTTOU.
  absl::Status CheckBackgroundLocked(sentry::Task& task, int sig);
  int64_t SetControllingTerminalLocked(sentry::Task& task, uint64_t arg, bool readable);
  int64_t DetachLocked(sentry::Task& task);
  void ClearSessionLocked();

  int session_ = 0;         // Session whose controlling terminal this is; 0: none.
  int foreground_ = 0;      // Foreground process group; 0: none.
  // Processes (tgids) of session_ that gave the terminal up with TIOCNOTTY
  // without being its leader: only they lose it (Linux's proc_clear_tty).
  std::set<int> detached_;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_TTY_JOB_CONTROL_H_
