#include "runsc/cmd/gofer.h"

#include "base/logging.h"

namespace runsc::cmd {

void GoferCommand::SetFlags(CLI::App& app) {
  // This --root is the container's rootfs; the global --root (given before
  // the subcommand) is runsc's state directory.
  app.add_option("--root", options_.root, "host path of the container's root filesystem")
      ->required();
  app.add_flag("--read-only", options_.read_only, "refuse every change (root.readonly)");
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
  return gofer::GoferMain(options_);
}

}  // namespace runsc::cmd
