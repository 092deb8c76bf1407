// runsc boot (hidden): the sentry process. Started by create, never by
// people; sandbox/sandbox.h documents the argv and descriptor contract.
#ifndef RUNSC_RUNSC_CMD_BOOT_H_
#define RUNSC_RUNSC_CMD_BOOT_H_

#include <string>

#include "runsc/cmd/command.h"
#include "sentry/boot/boot.h"

namespace runsc::cmd {

class BootCommand : public Command {
 public:
  std::string_view Name() const override { return "boot"; }
  std::string_view Synopsis() const override { return "(internal) run a sandbox's sentry"; }
  bool Hidden() const override { return true; }
  void SetFlags(CLI::App& app) override;
  // Returns BootMain's result: the container's exit status. Set-up errors
  // go to the ready pipe (create prints them) and the log, never to stdio,
  // which is the container's.
  absl::StatusOr<int> Execute(const config::GlobalConfig& config) override;

  // The BootOptions for the parsed flags: the bundle's config.json through
  // runsc/config, plus the descriptors and global settings.
  [[nodiscard]] absl::StatusOr<sentry::BootOptions> Options(
      const config::GlobalConfig& config) const;

 private:
  std::string id_;
  std::string bundle_;
  int gofer_fd_ = -1;
  int control_fd_ = -1;
  int ready_fd_ = -1;
  int log_fd_ = 2;
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_BOOT_H_
