// Writing a runner's results.json, report.svg and report.md: the step
// runsc-compat and runsc-bench share once their results are in.
#pragma once

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"

namespace runsc::compat {

// Draws report.svg in the out directory; an error says why there is none.
using ChartDrawer = std::function<absl::Status()>;
// report.md's text, given the chart's file name (empty if none was drawn) and
// why there is no chart (empty if there is one).
using MarkdownRenderer =
    std::function<std::string(const std::string& chart, const std::string& chart_problem)>;

// Writes `results` as results.json, then the chart, then report.md into
// `out_dir` (created if missing). A chart that cannot be drawn is no error:
// its reason goes to *chart_problem and into the report, and a stale
// report.svg from an earlier run is removed. Fails only when a file cannot
// be written.
absl::Status WriteReportFiles(const std::string& out_dir, const nlohmann::json& results,
                              const ChartDrawer& draw_chart, const MarkdownRenderer& render,
                              std::string* chart_problem);

}  // namespace runsc::compat
