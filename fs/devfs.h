// /dev: null, zero, full, random, urandom, tty, the fd links, and the
// directories others fill (pts, shm) (DESIGN §5).
#ifndef RUNSC_FS_DEVFS_H_
#define RUNSC_FS_DEVFS_H_

#include <memory>

#include "fs/file.h"

namespace runsc::fs {

// `console`: the host fd of the container's terminal (the pty slave runsc
// create was given with terminal: true), which /dev/tty opens for the tasks
// of init's session; -1 if the container has none. Borrowed: devfs keeps
// its own duplicate.
//
// Not implemented yet (each says so with an errno and a log line):
// /dev/ptmx (ENXIO) and pts/ (empty): pseudo-terminals are another issue's.
// shm/ is an empty directory until tmpfs is mounted over it.
std::shared_ptr<Node> NewDevfs(int console = -1);

}  // namespace runsc::fs

#endif  // RUNSC_FS_DEVFS_H_
