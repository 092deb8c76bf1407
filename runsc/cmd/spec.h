// runsc spec [--bundle B]: writes a starter config.json.
#ifndef RUNSC_RUNSC_CMD_SPEC_H_
#define RUNSC_RUNSC_CMD_SPEC_H_

#include <string>

#include "runsc/cmd/command.h"

namespace runsc::cmd {

class SpecCommand : public Command {
 public:
  std::string_view Name() const override { return "spec"; }
  std::string_view Synopsis() const override {
    return "write a default config.json to the current directory (or --bundle)";
  }
  void SetFlags(CLI::App& app) override;
  absl::StatusOr<int> Execute(const config::GlobalConfig& config) override;

 private:
  std::string bundle_ = ".";
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_SPEC_H_
