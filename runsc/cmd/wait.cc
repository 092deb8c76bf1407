#include "runsc/cmd/wait.h"

#include <sys/wait.h>

#include <iostream>

#include "nlohmann/json.hpp"
#include "runsc/container/container.h"
#include "runsc/status_macros.h"

namespace runsc::cmd {

void WaitCommand::SetFlags(CLI::App& app) {
  app.add_option("container-id", id_, "container id")->required();
}

absl::StatusOr<int> WaitCommand::Execute(const config::GlobalConfig& config) {
  RUNSC_ASSIGN_OR_RETURN(container::Container c, container::Container::Load(config.root, id_));
  RUNSC_ASSIGN_OR_RETURN(int wait_status, c.WaitForExit());
  const int exit_status =
      WIFSIGNALED(wait_status) ? 128 + WTERMSIG(wait_status) : WEXITSTATUS(wait_status);
  std::cout << nlohmann::json{{"id", id_}, {"exitStatus", exit_status}}.dump() << std::endl;
  return 0;
}

}  // namespace runsc::cmd
