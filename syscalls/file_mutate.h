// What open(2) with O_CREAT needs from the file-mutation syscalls
// (sys_file_mutate.cc), so the open path in sys_file.cc stays one function.
#ifndef RUNSC_SYSCALLS_FILE_MUTATE_H_
#define RUNSC_SYSCALLS_FILE_MUTATE_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "fs/file.h"

namespace runsc::syscalls {

// The result of open(path, flags | O_CREAT, mode): exactly one member set,
// `existing` when the name was already there (and O_EXCL was not given) and
// the caller opens it as without O_CREAT, `created` when it was made and
// opened (its dentry set).
struct CreateForOpenResult {
  std::shared_ptr<fs::Dentry> existing;
  std::shared_ptr<fs::File> created;
};
[[nodiscard]] absl::StatusOr<CreateForOpenResult> CreateForOpen(sentry::Task& t, int dirfd,
                                                                const std::string& path,
                                                                int flags, mode_t mode);

// open(path, flags with O_TMPFILE, mode): an unnamed file in the directory
// `path` names, opened (its dentry set, outside the dentry cache).
[[nodiscard]] absl::StatusOr<std::shared_ptr<fs::File>> CreateTmpfileForOpen(
    sentry::Task& t, int dirfd, const std::string& path, int flags, mode_t mode);

}  // namespace runsc::syscalls

#endif  // RUNSC_SYSCALLS_FILE_MUTATE_H_
