// runsc-compat: runs the syscall-compatibility suite natively and under any
// OCI runtimes with runc's command line, and writes results.json, report.md
// and report.svg (issue 6). See compat_runner.h and family_runner.h for what
// is run and how verdicts are decided, README.md "Compatibility suite" for
// how to use it.
//
// Exit status: 0 when the reports were written (failing cases are results,
// not errors; so is a missing runtime or gnuplot, said on stderr), 2 for
// bad flags or nothing to run, 1 when the reports could not be written, 130
// when interrupted (SIGINT/SIGTERM/SIGHUP: running cases are killed and
// their containers deleted first).
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/time/time.h"
#include "test/syscalls/runner/compat_runner.h"
#include "test/syscalls/runner/runner_cli.h"

int main(int argc, char** argv) {
  using runsc::compat::CompatOptions;
  CLI::App app{
      "Runs the syscall-compatibility families natively and under OCI runtimes; writes "
      "results.json, report.md and report.svg."};
  CompatOptions options;
  std::vector<std::string> runtime_flags;
  double timeout_seconds = 60;
  app.add_option("--tests", options.tests_dir,
                 "directory of family binaries (runsc_syscall_test_<family>)")
      ->required();
  options.out_dir = "build/compat";
  app.add_option("--out", options.out_dir, "output directory")->capture_default_str();
  app.add_option("--runtime", runtime_flags,
                 "native | NAME=COMMAND LINE | COMMAND; repeatable. native always runs, first")
      ->take_all();
  app.add_option("--filter", options.filters,
                 "glob on family names, or on <family>.<Suite>.<Case> when it has a '.'; "
                 "repeatable or comma-separated");
  app.add_option("--timeout", timeout_seconds, "per-case timeout in seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--jobs", options.jobs, "(family, runtime) runs at once")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--work-dir", options.work_dir,
                 "where bundles and state go (default $TMPDIR or /tmp)");
  app.add_flag("--keep-work", options.keep_work, "keep bundles and runtime state afterwards");
  app.add_option("--gnuplot", options.gnuplot, "gnuplot command")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  options.timeout = absl::Seconds(timeout_seconds);
  // Ctrl-C or a kill: stop, but delete the containers first.
  if (!runsc::compat::PrepareRun("runsc-compat", runtime_flags, argc, argv, options.runtimes,
                                 options.command)) {
    return 2;
  }
  runsc::compat::CompatRunner runner(options, std::cerr);
  return runsc::compat::RunAndWriteReports(
      "runsc-compat", runner, options.out_dir,
      [](const runsc::compat::CompatResults& results) {
        std::cerr << "\n";
        for (const auto& r : results.runtimes()) {
          runsc::compat::Score s = results.TotalScore(r.name);
          std::cerr << "runsc-compat:   " << r.name << ": ";
          if (!r.unavailable.empty()) {
            std::cerr << "not available (" << r.unavailable << ")\n";
          } else {
            std::cerr << s.passed << "/" << s.total << " pass\n";
          }
        }
      });
}
