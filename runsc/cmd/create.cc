#include "runsc/cmd/create.h"

#include "runsc/cmd/log_files.h"
#include "runsc/status_macros.h"

namespace runsc::cmd {

void CreateFlags::Register(CLI::App& app) {
  app.add_option("-b,--bundle", bundle, "path to the bundle directory (holds config.json)")
      ->capture_default_str();
  app.add_option("--pid-file", pid_file, "file to write the sandbox's host pid to");
  app.add_option("--console-socket", console_socket,
                 "unix socket to send the pty master to (process.terminal: true), as runc does");
  app.add_option("--preserve-fds", preserve_fds,
                 "pass N extra descriptors to the container (not supported yet)");
  app.add_flag("--no-pivot", no_pivot, "accepted for runc compatibility; no effect");
  app.add_flag("--no-new-keyring", no_new_keyring, "accepted for runc compatibility; no effect");
  app.add_option("container-id", id, "container id")->required();
}

absl::StatusOr<container::CreateOptions> CreateFlags::Options() const {
  if (preserve_fds != 0) {
    return absl::UnimplementedError("--preserve-fds is not supported yet");
  }
  container::CreateOptions options;
  options.id = id;
  options.bundle = bundle;
  options.pid_file = pid_file;
  options.console_socket = console_socket;
  return options;
}

absl::StatusOr<int> CreateCommand::Execute(const config::GlobalConfig& config) {
  RUNSC_ASSIGN_OR_RETURN(container::CreateOptions options, flags_.Options());
  RUNSC_ASSIGN_OR_RETURN(UniqueFd sandbox_log, OpenSandboxLog(config));
  options.child_log_fd = sandbox_log.get();
  RUNSC_RETURN_IF_ERROR(container::Container::Create(config, options).status());
  return 0;
}

}  // namespace runsc::cmd
