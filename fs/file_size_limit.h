// RLIMIT_FSIZE, which every filesystem with regular files enforces the same
// way (Linux's generic_write_check_limits and inode_newsize_ok): a write
// that would cross the limit is cut short at it; a write that starts at or
// past it, or a truncate beyond it, sends SIGXFSZ to the calling thread and
// fails with EFBIG (the error shows once SIGXFSZ is ignored or caught).
#ifndef RUNSC_FS_FILE_SIZE_LIMIT_H_
#define RUNSC_FS_FILE_SIZE_LIMIT_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {

// How many of `length` bytes a write at `offset` may write (`length` when
// no limit applies, and for an empty write); EFBIG and SIGXFSZ at or past
// the limit. Without kernel().mu.
[[nodiscard]] absl::StatusOr<size_t> LengthWithinFileSizeLimit(sentry::Task& task, int64_t offset,
                                                               size_t length);

// For truncate/ftruncate to `size`: EFBIG and SIGXFSZ past the limit.
// Without kernel().mu.
[[nodiscard]] absl::Status CheckSizeWithinFileSizeLimit(sentry::Task& task, int64_t size);

}  // namespace runsc::fs

#endif  // RUNSC_FS_FILE_SIZE_LIMIT_H_
