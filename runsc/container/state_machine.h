// The container lifecycle as an explicit state machine (runc's
// state_linux.go, DESIGN §9):
//
//                                 paused
//                                 ^    |
//                                 |    v
//   creating --> created --> running --> stopped
//       \            \______________________^
//        \______________________________/
//
// creating: `runsc create` holds the container lock and is starting the
//           sandbox. Seen from outside only while create runs; a container
//           found in this state with its lock free was abandoned by a create
//           that died, and counts as stopped.
// created:  the sentry is up, the container's process has not started.
// running:  `runsc start` has let it run.
// paused:   `runsc pause` froze the sandbox's cgroup; `resume` thaws it.
// stopped:  the sentry has exited (or died). Only `delete` remains.
//
// `delete` is not a state: it removes the container from created or stopped
// (running only with --force, after killing it).
#ifndef RUNSC_RUNSC_CONTAINER_STATE_MACHINE_H_
#define RUNSC_RUNSC_CONTAINER_STATE_MACHINE_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"

namespace runsc::container {

enum class ContainerStatus { kCreating, kCreated, kRunning, kPaused, kStopped };

// "creating", "created", "running", "stopped": the OCI state names.
std::string_view StatusName(ContainerStatus status);
std::optional<ContainerStatus> StatusFromName(std::string_view name);

bool IsTransitionAllowed(ContainerStatus from, ContainerStatus to);

// OK if `from` -> `to` is allowed; otherwise the typed illegal-transition
// error (FailedPrecondition, with from/to attached as a payload) whose
// message names the container:
//   container "abc" is not running (stopped): illegal transition from stopped to running
[[nodiscard]] absl::Status CheckTransition(const std::string& id, ContainerStatus from,
                                           ContainerStatus to);

// The (from, to) of an illegal-transition error, or nullopt for any other status.
std::optional<std::pair<ContainerStatus, ContainerStatus>> IllegalTransitionOf(
    const absl::Status& status);

}  // namespace runsc::container

#endif  // RUNSC_RUNSC_CONTAINER_STATE_MACHINE_H_
