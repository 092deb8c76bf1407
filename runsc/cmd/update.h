// runsc update [flags | -r resources.json] ID: changes the resources of a
// created, running or paused container by writing its sandbox's cgroup, as
// runc update does. -r takes a LinuxResources JSON object (a file, or "-"
// for stdin); flags given as well override its fields. Both go through
// config.json's validation (config::ParseResourcesJson), are merged onto the
// resources recorded in the container's state, checked as a whole
// (config::CheckMemorySwap) and recorded: Container::UpdateResources.
#ifndef RUNSC_RUNSC_CMD_UPDATE_H_
#define RUNSC_RUNSC_CMD_UPDATE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "runsc/cmd/command.h"

namespace runsc::cmd {

// runc's (docker's units.RAMInBytes) sizes: "1024", "512k", "100m", "1.5g",
// "2GiB"… binary multiples, case-insensitive; "-1" is unlimited.
[[nodiscard]] absl::StatusOr<int64_t> ParseMemorySize(const std::string& text);

// The flags of `runsc update`, unset when not given.
struct UpdateFlags {
  std::string memory;
  std::string memory_swap;
  std::optional<int64_t> pids_limit;
  std::optional<uint64_t> cpu_shares;
  std::optional<int64_t> cpu_quota;
  std::optional<uint64_t> cpu_period;
  std::string cpuset_cpus;
  std::string cpuset_mems;
};

// Overlays `flags` on `resources` (a LinuxResources object).
[[nodiscard]] absl::Status ApplyUpdateFlags(const UpdateFlags& flags,
                                            nlohmann::json& resources);

class UpdateCommand : public Command {
 public:
  std::string_view Name() const override { return "update"; }
  std::string_view Synopsis() const override { return "update container resource constraints"; }
  void SetFlags(CLI::App& app) override;
  absl::StatusOr<int> Execute(const config::GlobalConfig& config) override;

 private:
  std::string id_;
  std::string resources_file_;
  UpdateFlags flags_;
  // CLI11 binds plain values; these say which were given.
  int64_t pids_limit_ = 0;
  uint64_t cpu_shares_ = 0;
  int64_t cpu_quota_ = 0;
  uint64_t cpu_period_ = 0;
  CLI::Option* pids_limit_opt_ = nullptr;
  CLI::Option* cpu_shares_opt_ = nullptr;
  CLI::Option* cpu_quota_opt_ = nullptr;
  CLI::Option* cpu_period_opt_ = nullptr;
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_UPDATE_H_
