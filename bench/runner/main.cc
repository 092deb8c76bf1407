// runsc-bench: runs the benchmark program (bench/programs/) natively and
// under OCI runtimes with runc's command line, measures startup and idle
// memory, and writes results.json, report.md and report.svg (issue 6). See
// bench_runner.h for what is run and README.md "Benchmarks" for how to use it.
//
// Exit status: 0 when the reports were written (a failed benchmark or a
// missing runtime is a result, said in the report and on stderr), 2 for bad
// flags or nothing to run, 1 when the reports could not be written, 130
// when interrupted (containers are deleted first).
#include <iostream>

#include "CLI/CLI.hpp"
#include "bench/runner/bench_runner.h"
#include "test/syscalls/runner/runner_cli.h"

int main(int argc, char** argv) {
  using runsc::bench::BenchOptions;
  CLI::App app{
      "Runs the benchmarks natively and under OCI runtimes; writes results.json, report.md "
      "and report.svg with ratios to native and to runc."};
  BenchOptions options;
  std::vector<std::string> runtime_flags;
  double timeout_seconds = 300;
  options.program = RUNSC_BENCH_WORKLOADS_BINARY;
  app.add_option("--program", options.program, "the Google Benchmark program")
      ->capture_default_str();
  app.add_option("--busybox", options.busybox, "busybox-static, for /bin/true and /bin/sleep")
      ->capture_default_str();
  options.out_dir = "build/bench";
  app.add_option("--out", options.out_dir, "output directory")->capture_default_str();
  app.add_option("--runtime", runtime_flags,
                 "native | NAME=COMMAND LINE | COMMAND; repeatable. native always runs, first")
      ->take_all();
  app.add_option("--filter", options.filters,
                 "globs on benchmark names (startup and idle_rss included); repeatable or "
                 "comma-separated")
      ->delimiter(',');
  app.add_option("--repetitions", options.repetitions, "repetitions per benchmark (median kept)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--min-time", options.min_time, "seconds per repetition at least")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--startup-runs", options.startup_runs, "runs of /bin/true for startup")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--timeout", timeout_seconds, "seconds one launch may take")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--work-dir", options.work_dir,
                 "where the rootfs, bundles and state go (default $TMPDIR or /tmp)");
  app.add_flag("--keep-work", options.keep_work, "keep the work directory afterwards");
  app.add_option("--gnuplot", options.gnuplot, "gnuplot command")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  options.timeout = absl::Seconds(timeout_seconds);
  if (!runsc::compat::PrepareRun("runsc-bench", runtime_flags, argc, argv, options.runtimes,
                                 options.command)) {
    return 2;
  }
  runsc::bench::BenchRunner runner(options, std::cerr);
  return runsc::compat::RunAndWriteReports(
      "runsc-bench", runner, options.out_dir, [](const runsc::bench::BenchResults& results) {
        int failed = 0;
        for (const auto& r : results.results()) failed += r.measurement ? 0 : 1;
        std::cerr << " (" << results.results().size() << " results, " << failed
                  << " failed)\n";
      });
}
