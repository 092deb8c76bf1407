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
      // Every hook kind runs, all on the host (container/hook_runner.h).
      // The mount options are those runsc/config/mounts.cc applies
      // (propagation and atime options are accepted too, but mean nothing
      // in a sandbox).
      {"hooks",
       {"prestart", "createRuntime", "createContainer", "startContainer", "poststart",
        "poststop"}},
      {"mountOptions", {"ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec", "exec", "bind", "rbind"}},
      {"linux",
       {
           // The sentry is the container's kernel: each of these is the
           // sandbox's own by construction. Joining one (path) is refused.
           {"namespaces", config::SupportedNamespaceTypes()},
           // process.capabilities: every name ParseSpec accepts, applied
           // to the container's virtual credentials.
           {"capabilities", config::CapabilityNames()},
           {"cgroup",
            // runsc/sandbox/cgroup.cc: both hierarchies, cgroupfs only.
            {{"v1", true}, {"v2", true}, {"systemd", false}, {"systemdUser", false},
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
