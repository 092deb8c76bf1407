#include "runsc/config/mounts.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace runsc::config {
namespace {

// Options that say how a mount propagates or keeps times: meaningless in a
// sandbox whose mount table no one else shares, accepted without a word.
const std::set<std::string>& QuietlyAccepted() {
  static const auto* options = new std::set<std::string>{
      "private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable",
      "relatime", "norelatime", "noatime", "atime", "strictatime", "nostrictatime", "nodiratime",
      "diratime", "lazytime", "nolazytime", "sync", "async", "dirsync", "bind", "rbind"};
  return *options;
}

std::string Describe(const SpecMount& mount) {
  return absl::StrCat("mount of ", mount.type.empty() ? "(no type)" : mount.type, " \"",
                      mount.source, "\" at ", mount.destination);
}

// Reads the generic options into `out`; the rest (key=value) are the
// filesystem's, kept in out.data when `keep_data`.
void ApplyOptions(const SpecMount& mount, bool keep_data, sentry::MountOptions& out,
                  std::vector<std::string>* warnings) {
  for (const std::string& option : mount.options) {
    if (option == "ro") {
      out.read_only = true;
    } else if (option == "rw") {
      out.read_only = false;
    } else if (option == "nosuid" || option == "suid") {
      out.nosuid = option == "nosuid";
    } else if (option == "nodev" || option == "dev") {
      out.nodev = option == "nodev";
    } else if (option == "noexec" || option == "exec") {
      out.noexec = option == "noexec";
    } else if (QuietlyAccepted().contains(option)) {
      continue;
    } else if (keep_data && option.find('=') != std::string::npos) {
      out.data.push_back(option);
    } else {
      if (warnings != nullptr) {
        warnings->push_back(
            absl::StrCat(Describe(mount), ": option \"", option, "\" is not supported and ignored"));
      }
    }
  }
}

}  // namespace

bool IsBindMount(const SpecMount& mount) {
  return mount.type == "bind" ||
         std::any_of(mount.options.begin(), mount.options.end(),
                     [](const std::string& o) { return o == "bind" || o == "rbind"; });
}

std::vector<BindMount> BindMountsOf(const Spec& spec, const std::string& bundle_dir) {
  std::vector<BindMount> out;
  for (const SpecMount& mount : spec.mounts) {
    if (!IsBindMount(mount)) continue;
    sentry::MountOptions parsed;
    for (const std::string& option : mount.options) {
      if (option == "ro") parsed.read_only = true;
      if (option == "rw") parsed.read_only = false;
    }
    std::string source = mount.source;
    if (!absl::StartsWith(source, "/")) source = absl::StrCat(bundle_dir, "/", source);
    out.push_back({std::move(source), mount.destination, parsed.read_only});
  }
  return out;
}

void AddMounts(const Spec& spec, sentry::BootOptions& options,
               std::vector<std::string>* warnings) {
  using Type = sentry::MountOptions::Type;
  uint32_t binds = 0;
  for (const SpecMount& mount : spec.mounts) {
    sentry::MountOptions out;
    out.destination = mount.destination;
    out.source = mount.source.empty() ? "none" : mount.source;
    if (IsBindMount(mount)) {
      out.type = Type::kBind;
      out.gofer_mount = ++binds;
      // Host paths are not the container's business: as gVisor, a served
      // mount shows as "none ... 9p".
      out.source = "none";
      ApplyOptions(mount, /*keep_data=*/false, out, warnings);
    } else if (mount.type == "tmpfs") {
      out.type = Type::kTmpfs;
      ApplyOptions(mount, /*keep_data=*/true, out, warnings);
    } else if (mount.type == "proc") {
      out.type = Type::kProc;
      ApplyOptions(mount, /*keep_data=*/false, out, warnings);
    } else if (mount.type == "sysfs") {
      out.type = Type::kSysfs;
      ApplyOptions(mount, /*keep_data=*/false, out, warnings);
    } else if (mount.type == "devpts") {
      out.type = Type::kDevpts;
      // Every sandbox's devpts is a new instance: newinstance is implied.
      SpecMount options = mount;
      std::erase(options.options, "newinstance");
      ApplyOptions(options, /*keep_data=*/true, out, warnings);
    } else {
      // mqueue, cgroup, cgroup2 and anything else: the sentry has
      // no such filesystem yet.
      if (warnings != nullptr) {
        warnings->push_back(absl::StrCat(Describe(mount), " is skipped: the sandbox has no ",
                                         mount.type.empty() ? "such" : mount.type,
                                         " filesystem yet"));
      }
      continue;
    }
    options.mounts.push_back(std::move(out));
  }
  options.masked_paths = spec.linux_spec.masked_paths;
  options.readonly_paths = spec.linux_spec.readonly_paths;
}

std::vector<std::string> MountWarnings(const Spec& spec) {
  std::vector<std::string> warnings;
  sentry::BootOptions scratch;
  AddMounts(spec, scratch, &warnings);
  return warnings;
}

}  // namespace runsc::config
