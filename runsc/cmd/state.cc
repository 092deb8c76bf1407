#include "runsc/cmd/state.h"

#include <iostream>

#include "runsc/container/container.h"
#include "runsc/status_macros.h"

namespace runsc::cmd {

void StateCommand::SetFlags(CLI::App& app) {
  app.add_option("container-id", id_, "container id")->required();
}

absl::StatusOr<int> StateCommand::Execute(const config::GlobalConfig& config) {
  RUNSC_ASSIGN_OR_RETURN(container::ContainerSnapshot snap,
                         container::Container::Peek(config.root, id_));
  std::cout << container::OciState(snap.state, snap.status).dump(2) << std::endl;
  return 0;
}

}  // namespace runsc::cmd
