// What runsc remembers about a container: <root>/<id>/state.json.
#ifndef RUNSC_RUNSC_CONTAINER_STATE_H_
#define RUNSC_RUNSC_CONTAINER_STATE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "runsc/config/spec.h"
#include "runsc/container/state_machine.h"
#include "runsc/sandbox/process_identity.h"

namespace runsc::container {

struct ContainerState {
  std::string oci_version;
  std::string id;
  // The last status a lifecycle operation recorded. What the container is
  // now may differ (the sentry may have died since): see Container.
  ContainerStatus status = ContainerStatus::kCreating;
  std::string bundle;
  std::string rootfs;
  absl::Time created = absl::UnixEpoch();
  std::map<std::string, std::string> annotations;
  std::string owner;  // Always "" (as runc for a root-owned state dir).
  sandbox::ProcessIdentity sentry;  // pid 0 until the sandbox is up.
  sandbox::ProcessIdentity gofer;
  // The sandbox cgroup's host directories (sandbox::Cgroup::dirs()), so that
  // delete removes them even when the bundle is gone.
  std::vector<std::string> cgroup_dirs;
  // config.json's hooks, kept from create: start and delete run theirs
  // even when the bundle has changed or gone since, as runc does.
  config::SpecHooks hooks;
  // The resources the cgroup has now: linux.resources from create, with
  // every `runsc update` merged in, so that the next update is checked
  // against (and merged onto) what is really set.
  config::SpecResources resources;
};

// RFC 3339 in UTC with nanoseconds: 2024-01-02T03:04:05.123456789Z.
std::string FormatCreatedTime(absl::Time time);

// The state file's JSON: the OCI fields plus the sandbox's process
// identities, which the OCI state does not show.
nlohmann::json StateToJson(const ContainerState& state);
[[nodiscard]] absl::StatusOr<ContainerState> StateFromJson(const nlohmann::json& json);

// The OCI runtime-spec state (`runsc state`, `runsc list --format json`)
// for a container whose current status is `status`: ociVersion, id, status,
// pid (the sentry's host pid; 0 unless the sentry is up: created, running,
// paused, or creating once create has started it, as hooks see it), bundle,
// rootfs, created, owner, annotations. This is also what hooks read on stdin.
nlohmann::ordered_json OciState(const ContainerState& state, ContainerStatus status);

// <dir>/state.json, written atomically.
[[nodiscard]] absl::Status WriteStateFile(const std::string& dir, const ContainerState& state);
// NotFound if there is no state file.
[[nodiscard]] absl::StatusOr<ContainerState> ReadStateFile(const std::string& dir);

}  // namespace runsc::container

#endif  // RUNSC_RUNSC_CONTAINER_STATE_H_
