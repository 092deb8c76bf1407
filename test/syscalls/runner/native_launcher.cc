#include "test/syscalls/runner/native_launcher.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "test/syscalls/runner/oci_bundle.h"

namespace runsc::compat {

SubprocessResult NativeLauncher::Launch(const std::string& binary,
                                        const std::vector<std::string>& args,
                                        OutputWatcher& watcher) {
  std::string dir = absl::StrCat(work_dir_, "/native-XXXXXX");
  if (mkdtemp(dir.data()) == nullptr) {
    SubprocessResult result;
    result.spawn_error = absl::StrCat("mkdtemp ", dir, ": ", strerror(errno));
    return result;
  }
  SubprocessSpec spec;
  spec.argv = {binary};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = CompatEnvironment(dir);
  spec.cwd = dir;
  SubprocessResult result = RunSubprocess(spec, watcher);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return result;
}

}  // namespace runsc::compat
