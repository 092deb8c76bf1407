// A sentry pseudo-terminal (man 7 pty; Linux's pty.c, gVisor's
// fsimpl/devpts): a master, which /dev/ptmx opens, and its replica
// /dev/pts/<n>, joined by a line discipline. What the master writes is
// typed input that the replica reads; what the replica writes (and the
// echo) the master reads. One termios, window size and job-control state
// serve both ends, as on Linux, where the master's termios ioctls act on
// the replica.
//
// State is guarded by the kernel mutex, as pipes' (fs/pipe.h), and every
// change signals the kernel's condition variable, which blocked readers,
// writers and poll wait on.
//
// Hang-up: once the master is closed, replica reads give EOF (0), writes
// and ioctls EIO, poll reports everything, and the session leader whose
// controlling terminal it was gets SIGHUP (and SIGCONT). Once every replica
// is closed (after one was opened) master reads give EIO after the last
// queued byte, and poll POLLHUP.
//
// Non-canonical reads do VMIN/VTIME as termios(3) says, all four cases.
// Packet mode (TIOCPKT) reports flushes, stop/start and flow-control
// changes; TIOCPKT_IOCTL (EXTPROC) is never reported.
#ifndef RUNSC_FS_PTY_H_
#define RUNSC_FS_PTY_H_

#include <sys/ioctl.h>
#include <sys/stat.h>

#include <functional>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "fs/file.h"
#include "fs/line_discipline.h"
#include "fs/tty_job_control.h"
#include "sentry/kernel/kernel.h"

namespace runsc::fs {

class Pty : public std::enable_shared_from_this<Pty> {
 public:
  // `index`: the n of /dev/pts/<n>, given back by `release` when the last
  // end is gone. `replica_stat`: what the replica's node and files stat as.
  Pty(sentry::Kernel& kernel, int index, struct stat replica_stat,
      std::function<void(int)> release);
  ~Pty();
  Pty(const Pty&) = delete;
  Pty& operator=(const Pty&) = delete;

  // The master's open file (made once, by the ptmx open). `ptmx_stat`: what
  // it stats as, the ptmx node's.
  std::shared_ptr<File> NewMaster(int flags, struct stat ptmx_stat);
  // An open of the replica with `flags`: EIO while it is locked
  // (TIOCSPTLCK) or after the master closed. Without O_NOCTTY, a session
  // leader with no controlling terminal gets this one, as on Linux.
  absl::StatusOr<std::shared_ptr<File>> OpenReplica(sentry::Task& task, int flags);

  // TIOCSPTLCK: a locked replica cannot be opened.
  void SetLocked(bool locked);

  int index() const { return index_; }
  const struct stat& replica_stat() const { return replica_stat_; }
  // The replica's path, which its open files show in /proc/*/fd.
  std::string ReplicaPath() const;
  TtyJobControl& job_control() { return job_control_; }
  // Still listed in /dev/pts: its master is open.
  bool MasterOpen();

  // The ends' operations; `master` says which end asks.
  absl::StatusOr<size_t> Read(sentry::Task& task, bool master, absl::Span<uint8_t> buf,
                              bool nonblock);
  absl::StatusOr<size_t> Write(sentry::Task& task, bool master, absl::Span<const uint8_t> buf,
                               bool nonblock);
  absl::StatusOr<int64_t> Ioctl(sentry::Task& task, bool master, uint64_t cmd, uint64_t arg,
                                bool readable);
  short PollLocked(bool master, short events) const;
  uint64_t EventSeqLocked() const { return seq_; }
  void CloseMaster();
  void CloseReplica();

 private:
  absl::StatusOr<size_t> ReadReplicaLocked(sentry::Task& task, absl::Span<uint8_t> buf,
                                           bool nonblock);
  absl::StatusOr<size_t> ReadMasterLocked(sentry::Task& task, absl::Span<uint8_t> buf,
                                          bool nonblock);
  absl::StatusOr<int64_t> TerminalIoctl(sentry::Task& task, bool master, uint64_t cmd,
                                        uint64_t arg);
  // The master's own ioctls (TIOCGPTN, TIOCSPTLCK, TIOCGPTPEER...), or
  // nullopt for one of the terminal's.
  std::optional<absl::StatusOr<int64_t>> MasterIoctl(sentry::Task& task, uint64_t cmd, uint64_t arg);
  // Every replica was closed after one was opened: the master reads EIO.
  bool ReplicaGoneLocked() const { return replicas_ == 0 && replica_opened_; }
  void ChangedLocked();
  // Takes the line discipline's packet-mode events into the status the
  // master reads next (when packet mode is on).
  void NotePacketEventsLocked(uint8_t extra = 0);

  sentry::Kernel& kernel_;
  const int index_;
  const struct stat replica_stat_;
  std::function<void(int)> release_;
  TtyJobControl job_control_;
  // Guarded by kernel_.mu:
  LineDiscipline discipline_;
  struct winsize winsize_ {};
  bool locked_ = true;  // A new pty is locked until TIOCSPTLCK 0 (unlockpt).
  bool master_open_ = false;
  bool hung_up_ = false;
  int replicas_ = 0;
  bool replica_opened_ = false;
  uint64_t seq_ = 0;
  // TIOCPKT: the master's reads start with a status byte (0 for data, or
  // TIOCPKT_* bits alone when something happened).
  bool packet_ = false;
  uint8_t packet_status_ = 0;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_PTY_H_
