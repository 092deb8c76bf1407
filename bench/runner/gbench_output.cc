#include "bench/runner/gbench_output.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"

namespace runsc::bench {
namespace {

// The entry's number for `metric`, or an error naming the missing field.
absl::StatusOr<Measurement> EntryValue(const nlohmann::json& entry, Metric metric) {
  Measurement m;
  if (metric == Metric::kBytesPerSecond) {
    if (!entry.contains("bytes_per_second") || !entry["bytes_per_second"].is_number()) {
      return absl::InvalidArgumentError("unparsable output: no bytes_per_second counter");
    }
    m.value = entry["bytes_per_second"].get<double>() / 1e6;
    m.unit = "MB/s";
  } else {
    if (!entry.contains("real_time") || !entry["real_time"].is_number() ||
        !entry.contains("time_unit") || !entry["time_unit"].is_string()) {
      return absl::InvalidArgumentError("unparsable output: no real_time and time_unit");
    }
    m.value = entry["real_time"].get<double>();
    m.unit = entry["time_unit"].get<std::string>();
  }
  return m;
}

}  // namespace

std::vector<std::string> ParseBenchmarkList(absl::string_view stdout_text) {
  std::vector<std::string> names;
  for (absl::string_view line : absl::StrSplit(stdout_text, '\n', absl::SkipWhitespace())) {
    names.emplace_back(absl::StripAsciiWhitespace(line));
  }
  return names;
}

absl::StatusOr<Measurement> ParseBenchmarkJson(absl::string_view stdout_text,
                                               const std::string& name, Metric metric) {
  nlohmann::json report = nlohmann::json::parse(stdout_text, nullptr, /*allow_exceptions=*/false);
  if (report.is_discarded()) {
    return absl::InvalidArgumentError(
        stdout_text.empty() ? "unparsable output: nothing on stdout"
                            : "unparsable output: stdout is not JSON");
  }
  if (!report.is_object() || !report.contains("benchmarks") || !report["benchmarks"].is_array()) {
    return absl::InvalidArgumentError("unparsable output: JSON without a \"benchmarks\" array");
  }
  std::optional<Measurement> median;
  std::vector<Measurement> iterations;
  for (const nlohmann::json& entry : report["benchmarks"]) {
    if (!entry.is_object()) return absl::InvalidArgumentError("unparsable output: bad entry");
    const std::string run_name = entry.value("run_name", entry.value("name", ""));
    if (run_name != name) continue;
    if (entry.value("error_occurred", false)) {
      return absl::AbortedError(
          absl::StrCat("benchmark error: ", entry.value("error_message", "(no message)")));
    }
    const std::string run_type = entry.value("run_type", "iteration");
    if (run_type == "aggregate" && entry.value("aggregate_name", "") != "median") continue;
    absl::StatusOr<Measurement> m = EntryValue(entry, metric);
    if (!m.ok()) return m.status();
    if (run_type == "aggregate") {
      median = *m;
    } else {
      iterations.push_back(*m);
    }
  }
  if (!median && !iterations.empty()) {
    std::sort(iterations.begin(), iterations.end(),
              [](const Measurement& a, const Measurement& b) { return a.value < b.value; });
    median = iterations[iterations.size() / 2];
  }
  if (!median) return absl::NotFoundError(absl::StrCat("no result for ", name, " in the output"));
  if (!std::isfinite(median->value) || median->value <= 0) {
    return absl::OutOfRangeError(absl::StrCat("bad value ", median->value, " for ", name));
  }
  return *median;
}

}  // namespace runsc::bench
