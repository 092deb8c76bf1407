#include "runsc/cmd/update.h"

#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "runsc/config/spec.h"
#include "runsc/container/container.h"
#include "runsc/sandbox/cgroup.h"
#include "runsc/status_macros.h"

namespace runsc::cmd {

absl::StatusOr<int64_t> ParseMemorySize(const std::string& text) {
  if (text == "-1") return -1;
  std::string s = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  const auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat("invalid size: \"", text, "\""));
  };
  absl::string_view v = s;
  if (absl::ConsumeSuffix(&v, "ib") || absl::ConsumeSuffix(&v, "b")) {
  }
  int shift = 0;
  if (!v.empty()) {
    switch (v.back()) {
      case 'k': shift = 10; break;
      case 'm': shift = 20; break;
      case 'g': shift = 30; break;
      case 't': shift = 40; break;
      case 'p': shift = 50; break;
      default: break;
    }
    if (shift != 0) v.remove_suffix(1);
  }
  double number;
  if (v.empty() || !absl::SimpleAtod(v, &number) || !std::isfinite(number) || number < 0) {
    return bad();
  }
  const double bytes = number * std::ldexp(1.0, shift);
  if (bytes >= 9.2e18) return bad();
  return static_cast<int64_t>(bytes);
}

absl::Status ApplyUpdateFlags(const UpdateFlags& flags, nlohmann::json& r) {
  if (!flags.memory.empty()) {
    RUNSC_ASSIGN_OR_RETURN(int64_t v, ParseMemorySize(flags.memory));
    r["memory"]["limit"] = v;
  }
  if (!flags.memory_swap.empty()) {
    RUNSC_ASSIGN_OR_RETURN(int64_t v, ParseMemorySize(flags.memory_swap));
    r["memory"]["swap"] = v;
  }
  if (flags.pids_limit.has_value()) r["pids"]["limit"] = *flags.pids_limit;
  if (flags.cpu_shares.has_value()) r["cpu"]["shares"] = *flags.cpu_shares;
  if (flags.cpu_quota.has_value()) r["cpu"]["quota"] = *flags.cpu_quota;
  if (flags.cpu_period.has_value()) r["cpu"]["period"] = *flags.cpu_period;
  if (!flags.cpuset_cpus.empty()) r["cpu"]["cpus"] = flags.cpuset_cpus;
  if (!flags.cpuset_mems.empty()) r["cpu"]["mems"] = flags.cpuset_mems;
  return absl::OkStatus();
}

void UpdateCommand::SetFlags(CLI::App& app) {
  app.add_option("-r,--resources", resources_file_,
                 "path to the file containing the resources to update or '-' to read from the "
                 "standard input");
  app.add_option("--memory", flags_.memory, "memory limit (in bytes, or with k, m, g suffix)");
  app.add_option("--memory-swap", flags_.memory_swap,
                 "total memory usage (memory + swap); set '-1' to enable unlimited swap");
  pids_limit_opt_ = app.add_option("--pids-limit", pids_limit_, "maximum number of pids allowed");
  cpu_shares_opt_ = app.add_option("--cpu-shares", cpu_shares_, "CPU shares (relative weight)");
  cpu_quota_opt_ = app.add_option("--cpu-quota", cpu_quota_,
                                  "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given "
                                  "period");
  cpu_period_opt_ = app.add_option("--cpu-period", cpu_period_,
                                   "CPU CFS period to be used for hardcapping (in usecs)");
  app.add_option("--cpuset-cpus", flags_.cpuset_cpus, "CPU(s) to use");
  app.add_option("--cpuset-mems", flags_.cpuset_mems, "memory node(s) to use");
  app.add_option("container-id", id_, "container id")->required();
}

absl::StatusOr<int> UpdateCommand::Execute(const config::GlobalConfig& config) {
  if (pids_limit_opt_->count()) flags_.pids_limit = pids_limit_;
  if (cpu_shares_opt_->count()) flags_.cpu_shares = cpu_shares_;
  if (cpu_quota_opt_->count()) flags_.cpu_quota = cpu_quota_;
  if (cpu_period_opt_->count()) flags_.cpu_period = cpu_period_;

  nlohmann::json resources = nlohmann::json::object();
  if (!resources_file_.empty()) {
    std::stringstream text;
    if (resources_file_ == "-") {
      text << std::cin.rdbuf();
    } else {
      std::ifstream in(resources_file_);
      if (!in) return absl::NotFoundError(absl::StrCat("open ", resources_file_, ": cannot read"));
      text << in.rdbuf();
    }
    resources = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    if (resources.is_discarded() || !resources.is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat(resources_file_, ": not a JSON object of resources"));
    }
  }
  RUNSC_RETURN_IF_ERROR(ApplyUpdateFlags(flags_, resources));
  absl::StatusOr<config::SpecResources> parsed = config::ParseResourcesJson(resources.dump());
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("resources: ", parsed.status().message()));
  }

  // Locked, so that a delete cannot remove the cgroup while it is written,
  // nor another update record its resources over ours.
  RUNSC_ASSIGN_OR_RETURN(container::Container c, container::Container::Load(config.root, id_));
  // `--memory-swap` alone is checked against the memory limit in force,
  // kept in the state: refused without one or below it (runc's rule).
  RUNSC_RETURN_IF_ERROR(c.UpdateResources(*parsed));
  return 0;
}

}  // namespace runsc::cmd
