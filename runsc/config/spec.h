// The parts of an OCI runtime spec (config.json) that runsc reads.
//
// ParseSpec() turns the JSON text into these types and checks every field it
// reads: a missing required field, a field of the wrong type or a bad value is
// an InvalidArgument error whose message names the field ("process.args: …").
// Fields runsc does not read (seccomp, apparmor…) are
// accepted and ignored, since every containerd/podman config carries them.
// Checks that need the file system (the rootfs exists) are Bundle's job.
#ifndef RUNSC_RUNSC_CONFIG_SPEC_H_
#define RUNSC_RUNSC_CONFIG_SPEC_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace runsc::config {

struct SpecRlimit {
  std::string type;  // "RLIMIT_NOFILE"…
  uint64_t soft = 0;
  uint64_t hard = 0;
};

struct SpecUser {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids;
};

// process.capabilities: capability names ("CAP_CHOWN") per set; ParseSpec
// refuses a name CapabilityByName does not know.
struct SpecCapabilities {
  std::vector<std::string> bounding, effective, inheritable, permitted, ambient;
};

struct SpecProcess {
  bool terminal = false;
  bool no_new_privileges = false;
  std::optional<SpecCapabilities> capabilities;
  // process.consoleSize: the terminal's initial window size (0: unset).
  uint64_t console_height = 0, console_width = 0;
  SpecUser user;
  std::vector<std::string> args;  // Non-empty.
  std::vector<std::string> env;   // Each "KEY=value" with a non-empty KEY.
  std::string cwd = "/";          // Absolute.
  std::vector<SpecRlimit> rlimits;
};

struct SpecRoot {
  std::string path;  // As written: relative to the bundle, or absolute.
  bool readonly = false;
};

struct SpecMount {
  std::string destination;  // Absolute path inside the container.
  std::string type;
  std::string source;
  std::vector<std::string> options;
};

struct SpecNamespace {
  std::string type;  // pid, network, mount, ipc, uts, user, cgroup, time.
  std::string path;  // Joining an existing namespace; unsupported, see Validate.
};

// linux.resources: the limits runsc sets on the sandbox's cgroup (sentry,
// gofer and stubs together). An absent field, or one that OCI defines as
// "not set" (0 for pids, shares, quota and period), leaves the kernel's
// default, which is the parent cgroup's limit.
struct SpecResources {
  std::optional<int64_t> memory_limit;  // memory.limit, bytes; -1: unlimited.
  std::optional<int64_t> memory_swap;   // memory.swap: memory + swap, bytes; -1: unlimited.
  std::optional<int64_t> pids_limit;    // pids.limit; negative: unlimited.
  std::optional<uint64_t> cpu_shares;   // cpu.shares, 2..262144.
  std::optional<int64_t> cpu_quota;     // cpu.quota, microseconds per period; -1: unlimited.
  std::optional<uint64_t> cpu_period;   // cpu.period, microseconds, 1000..1000000.
  std::string cpuset_cpus;              // cpu.cpus, a list such as "0-3,5"; "" if not set.
  std::string cpuset_mems;              // cpu.mems, the same syntax.
};

struct SpecLinux {
  std::vector<SpecNamespace> namespaces;
  // linux.cgroupsPath as written: absolute, relative to runsc's own cgroup,
  // or "" for the default. systemd's "slice:prefix:name" form is refused.
  std::string cgroups_path;
  SpecResources resources;
  // linux.maskedPaths / linux.readonlyPaths: absolute paths in the container.
  std::vector<std::string> masked_paths;
  std::vector<std::string> readonly_paths;
};

// One entry of config.json's hooks (runtime-spec config.md, "POSIX-platform
// Hooks"). runsc runs every hook on the host: see container/hook_runner.h.
struct SpecHook {
  std::string path;               // Absolute; must exist when the hook runs.
  std::vector<std::string> args;  // argv, argv[0] included; empty: {path}.
  std::vector<std::string> env;   // The hook's whole environment, as given.
  std::optional<int64_t> timeout_seconds;  // > 0; absent: no limit, as runc.
};

// config.json's hooks, by the lifecycle point at which they run.
struct SpecHooks {
  std::vector<SpecHook> prestart;  // Deprecated; run just before createRuntime.
  std::vector<SpecHook> create_runtime;
  std::vector<SpecHook> create_container;
  std::vector<SpecHook> start_container;
  std::vector<SpecHook> poststart;
  std::vector<SpecHook> poststop;

  bool empty() const {
    return prestart.empty() && create_runtime.empty() && create_container.empty() &&
           start_container.empty() && poststart.empty() && poststop.empty();
  }
};

struct Spec {
  std::string oci_version;
  SpecProcess process;
  SpecRoot root;
  std::string hostname;
  std::map<std::string, std::string> annotations;
  std::vector<SpecMount> mounts;  // In order; see config/mounts.h for how they apply.
  SpecLinux linux_spec;  // "linux" in the JSON.
  SpecHooks hooks;
};

// Parses and validates config.json text. Errors name the offending field.
[[nodiscard]] absl::StatusOr<Spec> ParseSpec(std::string_view json_text);

// Parses and validates a process.json (`runsc exec --process`): the
// "process" object of a config.json on its own. Errors name the field.
[[nodiscard]] absl::StatusOr<SpecProcess> ParseProcessSpec(std::string_view json_text);

// Parses and validates a LinuxResources object on its own (`runsc update
// -r resources.json`, and update's flags), with config.json's rules for each
// field. The rule that ties memory.swap to memory.limit is left to
// CheckMemorySwap: an update is checked once merged with the container's
// current resources (it may set swap alone, against a limit set before).
[[nodiscard]] absl::StatusOr<SpecResources> ParseResourcesJson(std::string_view json_text);

// memory.swap (memory + swap, OCI's meaning) needs a memory.limit and may not
// be below it (-1, unlimited, always goes). runc's words for the two errors.
[[nodiscard]] absl::Status CheckMemorySwap(const SpecResources& resources);

// `current` with every field that `changes` sets taken from `changes`: what
// the cgroup holds after `runsc update` (runc's update merges the same way).
SpecResources MergeResources(const SpecResources& current, const SpecResources& changes);

// The LinuxResources JSON of `resources` (only the fields that are set), which
// ParseResourcesJson reads back: how the state file keeps them.
std::string ResourcesToJson(const SpecResources& resources);

// config.json's "hooks" object on its own, with config.json's rules (the
// state file keeps the hooks for start and delete in this form).
[[nodiscard]] absl::StatusOr<SpecHooks> ParseHooksJson(std::string_view json_text);
std::string HooksToJson(const SpecHooks& hooks);

// The bit number of a capability name ("CAP_NET_ADMIN"), if known.
std::optional<int> CapabilityByName(std::string_view name);

// Every capability name CapabilityByName knows, in number order.
std::vector<std::string> CapabilityNames();

// The bit mask of capability names (bit n for capability n); unknown names
// are left out.
uint64_t CapabilityMask(const std::vector<std::string>& names);

// The RLIMIT_* number for an OCI rlimit type ("RLIMIT_NOFILE"), if known.
std::optional<int> RlimitResourceByName(std::string_view type);

// Namespace types a spec may ask for. The sandbox gives every container its
// own instance of each by construction (the sentry is its kernel).
const std::vector<std::string>& SupportedNamespaceTypes();

}  // namespace runsc::config

#endif  // RUNSC_RUNSC_CONFIG_SPEC_H_
