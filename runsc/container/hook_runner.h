// Runs the OCI hooks of a container (runtime-spec config.md "POSIX-platform
// Hooks", runtime.md "Lifecycle") at the points of the lifecycle that
// Container calls it at.
//
// Every hook runs on the host, in runsc's own namespaces, with its path
// resolved on the host, as gVisor's runsc runs hooks. runc runs
// createContainer and startContainer inside the container's namespaces; the
// sentry cannot run a host binary inside the sandbox, and a binary taken from
// the container's rootfs must never run on the host, so runsc runs those two
// on the host too, at their lifecycle points (createContainer at the end of
// create, startContainer in start before the container's process runs) and
// with the status the spec gives them. A hook that needs to see the
// container's mounts does not work under runsc.
//
// A hook gets:
//   argv   its args (argv[0] included), or {path} when args is empty;
//   env    exactly its env, nothing inherited (empty when absent);
//   stdin  the container's state JSON (the OCI state, as `runsc state`);
//   stdout, stderr  captured: the first bytes of each go into the error.
// It fails if it cannot be executed, exits non-zero, dies of a signal, or
// runs past its timeout (then it and its process group are SIGKILLed).
#ifndef RUNSC_RUNSC_CONTAINER_HOOK_RUNNER_H_
#define RUNSC_RUNSC_CONTAINER_HOOK_RUNNER_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "runsc/config/spec.h"

namespace runsc::container {

enum class HookKind {
  kPrestart,
  kCreateRuntime,
  kCreateContainer,
  kStartContainer,
  kPoststart,
  kPoststop,
};

// The spec's name of the list: "prestart", "createRuntime"…
const char* HookKindName(HookKind kind);

class HookRunner {
 public:
  explicit HookRunner(config::SpecHooks hooks) : hooks_(std::move(hooks)) {}

  // Runs one hook with `state_json` on its stdin and waits for it. OK iff it
  // exited with status 0 within its timeout. The error says why, runc-style:
  // "exit status 3, stdout: …, stderr: …", "signal 9", "ran past its timeout
  // of 2s and was killed", "cannot execute /x: No such file or directory".
  [[nodiscard]] static absl::Status RunHook(const config::SpecHook& hook,
                                            std::string_view state_json);

  // The hooks of `kind`, in order, each with `state_json`; the first failure
  // stops the rest and is returned as
  //   error running createRuntime hook #1 (/usr/bin/x): exit status 3, …
  // For the hooks whose failure aborts the operation (prestart,
  // createRuntime, createContainer, startContainer).
  [[nodiscard]] absl::Status Run(HookKind kind, std::string_view state_json) const;

  // The hooks of `kind`, every one of them even after a failure, which is
  // logged as a warning: poststart and poststop, whose failures the spec
  // says must not change the lifecycle.
  void RunBestEffort(HookKind kind, std::string_view state_json) const;

 private:
  const std::vector<config::SpecHook>& HooksOf(HookKind kind) const;

  config::SpecHooks hooks_;
};

}  // namespace runsc::container

#endif  // RUNSC_RUNSC_CONTAINER_HOOK_RUNNER_H_
