// /dev: null, zero, full, random, urandom and the fd links (DESIGN §5).
#ifndef RUNSC_FS_DEVFS_H_
#define RUNSC_FS_DEVFS_H_

#include <memory>

#include "fs/file.h"

namespace runsc::fs {

std::shared_ptr<Node> NewDevfs();

}  // namespace runsc::fs

#endif  // RUNSC_FS_DEVFS_H_
