#include "test/syscalls/runner/compat_runner.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "test/syscalls/runner/case_filter.h"
#include "test/syscalls/runner/chart_writer.h"
#include "test/syscalls/runner/family_runner.h"
#include "test/syscalls/runner/gtest_listing.h"
#include "test/syscalls/runner/markdown_report.h"
#include "test/syscalls/runner/native_launcher.h"
#include "test/syscalls/runner/oci_bundle.h"
#include "test/syscalls/runner/oci_launcher.h"
#include "test/syscalls/runner/report_files.h"
#include "test/syscalls/runner/runner_cli.h"

namespace runsc::compat {
namespace fs = std::filesystem;
namespace {

constexpr absl::string_view kFamilyPrefix = "runsc_syscall_test_";

std::string HostDescription() {
  struct utsname u;
  if (uname(&u) != 0) return "";
  return absl::StrCat(u.sysname, " ", u.release, " ", u.machine);
}

std::string Counts(const FamilyOutcome& o) {
  int n[4] = {0, 0, 0, 0};
  for (const auto& [name, outcome] : o.cases) ++n[static_cast<int>(outcome.verdict)];
  return absl::StrCat(n[0], " pass, ", n[1], " fail, ", n[2], " skip, ", n[3], " timeout");
}

}  // namespace

absl::StatusOr<std::vector<FamilyBinary>> DiscoverFamilies(const std::string& relative_dir) {
  std::error_code ec;
  // Absolute: binaries are run from other directories.
  const fs::path dir = fs::absolute(relative_dir, ec).lexically_normal();
  fs::directory_iterator it(dir, ec);
  if (ec) return absl::NotFoundError(absl::StrCat("--tests ", relative_dir, ": ", ec.message()));
  std::vector<FamilyBinary> out;
  for (const fs::directory_entry& entry : it) {
    const std::string path = entry.path().string();
    struct stat st;
    if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || access(path.c_str(), X_OK) != 0) {
      continue;
    }
    std::string name = entry.path().filename().string();
    absl::string_view family = name;
    absl::ConsumePrefix(&family, kFamilyPrefix);
    if (family.empty()) continue;
    out.push_back({std::string(family), path});
  }
  std::sort(out.begin(), out.end(),
            [](const FamilyBinary& a, const FamilyBinary& b) { return a.family < b.family; });
  return out;
}

CompatRunner::CompatRunner(CompatOptions options, std::ostream& progress)
    : options_(std::move(options)), progress_(progress) {
  PutNativeFirst(options_.runtimes);
  options_.jobs = std::max(options_.jobs, 1);
  options_.work_dir = WorkDirOrTemp(options_.work_dir);
}

