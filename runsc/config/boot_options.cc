#include "runsc/config/boot_options.h"

#include "absl/status/status.h"
#include "runsc/config/mounts.h"

namespace runsc::config {

absl::StatusOr<sentry::BootOptions> MakeBootOptions(const Spec& spec,
                                                    const std::string& container_id) {
  sentry::BootOptions options;
  options.container_id = container_id;
  options.argv = spec.process.args;
  options.env = spec.process.env;
  options.cwd = spec.process.cwd;
  options.uid = spec.process.user.uid;
  options.gid = spec.process.user.gid;
  options.additional_gids = spec.process.user.additional_gids;
  for (const SpecRlimit& limit : spec.process.rlimits) {
    std::optional<int> resource = RlimitResourceByName(limit.type);
    // ParseSpec rejected unknown types; checked again so that a Spec built by
    // hand cannot smuggle one through.
    if (!resource.has_value()) {
      return absl::InvalidArgumentError("process.rlimits: unknown rlimit \"" + limit.type + "\"");
    }
    options.rlimits.push_back({*resource, limit.soft, limit.hard});
  }
  if (spec.process.capabilities.has_value()) {
    const SpecCapabilities& c = *spec.process.capabilities;
    options.capabilities = sentry::CapabilitySets{.bounding = CapabilityMask(c.bounding),
                                                  .effective = CapabilityMask(c.effective),
                                                  .permitted = CapabilityMask(c.permitted),
                                                  .inheritable = CapabilityMask(c.inheritable),
                                                  .ambient = CapabilityMask(c.ambient)};
  }
  options.no_new_privileges = spec.process.no_new_privileges;
  options.hostname = spec.hostname;
  options.terminal = spec.process.terminal;
  AddMounts(spec, options);
  return options;
}

}  // namespace runsc::config
