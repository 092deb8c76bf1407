#include "gofer/server/gofer_main.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
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
#include "runsc/sandbox/gofer_confinement.h"

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

// Opens the source of each bind mount, which the chroot is about to hide.
// A source's symlinks are resolved here, as mount(2) resolves them: the
// paths come from the runtime's config, not from the container. A file is
// held through its directory and name, as the server opens every
// non-directory for I/O (see GoferServer::File).
absl::StatusOr<std::vector<GoferMount>> OpenMounts(const GoferOptions& options) {
  std::vector<GoferMount> mounts;
  for (const GoferMountOption& option : options.mounts) {
    const std::string what = absl::StrCat("bind mount source \"", option.source, "\"");
    char resolved[PATH_MAX];
    if (::realpath(option.source.c_str(), resolved) == nullptr) return HostError(what);
    GoferMount mount{.read_only = option.read_only};
    mount.fd.reset(::open(resolved, O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!mount.fd.valid()) return HostError(what);
    struct stat st;
    if (::fstat(mount.fd.get(), &st) != 0) return HostError(what);
    if (!S_ISDIR(st.st_mode)) {
      if (!S_ISREG(st.st_mode)) {
        return ErrnoError(EINVAL, absl::StrCat(what, " is neither a directory nor a regular file"));
      }
      std::string path = resolved;
      const size_t slash = path.rfind('/');
      mount.name = path.substr(slash + 1);
      const std::string dir = slash == 0 ? "/" : path.substr(0, slash);
      mount.parent.reset(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
      if (!mount.parent.valid()) return HostError(absl::StrCat(what, ": its directory"));
    }
    mounts.push_back(std::move(mount));
  }
  return mounts;
}

// Everything before serving. `root` receives the fd of the root directory,
// `mounts` the bind mounts'.
absl::Status SetUp(const GoferOptions& options, int socket, UniqueFd& root,
                   std::vector<GoferMount>& mounts) {
  if (socket < 0) return ErrnoError(EBADF, "no gofer socket given");
  root.reset(::open(options.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return HostError(absl::StrCat("open root \"", options.root, "\""));
  absl::StatusOr<std::vector<GoferMount>> opened = OpenMounts(options);
  if (!opened.ok()) return opened.status();
  mounts = std::move(*opened);
  std::vector<int> keep = {socket, options.log_fd, root.get()};
  for (const GoferMount& mount : mounts) {
    keep.push_back(mount.fd.get());
    if (mount.parent.valid()) keep.push_back(mount.parent.get());
  }
  if (absl::Status s = CloseFdsExcept(keep); !s.ok()) return s;
  // chroot to the directory the root fd names, so the path cannot have
  // changed between the open above and here.
  if (::fchdir(root.get()) != 0) return HostError("fchdir to root");
  if (::chroot(".") != 0) return HostError("chroot to root");
  if (::chdir("/") != 0) return HostError("chdir(\"/\") after chroot");
  if (absl::Status s = RaiseFdLimit(); !s.ok()) return s;
  // Last, before the first request: capabilities, no_new_privs, seccomp.
  return runsc::sandbox::ConfineGofer();
}

}  // namespace

int GoferMain(const GoferOptions& options) {
  UniqueFd socket(options.socket_fd);
  // Logging was configured by the caller (runsc gofer), with the user's
  // --log-format and --debug: not reset here.

  UniqueFd root;
  std::vector<GoferMount> mounts;
  if (absl::Status s = SetUp(options, socket.get(), root, mounts); !s.ok()) {
    LogError("gofer set-up failed: ", s.message());
    return 1;
  }
  LogDebug("gofer serving ", options.root, options.read_only ? " read-only" : "", " and ",
           mounts.size(), " bind mounts");

  GoferServer server(std::move(root), GoferServerOptions{.read_only = options.read_only},
                     std::move(mounts));
  if (absl::Status s = server.Serve(socket.get()); !s.ok()) {
    LogError("gofer connection failed: ", s.message());
    return 1;
  }
  return 0;
}

}  // namespace runsc::gofer
