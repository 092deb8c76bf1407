// Whole-file replacement that readers never see half done.
#ifndef RUNSC_RUNSC_CONTAINER_ATOMIC_FILE_H_
#define RUNSC_RUNSC_CONTAINER_ATOMIC_FILE_H_

#include <sys/types.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace runsc::container {

// Writes `data` to a temporary file in the directory of `path` (same file
// system, so rename is atomic) and renames it over `path`. A reader sees
// the old content or the new, never a mix or an empty file. Not durable:
// for files that do not outlive the host's processes (no fsync, which costs
// a journal commit); after a host crash a new file may be empty, and a
// stray temporary file may be left. On error the temporary file is removed
// and `path` is untouched.
[[nodiscard]] absl::Status WriteFileAtomically(const std::string& path, std::string_view data,
                                               mode_t mode = 0644);

}  // namespace runsc::container

#endif  // RUNSC_RUNSC_CONTAINER_ATOMIC_FILE_H_
