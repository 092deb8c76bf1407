#include "bench/runner/bench_report.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace runsc::bench {
namespace {

// A ratio column: `runtime` against `reference`.
struct RatioColumn {
  std::string runtime;
  std::string reference;
};

bool Ran(const BenchResults& results, const std::string& name) {
  for (const RuntimeSpec& r : results.runtimes()) {
    if (r.name == name) return r.unavailable.empty();
  }
  return false;
}

std::vector<RatioColumn> RatioColumns(const BenchResults& results) {
  std::vector<RatioColumn> columns;
  for (const RuntimeSpec& r : results.runtimes()) {
    if (!r.native && r.unavailable.empty()) columns.push_back({r.name, kNativeRuntime});
  }
  if (Ran(results, kRuncRuntime)) {
    for (const RuntimeSpec& r : results.runtimes()) {
      if (!r.native && r.unavailable.empty() && r.name != kRuncRuntime) {
        columns.push_back({r.name, kRuncRuntime});
      }
    }
  }
  return columns;
}

std::string Cell(const BenchResult* r) {
  if (r == nullptr) return "n/a";
  if (!r->measurement) return "**failed**";
  return FormatValue(r->measurement->value);
}

}  // namespace

std::string FormatValue(double value) {
  if (value < 10) return absl::StrFormat("%.2f", value);
  if (value < 100) return absl::StrFormat("%.1f", value);
  // Thousands separated: 17,300 reads at a glance.
  std::string digits = absl::StrFormat("%.0f", value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string FormatRatio(double ratio) {
  if (ratio < 10) return absl::StrFormat("%.2f×", ratio);
  if (ratio < 100) return absl::StrFormat("%.1f×", ratio);
  return absl::StrFormat("%.0f×", ratio);
}

std::string RenderBenchReport(const BenchResults& results, const BenchReportContext& context) {
  std::string md = "# runsc benchmarks\n\n";
  absl::StrAppend(&md, "- Date: ", absl::FormatTime("%Y-%m-%d %H:%M UTC", context.date,
                                                    absl::UTCTimeZone()),
                  "\n");
  if (!context.host.empty()) absl::StrAppend(&md, "- Host: ", context.host, "\n");
  if (!context.command.empty()) absl::StrAppend(&md, "- Command: `", context.command, "`\n");
  if (!context.method.empty()) absl::StrAppend(&md, "- Method: ", context.method, "\n");
  absl::StrAppend(&md, "- Runtimes:\n");
  for (const RuntimeSpec& r : results.runtimes()) {
    absl::StrAppend(&md, "  - `", r.name, "`: ");
    if (r.native) {
      absl::StrAppend(&md, "the programs run directly on the host (the reference)\n");
    } else if (!r.unavailable.empty()) {
      absl::StrAppend(&md, "**not available**: ", r.unavailable, "\n");
    } else {
      absl::StrAppend(&md, "`", absl::StrJoin(r.command, " "), "`\n");
    }
  }

  const std::vector<RatioColumn> ratios = RatioColumns(results);
  absl::StrAppend(&md, "\n| benchmark | unit |");
  for (const RuntimeSpec& r : results.runtimes()) absl::StrAppend(&md, " ", r.name, " |");
  for (const RatioColumn& c : ratios) absl::StrAppend(&md, " ", c.runtime, " ÷ ", c.reference, " |");
  absl::StrAppend(&md, "\n|---|---|");
  for (size_t i = 0; i < results.runtimes().size() + ratios.size(); ++i) {
    absl::StrAppend(&md, "---:|");
  }
  absl::StrAppend(&md, "\n");
  for (const std::string& name : results.benchmarks()) {
    std::string unit;
    for (const RuntimeSpec& r : results.runtimes()) {
      const BenchResult* b = results.Find(name, r.name);
      if (b && b->measurement) unit = b->measurement->unit;
    }
    absl::StrAppend(&md, "| ", name, " | ", unit.empty() ? "—" : unit, " |");
    for (const RuntimeSpec& r : results.runtimes()) {
      absl::StrAppend(&md, " ", Cell(results.Find(name, r.name)), " |");
    }
    for (const RatioColumn& c : ratios) {
      std::optional<double> ratio = results.Ratio(name, c.runtime, c.reference);
      absl::StrAppend(&md, " ", ratio ? FormatRatio(*ratio) : "—", " |");
    }
    absl::StrAppend(&md, "\n");
  }
  absl::StrAppend(&md,
                  "\nA ratio is the runtime's number divided by the reference's: for times and "
                  "MB above 1× is slower or bigger, for MB/s below 1× is slower. n/a: does not "
                  "apply (idle_rss measures a runtime's processes; natively there are none).\n");

  std::vector<std::string> details;
  for (const BenchResult& r : results.results()) {
    if (r.measurement && !r.measurement->detail.empty()) {
      details.push_back(absl::StrCat("- `", r.name, "` under ", r.runtime, ": ",
                                     r.measurement->detail, "\n"));
    }
  }
  if (!details.empty()) absl::StrAppend(&md, "\n## What was counted\n\n", absl::StrJoin(details, ""));

  std::vector<std::string> failures;
  for (const std::string& name : results.benchmarks()) {
    for (const RuntimeSpec& r : results.runtimes()) {
      const BenchResult* b = results.Find(name, r.name);
      if (b && !b->measurement) {
        failures.push_back(absl::StrCat("- `", name, "` under ", r.name, ": ", b->error, "\n"));
      }
    }
  }
  absl::StrAppend(&md, "\n## Failures\n\n",
                  failures.empty() ? "None.\n" : absl::StrJoin(failures, ""));
  if (!context.chart.empty()) {
    absl::StrAppend(&md, "\n## Chart\n\n![slowdown against native](", context.chart, ")\n");
  } else if (!context.chart_problem.empty()) {
    absl::StrAppend(&md, "\nNo chart: ", context.chart_problem, "\n");
  }
  return md;
}

}  // namespace runsc::bench
