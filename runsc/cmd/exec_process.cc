#include "runsc/cmd/exec_process.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/logging.h"

namespace runsc::cmd {
namespace {

using nlohmann::json;

absl::StatusOr<uint32_t> ParseId(absl::string_view text, absl::string_view what) {
  uint32_t id;
  if (!absl::SimpleAtoi(text, &id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--user: ", what, " \"", text, "\" is not a number (names are not supported)"));
  }
  return id;
}

std::string CapabilityName(const std::string& name) {
  std::string upper = absl::AsciiStrToUpper(name);
  return upper.rfind("CAP_", 0) == 0 ? upper : "CAP_" + upper;
}

void AddUnique(std::vector<std::string>& set, const std::string& name) {
  if (std::find(set.begin(), set.end(), name) == set.end()) set.push_back(name);
}

// ParseProcessSpec refused unknown names; a spec built otherwise may still
// hold one, which is skipped with a warning as runc does.
uint64_t CapabilityMaskOf(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (!config::CapabilityByName(name).has_value()) {
      LogWarning("exec: unknown capability \"", name, "\" ignored");
    }
  }
  return config::CapabilityMask(names);
}

}  // namespace

absl::StatusOr<config::SpecProcess> ApplyExecFlags(config::SpecProcess process,
                                                   const ExecFlags& flags) {
  if (!flags.args.empty()) process.args = flags.args;
  if (process.args.empty() || process.args[0].empty()) {
    return absl::InvalidArgumentError("exec: no command given (args or --process)");
  }
  for (const std::string& kv : flags.env) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(absl::StrCat("--env: \"", kv, "\" is not KEY=value"));
    }
    const std::string prefix = kv.substr(0, eq + 1);
    std::erase_if(process.env, [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
    process.env.push_back(kv);
  }
  if (!flags.cwd.empty()) {
    if (flags.cwd[0] != '/') {
      return absl::InvalidArgumentError(absl::StrCat("--cwd: \"", flags.cwd, "\" is not absolute"));
    }
    process.cwd = flags.cwd;
  }
  if (!flags.user.empty()) {
    std::vector<std::string> parts = absl::StrSplit(flags.user, absl::MaxSplits(':', 1));
    absl::StatusOr<uint32_t> uid = ParseId(parts[0], "uid");
    if (!uid.ok()) return uid.status();
    process.user.uid = *uid;
    if (parts.size() == 2) {
      absl::StatusOr<uint32_t> gid = ParseId(parts[1], "gid");
      if (!gid.ok()) return gid.status();
      process.user.gid = *gid;
    }
  }
  if (!flags.additional_gids.empty()) process.user.additional_gids = flags.additional_gids;
  if (!flags.caps.empty()) {
    if (!process.capabilities.has_value()) process.capabilities.emplace();
    for (const std::string& cap : flags.caps) {
      const std::string name = CapabilityName(cap);
      if (!config::CapabilityByName(name).has_value()) {
        return absl::InvalidArgumentError(absl::StrCat("--cap: unknown capability \"", cap, "\""));
      }
      config::SpecCapabilities& c = *process.capabilities;
      for (auto* set : {&c.bounding, &c.effective, &c.permitted, &c.inheritable, &c.ambient}) {
        AddUnique(*set, name);
      }
    }
  }
  if (flags.no_new_privs) process.no_new_privileges = true;
  if (flags.terminal.has_value()) process.terminal = *flags.terminal;
  return process;
}

absl::StatusOr<json> ExecRequestJson(const config::SpecProcess& process) {
  json request = {{"argv", process.args},
                  {"env", process.env},
                  {"cwd", process.cwd},
                  {"uid", process.user.uid},
                  {"gid", process.user.gid},
                  {"groups", process.user.additional_gids},
                  {"no_new_privs", process.no_new_privileges},
                  {"terminal", process.terminal}};
  if (process.capabilities.has_value()) {
    // The sentry installs the sets and applies execve's rules, as runc exec.
    const config::SpecCapabilities& c = *process.capabilities;
    request["caps"] = {{"bounding", CapabilityMaskOf(c.bounding)},
                       {"effective", CapabilityMaskOf(c.effective)},
                       {"permitted", CapabilityMaskOf(c.permitted)},
                       {"inheritable", CapabilityMaskOf(c.inheritable)},
                       {"ambient", CapabilityMaskOf(c.ambient)}};
  }
  json rlimits = json::array();
  for (const config::SpecRlimit& limit : process.rlimits) {
    std::optional<int> resource = config::RlimitResourceByName(limit.type);
    if (!resource.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown rlimit \"", limit.type, "\""));
    }
    rlimits.push_back({*resource, limit.soft, limit.hard});
  }
  request["rlimits"] = rlimits;
  return request;
}

}  // namespace runsc::cmd
