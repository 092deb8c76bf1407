#include "runsc/cmd/log_files.h"

#include <fcntl.h>

#include "absl/strings/str_cat.h"
#include "base/errno_status.h"

namespace runsc::cmd {

absl::StatusOr<UniqueFd> OpenLogFile(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) return HostError(absl::StrCat("cannot open log file ", path));
  return fd;
}

absl::StatusOr<UniqueFd> OpenSandboxLog(const config::GlobalConfig& config) {
  if (!config.debug_log_path.empty()) return OpenLogFile(config.debug_log_path);
  if (!config.log_path.empty()) return OpenLogFile(config.log_path);
  return UniqueFd();
}

}  // namespace runsc::cmd
