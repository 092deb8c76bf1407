#include "runsc/cmd/freeze.h"

#include "runsc/container/container.h"
#include "runsc/status_macros.h"

namespace runsc::cmd {

void FreezeCommand::SetFlags(CLI::App& app) {
  app.add_option("container-id", id_, "container id")->required();
}

absl::StatusOr<int> FreezeCommand::Execute(const config::GlobalConfig& config) {
  RUNSC_ASSIGN_OR_RETURN(container::Container c, container::Container::Load(config.root, id_));
  RUNSC_RETURN_IF_ERROR(pause_ ? c.Pause() : c.Resume());
  return 0;
}

}  // namespace runsc::cmd
