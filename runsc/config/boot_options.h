// OCI spec -> sentry::BootOptions: the one place where the container's first
// process, as config.json describes it, becomes what the sentry runs. Nothing
// below runsc knows about OCI.
#ifndef RUNSC_RUNSC_CONFIG_BOOT_OPTIONS_H_
#define RUNSC_RUNSC_CONFIG_BOOT_OPTIONS_H_

#include <string>

#include "absl/status/statusor.h"
#include "runsc/config/spec.h"
#include "sentry/boot/boot.h"

namespace runsc::config {

// Fills the process and identity fields of BootOptions (argv, env, cwd,
// credentials, capability sets, rlimits, hostname) and the mounts (config/mounts.h). Descriptors, platform and logging are the
// caller's (runsc boot). Fails for what the sentry cannot honour yet
// (process.terminal), with a message naming the field.
[[nodiscard]] absl::StatusOr<sentry::BootOptions> MakeBootOptions(const Spec& spec,
                                                                  const std::string& container_id);

}  // namespace runsc::config

#endif  // RUNSC_RUNSC_CONFIG_BOOT_OPTIONS_H_
