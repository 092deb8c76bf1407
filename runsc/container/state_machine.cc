#include "runsc/container/state_machine.h"

#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace runsc::container {
namespace {

constexpr char kTransitionPayloadUrl[] = "runsc/illegal-transition";

constexpr std::pair<ContainerStatus, std::string_view> kNames[] = {
    {ContainerStatus::kCreating, "creating"},
    {ContainerStatus::kCreated, "created"},
    {ContainerStatus::kRunning, "running"},
    {ContainerStatus::kPaused, "paused"},
    {ContainerStatus::kStopped, "stopped"},
};

absl::string_view Name(ContainerStatus status) {
  std::string_view name = StatusName(status);
  return absl::string_view(name.data(), name.size());
}

}  // namespace

std::string_view StatusName(ContainerStatus status) {
  for (const auto& [value, name] : kNames) {
    if (value == status) return name;
  }
  return "unknown";
}

std::optional<ContainerStatus> StatusFromName(std::string_view name) {
  for (const auto& [value, known] : kNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

bool IsTransitionAllowed(ContainerStatus from, ContainerStatus to) {
  using S = ContainerStatus;
  switch (from) {
    case S::kCreating: return to == S::kCreated || to == S::kStopped;
    case S::kCreated: return to == S::kRunning || to == S::kStopped;
    case S::kRunning: return to == S::kStopped || to == S::kPaused;
    case S::kPaused: return to == S::kRunning || to == S::kStopped;
    case S::kStopped: return false;
  }
  return false;
}

absl::Status CheckTransition(const std::string& id, ContainerStatus from, ContainerStatus to) {
  if (IsTransitionAllowed(from, to)) return absl::OkStatus();
  // DESIGN §7: operations on a stopped container say it is not running.
  std::string is = from == ContainerStatus::kStopped
                       ? "is not running (stopped)"
                       : absl::StrCat("is ", Name(from));
  absl::Status status = absl::FailedPreconditionError(absl::StrCat(
      "container \"", id, "\" ", is, ": illegal transition from ", Name(from), " to ", Name(to)));
  status.SetPayload(kTransitionPayloadUrl, absl::Cord(absl::StrCat(Name(from), ">", Name(to))));
  return status;
}

std::optional<std::pair<ContainerStatus, ContainerStatus>> IllegalTransitionOf(
    const absl::Status& status) {
  auto payload = status.GetPayload(kTransitionPayloadUrl);
  if (!payload.has_value()) return std::nullopt;
  std::vector<std::string> parts = absl::StrSplit(std::string(*payload), '>');
  if (parts.size() != 2) return std::nullopt;
  std::optional<ContainerStatus> from = StatusFromName(parts[0]);
  std::optional<ContainerStatus> to = StatusFromName(parts[1]);
  if (!from.has_value() || !to.has_value()) return std::nullopt;
  return std::make_pair(*from, *to);
}

}  // namespace runsc::container
