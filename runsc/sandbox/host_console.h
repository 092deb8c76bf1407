// The container's terminal on the host side (process.terminal: true): a host
// pty that runsc allocates before the sandbox is confined, whose slave
// becomes the sentry's stdio and controlling terminal and whose master goes
// to whoever asked for it with --console-socket, as runc does it.
#ifndef RUNSC_RUNSC_SANDBOX_HOST_CONSOLE_H_
#define RUNSC_RUNSC_SANDBOX_HOST_CONSOLE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/unique_fd.h"

namespace runsc::sandbox {

// What runc puts in the message that carries the master: the name of the
// file it sent, which for a pty master opened from /dev/ptmx is "/dev/ptmx"
// (runc's utils.SendFile of console.NewPty()'s master). Receivers
// (containerd's go-runc, podman's conmon) only take the descriptor.
inline constexpr char kConsoleMasterName[] = "/dev/ptmx";

struct HostPty {
  UniqueFd master;
  UniqueFd slave;
  std::string slave_name;  // "/dev/pts/N", for messages.
};

// Opens a new host pty pair: master from /dev/ptmx, unlocked, and its slave
// opened through the master (TIOCGPTPEER), both close-on-exec and neither
// becoming this process's controlling terminal. `rows`/`cols` (both > 0)
// set the initial window size, as process.consoleSize does under runc.
[[nodiscard]] absl::StatusOr<HostPty> OpenHostPty(unsigned rows = 0, unsigned cols = 0);

// Connects to the unix stream socket at `path` (--console-socket). Done
// before anything else is made, so that a bad path is an error that leaves
// nothing behind.
[[nodiscard]] absl::StatusOr<UniqueFd> ConnectConsoleSocket(const std::string& path);

// Sends `master` over `socket` as runc does: one message, payload
// kConsoleMasterName, one descriptor in SCM_RIGHTS.
[[nodiscard]] absl::Status SendConsoleMaster(int socket, int master);

}  // namespace runsc::sandbox

#endif  // RUNSC_RUNSC_SANDBOX_HOST_CONSOLE_H_
