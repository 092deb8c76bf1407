#include "test/syscalls/runner/runner_cli.h"

#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <iostream>

#include "absl/strings/str_join.h"
#include "test/syscalls/runner/subprocess.h"

namespace runsc::compat {
namespace {

void OnInterrupt(int) { CancelSubprocesses(); }

}  // namespace

absl::StatusOr<std::vector<RuntimeSpec>> ParseRuntimeFlags(const std::vector<std::string>& flags) {
  const char* path = getenv("PATH");
  std::vector<RuntimeSpec> runtimes;
  for (const std::string& flag : flags) {
    absl::StatusOr<RuntimeSpec> spec =
        ParseRuntimeFlag(flag, path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
    if (!spec.ok()) return spec.status();
    runtimes.push_back(std::move(*spec));
  }
  return runtimes;
}

std::string QuotedCommandLine(int argc, char** argv) {
  std::vector<std::string> words;
  for (int i = 0; i < argc; ++i) words.push_back(QuoteForShell(argv[i]));
  return absl::StrJoin(words, " ");
}

void CancelSubprocessesOnInterrupt() {
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
}

void PutNativeFirst(std::vector<RuntimeSpec>& runtimes) {
  auto native = std::find_if(runtimes.begin(), runtimes.end(),
                             [](const RuntimeSpec& r) { return r.native; });
  if (native == runtimes.end()) {
    RuntimeSpec n;
    n.name = kNativeRuntime;
    n.native = true;
    runtimes.insert(runtimes.begin(), n);
  } else {
    std::rotate(runtimes.begin(), native, native + 1);
  }
}

std::string WorkDirOrTemp(const std::string& work_dir) {
  if (!work_dir.empty()) return work_dir;
  const char* tmp = getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

bool PrepareRun(const char* tool, const std::vector<std::string>& runtime_flags, int argc,
                char** argv, std::vector<RuntimeSpec>& runtimes, std::string& command) {
  absl::StatusOr<std::vector<RuntimeSpec>> parsed = ParseRuntimeFlags(runtime_flags);
  if (!parsed.ok()) {
    std::cerr << tool << ": " << parsed.status().message() << "\n";
    return false;
  }
  runtimes = std::move(*parsed);
  command = QuotedCommandLine(argc, argv);
  CancelSubprocessesOnInterrupt();
  return true;
}

}  // namespace runsc::compat
