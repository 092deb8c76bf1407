#include "test/syscalls/runner/oci_bundle.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace runsc::compat {
namespace fs = std::filesystem;

std::vector<std::string> CompatEnvironment(const std::string& tmp) {
  return {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
          absl::StrCat("TEST_TMPDIR=", tmp)};
}

nlohmann::ordered_json CompatOciConfig(const std::vector<std::string>& args,
                                       const std::vector<std::string>& env) {
  using nlohmann::ordered_json;
  // `runc spec`'s defaults, so that the runc column is what a user of runc
  // gets and every runtime sees the same container.
  const ordered_json capabilities = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  return {
      {"ociVersion", "1.0.2"},
      {"process",
       {
           {"terminal", false},
           {"user", {{"uid", 0}, {"gid", 0}}},
           {"args", args},
           {"env", env},
           {"cwd", "/"},
           {"capabilities",
            {{"bounding", capabilities},
             {"effective", capabilities},
             {"permitted", capabilities},
             {"ambient", capabilities}}},
           {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}},
           {"noNewPrivileges", true},
       }},
      {"root", {{"path", "rootfs"}, {"readonly", false}}},
      {"hostname", "runsc-compat"},
      {"mounts",
       {
           {{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
           {{"destination", "/dev"},
            {"type", "tmpfs"},
            {"source", "tmpfs"},
            {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
           {{"destination", "/dev/pts"},
            {"type", "devpts"},
            {"source", "devpts"},
            {"options",
             {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}}},
           {{"destination", "/dev/shm"},
            {"type", "tmpfs"},
            {"source", "shm"},
            {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}},
           {{"destination", "/dev/mqueue"},
            {"type", "mqueue"},
            {"source", "mqueue"},
            {"options", {"nosuid", "noexec", "nodev"}}},
           {{"destination", "/sys"},
            {"type", "sysfs"},
            {"source", "sysfs"},
            {"options", {"nosuid", "noexec", "nodev", "ro"}}},
       }},
      {"linux",
       {
           {"resources", {{"devices", {{{"allow", false}, {"access", "rwm"}}}}}},
           {"namespaces",
            {{{"type", "pid"}},
             {{"type", "network"}},
             {{"type", "ipc"}},
             {{"type", "uts"}},
             {{"type", "mount"}}}},
           {"maskedPaths",
            {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
             "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
             "/proc/scsi"}},
           {"readonlyPaths",
            {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}},
       }},
  };
}

absl::Status WriteOciBundle(const std::string& dir, const std::string& binary,
                            const std::vector<std::string>& args) {
  std::error_code ec;
  const fs::path rootfs = fs::path(dir) / "rootfs";
  if (!fs::create_directory(dir, ec) || ec) {
    return absl::InternalError(
        absl::StrCat("creating bundle ", dir, ": ", ec ? ec.message() : "already exists"));
  }
  for (const char* sub : {"", "tmp", "proc", "dev", "sys"}) {
    fs::create_directories(rootfs / sub, ec);
    if (ec)
      return absl::InternalError(
          absl::StrCat("creating ", (rootfs / sub).string(), ": ", ec.message()));
  }
  chmod((rootfs / "tmp").c_str(), 01777);
  const std::string name = fs::path(binary).filename().string();
  fs::copy_file(binary, rootfs / name, ec);
  if (ec)
    return absl::InternalError(
        absl::StrCat("copying ", binary, " into ", rootfs.string(), ": ", ec.message()));
  chmod((rootfs / name).c_str(), 0755);

  std::vector<std::string> argv = {"/" + name};
  argv.insert(argv.end(), args.begin(), args.end());
  std::ofstream config(fs::path(dir) / "config.json");
  config << CompatOciConfig(argv, CompatEnvironment("/tmp")).dump(2) << "\n";
  config.close();
  if (!config) return absl::InternalError(absl::StrCat("writing ", dir, "/config.json"));
  return absl::OkStatus();
}

}  // namespace runsc::compat
