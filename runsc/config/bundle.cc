#include "runsc/config/bundle.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "base/unique_fd.h"
#include "runsc/status_macros.h"

namespace runsc::config {
namespace {

// config.json is small; a bigger file is a mistake (or an attack on whoever
// parses it), not a config.
constexpr size_t kMaxConfigBytes = 16 << 20;

absl::StatusOr<std::string> RealPath(const std::string& path) {
  std::unique_ptr<char, decltype(&free)> resolved(realpath(path.c_str(), nullptr), &free);
  if (resolved == nullptr) return HostError(path);
  return std::string(resolved.get());
}

absl::StatusOr<std::string> ReadConfig(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return HostError("cannot open config.json");
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return HostError("cannot stat config.json");
  if (!S_ISREG(st.st_mode)) return absl::InvalidArgumentError("config.json is not a regular file");
  std::string data;
  char buf[65536];
  while (true) {
    ssize_t n = read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return HostError("cannot read config.json");
    if (n == 0) break;
    data.append(buf, n);
    if (data.size() > kMaxConfigBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("config.json is larger than ", kMaxConfigBytes, " bytes"));
    }
  }
  return data;
}

}  // namespace

absl::StatusOr<Bundle> LoadBundle(const std::string& dir) {
  auto error = [&dir](const absl::Status& status) {
    return absl::Status(status.code(), absl::StrCat("bundle ", dir, ": ", status.message()));
  };
  Bundle bundle;
  auto real_dir = RealPath(dir);
  if (!real_dir.ok()) return error(real_dir.status());
  bundle.dir = *real_dir;

  auto text = ReadConfig(bundle.dir + "/config.json");
  if (!text.ok()) return error(text.status());
  auto spec = ParseSpec(*text);
  if (!spec.ok()) {
    return error(absl::Status(spec.status().code(),
                              absl::StrCat("config.json: ", spec.status().message())));
  }
  bundle.spec = std::move(*spec);

  const std::string& root = bundle.spec.root.path;
  std::string root_path = root.front() == '/' ? root : absl::StrCat(bundle.dir, "/", root);
  auto rootfs = RealPath(root_path);
  if (!rootfs.ok()) {
    // RealPath's message is "<path>: <strerror>".
    return error(absl::InvalidArgumentError(
        absl::StrCat("config.json: root.path: ", rootfs.status().message())));
  }
  struct stat st;
  if (stat(rootfs->c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return error(absl::InvalidArgumentError(
        absl::StrCat("config.json: root.path: ", root_path, " is not a directory")));
  }
  bundle.rootfs = std::move(*rootfs);
  return bundle;
}

}  // namespace runsc::config
