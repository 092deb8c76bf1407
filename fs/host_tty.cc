#include "fs/host_tty.h"

#include <fcntl.h>

#include "base/errno_status.h"
#include "fs/host_tty_file.h"

namespace runsc::fs {

absl::StatusOr<std::shared_ptr<File>> HostTty::Open(int flags) {
  int fd = ::fcntl(fd_.get(), F_DUPFD_CLOEXEC, 3);
  if (fd < 0) return HostError("dup of the console");
  auto file = std::make_shared<HostTtyFile>(flags, UniqueFd(fd), shared_from_this());
  file->set_path(path_);
  return file;
}

absl::StatusOr<struct stat> HostTty::Stat() const {
  struct stat st;
  if (::fstat(fd_.get(), &st) != 0) return HostError("fstat of the console");
  return st;
}

}  // namespace runsc::fs
