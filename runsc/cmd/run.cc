#include "runsc/cmd/run.h"

#include "base/logging.h"
#include "runsc/cmd/log_files.h"
#include "runsc/cmd/signal_forwarder.h"
#include "runsc/container/container.h"
#include "runsc/status_macros.h"

namespace runsc::cmd {

void RunCommand::SetFlags(CLI::App& app) {
  flags_.Register(app);
  app.add_flag("-d,--detach", detach_, "return once the container has started");
}

absl::StatusOr<int> RunCommand::Execute(const config::GlobalConfig& config) {
  RUNSC_ASSIGN_OR_RETURN(container::CreateOptions options, flags_.Options());
  RUNSC_ASSIGN_OR_RETURN(UniqueFd sandbox_log, OpenSandboxLog(config));
  options.child_log_fd = sandbox_log.get();
  // From here on, signals for the container queue up instead of killing us.
  RUNSC_ASSIGN_OR_RETURN(SignalForwarder forwarder, SignalForwarder::Create());

  sandbox::ProcessIdentity sentry;
  std::string state_dir;
  {
    RUNSC_ASSIGN_OR_RETURN(container::Container c, container::Container::Create(config, options));
    if (absl::Status started = c.Start(); !started.ok()) {
      absl::Status deleted = c.Delete(/*force=*/true);
      if (!deleted.ok()) LogError(deleted.message());
      return started;
    }
    if (detach_) return 0;
    sentry = c.state().sentry;
    state_dir = c.dir();
  }  // The container's lock goes here: kill and state work while it runs.

  RUNSC_ASSIGN_OR_RETURN(int exit_code, forwarder.Wait(sentry, state_dir));

  absl::StatusOr<container::Container> c = container::Container::Load(config.root, options.id);
  // Someone may have deleted it meanwhile (delete --force): nothing to do.
  if (c.ok()) {
    RUNSC_RETURN_IF_ERROR(c->Delete(/*force=*/true));
  } else if (!absl::IsNotFound(c.status())) {
    return c.status();
  }
  return exit_code;
}

}  // namespace runsc::cmd
