#include "runsc/cmd/gofer.h"

#include "base/logging.h"

namespace runsc::cmd {

void GoferCommand::SetFlags(CLI::App& app) {
  // This --root is the container's rootfs; the global --root (given before
  // the subcommand) is runsc's state directory.
  app.add_option("--root", options_.root, "host path of the container's root filesystem")
      ->required();
  app.add_flag("--read-only", options_.read_only, "refuse every change (root.readonly)");
  app.add_option("--mount", mounts_,
                 "a bind mount to serve, as ro:<host path> or rw:<host path>; repeated, in the "
                 "order the sentry attaches them (1, 2, ...)");
  app.add_option("--socket-fd", options_.socket_fd, "SOCK_SEQPACKET connection to serve")
      ->required();
  app.add_option("--log-fd", options_.log_fd, "where to log")->capture_default_str();
}

absl::StatusOr<int> GoferCommand::Execute(const config::GlobalConfig& config) {
  ConfigureLogging({.fd = options_.log_fd,
                    .format = config.log_format == config::LogFormatFlag::kJson ? LogFormat::kJson
                                                                                : LogFormat::kText,
                    .debug = config.debug,
                    .component = "gofer"});
  for (const std::string& mount : mounts_) {
    const bool ro = mount.starts_with("ro:");
    if ((!ro && !mount.starts_with("rw:")) || mount.size() < 4 || mount[3] != '/') {
      return absl::InvalidArgumentError(
          "--mount " + mount + ": expected ro:<absolute host path> or rw:<absolute host path>");
    }
    options_.mounts.push_back({.source = mount.substr(3), .read_only = ro});
  }
  return gofer::GoferMain(options_);
}

}  // namespace runsc::cmd
