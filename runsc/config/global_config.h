// runsc's global flags, typed (runsc [global flags] <command> …).
#ifndef RUNSC_RUNSC_CONFIG_GLOBAL_CONFIG_H_
#define RUNSC_RUNSC_CONFIG_GLOBAL_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace runsc::config {

enum class LogFormatFlag { kText, kJson };
enum class NetworkMode { kNone, kHost, kSandbox };

struct GlobalConfig {
  std::string root = "/run/runsc";  // State directory: <root>/<id>/state.json.
  std::string log_path;             // --log: runsc's own log (errors as JSON lines with json).
  LogFormatFlag log_format = LogFormatFlag::kText;
  bool debug = false;
  std::string debug_log_path;  // --debug-log: where the sentry and gofer log.
  bool strace = false;
  // systrap by default (issue 7: once it passes what ptrace passes, which it
  // does, and with CPU pairing it is the faster one); ptrace needs no
  // FSGSBASE and is the fallback for hosts without it.
  std::string platform = "systrap";
  bool vdso = true;  // --vdso=false: clock calls trap instead (sentry/vdso/vdso.h).
  // --cpu-pairing=false: application threads and their sentry threads may
  // run on different CPUs (platform/cpu_pairing.h).
  bool cpu_pairing = true;
  // --file-access=shared: something outside the sandbox may change the
  // rootfs while it runs, so the sentry keeps none of its stats, missing
  // names or read-only fds (fs/gofer_fs_cache.h). Default exclusive (DESIGN
  // §5), as gVisor's --file-access.
  bool file_access_exclusive = true;
  // --syscall-patching: on systrap, rewrite a hot `mov $nr, %eax; syscall`
  // or `syscall; cmp $-4095, %rax` of the application into a jump to stub
  // code that hands the syscall to the sentry without a signal
  // (platform/systrap/syscall_patch.h). On: bench-platform's round trip
  // 10.0 -> 8.3 us paired, compat unchanged.
  bool syscall_patching = true;
  // --systrap-spin-us: on systrap, how long each side of a hand-off between
  // an application thread and the sentry spins before it sleeps, used only
  // while a spare CPU lets the pair spin and spins keep being answered
  // (platform/systrap/spin_policy.h); 0: never spin. 50, not 10: a spin
  // that runs out sends its peer to sleep, and waking a peer whose CPU went
  // idle takes longer than 10 us on a VM, so with 10 one miss became four
  // in a row and the policy stopped spinning every ~1600 round trips (a
  // getppid loop: 2.0 us at 10, 0.8 us at 50, 0.81 at 200; see
  // SystrapOptions::kDefaultSpinNs).
  uint64_t systrap_spin_us = 50;
  // --direct-file-reads=false: reads of regular files go through the
  // sentry's buffer, never a mapping of the file (fs/mapped_file_reader.h).
  bool direct_file_reads = true;
  // Default none: the only mode implemented, so that callers which pass no
  // --network (containerd, podman) get a working sandbox.
  NetworkMode network = NetworkMode::kNone;
  bool systemd_cgroup = false;

  // Accepted for runc compatibility and ignored (see cli.cc).
  std::string criu_path;
  std::string rootless = "auto";
};

// Checks what `create`/`run` can honour today; each unsupported setting is a
// clear error rather than a sandbox that silently differs from the request.
[[nodiscard]] absl::Status ValidateForCreate(const GlobalConfig& config);

// The global flags a sandbox child (boot, gofer) needs, as argv words placed
// before the subcommand. --root is included so that every sandbox process
// names its state root on its command line (ps, leftover checks).
std::vector<std::string> ChildGlobalFlags(const GlobalConfig& config);

}  // namespace runsc::config

#endif  // RUNSC_RUNSC_CONFIG_GLOBAL_CONFIG_H_
