#include "runsc/cmd/run.h"

#include "base/logging.h"
#include "base/phase_timer.h"
#include "runsc/cmd/console_relay.h"
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
  // A terminal without a console socket: in the foreground runsc relays it
  // itself; detached, nobody could (create's error says so).
  options.keep_console_master = options.console_socket.empty() && !detach_;
  // From here on, signals for the container queue up instead of killing us.
  RUNSC_ASSIGN_OR_RETURN(SignalForwarder forwarder, SignalForwarder::Create());

  sandbox::ProcessIdentity sentry;
  std::string state_dir;
  std::unique_ptr<ConsoleRelay> relay;
  {
    RUNSC_ASSIGN_OR_RETURN(container::Container c, container::Container::Create(config, options));
    // The relay before start: the container's first stty must already see
    // the caller's window size.
    absl::Status started = absl::OkStatus();
    if (UniqueFd master = c.TakeConsoleMaster(); master.valid()) {
      absl::StatusOr<std::unique_ptr<ConsoleRelay>> started_relay =
          ConsoleRelay::Start(std::move(master));
      if (started_relay.ok()) {
        relay = *std::move(started_relay);
      } else {
        started = started_relay.status();
      }
    }
    if (started.ok()) started = c.Start();
    if (!started.ok()) {
      relay.reset();
      absl::Status deleted = c.Delete(/*force=*/true);
      if (!deleted.ok()) LogError(deleted.message());
      return started;
    }
    if (detach_) return 0;
    sentry = c.state().sentry;
    state_dir = c.dir();
  }  // The container's lock goes here: kill and state work while it runs.

  PhaseTimer timeline("run");
  RUNSC_ASSIGN_OR_RETURN(int exit_code, forwarder.Wait(sentry, state_dir));
  timeline.Mark("waiting for the sentry to exit");
  relay.reset();  // The container's last output, then the caller's tty mode back.

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
