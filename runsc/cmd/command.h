// One runsc subcommand (runc's and gVisor's one-file-per-command layout,
// DESIGN §9). Each command is a class in runsc/cmd/<name>.{h,cc}; cli.cc
// registers them with CLI11.
#ifndef RUNSC_RUNSC_CMD_COMMAND_H_
#define RUNSC_RUNSC_CMD_COMMAND_H_

#include <string_view>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "runsc/config/global_config.h"

namespace runsc::cmd {

class Command {
 public:
  virtual ~Command() = default;

  virtual std::string_view Name() const = 0;
  // One line for `runsc --help`.
  virtual std::string_view Synopsis() const = 0;
  // Hidden commands (boot, gofer) are runsc's internals: not in --help.
  virtual bool Hidden() const { return false; }

  // Declares the command's flags and positional arguments on `app` (its own
  // CLI11 subcommand), bound to members of the command.
  virtual void SetFlags(CLI::App& app) = 0;

  // Runs the command once its flags are parsed. Returns the exit code of
  // runsc. An error status is reported by the caller (stderr, and the --log
  // file) and runsc exits 1.
  [[nodiscard]] virtual absl::StatusOr<int> Execute(const config::GlobalConfig& config) = 0;
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_COMMAND_H_
