// The steps a sandbox process takes to confine itself (DESIGN §1), each a
// function with its own error. sentry_confinement.h and gofer_confinement.h
// list them in order, nsjail-style: one RETURN_IF_ERROR line per step,
// seccomp last, and any failure stops the process (fail closed).
#ifndef RUNSC_RUNSC_SANDBOX_CONFINEMENT_H_
#define RUNSC_RUNSC_SANDBOX_CONFINEMENT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "runsc/sandbox/seccomp_policy.h"

namespace runsc::sandbox {

// Stops mount events from propagating between this (new) mount namespace
// and the host's, in both directions. Must be in a mount namespace of its own.
[[nodiscard]] absl::Status MakeMountsPrivate();

// Mounts an empty read-only tmpfs at `mount_point` (a directory that exists)
// and pivot_roots into it: afterwards "/" holds nothing and no host path is
// reachable by name. The old root is detached. Needs CAP_SYS_ADMIN and a
// private mount namespace.
[[nodiscard]] absl::Status PivotRootIntoEmptyDir(const std::string& mount_point);

// The CAP_* numbers a process keeps.
using CapabilitySet = std::vector<int>;

// Keeps exactly `keep` in the effective and permitted sets and nothing in
// inheritable, ambient and the bounding set (so that no exec can bring
// others back), and locks SECBIT_NOROOT (root's exec grants none either).
[[nodiscard]] absl::Status DropCapabilities(const CapabilitySet& keep);

[[nodiscard]] absl::Status SetNoNewPrivileges();

// The debugging escape: RUNSC_UNSAFE_NO_SECCOMP=1 in the environment skips
// the filter (logged as an error, loudly, every time); =log installs it
// with DeniedAction::kLog, for deriving a policy from the kernel's audit
// log. Anything else (or unset) is the real, killing filter.
enum class SeccompMode { kEnforce, kLogOnly, kOff };
SeccompMode SeccompModeFromEnvironment();

// Builds and installs `builder`'s policy as `mode` says.
[[nodiscard]] absl::Status InstallSeccomp(SeccompPolicyBuilder builder, SeccompMode mode);

}  // namespace runsc::sandbox

#endif  // RUNSC_RUNSC_SANDBOX_CONFINEMENT_H_
