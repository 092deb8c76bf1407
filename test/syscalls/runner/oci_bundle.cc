#include "test/syscalls/runner/oci_bundle.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "runsc/config/default_spec.h"

namespace runsc::compat {
namespace fs = std::filesystem;

std::vector<std::string> CompatEnvironment(const std::string& tmp) {
  return {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
          absl::StrCat("TEST_TMPDIR=", tmp)};
}

nlohmann::ordered_json CompatOciConfig(const std::vector<std::string>& args,
                                       const std::vector<std::string>& env) {
  // `runc spec`'s defaults (runsc spec writes the same), so that the runc
  // column is what a user of runc gets and every runtime sees the same
  // container; only the program, its environment and a writable root differ.
  nlohmann::ordered_json config = config::DefaultSpec();
  config["process"]["args"] = args;
  config["process"]["env"] = env;
  config["root"]["readonly"] = false;
  config["hostname"] = "runsc-compat";
  if (!config["linux"].contains("resources")) {
    config["linux"]["resources"] = {{"devices", {{{"allow", false}, {"access", "rwm"}}}}};
  }
  return config;
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
