#include "runsc/container/atomic_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "base/unique_fd.h"

namespace runsc::container {

absl::Status WriteFileAtomically(const std::string& path, std::string_view data, mode_t mode) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.empty()) return absl::InvalidArgumentError(absl::StrCat("not a file path: ", path));

  // A dot file so that listings of the directory do not show it.
  std::string temp = absl::StrCat(dir, "/.", base, ".tmp-XXXXXX");
  UniqueFd fd(mkostemp(temp.data(), O_CLOEXEC));
  if (!fd.valid()) return HostError(absl::StrCat("create a temporary file for ", path));
  absl::Cleanup remove_temp = [&temp] { unlink(temp.c_str()); };

  if (fchmod(fd.get(), mode) != 0) return HostError(absl::StrCat("chmod ", temp));
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = write(fd.get(), data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return HostError(absl::StrCat("write ", temp));
    written += n;
  }
  // No fsync: these files (state.json, pid files) describe processes that
  // a host crash kills anyway, and on a busy disk each fsync waits for a
  // journal commit, 5-30 ms of every create and start (runc does not fsync
  // its state either). rename keeps readers from ever seeing a mix.
  if (close(fd.release()) != 0) return HostError(absl::StrCat("close ", temp));
  if (rename(temp.c_str(), path.c_str()) != 0) {
    return HostError(absl::StrCat("rename ", temp, " to ", path));
  }
  std::move(remove_temp).Cancel();
  return absl::OkStatus();
}

}  // namespace runsc::container
