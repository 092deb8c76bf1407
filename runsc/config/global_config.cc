#include "runsc/config/global_config.h"

#include "absl/strings/str_cat.h"

namespace runsc::config {

absl::Status ValidateForCreate(const GlobalConfig& config) {
  if (config.platform != "ptrace" && config.platform != "systrap") {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown platform \"", config.platform, "\" (want ptrace or systrap)"));
  }
  if (config.network == NetworkMode::kHost || config.network == NetworkMode::kSandbox) {
    return absl::UnimplementedError(absl::StrCat(
        "--network=", config.network == NetworkMode::kHost ? "host" : "sandbox",
        " is not supported yet; only --network=none is implemented"));
  }
  if (config.systemd_cgroup) {
    return absl::UnimplementedError(
        "--systemd-cgroup is not supported: runsc does not manage cgroups through systemd");
  }
  if (config.rootless == "true") {
    return absl::UnimplementedError("--rootless=true is not supported: run runsc as root");
  }
  return absl::OkStatus();
}

std::vector<std::string> ChildGlobalFlags(const GlobalConfig& config) {
  std::vector<std::string> flags = {
      "--root", config.root,
      "--platform", config.platform,
      "--log-format", config.log_format == LogFormatFlag::kJson ? "json" : "text",
  };
  if (config.debug) flags.push_back("--debug");
  if (config.strace) flags.push_back("--strace");
  if (!config.vdso) flags.push_back("--vdso=false");
  if (!config.cpu_pairing) flags.push_back("--cpu-pairing=false");
  if (!config.file_access_exclusive) flags.insert(flags.end(), {"--file-access", "shared"});
  if (config.systrap_spin_us != GlobalConfig{}.systrap_spin_us) {
    flags.insert(flags.end(), {"--systrap-spin-us", std::to_string(config.systrap_spin_us)});
  }
  if (config.syscall_patching != GlobalConfig{}.syscall_patching) {
    flags.push_back(config.syscall_patching ? "--syscall-patching=true" : "--syscall-patching=false");
  }
  if (!config.direct_file_reads) flags.push_back("--direct-file-reads=false");
  return flags;
}

}  // namespace runsc::config
