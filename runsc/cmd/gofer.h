// runsc gofer (hidden): a container's gofer process. Started by create;
// sandbox/sandbox.h documents the argv and descriptor contract.
#ifndef RUNSC_RUNSC_CMD_GOFER_H_
#define RUNSC_RUNSC_CMD_GOFER_H_

#include <string>
#include <vector>

#include "gofer/server/gofer_main.h"
#include "runsc/cmd/command.h"

namespace runsc::cmd {

class GoferCommand : public Command {
 public:
  std::string_view Name() const override { return "gofer"; }
  std::string_view Synopsis() const override { return "(internal) serve a container's rootfs"; }
  bool Hidden() const override { return true; }
  void SetFlags(CLI::App& app) override;
  // Returns GoferMain's result.
  absl::StatusOr<int> Execute(const config::GlobalConfig& config) override;

  const gofer::GoferOptions& options() const { return options_; }

 private:
  gofer::GoferOptions options_;
  std::vector<std::string> mounts_;  // --mount, parsed into options_.mounts.
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_GOFER_H_