absl::StatusOr<CompatResults> CompatRunner::Run() {
  for (size_t i = 0; i < options_.runtimes.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (options_.runtimes[i].name == options_.runtimes[j].name) {
        return absl::InvalidArgumentError(
            absl::StrCat("runtime \"", options_.runtimes[i].name, "\" is given twice"));
      }
    }
  }
  absl::StatusOr<std::vector<FamilyBinary>> binaries = DiscoverFamilies(options_.tests_dir);
  if (!binaries.ok()) return binaries.status();
  const CaseFilter filter(options_.filters);
  std::erase_if(*binaries,
                [&](const FamilyBinary& b) { return !filter.MaySelectFamily(b.family); });
  if (binaries->empty()) {
    return absl::NotFoundError(absl::StrCat("no family binary in ", options_.tests_dir,
                                            options_.filters.empty() ? "" : " matches --filter"));
  }
  std::error_code ec;
  fs::create_directories(fs::path(options_.out_dir) / "logs", ec);
  if (ec)
    return absl::InternalError(absl::StrCat("creating ", options_.out_dir, ": ", ec.message()));
  std::string work = absl::StrCat(options_.work_dir, "/runsc-compat-XXXXXX");
  if (mkdtemp(work.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp ", work, ": ", strerror(errno)));
  }

  for (const RuntimeSpec& r : options_.runtimes) {
    if (!r.unavailable.empty()) {
      progress_ << "runsc-compat: runtime \"" << r.name << "\" is not available (" << r.unavailable
                << "): all its cases are reported skip\n";
    }
  }

  // List every family natively.
  std::vector<FamilyResults> families;
  for (const FamilyBinary& b : *binaries) {
    FamilyResults f;
    f.family = b.family;
    f.binary = b.path;
    SubprocessSpec list;
    list.argv = {b.path, "--gtest_list_tests"};
    list.env = CompatEnvironment(work);
    list.cwd = work;
    SubprocessResult r = RunSubprocess(list, options_.timeout);
    if (!r.Succeeded()) {
      f.list_error = r.Describe();
      if (std::string err = LastLine(r.stderr_text); !err.empty())
        absl::StrAppend(&f.list_error, ": ", err);
      progress_ << "runsc-compat: " << b.family << ": --gtest_list_tests " << f.list_error << "\n";
    } else {
      for (std::string& name : ParseGtestListing(r.stdout_text)) {
        if (filter.Selects(b.family, name)) {
          f.cases.push_back(std::move(name));
        } else {
          f.whole_binary = false;
        }
      }
    }
    if (f.cases.empty() && f.list_error.empty()) continue;  // Filtered out.
    families.push_back(std::move(f));
  }

  // One launcher per runtime, shared by the workers.
  std::map<std::string, std::unique_ptr<Launcher>> launchers;
  for (const RuntimeSpec& r : options_.runtimes) {
    if (!r.unavailable.empty()) continue;
    if (r.native) {
      launchers[r.name] = std::make_unique<NativeLauncher>(work);
    } else {
      fs::create_directories(fs::path(options_.out_dir) / "logs" / r.name, ec);
      launchers[r.name] = std::make_unique<OciLauncher>(r, work);
    }
  }
  fs::create_directories(fs::path(options_.out_dir) / "logs" / kNativeRuntime, ec);

  struct Task {
    FamilyResults* family;
    const RuntimeSpec* runtime;
  };
  std::vector<Task> tasks;
  for (FamilyResults& f : families) {
    for (const RuntimeSpec& r : options_.runtimes) {
      if (f.cases.empty()) continue;
      if (!r.unavailable.empty()) {
        FamilyOutcome& o = f.by_runtime[r.name];
        for (const std::string& name : f.cases) {
          o.cases[name] = {Verdict::kSkip, absl::StrCat("runtime not available: ", r.unavailable)};
        }
        continue;
      }
      f.by_runtime[r.name];  // Created here so that workers never insert into the map.
      tasks.push_back({&f, &r});
    }
  }

  std::atomic<size_t> next{0};
  std::mutex mu;  // Guards progress_ and the outcomes.
  auto worker = [&] {
    for (size_t i; (i = next++) < tasks.size() && !SubprocessesCancelled();) {
      const Task& t = tasks[i];
      const std::string log_path = (fs::path(options_.out_dir) / "logs" / t.runtime->name /
                                    absl::StrCat(t.family->family, ".log"))
                                       .string();
      std::ofstream log(log_path, std::ios::trunc);
      const size_t listed = t.family->cases.size();
      FamilyRunner runner(*launchers.at(t.runtime->name), options_.timeout, log ? &log : nullptr);
      const absl::Time start = absl::Now();
      FamilyOutcome outcome = runner.Run(t.family->binary, t.family->cases, t.family->whole_binary);
      std::lock_guard<std::mutex> lock(mu);
      progress_ << "runsc-compat: [" << t.runtime->name << "] " << t.family->family << ": "
                << Counts(outcome) << " of " << listed << " in "
                << absl::FormatDuration(absl::Trunc(absl::Now() - start, absl::Milliseconds(1)))
                << " (" << outcome.launches << " launch" << (outcome.launches == 1 ? "" : "es")
                << ")\n";
      progress_.flush();
      t.family->by_runtime[t.runtime->name] = std::move(outcome);
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < std::min<int>(options_.jobs, static_cast<int>(tasks.size())); ++i) {
    threads.emplace_back(worker);
  }
  for (std::thread& t : threads) t.join();
  launchers.clear();

  if (!options_.keep_work) {
    fs::remove_all(work, ec);
  } else {
    progress_ << "runsc-compat: kept the work directory " << work << "\n";
  }
  if (SubprocessesCancelled()) {
    return absl::CancelledError(
        "interrupted: every container started was deleted; no report written");
  }
  return CompatResults(options_.runtimes, std::move(families));
}

absl::Status CompatRunner::WriteReports(const CompatResults& results, std::string* chart_problem) {
  ChartWriter chart(options_.out_dir, options_.gnuplot);
  return WriteReportFiles(
      options_.out_dir, results.ToJson(), [&] { return chart.Write(results); },
      [&](const std::string& chart_file, const std::string& problem) {
        ReportContext context;
        context.date = absl::Now();
        context.host = HostDescription();
        context.timeout = options_.timeout;
        context.command = options_.command;
        context.chart = chart_file;
        context.chart_problem = problem;
        return RenderMarkdownReport(results, context);
      },
      chart_problem);
}

}  // namespace runsc::compat
