// Bring-up and tear-down of one container's sandbox: a gofer serving the
// rootfs and a sentry running the container, both children of runsc create.
//
// The argv contract between create and the hidden subcommands (both are
// /proc/self/exe, the same runsc binary):
//
//   runsc <child global flags> gofer --root <rootfs> [--read-only]
//         [--mount ro:<host path> | --mount rw:<host path>]...
//         --socket-fd 3 --log-fd 4
//       one --mount per OCI bind mount, in config.json's order
//       (config::BindMountsOf): the sentry attaches the n-th as gofer mount n.
//       fds: 0,1,2 /dev/null; 3 = gofer end of a SOCK_SEQPACKET socketpair;
//            4 = log destination.
//
//   runsc <child global flags> boot --bundle <bundle> --gofer-fd 3
//         --control-fd 4 --ready-fd 5 --log-fd 6 <id>
//       fds: 0,1,2 = create's own stdio (the container's stdio), or with
//            process.terminal the host pty slave, which is then also the
//            sentry's controlling terminal (it is a session leader);
//            3 = sentry end of the gofer socketpair;
//            4 = listening unix socket bound at <state dir>/control.sock;
//            5 = write end of the ready pipe; 6 = log destination.
//       boot re-reads <bundle>/config.json through runsc/config and turns it
//       into sentry::BootOptions.
//
// <child global flags> are config::ChildGlobalFlags(): --root, --platform,
// --log-format, and --debug/--strace when set.
//
// Both children start in new mount, pid, ipc, uts and network namespaces
// (each is pid 1 in its own; the pids here are host pids), inside the
// sandbox's cgroup, with only the descriptors above and an environment of
// PATH alone (plus RUNSC_UNSAFE_NO_SECCOMP when set, a debugging escape).
// Each then confines itself (sentry_confinement.h, gofer_confinement.h).
#ifndef RUNSC_RUNSC_SANDBOX_SANDBOX_H_
#define RUNSC_RUNSC_SANDBOX_SANDBOX_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "runsc/sandbox/process_identity.h"

namespace runsc::sandbox {

// The file name of the control socket in the container's state directory.
inline constexpr char kControlSocketName[] = "control.sock";

// A bind mount the gofer serves (runsc gofer --mount).
struct SandboxBindMount {
  std::string source;  // Absolute host path.
  bool read_only = false;
};

struct SandboxSpec {
  std::string container_id;
  std::string bundle_dir;  // Absolute.
  std::string rootfs;      // Absolute host path.
  bool rootfs_readonly = false;
  std::vector<SandboxBindMount> bind_mounts;  // In the order the sentry attaches them.
  std::string state_dir;   // Existing directory; control.sock is bound here.
  std::vector<std::string> child_global_flags;
  int log_fd = -1;         // Where the children log (not owned); -1: nowhere.
  // --debug: the children get this process's timeline origin (PhaseTimer),
  // so that their start-up lines count from when runsc began.
  bool timeline = false;
  // The sandbox cgroup's cgroup.procs files (not owned): both children join
  // before they exec, so the sentry's stubs are born inside.
  std::vector<int> cgroup_procs_fds;
  // process.terminal: the host pty slave (not owned) that is the sentry's
  // stdin, stdout and stderr and its controlling terminal. -1: the sentry
  // gets create's own stdio.
  int console_fd = -1;
  // How long the sentry may take to report that it is ready.
  absl::Duration ready_timeout = absl::Seconds(60);
};

struct SandboxProcesses {
  ProcessIdentity sentry;
  ProcessIdentity gofer;
};

class Sandbox {
 public:
  // Starts the gofer and the sentry and waits until the sentry reports it is
  // ready to run the container ("ok\n" on the ready pipe). On any failure
  // both children are killed and reaped, control.sock is removed, and the
  // error says what went wrong (the sentry's own message when it sent one).
  [[nodiscard]] static absl::StatusOr<SandboxProcesses> Launch(const SandboxSpec& spec);

  // Kills both processes (SIGKILL) if they are still live and waits until
  // they are gone. Safe to call for processes that already exited.
  [[nodiscard]] static absl::Status Destroy(const SandboxProcesses& processes);
};

}  // namespace runsc::sandbox

#endif  // RUNSC_RUNSC_SANDBOX_SANDBOX_H_
