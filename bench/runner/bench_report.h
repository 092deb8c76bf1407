// build/bench/report.md: when, where and how it ran, one table with every
// benchmark's number per runtime and its ratios to native and to runc, the
// failures with their reasons, and the chart.
#ifndef RUNSC_BENCH_RUNNER_BENCH_REPORT_H_
#define RUNSC_BENCH_RUNNER_BENCH_REPORT_H_

#include <string>

#include "absl/time/time.h"
#include "bench/runner/bench_results.h"

namespace runsc::bench {

inline constexpr char kRuncRuntime[] = "runc";

struct BenchReportContext {
  absl::Time date;
  std::string host;           // "Linux 6.18.0 x86_64, 2 CPUs"
  std::string command;        // How it was run, to reproduce it.
  std::string method;         // Repetitions, min time, runs: what a number is.
  std::string chart;          // File name of the chart, empty if none was drawn.
  std::string chart_problem;  // Why there is no chart.
};

// "1.23", "45.6", "7,890": enough digits to compare, no more.
std::string FormatValue(double value);
// "1.02×", "63×".
std::string FormatRatio(double ratio);

std::string RenderBenchReport(const BenchResults& results, const BenchReportContext& context);

}  // namespace runsc::bench

#endif  // RUNSC_BENCH_RUNNER_BENCH_REPORT_H_
