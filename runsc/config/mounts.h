// config.json's mounts, linux.maskedPaths and linux.readonlyPaths, turned
// into what the sentry mounts (sentry::MountOptions) and what the gofer
// serves (its bind mounts). Both sides number the bind mounts the same way,
// from the same config.json: the n-th entry of BindMountsOf() is the gofer's
// mount n (runsc gofer --mount, GoferClient::Attach(n)).
#ifndef RUNSC_RUNSC_CONFIG_MOUNTS_H_
#define RUNSC_RUNSC_CONFIG_MOUNTS_H_

#include <string>
#include <vector>

#include "runsc/config/spec.h"
#include "sentry/boot/boot.h"

namespace runsc::config {

// True for a mount the gofer serves: type "bind", or any type with the
// "bind" or "rbind" option (as runc decides).
bool IsBindMount(const SpecMount& mount);

struct BindMount {
  std::string source;  // Host path; relative sources are made relative to the bundle.
  std::string destination;
  bool read_only = false;
};

// The bind mounts of `spec`, in config.json's order.
std::vector<BindMount> BindMountsOf(const Spec& spec, const std::string& bundle_dir);

// Fills options.mounts, masked_paths and readonly_paths from `spec`. Mount
// types the sandbox does not have (devpts, mqueue, cgroup...) and options it
// ignores are not dropped silently: each gets a line in `warnings`.
void AddMounts(const Spec& spec, sentry::BootOptions& options,
               std::vector<std::string>* warnings = nullptr);

// What AddMounts warns about, for runsc boot to log once per container.
std::vector<std::string> MountWarnings(const Spec& spec);

}  // namespace runsc::config

#endif  // RUNSC_RUNSC_CONFIG_MOUNTS_H_
