// Entry point of the sentry process (`runsc boot`, a hidden subcommand).
//
// runsc (create) turns the OCI bundle into BootOptions: nothing at or below
// this layer knows about OCI.
#ifndef RUNSC_SENTRY_BOOT_BOOT_H_
#define RUNSC_SENTRY_BOOT_BOOT_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "sentry/kernel/credentials.h"

namespace runsc::sentry {

struct Rlimit {
  int resource = 0;  // RLIMIT_* number.
  uint64_t soft = 0;
  uint64_t hard = 0;
};

// A filesystem the sentry mounts in the container, besides its root.
struct MountOptions {
  enum class Type {
    kTmpfs,  // A new tmpfs; `data` holds its size=, mode=, uid=, gid= options.
    kProc,   // The sentry's /proc.
    kSysfs,  // The sentry's /sys.
    kBind,   // A host directory or file the gofer serves as `gofer_mount`.
    kDevpts, // The sandbox's devpts (fs/devpts.h); `data` holds ptmxmode=, mode=, gid=, uid=.
  };
  Type type = Type::kTmpfs;
  std::string destination;  // Absolute path in the container.
  std::string source;       // What /proc/mounts shows as the source.
  bool read_only = false;
  bool nosuid = false, nodev = false, noexec = false;  // Shown; noexec is not enforced yet.
  std::vector<std::string> data;
  uint32_t gofer_mount = 0;  // kBind: 1 for the gofer's first bind mount, ...
};

struct BootOptions {
  std::string container_id;
  std::string platform = "ptrace";  // Platform name; unknown names are an error.

  // The container's first process.
  std::vector<std::string> argv;
  std::vector<std::string> env;     // "KEY=value".
  std::string cwd = "/";
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids;
  // process.capabilities, installed before the program is "exec'd" (the
  // execve rules then apply, as under runc). Absent: uid 0 has every
  // capability, anyone else none.
  std::optional<CapabilitySets> capabilities;
  bool no_new_privileges = false;   // process.noNewPrivileges, set before the "exec".
  std::vector<Rlimit> rlimits;
  std::string hostname;
  bool terminal = false;            // stdio is a tty (fd 0 is the pty slave).

  // Applied in order after the rootfs, /proc, /dev and /dev/shm; a missing
  // mount point is made (as runc does) where the filesystem allows.
  std::vector<MountOptions> mounts;
  // Masked: an empty read-only file or directory over what is there.
  std::vector<std::string> masked_paths;
  // Read-only: EROFS for every change at or below.
  std::vector<std::string> readonly_paths;

  // Descriptors inherited from runsc create. Owned by the sentry.
  int gofer_fd = -1;    // SOCK_SEQPACKET connection to this container's gofer.
  int control_fd = -1;  // Listening unix socket for runsc start/kill/state.
  int ready_fd = -1;    // Write end of a pipe: "ok\n" once user code can start,
                        // or "error: <message>\n"; then closed.
  int log_fd = 2;       // --debug-log / --log destination; not owned.

  bool strace = false;  // Log every syscall with arguments and result.
  bool vdso = true;     // false: the vDSO makes every clock call a syscall.
  bool cpu_pairing = true;  // platform::PlatformOptions::cpu_pairing.
  // The rootfs is the sandbox's alone: keep its stats and read-only fds
  // (fs::GoferFsCache). false: ask the gofer every time.
  bool file_access_exclusive = true;
  bool syscall_patching = true;  // platform::PlatformOptions::syscall_patching.
  uint64_t systrap_spin_ns = 50'000;  // platform::PlatformOptions::systrap_spin_ns.
  bool direct_file_reads = true;  // fs::MappedFileReader::SetEnabled.
  bool debug = false;
};

// Boots the sandbox: connects to the gofer, loads argv[0] from the rootfs,
// reports readiness, waits for `start` on the control socket, runs the
// container until its init exits and returns the container's exit status
// (the exit code, or 128+signal), which the sentry process exits with.
int BootMain(const BootOptions& options);

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_BOOT_BOOT_H_
