#include "bench/runner/bench_runner.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/runner/bench_chart.h"
#include "bench/runner/bench_report.h"
#include "bench/runner/bench_rootfs.h"
#include "bench/runner/gbench_output.h"
#include "bench/runner/idle_rss_probe.h"
#include "test/syscalls/runner/native_launcher.h"
#include "test/syscalls/runner/oci_bundle.h"
#include "test/syscalls/runner/oci_launcher.h"
#include "test/syscalls/runner/report_files.h"
#include "test/syscalls/runner/runner_cli.h"
#include "test/syscalls/runner/subprocess.h"

namespace runsc::bench {
namespace fs = std::filesystem;
using compat::FixedDeadline;
using compat::Launcher;
using compat::PutNativeFirst;
using compat::SubprocessResult;
using compat::WorkDirOrTemp;

namespace {

// Why a launch that did not exit 0 gave no number.
std::string LaunchFailure(const SubprocessResult& r) {
  std::string out;
  switch (r.end) {
    case SubprocessResult::End::kSignaled:
      out = absl::StrCat("crashed: ", r.Describe());
      break;
    case SubprocessResult::End::kTimedOut:
      out = absl::StrCat("hung: ", r.Describe());
      break;
    default:
      out = r.Describe();
  }
  if (std::string why = compat::LastLine(r.stderr_text); !why.empty()) absl::StrAppend(&out, ": ", why);
  return out;
}

std::string HostDescription() {
  struct utsname u;
  if (uname(&u) != 0) return "";
  return absl::StrCat(u.sysname, " ", u.release, " ", u.machine, ", ", sysconf(_SC_NPROCESSORS_ONLN),
                      " CPUs");
}

bool Selected(const std::vector<std::string>& filters, const std::string& name) {
  if (filters.empty()) return true;
  return std::any_of(filters.begin(), filters.end(), [&](const std::string& f) {
    return fnmatch(f.c_str(), name.c_str(), 0) == 0;
  });
}

// A path of the rootfs as `runtime` names it: natively the host path.
std::string InRootfs(const RuntimeSpec& runtime, const BenchRootfs& rootfs,
                     const std::string& path) {
  return runtime.native ? rootfs.dir + path : path;
}

}  // namespace

BenchRunner::BenchRunner(BenchOptions options, std::ostream& progress)
    : options_(std::move(options)), progress_(progress) {
  PutNativeFirst(options_.runtimes);
  options_.repetitions = std::max(options_.repetitions, 1);
  options_.startup_runs = std::max(options_.startup_runs, 1);
  options_.work_dir = WorkDirOrTemp(options_.work_dir);
}

std::string BenchRunner::Method() const {
  return absl::StrCat(
      "Google Benchmark programs: median of ", options_.repetitions, " repetition",
      options_.repetitions == 1 ? "" : "s", " of at least ", options_.min_time,
      " s each, wall-clock time per iteration (MB/s: bytes_per_second); each benchmark in a "
      "fresh container. startup: median of ",
      options_.startup_runs, " runs. idle_rss: Pss after 1 s idle.");
}

absl::StatusOr<BenchResults> BenchRunner::Run() {
  for (size_t i = 0; i < options_.runtimes.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (options_.runtimes[i].name == options_.runtimes[j].name) {
        return absl::InvalidArgumentError(
            absl::StrCat("runtime \"", options_.runtimes[i].name, "\" is given twice"));
      }
    }
  }
  std::error_code ec;
  fs::create_directories(fs::path(options_.out_dir) / "logs", ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("creating ", options_.out_dir, ": ", ec.message()));
  }
  std::string work = absl::StrCat(options_.work_dir, "/runsc-bench-XXXXXX");
  if (mkdtemp(work.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp ", work, ": ", strerror(errno)));
  }
  // Whatever happens below, the work directory (a 256 MiB file) goes.
  struct Cleanup {
    const std::string& dir;
    bool keep;
    std::ostream& progress;
    ~Cleanup() {
      std::error_code ec;
      if (keep) {
        progress << "runsc-bench: kept the work directory " << dir << "\n";
      } else {
        fs::remove_all(dir, ec);
      }
    }
  } cleanup{work, options_.keep_work, progress_};

  absl::StatusOr<BenchRootfs> rootfs =
      BuildBenchRootfs(work + "/rootfs", options_.program, options_.busybox);
  if (!rootfs.ok()) return rootfs.status();

  // The benchmarks, as the program lists them natively.
  compat::SubprocessSpec list;
  list.argv = {rootfs->dir + rootfs->program, "--benchmark_list_tests=true",
               "--bench_root=" + rootfs->dir};
  SubprocessResult listed = compat::RunSubprocess(list, options_.timeout);
  if (!listed.Succeeded()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "listing the benchmarks of ", options_.program, " natively: ", LaunchFailure(listed)));
  }
  std::vector<std::string> micro;
  for (std::string& name : ParseBenchmarkList(listed.stdout_text)) {
    if (Selected(options_.filters, name)) micro.push_back(std::move(name));
  }
  std::vector<std::string> names = micro;
  for (const char* probe : {kStartup, kIdleRss}) {
    if (Selected(options_.filters, probe)) names.push_back(probe);
  }
  if (names.empty()) {
    return absl::NotFoundError(absl::StrCat("no benchmark matches --filter (", options_.program,
                                            " lists ", compat::LastLine(listed.stdout_text), " and more)"));
  }

  BenchResults results(options_.runtimes, names);
  std::map<std::string, std::unique_ptr<Launcher>> launchers;
  for (const RuntimeSpec& r : options_.runtimes) {
    if (!r.unavailable.empty()) {
      progress_ << "runsc-bench: runtime \"" << r.name << "\" is not available (" << r.unavailable
                << "): all its benchmarks are reported failed\n";
      for (const std::string& name : names) {
        if (name == kIdleRss && r.native) continue;
        results.Add(BenchResult::Failed(name, r.name,
                                        absl::StrCat("runtime not available: ", r.unavailable)));
      }
      continue;
    }
    fs::create_directories(fs::path(options_.out_dir) / "logs" / r.name, ec);
    if (r.native) {
      launchers[r.name] = std::make_unique<compat::NativeLauncher>(work);
    } else {
      const std::string dir = rootfs->dir;
      launchers[r.name] = std::make_unique<compat::OciLauncher>(
          r, work,
          [dir](const std::string& bundle, const std::string& binary,
                const std::vector<std::string>& args) {
            std::vector<std::string> argv = {binary};
            argv.insert(argv.end(), args.begin(), args.end());
            return compat::WriteOciBundleOnRootfs(bundle, dir, argv);
          },
          "runsc-bench");
    }
  }

  auto report = [&](const BenchResult& r, absl::Duration took) {
    progress_ << "runsc-bench: [" << r.runtime << "] " << r.name << ": "
              << (r.measurement ? absl::StrCat(FormatValue(r.measurement->value), " ",
                                               r.measurement->unit)
                                : absl::StrCat("FAILED: ", r.error))
              << " (" << absl::FormatDuration(absl::Trunc(took, absl::Milliseconds(100))) << ")\n";
    progress_.flush();
  };

  for (const std::string& name : names) {
    for (const RuntimeSpec& r : options_.runtimes) {
      if (compat::SubprocessesCancelled()) break;
      if (!r.unavailable.empty() || (name == kIdleRss && r.native)) continue;
      const absl::Time start = absl::Now();
      std::ofstream log(fs::path(options_.out_dir) / "logs" / r.name / (name + ".log"),
                        std::ios::trunc);
      Launcher& launcher = *launchers.at(r.name);
      BenchResult result;
      if (name == kStartup) {
        // Every run must succeed: a runtime that fails one in 20 has no
        // startup time worth printing.
        std::vector<double> ms;
        std::string failure;
        for (int i = 0; i < options_.startup_runs && failure.empty(); ++i) {
          FixedDeadline deadline(options_.timeout);
          SubprocessResult run = launcher.Launch(InRootfs(r, *rootfs, "/bin/true"), {}, deadline);
          compat::AppendRunLog(log, "/bin/true", run);
          if (!run.Succeeded()) {
            failure = absl::StrCat("run ", i + 1, " of ", options_.startup_runs, ": ",
                                   LaunchFailure(run));
          }
          ms.push_back(absl::ToDoubleMilliseconds(run.elapsed));
        }
        if (failure.empty()) {
          std::sort(ms.begin(), ms.end());
          result = BenchResult::Measured(name, r.name, {ms[ms.size() / 2], "ms", ""});
        } else {
          result = BenchResult::Failed(name, r.name, failure);
        }
      } else if (name == kIdleRss) {
        IdleRssProbe probe(r, rootfs->dir, work, options_.timeout);
        absl::StatusOr<Measurement> m = probe.Measure();
        log << "### idle_rss: " << (m.ok() ? m->detail : std::string(m.status().message()))
            << "\n";
        result = m.ok() ? BenchResult::Measured(name, r.name, *m)
                        : BenchResult::Failed(name, r.name, std::string(m.status().message()));
      } else {
        std::vector<std::string> args = {
            absl::StrCat("--benchmark_filter=^", name, "$"), "--benchmark_format=json",
            absl::StrCat("--benchmark_repetitions=", options_.repetitions),
            "--benchmark_report_aggregates_only=true",
            absl::StrCat("--benchmark_min_time=", options_.min_time)};
        if (r.native) args.push_back("--bench_root=" + rootfs->dir);
        FixedDeadline deadline(options_.timeout);
        SubprocessResult run =
            launcher.Launch(InRootfs(r, *rootfs, rootfs->program), args, deadline);
        compat::AppendRunLog(log, name, run);
        if (!run.Succeeded()) {
          result = BenchResult::Failed(name, r.name, LaunchFailure(run));
        } else {
          // By convention a name ending in _mbps is a throughput.
          absl::StatusOr<Measurement> m = ParseBenchmarkJson(
              run.stdout_text, name,
              name.ends_with("_mbps") ? Metric::kBytesPerSecond : Metric::kRealTime);
          result = m.ok() ? BenchResult::Measured(name, r.name, *m)
                          : BenchResult::Failed(name, r.name, std::string(m.status().message()));
        }
      }
      report(result, absl::Now() - start);
      results.Add(std::move(result));
    }
  }
  launchers.clear();
  if (compat::SubprocessesCancelled()) {
    return absl::CancelledError(
        "interrupted: every container started was deleted; no report written");
  }
  return results;
}

absl::Status BenchRunner::WriteReports(const BenchResults& results, std::string* chart_problem) {
  BenchChart chart(options_.out_dir, options_.gnuplot);
  return compat::WriteReportFiles(
      options_.out_dir, results.ToJson(), [&] { return chart.Write(results); },
      [&](const std::string& chart_file, const std::string& problem) {
        BenchReportContext context;
        context.date = absl::Now();
        context.host = HostDescription();
        context.command = options_.command;
        context.method = Method();
        context.chart = chart_file;
        context.chart_problem = problem;
        return RenderBenchReport(results, context);
      },
      chart_problem);
}

}  // namespace runsc::bench
