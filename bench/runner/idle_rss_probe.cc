#include "bench/runner/idle_rss_probe.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "bench/runner/process_memory.h"
#include "nlohmann/json.hpp"
#include "test/syscalls/runner/oci_bundle.h"
#include "test/syscalls/runner/subprocess.h"

namespace runsc::bench {
namespace fs = std::filesystem;
namespace {

// While it lives, orphans of our children are re-parented to us.
class ScopedSubreaper {
 public:
  ScopedSubreaper() : ok_(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0) {}
  ~ScopedSubreaper() {
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    // The container's processes were re-parented to us, so once delete has
    // killed them they are our zombies: reap them. Nothing else of ours
    // runs meanwhile (the run is sequential and RunSubprocess reaps its own).
    const absl::Time stop = absl::Now() + absl::Seconds(5);
    while (absl::Now() < stop) {
      const pid_t pid = waitpid(-1, nullptr, WNOHANG);
      if (pid > 0) continue;
      if (pid < 0 && errno == ECHILD) break;
      absl::SleepFor(absl::Milliseconds(20));
    }
  }
  bool ok() const { return ok_; }

 private:
  bool ok_;
};

}  // namespace

absl::Status IdleRssProbe::Runtime(const std::string& state, const std::vector<std::string>& args,
                                   std::string* stdout_text) {
  compat::SubprocessSpec spec;
  spec.argv = runtime_.command;
  spec.argv.insert(spec.argv.end(), {"--root", state});
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.survives_cancel = args[0] == "delete" || args[0] == "kill";
  // The container keeps the runtime's stdio: a file, not a pipe (subprocess.h).
  if (stdout_text == nullptr) {
    spec.output_file = absl::StrCat(work_dir_, "/idle-", runtime_.name, "-", args[0], ".log");
  }
  compat::SubprocessResult r = compat::RunSubprocess(spec, timeout_);
  if (stdout_text != nullptr) *stdout_text = r.stdout_text;
  if (!r.Succeeded()) {
    std::string why = compat::LastLine(r.stderr_text);
    return absl::InternalError(
        absl::StrCat(runtime_.name, " ", args[0], " ", r.Describe(), why.empty() ? "" : ": ", why));
  }
  return absl::OkStatus();
}

absl::StatusOr<Measurement> IdleRssProbe::Measure() {
  const std::string bundle = absl::StrCat(work_dir_, "/idle-bundle-", runtime_.name);
  const std::string state = absl::StrCat(work_dir_, "/idle-state-", runtime_.name);
  const std::string pid_file = absl::StrCat(work_dir_, "/idle-", runtime_.name, ".pid");
  const std::string id = absl::StrCat("runsc-bench-", getpid(), "-", runtime_.name, "-idle");
  std::error_code ec;
  fs::create_directories(state, ec);
  if (absl::Status s = compat::WriteOciBundleOnRootfs(bundle, rootfs_, {"/bin/sleep", "1000"});
      !s.ok()) {
    return s;
  }
  absl::StatusOr<Measurement> measured;
  {
    ScopedSubreaper subreaper;
    if (!subreaper.ok()) {
      return absl::InternalError(absl::StrCat("prctl(PR_SET_CHILD_SUBREAPER): ", strerror(errno)));
    }
    measured = MeasureCreated(bundle, state, id, pid_file);
    // Whatever happened: nothing may be left running.
    absl::Status killed = Runtime(state, {"kill", id, "KILL"});
    absl::Status deleted = Runtime(state, {"delete", "--force", id});
    if (measured.ok() && !deleted.ok()) measured = deleted;
    (void)killed;  // The container may have died already; delete is what counts.
  }
  fs::remove_all(bundle, ec);
  return measured;
}

absl::StatusOr<Measurement> IdleRssProbe::MeasureCreated(const std::string& bundle,
                                                         const std::string& state,
                                                         const std::string& id,
                                                         const std::string& pid_file) {
  if (absl::Status s = Runtime(state, {"create", "--bundle", bundle, "--pid-file", pid_file, id});
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Runtime(state, {"start", id}); !s.ok()) return s;
  absl::SleepFor(settle_);

  std::string state_json;
  if (absl::Status s = Runtime(state, {"state", id}, &state_json); !s.ok()) return s;
  nlohmann::json oci_state = nlohmann::json::parse(state_json, nullptr, false);
  const std::string status =
      oci_state.is_object() ? oci_state.value("status", "?") : "unreadable";
  if (status != "running") {
    return absl::FailedPreconditionError(absl::StrCat(
        "the container is ", status, " ", absl::FormatDuration(settle_), " after start"));
  }
  std::ifstream in(pid_file);
  pid_t pid = 0;
  if (!(in >> pid) || pid <= 0) {
    return absl::DataLossError(absl::StrCat("no pid in the pid-file ", pid_file));
  }

  const std::vector<HostProcess> processes = LiveDescendants(getpid());
  bool has_pid = false;
  int64_t total_kb = 0;
  std::map<std::string, int> names;
  for (const HostProcess& p : processes) {
    has_pid |= p.pid == pid;
    absl::StatusOr<int64_t> kb = ProcessMemoryKb(p.pid);
    if (!kb.ok()) continue;  // It exited since the listing.
    total_kb += *kb;
    ++names[p.name];
  }
  if (!has_pid) {
    return absl::FailedPreconditionError(
        absl::StrCat("the pid-file's pid ", pid, " is not among the container's processes"));
  }
  Measurement m;
  m.value = static_cast<double>(total_kb) * 1024 / 1e6;
  m.unit = "MB";
  std::vector<std::string> counted;
  for (const auto& [name, n] : names) counted.push_back(n == 1 ? name : absl::StrCat(n, "× ", name));
  m.detail = absl::StrCat(processes.size(), processes.size() == 1 ? " process: " : " processes: ",
                          absl::StrJoin(counted, ", "));
  return m;
}

}  // namespace runsc::bench
