// /dev: null, zero, full, random, urandom, tty, ptmx, the fd links, pts
// (devpts.h), and shm, which a tmpfs fills (DESIGN §5).
#ifndef RUNSC_FS_DEVFS_H_
#define RUNSC_FS_DEVFS_H_

#include <memory>

#include "fs/file.h"
#include "fs/devpts.h"
#include "fs/host_terminals.h"
#include "fs/host_tty.h"

namespace runsc::fs {

// `console`: the container's terminal (the pty slave runsc create made with
// process.terminal: true), which is /dev/console and, for the tasks whose
// controlling terminal it is (init's session from the start), /dev/tty;
// null if the container has none. `devpts`: pts/ (devpts.h), with the
// sentry's pseudo-terminals that /dev/ptmx makes and the host terminals of
// exec'd processes; either kind is /dev/tty for the session it controls.
// Null: a devpts of its own.
//
// /dev/ptmx is a character device here (as udev makes it), not runc's
// symlink to pts/ptmx: both open a new master.
// shm/ is an empty directory until tmpfs is mounted over it.
std::shared_ptr<Node> NewDevfs(std::shared_ptr<HostTty> console = nullptr,
                               std::shared_ptr<Devpts> devpts = nullptr);

}  // namespace runsc::fs

#endif  // RUNSC_FS_DEVFS_H_
