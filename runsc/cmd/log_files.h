// The log files runsc's global flags name, opened for appending.
#ifndef RUNSC_RUNSC_CMD_LOG_FILES_H_
#define RUNSC_RUNSC_CMD_LOG_FILES_H_

#include <string>

#include "absl/status/statusor.h"
#include "base/unique_fd.h"
#include "runsc/config/global_config.h"

namespace runsc::cmd {

// Opens `path` for appending (created 0644), close-on-exec.
[[nodiscard]] absl::StatusOr<UniqueFd> OpenLogFile(const std::string& path);

// Where the sandbox's sentry and gofer log: --debug-log if given, else
// --log, else nowhere (an invalid fd). Never the container's stderr: that
// belongs to the container.
[[nodiscard]] absl::StatusOr<UniqueFd> OpenSandboxLog(const config::GlobalConfig& config);

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_LOG_FILES_H_
