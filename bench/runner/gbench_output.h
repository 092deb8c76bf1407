// Reading what a Google Benchmark program prints: the list of its
// benchmarks, and one benchmark's number from --benchmark_format=json.
// Anything that is not what Google Benchmark prints is an error that says
// so, never a number.
#ifndef RUNSC_BENCH_RUNNER_GBENCH_OUTPUT_H_
#define RUNSC_BENCH_RUNNER_GBENCH_OUTPUT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/runner/bench_results.h"

namespace runsc::bench {

// The names --benchmark_list_tests=true printed, one a line.
std::vector<std::string> ParseBenchmarkList(absl::string_view stdout_text);

enum class Metric {
  kRealTime,        // real_time in the benchmark's time_unit ("ns", "us", "ms", "s").
  kBytesPerSecond,  // the bytes_per_second counter, in MB/s (10^6 bytes per second).
};

// `name`'s number in a --benchmark_format=json report: its "median"
// aggregate when there is one (--benchmark_repetitions), else the median of
// its iterations. Wall-clock time, not CPU time: under a sandbox much of the
// work is done by other processes (the sentry, the gofer).
// InvalidArgument "unparsable output: ..." for what is not such a report,
// NotFound when the report has no run of `name`, Aborted with the
// benchmark's error_message when it skipped with an error, OutOfRange for a
// value that is not a positive finite number.
[[nodiscard]] absl::StatusOr<Measurement> ParseBenchmarkJson(absl::string_view stdout_text,
                                                             const std::string& name,
                                                             Metric metric);

}  // namespace runsc::bench

#endif  // RUNSC_BENCH_RUNNER_GBENCH_OUTPUT_H_
