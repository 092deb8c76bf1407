// The whole run behind `runsc-bench` (`make bench`): build the benchmark
// rootfs (bench_rootfs.h), list the program's benchmarks natively, then for
// every benchmark run it under every runtime in turn (native first, the
// reference; one benchmark at a time under all runtimes, so that the numbers
// compared were taken minutes apart, not an hour), and the two measured by
// the harness itself:
//   startup   `<runtime> run` of a container running /bin/true, from start to
//             exit (create + start + wait), median of --startup-runs, ms;
//             natively fork + exec of the same /bin/true.
//   idle_rss  idle_rss_probe.h, MB; not applicable natively.
// Then results.json, report.md and report.svg in the output directory, and
// logs/<runtime>/<benchmark>.log with the full output of every launch.
#ifndef RUNSC_BENCH_RUNNER_BENCH_RUNNER_H_
#define RUNSC_BENCH_RUNNER_BENCH_RUNNER_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/runner/bench_results.h"

namespace runsc::bench {

inline constexpr char kStartup[] = "startup";
inline constexpr char kIdleRss[] = "idle_rss";

struct BenchOptions {
  std::string program;                  // The Google Benchmark program (host path).
  std::string busybox = "/bin/busybox";  // busybox-static (host path).
  std::string out_dir;                  // Created if missing.
  std::vector<RuntimeSpec> runtimes;    // "native" is added first if absent.
  // Globs on benchmark names (startup and idle_rss included); none: all.
  std::vector<std::string> filters;
  int repetitions = 5;                  // --benchmark_repetitions; the median is kept.
  double min_time = 0.2;                // --benchmark_min_time, seconds per repetition.
  int startup_runs = 20;
  absl::Duration timeout = absl::Seconds(300);  // Per launch (per runtime command for idle_rss).
  std::string work_dir;                 // Parent of the temporary directory ($TMPDIR, /tmp).
  bool keep_work = false;               // Keep the rootfs, bundles and state.
  std::string gnuplot = "gnuplot";
  std::string command;                  // The command line, for the report.
};

class BenchRunner {
 public:
  // Progress lines go to `progress` (stderr in the tool).
  BenchRunner(BenchOptions options, std::ostream& progress);

  // Runs everything. Errors only for what prevents a report: a program that
  // cannot be put in a rootfs or listed natively, nothing selected, an
  // output directory that cannot be made, two runtimes of one name.
  // Benchmarks that crash, hang or print nonsense, and runtimes that are
  // missing, are results. Cancelled after CancelSubprocesses() (Ctrl-C).
  [[nodiscard]] absl::StatusOr<BenchResults> Run();

  // results.json and report.md, then the chart; a chart that cannot be
  // drawn is said in report.md and in `chart_problem`.
  [[nodiscard]] absl::Status WriteReports(const BenchResults& results, std::string* chart_problem);

 private:
  std::string Method() const;

  BenchOptions options_;
  std::ostream& progress_;
};

}  // namespace runsc::bench

#endif  // RUNSC_BENCH_RUNNER_BENCH_RUNNER_H_
