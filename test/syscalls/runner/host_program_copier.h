// Copies host programs into a rootfs directory together with the shared
// objects `ldd` lists for them (the dynamic loader included), so that a
// dynamically linked host binary runs inside the rootfs exactly as it runs
// on the host: same bytes, same libraries at the same paths. Used by
// runsc-bench's rootfs and by the e2e test that runs Debian's programs.
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_HOST_PROGRAM_COPIER_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_HOST_PROGRAM_COPIER_H_

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace runsc::compat {

// The absolute paths of the shared objects in `ldd` output (the loader's
// included, linux-vdso left out); empty for "not a dynamic executable".
// NotFound naming the library when one is "not found".
[[nodiscard]] absl::StatusOr<std::vector<std::string>> ParseLddOutput(absl::string_view text);

class HostProgramCopier {
 public:
  // `root` is the rootfs directory on the host; it must exist.
  explicit HostProgramCopier(std::filesystem::path root) : root_(std::move(root)) {}

  // Copies the host program `host_path` (symlinks followed) to `inside`
  // (absolute, in the rootfs; mode 0755) and every library ldd lists for it
  // to the library's own path. A library already copied is not copied again.
  [[nodiscard]] absl::Status CopyProgram(const std::string& host_path, const std::string& inside);

  // Copies the host file `host_path` (symlinks followed) to `inside` with `mode`.
  [[nodiscard]] absl::Status CopyFile(const std::string& host_path, const std::string& inside,
                                      std::filesystem::perms mode);

  // Copies the host directory `host_path` and everything under it to the
  // same path in the rootfs (symlinks followed), modes kept.
  [[nodiscard]] absl::Status CopyTree(const std::string& host_path);

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
  std::set<std::string> copied_libraries_;
};

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_HOST_PROGRAM_COPIER_H_
