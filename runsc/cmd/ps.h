// runsc ps [--format table|json] ID [ps options]: the host processes of the
// container's sandbox (the sentry and its stubs; DESIGN §7). json: an array
// of host pids, as containerd's shim reads it. table: as runc, the host's
// `ps` (default options -ef) filtered to those pids.
#ifndef RUNSC_RUNSC_CMD_PS_H_
#define RUNSC_RUNSC_CMD_PS_H_

#include <sys/types.h>

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runsc/cmd/command.h"

namespace runsc::cmd {

// The header of `ps_output` and its lines whose PID column is in `pids`.
// Fails if the header has no PID column.
[[nodiscard]] absl::StatusOr<std::string> FilterPsOutput(const std::string& ps_output,
                                                         const std::set<pid_t>& pids);

class PsCommand : public Command {
 public:
  std::string_view Name() const override { return "ps"; }
  std::string_view Synopsis() const override { return "list the processes of a container"; }
  void SetFlags(CLI::App& app) override;
  absl::StatusOr<int> Execute(const config::GlobalConfig& config) override;

 private:
  std::string id_;
  std::string format_ = "table";
  std::vector<std::string> ps_args_;
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_PS_H_
