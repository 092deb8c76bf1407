#include "runsc/cmd/ps.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/errno_status.h"
#include "nlohmann/json.hpp"
#include "runsc/container/container.h"
#include "runsc/sandbox/child_process.h"
#include "runsc/sandbox/control_client.h"
#include "runsc/sandbox/pid_namespace.h"
#include "runsc/status_macros.h"

namespace runsc::cmd {
namespace {

// The stdout of `ps args...`, run from PATH without a shell.
absl::StatusOr<std::string> RunPs(const std::vector<std::string>& args) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return HostError("pipe");
  pid_t pid = fork();
  if (pid < 0) return HostError("fork");
  if (pid == 0) {
    dup2(out[1], 1);
    std::vector<char*> argv;
    static char ps[] = "ps";
    argv.push_back(ps);
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp("ps", argv.data());
    _exit(127);
  }
  close(out[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof(buf))) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    text.append(buf, n);
  }
  close(out[0]);
  RUNSC_ASSIGN_OR_RETURN(int code, sandbox::WaitForExitCode(pid));
  if (code != 0) return absl::InternalError(absl::StrCat("ps exited with status ", code));
  return text;
}

}  // namespace

absl::StatusOr<std::string> FilterPsOutput(const std::string& ps_output, const std::set<pid_t>& pids) {
  std::vector<std::string> lines = absl::StrSplit(ps_output, '\n', absl::SkipEmpty());
  if (lines.empty()) return absl::InternalError("ps printed nothing");
  std::vector<absl::string_view> header = absl::StrSplit(lines[0], ' ', absl::SkipEmpty());
  size_t column = header.size();
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == "PID") column = i;
  }
  if (column == header.size()) return absl::InvalidArgumentError("ps output has no PID column");
  std::string out = lines[0] + "\n";
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<absl::string_view> fields = absl::StrSplit(lines[i], ' ', absl::SkipEmpty());
    pid_t pid;
    if (column < fields.size() && absl::SimpleAtoi(fields[column], &pid) && pids.count(pid)) {
      absl::StrAppend(&out, lines[i], "\n");
    }
  }
  return out;
}

void PsCommand::SetFlags(CLI::App& app) {
  app.add_option("-f,--format", format_, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  app.add_option("container-id", id_, "container id")->required();
  app.add_option("ps-options", ps_args_, "options for ps (default -ef)");
  app.positionals_at_end();
}

absl::StatusOr<int> PsCommand::Execute(const config::GlobalConfig& config) {
  RUNSC_ASSIGN_OR_RETURN(container::ContainerSnapshot snap,
                         container::Container::Peek(config.root, id_));
  if (snap.status == container::ContainerStatus::kPaused) {
    // A frozen sentry cannot answer; its cgroup knows the same processes.
    return absl::FailedPreconditionError(absl::StrCat("container \"", id_, "\" is paused"));
  }
  if (snap.status != container::ContainerStatus::kCreated &&
      snap.status != container::ContainerStatus::kRunning) {
    return absl::FailedPreconditionError(absl::StrCat("container \"", id_, "\" is not running"));
  }
  sandbox::ControlClient control(container::Container::StateDir(config.root, id_));
  RUNSC_ASSIGN_OR_RETURN(std::vector<pid_t> inner, control.HostPids());
  RUNSC_ASSIGN_OR_RETURN(std::vector<pid_t> pids,
                         sandbox::TranslateToHostPids(snap.state.sentry.pid, inner));
  if (format_ == "json") {
    std::cout << nlohmann::json(pids).dump() << std::endl;
    return 0;
  }
  RUNSC_ASSIGN_OR_RETURN(std::string ps, RunPs(ps_args_.empty() ? std::vector<std::string>{"-ef"}
                                                                : ps_args_));
  RUNSC_ASSIGN_OR_RETURN(std::string table, FilterPsOutput(ps, {pids.begin(), pids.end()}));
  std::cout << table;
  return 0;
}

}  // namespace runsc::cmd
