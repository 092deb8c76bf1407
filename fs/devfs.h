// /dev: null, zero, full, random, urandom, tty, the fd links, and the
// directories others fill (pts, shm) (DESIGN §5).
#ifndef RUNSC_FS_DEVFS_H_
#define RUNSC_FS_DEVFS_H_

#include <memory>

#include "fs/file.h"
#include "fs/host_terminals.h"
#include "fs/host_tty.h"

namespace runsc::fs {

// `console`: the container's terminal (the pty slave runsc create made with
// process.terminal: true), which is /dev/console and, for the tasks whose
// controlling terminal it is (init's session from the start), /dev/tty;
// null if the container has none. `terminals`: those of exec'd processes,
// which are pts/<n> and, for the sessions they control, /dev/tty.
//
// Not implemented yet (each says so with an errno and a log line):
// /dev/ptmx (ENXIO): sentry pseudo-terminals are another issue's, so pts/
// holds only the host terminals above.
// shm/ is an empty directory until tmpfs is mounted over it.
std::shared_ptr<Node> NewDevfs(std::shared_ptr<HostTty> console = nullptr,
                               std::shared_ptr<HostTerminals> terminals = nullptr);

}  // namespace runsc::fs

#endif  // RUNSC_FS_DEVFS_H_
