// fcntl's record-lock commands, shared by sys_file.cc's fcntl and
// sys_flock.cc, where they live with flock(2).
#ifndef RUNSC_SYSCALLS_FILE_LOCK_H_
#define RUNSC_SYSCALLS_FILE_LOCK_H_

#include <memory>

#include "fs/file.h"
#include "syscalls/syscall_table.h"

namespace runsc::syscalls {

// F_GETLK, F_SETLK, F_SETLKW and their F_OFD_* forms on `file` (the fd's
// description), with the struct flock at `addr`.
SyscallResult FcntlLock(sentry::Task& t, const std::shared_ptr<fs::File>& file, int cmd,
                        uint64_t addr);

}  // namespace runsc::syscalls

#endif  // RUNSC_SYSCALLS_FILE_LOCK_H_
