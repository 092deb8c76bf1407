#include "runsc/cmd/kill.h"

#include "runsc/cmd/signal_parser.h"
#include "runsc/container/container.h"
#include "runsc/status_macros.h"

namespace runsc::cmd {

void KillCommand::SetFlags(CLI::App& app) {
  app.add_flag("-a,--all", all_, "send the signal to every process of the container");
  app.add_option("container-id", id_, "container id")->required();
  app.add_option("signal", signal_, "signal number or name (KILL, SIGKILL, 9)")
      ->capture_default_str();
}

absl::StatusOr<int> KillCommand::Execute(const config::GlobalConfig& config) {
  // The signal is checked before the container is touched.
  RUNSC_ASSIGN_OR_RETURN(int signo, ParseSignal(signal_));
  RUNSC_ASSIGN_OR_RETURN(container::Container c, container::Container::Load(config.root, id_));
  RUNSC_RETURN_IF_ERROR(c.Signal(signo, all_));
  return 0;
}

}  // namespace runsc::cmd
