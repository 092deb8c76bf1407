#include "test/syscalls/runner/gtest_progress.h"

#include <array>
#include <utility>

#include "absl/strings/strip.h"

namespace runsc::compat {
namespace {

constexpr absl::string_view kRun = "[ RUN      ] ";

struct ResultMarker {
  absl::string_view text;
  GtestProgress::CaseState state;
};
constexpr std::array<ResultMarker, 3> kResults = {{
    {"[       OK ] ", GtestProgress::CaseState::kOk},
    {"[  FAILED  ] ", GtestProgress::CaseState::kFailed},
    {"[  SKIPPED ] ", GtestProgress::CaseState::kSkipped},
}};

// The case name that follows a marker: up to a space, a comma (", where
// GetParam() = ...") or the end of the line.
absl::string_view NameAfter(absl::string_view line, size_t marker_end) {
  absl::string_view rest = line.substr(marker_end);
  size_t end = rest.find_first_of(" ,\t\r");
  return rest.substr(0, end);
}

}  // namespace

bool GtestProgress::Feed(absl::string_view chunk) {
  bool event = false;
  partial_.append(chunk.data(), chunk.size());
  size_t start = 0;
  for (size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
    event |= ParseLine(absl::string_view(partial_).substr(start, nl - start));
  }
  partial_.erase(0, start);
  return event;
}

void GtestProgress::Finish() {
  if (!partial_.empty()) ParseLine(partial_);
  partial_.clear();
}

std::optional<GtestProgress::CaseState> GtestProgress::StateOf(const std::string& name) const {
  auto it = states_.find(name);
  if (it == states_.end()) return std::nullopt;
  return it->second;
}

std::string GtestProgress::FailureLocation(const std::string& name) const {
  auto it = failure_locations_.find(name);
  return it == failure_locations_.end() ? "" : it->second;
}

bool GtestProgress::ParseLine(absl::string_view line) {
  if (size_t pos = line.find(kRun); pos != absl::string_view::npos) {
    std::string name(NameAfter(line, pos + kRun.size()));
    if (name.empty()) return false;
    // A case that starts again (it should not) keeps its first entry.
    if (!states_.contains(name)) started_.push_back(name);
    states_[name] = CaseState::kRunning;
    running_ = std::move(name);
    return true;
  }
  if (!running_) return false;
  if (absl::ConsumeSuffix(&line, ": Failure") && !failure_locations_.contains(*running_)) {
    // "/src/test/syscalls/read_test.cc:42" -> "read_test.cc:42".
    if (size_t slash = line.rfind('/'); slash != absl::string_view::npos) {
      line = line.substr(slash + 1);
    }
    failure_locations_[*running_] = std::string(line);
    return false;
  }
  for (const ResultMarker& marker : kResults) {
    size_t pos = line.find(marker.text);
    if (pos == absl::string_view::npos) continue;
    if (NameAfter(line, pos + marker.text.size()) != *running_) return false;
    states_[*running_] = marker.state;
    running_.reset();
    return true;
  }
  return false;
}

}  // namespace runsc::compat
