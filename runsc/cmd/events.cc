#include "runsc/cmd/events.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "runsc/container/container.h"
#include "runsc/status_macros.h"

namespace runsc::cmd {
namespace {

bool Alive(container::ContainerStatus status) {
  return status == container::ContainerStatus::kCreated ||
         status == container::ContainerStatus::kRunning ||
         status == container::ContainerStatus::kPaused;
}

}  // namespace

nlohmann::ordered_json StatsEvent(const std::string& id, const sandbox::CgroupStats& stats) {
  return {{"type", "stats"}, {"id", id}, {"data", stats.ToJson()}};
}

void EventsCommand::SetFlags(CLI::App& app) {
  app.add_option("--interval", interval_, "set the stats collection interval")
      ->capture_default_str();
  app.add_flag("--stats", stats_, "display the container's stats then exit");
  app.add_option("container-id", id_, "container id")->required();
}

absl::StatusOr<int> EventsCommand::Execute(const config::GlobalConfig& config) {
  absl::Duration interval;
  if (!absl::ParseDuration(interval_, &interval) || interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--interval: not a positive duration: \"", interval_, "\""));
  }
  RUNSC_ASSIGN_OR_RETURN(container::ContainerSnapshot snap,
                         container::Container::Peek(config.root, id_));
  // runc's rule: only a stopped container has no events.
  if (!Alive(snap.status)) {
    return absl::FailedPreconditionError(
        absl::StrCat("container with id ", id_, " is not running"));
  }
  const std::vector<std::string> dirs = snap.state.cgroup_dirs;
  RUNSC_ASSIGN_OR_RETURN(sandbox::CgroupStats first, sandbox::CgroupStats::Read(dirs));
  if (stats_) {
    std::cout << StatsEvent(id_, first).dump() << std::endl;
    return 0;
  }
  uint64_t oom_kills = first.oom_kills;
  std::cout << StatsEvent(id_, first).dump() << std::endl;
  while (true) {
    absl::SleepFor(interval);
    absl::StatusOr<container::ContainerSnapshot> now =
        container::Container::Peek(config.root, id_);
    if (!now.ok() || !Alive(now->status)) return 0;  // Stopped or deleted: the stream ends.
    absl::StatusOr<sandbox::CgroupStats> stats = sandbox::CgroupStats::Read(dirs);
    if (!stats.ok()) return 0;  // The cgroup went with a delete in between.
    if (stats->oom_kills > oom_kills) {
      std::cout << nlohmann::ordered_json{{"type", "oom"}, {"id", id_}}.dump() << std::endl;
      oom_kills = stats->oom_kills;
    }
    std::cout << StatsEvent(id_, *stats).dump() << std::endl;
    if (!std::cout) return 0;  // The reader went away.
  }
}

}  // namespace runsc::cmd
