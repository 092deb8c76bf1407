// What `runsc exec` asks the sentry to run: runc's rules for turning
// --process or the command line and flags into a process.
//
// Without --process, runc starts from the container's own config.json
// process (its env, user, cwd, capabilities, rlimits, noNewPrivileges) and
// replaces the args; --env adds or overrides variables, --cwd, --user and
// --additional-gids replace, --cap adds a capability to every set,
// --no-new-privs sets it. With --process, that file is the process, and the
// flags apply on top in the same way.
#ifndef RUNSC_RUNSC_CMD_EXEC_PROCESS_H_
#define RUNSC_RUNSC_CMD_EXEC_PROCESS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "runsc/config/spec.h"

namespace runsc::cmd {

struct ExecFlags {
  std::vector<std::string> args;  // Replace the process's args when not empty.
  std::vector<std::string> env;   // KEY=value, added or overriding.
  std::string cwd;                // "" keeps the process's.
  std::string user;               // "uid[:gid]"; "" keeps the process's.
  std::vector<uint32_t> additional_gids;
  std::vector<std::string> caps;  // CAP_* names (or without the CAP_ prefix).
  bool no_new_privs = false;
  // --tty: process.terminal set (unset keeps the process's).
  std::optional<bool> terminal;
};

// The process after the flags; errors name the bad flag.
[[nodiscard]] absl::StatusOr<config::SpecProcess> ApplyExecFlags(config::SpecProcess process,
                                                                 const ExecFlags& flags);

// The control protocol's exec members (control_server.h) for `process`;
// "terminal" when process.terminal is set (the caller then passes a tty).
// All five capability sets are sent as masks; the sentry installs them and
// applies execve's rules. An unknown name (ParseProcessSpec refuses them)
// is skipped with a warning.
[[nodiscard]] absl::StatusOr<nlohmann::json> ExecRequestJson(const config::SpecProcess& process);

}  // namespace runsc::cmd

#endif  // RUNSC_RUNSC_CMD_EXEC_PROCESS_H_
