// One --runtime flag: where a family binary is run.
//   native                       the binary runs directly on the host
//   NAME=COMMAND [ARGS...]       an OCI runtime with runc's command line, e.g.
//                                runsc-ptrace="build/runsc --platform=ptrace"
//   COMMAND                      the same, named after the command ("runc")
// The command line is split at blanks; '...' and "..." quote, \ escapes.
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_RUNTIME_SPEC_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_RUNTIME_SPEC_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace runsc::compat {

// The name of the runtime that runs binaries directly on the host.
inline constexpr char kNativeRuntime[] = "native";

struct RuntimeSpec {
  std::string name;  // Column name in results.json and the reports.
  bool native = false;
  // The OCI runtime's command line before "--root R run ...": command[0] is
  // an absolute path once resolved.
  std::vector<std::string> command;
  // Non-empty when the runtime cannot run here ("/usr/sbin/runc: not
  // found"): every case is then reported "skip" with this reason.
  std::string unavailable;
};

// Parses a --runtime value and resolves the command against `path_env` (a
// PATH value) and the current directory. A command that is missing is not an
// error: it yields a spec with `unavailable` set. Errors are for values that
// cannot mean anything: an empty or invalid name, an empty command, a
// "native" with a command, unbalanced quotes.
[[nodiscard]] absl::StatusOr<RuntimeSpec> ParseRuntimeFlag(absl::string_view flag,
                                                           absl::string_view path_env);

// Splits a command line as a POSIX shell would for words: blanks separate,
// quotes and backslashes quote. No expansion of any kind.
[[nodiscard]] absl::StatusOr<std::vector<std::string>> SplitCommandLine(absl::string_view line);

// `arg` as one shell word: as it is when nothing in it is special, else in
// single quotes. For the "how to reproduce" command line of a report.
std::string QuoteForShell(absl::string_view arg);

// A name usable as a results.json key and a file name: [A-Za-z0-9_.+-]+.
bool IsValidRuntimeName(absl::string_view name);

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_RUNTIME_SPEC_H_
