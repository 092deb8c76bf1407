#include "runsc/container/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/errno_status.h"

namespace runsc::container {

absl::StatusOr<FileLock> FileLock::Acquire(const std::string& path, Open open) {
  int flags = O_RDONLY | O_CLOEXEC | (open == Open::kCreate ? O_CREAT : 0);
  UniqueFd fd(::open(path.c_str(), flags, 0600));
  if (!fd.valid()) {
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat(path, " does not exist"));
    return HostError(absl::StrCat("open ", path));
  }
  while (flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return HostError(absl::StrCat("flock ", path));
  }
  // Whoever held the lock before us may have deleted the container (and a
  // new one may have taken the name): the lock counts only if `path` is
  // still the file we locked.
  struct stat held, now;
  if (fstat(fd.get(), &held) != 0) return HostError(absl::StrCat("fstat ", path));
  if (stat(path.c_str(), &now) != 0 || held.st_dev != now.st_dev || held.st_ino != now.st_ino) {
    return absl::NotFoundError(absl::StrCat(path, " was removed"));
  }
  return FileLock(std::move(fd));
}

bool FileLock::IsHeld(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  if (flock(fd.get(), LOCK_SH | LOCK_NB) == 0) return false;  // Released with fd.
  return errno == EWOULDBLOCK;
}

}  // namespace runsc::container
