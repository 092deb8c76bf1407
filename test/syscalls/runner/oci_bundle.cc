#include "test/syscalls/runner/oci_bundle.h"

#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "runsc/config/default_spec.h"
#include "runsc/config/spec.h"

namespace runsc::compat {
namespace fs = std::filesystem;

std::vector<std::string> CompatEnvironment(const std::string& tmp) {
  return {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
          absl::StrCat("TEST_TMPDIR=", tmp)};
}

std::vector<std::string> OwnCapabilityNames() {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) return {};
  const uint64_t effective = data[0].effective | (uint64_t{data[1].effective} << 32);
  std::vector<std::string> names;
  const std::vector<std::string> known = config::CapabilityNames();
  for (size_t cap = 0; cap < known.size(); ++cap) {
    if ((effective >> cap) & 1) names.push_back(known[cap]);
  }
  return names;
}

nlohmann::ordered_json CompatOciConfig(const std::vector<std::string>& args,
                                       const std::vector<std::string>& env) {
  // `runc spec`'s defaults (runsc spec writes the same), so that every
  // runtime sees the same container; only the program, its environment, a
  // writable root and the capabilities differ. Native is the referee and
  // runs with the runner's capabilities, so the containers get exactly
  // those (runc's default three would fail every case that needs root's
  // powers in both runtimes alike, and hide what the sandbox gets wrong).
  nlohmann::ordered_json config = config::DefaultSpec();
  const std::vector<std::string> caps = OwnCapabilityNames();
  config["process"]["capabilities"] = {
      {"bounding", caps}, {"effective", caps}, {"permitted", caps}, {"ambient", caps}};
  // Native runs without no_new_privs too (runc spec sets it).
  config["process"]["noNewPrivileges"] = false;
  config["process"]["args"] = args;
  config["process"]["env"] = env;
  config["root"]["readonly"] = false;
  config["hostname"] = "runsc-compat";
  if (!config["linux"].contains("resources")) {
    config["linux"]["resources"] = {{"devices", {{{"allow", false}, {"access", "rwm"}}}}};
  }
  return config;
}

namespace {

absl::Status CreateBundleDir(const std::string& dir) {
  std::error_code ec;
  if (!fs::create_directory(dir, ec) || ec) {
    return absl::InternalError(
        absl::StrCat("creating bundle ", dir, ": ", ec ? ec.message() : "already exists"));
  }
  return absl::OkStatus();
}

absl::Status WriteConfig(const std::string& dir, const nlohmann::ordered_json& config) {
  std::ofstream out(fs::path(dir) / "config.json");
  out << config.dump(2) << "\n";
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("writing ", dir, "/config.json"));
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteOciBundle(const std::string& dir, const std::string& binary,
                            const std::vector<std::string>& args) {
  std::error_code ec;
  const fs::path rootfs = fs::path(dir) / "rootfs";
  if (absl::Status s = CreateBundleDir(dir); !s.ok()) return s;
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
  return WriteConfig(dir, CompatOciConfig(argv, CompatEnvironment("/tmp")));
}

absl::Status WriteOciBundleOnRootfs(const std::string& dir, const std::string& rootfs,
                                    const std::vector<std::string>& argv) {
  if (!fs::path(rootfs).is_absolute()) {
    return absl::InvalidArgumentError(absl::StrCat("rootfs ", rootfs, " is not absolute"));
  }
  if (absl::Status s = CreateBundleDir(dir); !s.ok()) return s;
  nlohmann::ordered_json config = CompatOciConfig(argv, CompatEnvironment("/tmp"));
  config["root"]["path"] = rootfs;
  return WriteConfig(dir, config);
}

}  // namespace runsc::compat
