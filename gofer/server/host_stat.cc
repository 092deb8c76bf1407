#include "gofer/server/host_stat.h"

#include <fcntl.h>

#include "base/errno_status.h"

namespace runsc::gofer {

absl::StatusOr<struct stat> StatFd(int fd) {
  struct stat st;
  if (::fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) {
    return HostError("fstatat of a file id");
  }
  return st;
}

void FillStat(const struct stat& st, proto::Stat* out) {
  out->set_dev(st.st_dev);
  out->set_ino(st.st_ino);
  out->set_mode(st.st_mode);
  out->set_nlink(st.st_nlink);
  out->set_uid(st.st_uid);
  out->set_gid(st.st_gid);
  out->set_rdev(st.st_rdev);
  out->set_size(st.st_size);
  out->set_blksize(st.st_blksize);
  out->set_blocks(st.st_blocks);
  out->set_atime_sec(st.st_atim.tv_sec);
  out->set_atime_nsec(st.st_atim.tv_nsec);
  out->set_mtime_sec(st.st_mtim.tv_sec);
  out->set_mtime_nsec(st.st_mtim.tv_nsec);
  out->set_ctime_sec(st.st_ctim.tv_sec);
  out->set_ctime_nsec(st.st_ctim.tv_nsec);
}

}  // namespace runsc::gofer
