// The host stat of a gofer file id, and its wire form: shared by the
// server's request handlers (gofer_server.cc, gofer_server_xattr.cc).
#ifndef RUNSC_GOFER_SERVER_HOST_STAT_H_
#define RUNSC_GOFER_SERVER_HOST_STAT_H_

#include <sys/stat.h>

#include "absl/status/statusor.h"
#include "gofer/proto/gofer.pb.h"

namespace runsc::gofer {

// stat of the file an O_PATH fd names, without following it if it is a symlink.
absl::StatusOr<struct stat> StatFd(int fd);

void FillStat(const struct stat& st, proto::Stat* out);

}  // namespace runsc::gofer

#endif  // RUNSC_GOFER_SERVER_HOST_STAT_H_
