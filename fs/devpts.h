// The devpts filesystem of the sandbox (man 4 pts; Linux's devpts/inode.c):
// /dev/pts holds the replica /dev/pts/<n> of every sentry pseudo-terminal
// (pty.h) whose master is open, the host terminals of exec'd processes
// (host_terminals.h) under numbers of the same space, and pts/ptmx, which
// like /dev/ptmx opens a new master.
//
// One instance per sandbox: an OCI devpts mount (with newinstance or not)
// mounts this one and sets its options (ptmxmode, mode, gid, uid).
//
// Locking: mu_ is never held while the kernel mutex is taken, in either
// order, since a Pty's last end may close with either held.
#ifndef RUNSC_FS_DEVPTS_H_
#define RUNSC_FS_DEVPTS_H_

#include <sys/stat.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "fs/file.h"
#include "fs/host_terminals.h"
#include "fs/pty.h"

namespace runsc::fs {

class Devpts : public std::enable_shared_from_this<Devpts> {
 public:
  // Mount options, with Linux's defaults.
  struct Options {
    mode_t ptmx_mode = 0;      // ptmxmode=: pts/ptmx's permissions.
    mode_t mode = 0600;        // mode=: a new replica's permissions.
    std::optional<gid_t> gid;  // gid=: a new replica's group (else the opener's).
    std::optional<uid_t> uid;  // uid=: its owner (else the opener's).
  };
  // Options from a mount's data ("ptmxmode=0666", "mode=620", "gid=5",
  // "newinstance"...): EINVAL for a bad value or an unknown option.
  static absl::StatusOr<Options> ParseOptions(const std::vector<std::string>& data);

  // `terminals`: the host terminals whose numbers the ptys share.
  explicit Devpts(std::shared_ptr<HostTerminals> terminals)
      : terminals_(std::move(terminals)) {}

  void Configure(const Options& options);

  // An open of a ptmx node (/dev/ptmx, pts/ptmx) with `flags`: a new
  // pty, locked, and its master file, which stats as `ptmx_stat`.
  absl::StatusOr<std::shared_ptr<File>> OpenMaster(sentry::Task& task, int flags,
                                                   const struct stat& ptmx_stat);
  // The pty /dev/pts/<n> names (its master open), or null.
  std::shared_ptr<Pty> Find(int n);
  // The ptys whose master is open, by number.
  std::vector<std::pair<int, std::shared_ptr<Pty>>> List();
  // The pty that is `task`'s controlling terminal, or null. Takes the
  // kernel mutex: call without it.
  std::shared_ptr<Pty> ControllingTerminalOf(sentry::Task& task);

  // The /dev/pts directory: ptys, host terminals and ptmx.
  std::shared_ptr<Node> NewDirNode();
  // /dev/ptmx: a character device 5:2, mode 0666, opening a new master.
  std::shared_ptr<Node> NewPtmxNode();

  const std::shared_ptr<HostTerminals>& terminals() const { return terminals_; }

 private:
  std::vector<std::pair<int, std::shared_ptr<Pty>>> Snapshot();
  void Release(int n);

  std::shared_ptr<HostTerminals> terminals_;
  absl::Mutex mu_;
  Options options_ ABSL_GUARDED_BY(mu_);
  std::map<int, std::weak_ptr<Pty>> ptys_ ABSL_GUARDED_BY(mu_);
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_DEVPTS_H_
