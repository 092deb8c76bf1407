#include "test/e2e/busybox_image.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "test/e2e/test_bundle.h"

namespace runsc::testing {
namespace {

namespace fs = std::filesystem;

absl::Status RunOrError(const std::vector<std::string>& argv, std::string* out = nullptr) {
  CommandResult result = RunProgram(argv, RunOptions{.timeout_seconds = 60});
  if (result.exit_code != 0) {
    return absl::InternalError(
        absl::StrCat(argv[0], " exited ", result.exit_code, ": ", result.err));
  }
  if (out != nullptr) *out = result.out;
  return absl::OkStatus();
}

absl::StatusOr<std::string> Sha256Hex(const std::string& path) {
  std::string out;
  if (absl::Status s = RunOrError({"/usr/bin/sha256sum", path}, &out); !s.ok()) return s;
  if (out.size() < 64) return absl::InternalError("sha256sum printed no digest");
  return out.substr(0, 64);
}

absl::Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (!file) return absl::InternalError(absl::StrCat("writing ", path, " failed"));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> WriteBusyboxRootfsTar(const std::string& dir) {
  absl::StatusOr<std::unique_ptr<TestBundle>> bundle = TestBundle::Create(BundleOptions{});
  if (!bundle.ok()) return bundle.status();
  std::string tar = dir + "/busybox-rootfs.tar";
  // Numeric owners: the image's files belong to root whatever the host calls it.
  if (absl::Status s = RunOrError({"/usr/bin/tar", "--numeric-owner", "--owner=0", "--group=0",
                                   "-C", (*bundle)->rootfs(), "-cf", tar, "."});
      !s.ok()) {
    return s;
  }
  return tar;
}

absl::StatusOr<std::string> WriteBusyboxDockerArchive(const std::string& dir) {
  absl::StatusOr<std::string> layer = WriteBusyboxRootfsTar(dir);
  if (!layer.ok()) return layer.status();
  absl::StatusOr<std::string> layer_digest = Sha256Hex(*layer);
  if (!layer_digest.ok()) return layer_digest.status();

  std::string archive_dir = dir + "/busybox-image";
  std::error_code ec;
  fs::create_directories(archive_dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("mkdir ", archive_dir, ": ", ec.message()));
  std::string layer_name = *layer_digest + ".tar";
  fs::copy_file(*layer, archive_dir + "/" + layer_name, ec);
  if (ec) return absl::InternalError(absl::StrCat("copying the layer: ", ec.message()));

  nlohmann::json config = {
      {"architecture", "amd64"},
      {"os", "linux"},
      {"config", {{"Env", {"PATH=/bin:/usr/bin"}}, {"Cmd", {"/bin/sh"}}, {"WorkingDir", "/"}}},
      {"rootfs", {{"type", "layers"}, {"diff_ids", {"sha256:" + *layer_digest}}}},
  };
  std::string config_tmp = archive_dir + "/config.json";
  if (absl::Status s = WriteText(config_tmp, config.dump()); !s.ok()) return s;
  absl::StatusOr<std::string> config_digest = Sha256Hex(config_tmp);
  if (!config_digest.ok()) return config_digest.status();
  std::string config_name = *config_digest + ".json";
  fs::rename(config_tmp, archive_dir + "/" + config_name, ec);
  if (ec) return absl::InternalError(absl::StrCat("renaming the config: ", ec.message()));

  nlohmann::json manifest = nlohmann::json::array(
      {{{"Config", config_name}, {"RepoTags", {kBusyboxImage}}, {"Layers", {layer_name}}}});
  if (absl::Status s = WriteText(archive_dir + "/manifest.json", manifest.dump()); !s.ok()) {
    return s;
  }
  std::string archive = dir + "/busybox-image.tar";
  if (absl::Status s = RunOrError({"/usr/bin/tar", "-C", archive_dir, "-cf", archive,
                                   "manifest.json", config_name, layer_name});
      !s.ok()) {
    return s;
  }
  return archive;
}

}  // namespace runsc::testing
