#include "runsc/container/state.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "base/unique_fd.h"
#include "runsc/container/atomic_file.h"

namespace runsc::container {
namespace {

using nlohmann::json;

constexpr char kStateFileName[] = "state.json";
constexpr char kCreatedFormat[] = "%Y-%m-%dT%H:%M:%E9SZ";
// Larger than any state file runsc writes; a bigger one is not ours.
constexpr size_t kMaxStateBytes = 1 << 20;

json IdentityToJson(const sandbox::ProcessIdentity& p) {
  return {{"pid", p.pid}, {"start_time", p.start_time}};
}

sandbox::ProcessIdentity IdentityFromJson(const json& j) {
  return {j.at("pid").get<pid_t>(), j.at("start_time").get<uint64_t>()};
}

std::string StatePath(const std::string& dir) { return absl::StrCat(dir, "/", kStateFileName); }

}  // namespace

std::string FormatCreatedTime(absl::Time time) {
  return absl::FormatTime(kCreatedFormat, time, absl::UTCTimeZone());
}

json StateToJson(const ContainerState& state) {
  return {
      {"ociVersion", state.oci_version},
      {"id", state.id},
      {"status", std::string(StatusName(state.status))},
      {"bundle", state.bundle},
      {"rootfs", state.rootfs},
      {"created", FormatCreatedTime(state.created)},
      {"annotations", state.annotations},
      {"owner", state.owner},
      {"sentry", IdentityToJson(state.sentry)},
      {"gofer", IdentityToJson(state.gofer)},
      {"cgroup", state.cgroup_dirs},
      {"hooks", json::parse(config::HooksToJson(state.hooks))},
      {"resources", json::parse(config::ResourcesToJson(state.resources))},
  };
}

absl::StatusOr<ContainerState> StateFromJson(const json& j) {
  // The file is ours, so a mismatch means corruption: report it, do not guess.
  try {
    ContainerState state;
    state.oci_version = j.at("ociVersion").get<std::string>();
    state.id = j.at("id").get<std::string>();
    std::string status = j.at("status").get<std::string>();
    std::optional<ContainerStatus> parsed = StatusFromName(status);
    if (!parsed.has_value()) {
      return absl::DataLossError(absl::StrCat("corrupt state: unknown status \"", status, "\""));
    }
    state.status = *parsed;
    state.bundle = j.at("bundle").get<std::string>();
    state.rootfs = j.at("rootfs").get<std::string>();
    std::string created = j.at("created").get<std::string>();
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, created, &state.created, &error)) {
      return absl::DataLossError(absl::StrCat("corrupt state: created \"", created, "\": ", error));
    }
    state.annotations = j.at("annotations").get<std::map<std::string, std::string>>();
    state.owner = j.at("owner").get<std::string>();
    state.sentry = IdentityFromJson(j.at("sentry"));
    state.gofer = IdentityFromJson(j.at("gofer"));
    // Absent in state files written before runsc made cgroups.
    if (j.contains("cgroup")) state.cgroup_dirs = j.at("cgroup").get<std::vector<std::string>>();
    // Both absent in state files of older runsc versions: no hooks, and
    // resources unknown (an update then checks against its own fields only).
    if (j.contains("hooks")) {
      absl::StatusOr<config::SpecHooks> hooks = config::ParseHooksJson(j.at("hooks").dump());
      if (!hooks.ok()) return absl::DataLossError(absl::StrCat("corrupt state: ", hooks.status().message()));
      state.hooks = *std::move(hooks);
    }
    if (j.contains("resources")) {
      absl::StatusOr<config::SpecResources> resources =
          config::ParseResourcesJson(j.at("resources").dump());
      if (!resources.ok()) {
        return absl::DataLossError(
            absl::StrCat("corrupt state: resources: ", resources.status().message()));
      }
      state.resources = *std::move(resources);
    }
    return state;
  } catch (const json::exception& e) {
    return absl::DataLossError(absl::StrCat("corrupt state: ", e.what()));
  }
}

nlohmann::ordered_json OciState(const ContainerState& state, ContainerStatus status) {
  // While creating, the pid is there once create has started the sentry:
  // prestart, createRuntime and createContainer hooks get it, as runc's get
  // its init's pid. Once stopped, the pid may belong to someone else.
  bool has_process = status == ContainerStatus::kCreated || status == ContainerStatus::kRunning ||
                     status == ContainerStatus::kPaused ||
                     (status == ContainerStatus::kCreating && state.sentry.pid != 0);
  return {
      {"ociVersion", state.oci_version},
      {"id", state.id},
      {"status", std::string(StatusName(status))},
      {"pid", has_process ? state.sentry.pid : 0},
      {"bundle", state.bundle},
      {"rootfs", state.rootfs},
      {"created", FormatCreatedTime(state.created)},
      {"owner", state.owner},
      {"annotations", state.annotations},
  };
}

absl::Status WriteStateFile(const std::string& dir, const ContainerState& state) {
  return WriteFileAtomically(StatePath(dir), StateToJson(state).dump(2) + "\n", 0600);
}

absl::StatusOr<ContainerState> ReadStateFile(const std::string& dir) {
  const std::string path = StatePath(dir);
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat(path, " does not exist"));
    return HostError(absl::StrCat("open ", path));
  }
  std::string data;
  char buf[8192];
  while (true) {
    ssize_t n = read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return HostError(absl::StrCat("read ", path));
    if (n == 0) break;
    data.append(buf, n);
    if (data.size() > kMaxStateBytes) return absl::DataLossError(absl::StrCat(path, " is too large"));
  }
  // Only a host crash right after a create's first write leaves it empty
  // (WriteFileAtomically does not fsync): as if it had not been written,
  // which Load and delete treat as an abandoned create.
  if (data.empty()) return absl::NotFoundError(absl::StrCat(path, " is empty"));
  json j = json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return absl::DataLossError(absl::StrCat(path, " is not a JSON object"));
  absl::StatusOr<ContainerState> state = StateFromJson(j);
  if (!state.ok()) {
    return absl::Status(state.status().code(), absl::StrCat(path, ": ", state.status().message()));
  }
  return state;
}

}  // namespace runsc::container
