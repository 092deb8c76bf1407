// runsc events [--stats] [--interval D] ID: runc's event stream of a
// container, one JSON object a line: {"type":"stats","id":ID,"data":{cpu,
// memory, pids, blkio, hugetlb}} read from the sandbox's cgroup
// (sandbox/cgroup_stats.h) every interval, and {"type":"oom","id":ID} when
// the cgroup's OOM-kill count grows. --stats prints one stats event and
// exits. The stream ends (exit 0) when the container stops.
#ifndef RUNSC_RUNSC_CMD_EVENTS_H_
#define RUNSC_RUNSC_CMD_EVENTS_H_

#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "runsc/cmd/command.h"
#include "runsc/sandbox/cgroup_stats.h"

namespace runsc::cmd {

// One event line's object, as runc's events.Event encodes it.
nlohmann::ordered_json StatsEvent(const std::string& id, const sandbox::CgroupStats& stats);

class EventsCommand : public Command {
 public:
  std::string_view Name() const override { return "events"; }
  std::string_view Synopsis() const override {
    return "display container events such as OOM notifications and cpu, memory and pids usage";
  }
  void SetFlags(CLI::App& app) override;
  absl::StatusOr<int> Execute(const config::GlobalConfig& config) override;

 private:
  std::string id_;
  std::string interval_ = "5s";
  bool stats_ = false;
};

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_EVENTS_H_
