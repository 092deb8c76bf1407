// execve(2)'s work, shared with boot for the container's first process.
#ifndef RUNSC_SYSCALLS_EXEC_H_
#define RUNSC_SYSCALLS_EXEC_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "sentry/kernel/task.h"

namespace runsc::syscalls {

// Replaces the task's address space with a fresh one running `path` (resolved
// in the task's filesystem). Runs on the task's own thread. On failure the
// task's old image is untouched.
[[nodiscard]] absl::Status ExecInto(sentry::Task& task, const std::string& path,
                                    std::vector<std::string> argv,
                                    const std::vector<std::string>& envv);

// execveat(2): as ExecInto, for `path` relative to `dirfd`, or with
// AT_EMPTY_PATH and an empty path the file `dirfd` is open on; with
// AT_SYMLINK_NOFOLLOW a symlink as the last component is ELOOP. Other
// flags are EINVAL. The new image's AT_EXECFN (and a script's argument)
// is "/dev/fd/N" or "/dev/fd/N/path" for an fd-relative name, as in Linux.
[[nodiscard]] absl::Status ExecAtInto(sentry::Task& task, int dirfd, const std::string& path,
                                      int flags, std::vector<std::string> argv,
                                      const std::vector<std::string>& envv);

}  // namespace runsc::syscalls

#endif  // RUNSC_SYSCALLS_EXEC_H_
