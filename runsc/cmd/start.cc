#include "runsc/cmd/start.h"

#include "runsc/container/container.h"
#include "runsc/status_macros.h"

namespace runsc::cmd {

void StartCommand::SetFlags(CLI::App& app) {
  app.add_option("container-id", id_, "container id")->required();
}

absl::StatusOr<int> StartCommand::Execute(const config::GlobalConfig& config) {
  RUNSC_ASSIGN_OR_RETURN(container::Container c, container::Container::Load(config.root, id_));
  RUNSC_RETURN_IF_ERROR(c.Start());
  return 0;
}

}  // namespace runsc::cmd
