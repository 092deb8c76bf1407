// The host terminals of processes that runsc exec started with a tty
// (exec --tty, or "terminal": true in --process): each is a host pty slave
// that runsc exec allocated, whose master it relays or sent to the console
// socket. Inside the sandbox each shows as /dev/pts/<n> (so that ttyname(3)
// and tty(1) name it) and, for the session it controls, as /dev/tty.
//
// The container's own console (process.terminal of config.json) is not
// here: it is /dev/console (devfs.h).
#ifndef RUNSC_FS_HOST_TERMINALS_H_
#define RUNSC_FS_HOST_TERMINALS_H_

#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "base/unique_fd.h"
#include "fs/host_tty.h"

namespace runsc::fs {

class HostTerminals {
 public:
  // A new terminal over `fd` (a host tty; owned), named /dev/pts/<n> with
  // the lowest n not in use. It is listed while anything holds it (its
  // open files, the caller).
  std::shared_ptr<HostTty> Add(UniqueFd fd);

  // A pts number for a sentry pseudo-terminal (devpts.h): the lowest that
  // neither a host terminal nor another reservation holds, kept from Add
  // until Release, so that /dev/pts/<n> names one terminal only.
  int Reserve();
  void Release(int n);

  // The terminals still in use, by number.
  std::vector<std::pair<int, std::shared_ptr<HostTty>>> List();
  // Terminal `n`, or null.
  std::shared_ptr<HostTty> Find(int n);
  // The controlling terminal of `task`'s process among them, or null.
  // Takes the kernel mutex: call without it.
  std::shared_ptr<HostTty> ControllingTerminalOf(sentry::Task& task);

 private:
  absl::Mutex mu_;
  std::map<int, std::weak_ptr<HostTty>> ttys_ ABSL_GUARDED_BY(mu_);
  std::set<int> reserved_ ABSL_GUARDED_BY(mu_);
  // Drops the entries of terminals nobody holds any more.
  void PruneLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int LowestFreeLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_HOST_TERMINALS_H_
