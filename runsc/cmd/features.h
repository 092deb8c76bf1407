// runsc features: what this runtime supports, per the OCI features schema
// (runtime-spec features.md). It lists only what is implemented.
#ifndef RUNSC_RUNSC_CMD_FEATURES_H_
#define RUNSC_RUNSC_CMD_FEATURES_H_

#include "nlohmann/json.hpp"
#include "runsc/cmd/command.h"

namespace runsc::cmd {

class FeaturesCommand : public Command {
 public:
  std::string_view Name() const override { return "features"; }
  std::string_view Synopsis() const override {
    return "print the features this runtime implements (OCI features JSON)";
  }
  void SetFlags(CLI::App& app) override {}
  absl::StatusOr<int> Execute(const config::GlobalConfig& config) override;

  static nlohmann::ordered_json Features();
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_FEATURES_H_
