#include "runsc/cmd/features.h"

#include <iostream>

#include "runsc/config/default_spec.h"
#include "runsc/config/spec.h"

namespace runsc::cmd {

nlohmann::ordered_json FeaturesCommand::Features() {
  using nlohmann::ordered_json;
  const ordered_json disabled = {{"enabled", false}};
  return {
      {"ociVersionMin", "1.0.0"},
      {"ociVersionMax", config::kOciVersion},
      // Hooks are not run yet, and mounts are not applied yet (so no mount
      // option is honoured): both lists are empty rather than hopeful.
      {"hooks", ordered_json::array()},
      {"mountOptions", ordered_json::array()},
      {"linux",
       {
           // The sentry is the container's kernel: each of these is the
           // sandbox's own by construction. Joining one (path) is refused.
           {"namespaces", config::SupportedNamespaceTypes()},
           // process.capabilities are not applied yet.
           {"capabilities", ordered_json::array()},
           {"cgroup",
            {{"v1", false}, {"v2", false}, {"systemd", false}, {"systemdUser", false},
             {"rdma", false}}},
           {"seccomp", disabled},
           {"apparmor", disabled},
           {"selinux", disabled},
           {"intelRdt", disabled},
           {"mountExtensions", {{"idmap", disabled}}},
       }},
      {"annotations", ordered_json::object()},
  };
}

absl::StatusOr<int> FeaturesCommand::Execute(const config::GlobalConfig& config) {
  std::cout << Features().dump(4) << std::endl;
  return 0;
}

}  // namespace runsc::cmd
