// An exclusive flock(2) on a file or directory, held while the object lives.
//
// Used for the per-container lock (<root>/<id>/lock), which every state
// change holds, and the root-level lock (on <root> itself) which create holds
// while it reserves an id. flock locks die with the process that holds them,
// so a crashed runsc never leaves a container locked. Lock descriptors are
// close-on-exec: the sandbox processes must not inherit them.
#ifndef RUNSC_RUNSC_CONTAINER_FILE_LOCK_H_
#define RUNSC_RUNSC_CONTAINER_FILE_LOCK_H_

#include <string>

#include "absl/status/statusor.h"
#include "base/unique_fd.h"

namespace runsc::container {

class FileLock {
 public:
  enum class Open { kExisting, kCreate };

  // Blocks until `path` is locked. Fails with NotFound if `path` does not
  // exist, or was removed (or replaced) while we waited for the lock: a lock
  // on a deleted file protects nothing.
  [[nodiscard]] static absl::StatusOr<FileLock> Acquire(const std::string& path,
                                                        Open open = Open::kExisting);

  // True if some process holds a lock on `path` now (without waiting).
  // False if nobody does or `path` does not exist.
  static bool IsHeld(const std::string& path);

  FileLock(FileLock&&) = default;
  FileLock& operator=(FileLock&&) = default;
  // Releases the lock.
  ~FileLock() = default;

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace runsc::container

#endif  // RUNSC_RUNSC_CONTAINER_FILE_LOCK_H_
