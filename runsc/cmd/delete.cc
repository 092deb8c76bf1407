#include "runsc/cmd/delete.h"

#include "runsc/container/container.h"
#include "runsc/status_macros.h"

namespace runsc::cmd {

void DeleteCommand::SetFlags(CLI::App& app) {
  app.add_flag("-f,--force", force_, "kill the container first if it is running");
  app.add_option("container-id", id_, "container id")->required();
}

absl::StatusOr<int> DeleteCommand::Execute(const config::GlobalConfig& config) {
  absl::StatusOr<container::Container> c = container::Container::Load(config.root, id_);
  // As runc: deleting with --force what is already gone is success, so that
  // cleanup paths (containerd's) can always call it.
  if (force_ && absl::IsNotFound(c.status())) return 0;
  if (!c.ok()) return c.status();
  RUNSC_RETURN_IF_ERROR(c->Delete(force_));
  return 0;
}

}  // namespace runsc::cmd
