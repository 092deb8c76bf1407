#include "test/syscalls/runner/runner_cli.h"

#include <signal.h>
#include <stdlib.h>

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

}  // namespace runsc::compat
