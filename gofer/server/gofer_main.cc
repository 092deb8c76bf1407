#include "gofer/server/gofer_main.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "base/logging.h"
#include "base/unique_fd.h"
#include "gofer/server/gofer_server.h"

namespace runsc::gofer {
namespace {

// Closes every fd but those in `keep`: whatever the gofer inherited from runsc
// is not the sentry's to reach through a compromised gofer.
absl::Status CloseFdsExcept(std::vector<int> keep) {
  std::sort(keep.begin(), keep.end());
  unsigned int next = 0;
  for (int fd : keep) {
    if (fd < 0 || static_cast<unsigned int>(fd) < next) continue;
    if (static_cast<unsigned int>(fd) > next && ::close_range(next, fd - 1, 0) != 0) {
      return HostError("close_range");
    }
    next = static_cast<unsigned int>(fd) + 1;
  }
  if (::close_range(next, ~0U, 0) != 0) return HostError("close_range");
  return absl::OkStatus();
}

// Each walked id holds an fd; the default soft limit (often 1024) would cap a
// connection far below GoferServerOptions::max_files. Raising the soft limit
// up to the hard one needs no privilege.
absl::Status RaiseFdLimit() {
  rlimit limit;
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return HostError("getrlimit(RLIMIT_NOFILE)");
  if (limit.rlim_cur == limit.rlim_max) return absl::OkStatus();
  limit.rlim_cur = limit.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) return HostError("setrlimit(RLIMIT_NOFILE)");
  return absl::OkStatus();
}

// Everything before serving. `root` receives the fd of the root directory.
absl::Status SetUp(const GoferOptions& options, int socket, UniqueFd& root) {
  if (socket < 0) return ErrnoError(EBADF, "no gofer socket given");
  root.reset(::open(options.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return HostError(absl::StrCat("open root \"", options.root, "\""));
  if (absl::Status s = CloseFdsExcept({socket, options.log_fd, root.get()}); !s.ok()) return s;
  // chroot to the directory the root fd names, so the path cannot have
  // changed between the open above and here.
  if (::fchdir(root.get()) != 0) return HostError("fchdir to root");
  if (::chroot(".") != 0) return HostError("chroot to root");
  if (::chdir("/") != 0) return HostError("chdir(\"/\") after chroot");
  if (absl::Status s = RaiseFdLimit(); !s.ok()) return s;
  // TODO(confinement, issue 5): install the gofer's seccomp filter and drop
  // every capability it does not need, here, before the first request.
  return absl::OkStatus();
}

}  // namespace

int GoferMain(const GoferOptions& options) {
  UniqueFd socket(options.socket_fd);
  // Logging was configured by the caller (runsc gofer), with the user's
  // --log-format and --debug: not reset here.

  UniqueFd root;
  if (absl::Status s = SetUp(options, socket.get(), root); !s.ok()) {
    LogError("gofer set-up failed: ", s.message());
    return 1;
  }
  LogDebug("gofer serving ", options.root, options.read_only ? " read-only" : "");

  GoferServer server(std::move(root), GoferServerOptions{.read_only = options.read_only});
  if (absl::Status s = server.Serve(socket.get()); !s.ok()) {
    LogError("gofer connection failed: ", s.message());
    return 1;
  }
  return 0;
}

}  // namespace runsc::gofer
