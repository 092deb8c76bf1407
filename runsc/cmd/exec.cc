#include "runsc/cmd/exec.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "runsc/cmd/console_relay.h"
#include "runsc/cmd/signal_forwarder.h"
#include "runsc/cmd/terminal_signal_relay.h"
#include "runsc/config/bundle.h"
#include "runsc/container/atomic_file.h"
#include "runsc/container/container.h"
#include "runsc/sandbox/child_process.h"
#include "runsc/sandbox/control_client.h"
#include "runsc/sandbox/host_console.h"
#include "runsc/status_macros.h"

namespace runsc::cmd {
namespace {

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The exec'd process's exit, as runsc exec's exit code. If the sentry went
// away first (the container was killed), the process went with it: 128+KILL.
int ExitCodeOf(sandbox::ExecSession& session) {
  absl::StatusOr<int> status = session.Wait();
  if (!status.ok()) {
    LogWarning("exec: pid ", session.pid(), ": ", status.status().message(),
               "; reporting it as killed");
    return 128 + SIGKILL;
  }
  return sandbox::ExitCodeFromWaitStatus(*status);
}

// --detach: a child that holds the session and exits with the process's
// status. Its stdio goes to /dev/null, so that a caller's pipes close when
// the exec'd process closes them, not when this waiter exits.
// With a terminal, `relay` (a pidfd, or -1) is its TerminalSignalRelay,
// which the waiter ends with the process.
absl::StatusOr<pid_t> ForkWaiter(sandbox::ExecSession& session, int relay) {
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
  if (pid > 0) return pid;
  int null_fd = open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    for (int fd = 0; fd <= 2; ++fd) dup2(null_fd, fd);
    if (null_fd > 2) close(null_fd);
  }
  const int code = ExitCodeOf(session);
  // Through a pidfd: the relay is not our child, and may have ended by
  // itself, its pid reused.
  if (relay >= 0) syscall(SYS_pidfd_send_signal, relay, SIGKILL, nullptr, 0);
  _exit(code);
}

}  // namespace

absl::StatusOr<std::unique_ptr<PtyStdio>> PtyStdio::Open(unsigned rows, unsigned cols) {
  RUNSC_ASSIGN_OR_RETURN(sandbox::HostPty pty, sandbox::OpenHostPty(rows, cols));
  LogDebug("exec: terminal is ", pty.slave_name);
  return std::unique_ptr<PtyStdio>(new PtyStdio(std::move(pty)));
}

absl::StatusOr<std::array<int, 3>> PtyStdio::Descriptors() {
  if (!pty_.slave.valid()) return absl::FailedPreconditionError("the pty slave is closed");
  return std::array<int, 3>{pty_.slave.get(), pty_.slave.get(), pty_.slave.get()};
}

absl::Status ExecCommand::CheckTerminal(bool terminal) const {
  // runc's rules: a detached process's terminal must go somewhere, and a
  // console socket is for a terminal.
  if (terminal && detach_ && console_socket_.empty()) {
    return absl::InvalidArgumentError(
        "exec --detach with a terminal needs --console-socket to send the pty master to");
  }
  if (!terminal && !console_socket_.empty()) {
    return absl::InvalidArgumentError(
        "--console-socket is only used with --tty (or a --process with \"terminal\": true)");
  }
  return absl::OkStatus();
}

void ExecCommand::SetFlags(CLI::App& app) {
  app.add_option("-p,--process", process_file_, "path to a process.json");
  app.add_flag("-d,--detach", detach_, "return at once; a waiter process exits with the status");
  app.add_option("--pid-file", pid_file_, "file to write the host pid that exits with the status");
  app.add_option("--cwd", flags_.cwd, "current working directory in the container");
  app.add_option("-e,--env", flags_.env, "set an environment variable (KEY=value)")
      ->allow_extra_args(false);
  app.add_option("-u,--user", flags_.user, "uid[:gid]");
  app.add_option("-g,--additional-gids", flags_.additional_gids, "additional gids")
      ->allow_extra_args(false);
  app.add_option("-c,--cap", flags_.caps, "add a capability to the process's sets")
      ->allow_extra_args(false);
  app.add_flag("--no-new-privs", flags_.no_new_privs, "set no_new_privs for the process");
  app.add_flag("-t,--tty", tty_, "allocate a pseudo-TTY (its master: --console-socket, or relayed)");
  app.add_option("--console-socket", console_socket_, "unix socket for the pty master (needs --tty)");
  app.add_option("--preserve-fds", preserve_fds_, "pass N extra descriptors (not supported yet)");
  app.add_option("--cgroup", cgroup_, "run in a sub-cgroup (not supported)");
  app.add_option("--process-label", process_label_, "accepted for runc compatibility; no effect");
  app.add_option("--apparmor", apparmor_, "accepted for runc compatibility; no effect");
  app.add_flag("--ignore-paused", ignore_paused_, "allow exec in a paused container");
  app.add_option("container-id", id_, "container id")->required();
  app.add_option("command", command_, "command and arguments (without --process)");
  // Everything after the id belongs to the command, dashes included. The
  // repeatable flags above take one value each, as runc's do: a vector
  // option would otherwise swallow the id and the command.
  app.positionals_at_end();
  app.prefix_command(false);
}

absl::StatusOr<config::SpecProcess> ExecCommand::BaseProcess(const std::string& bundle) const {
  if (!process_file_.empty()) {
    RUNSC_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(process_file_));
    absl::StatusOr<config::SpecProcess> process = config::ParseProcessSpec(text);
    if (!process.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--process ", process_file_, ": ", process.status().message()));
    }
    return process;
  }
  RUNSC_ASSIGN_OR_RETURN(config::Bundle loaded, config::LoadBundle(bundle));
  return loaded.spec.process;
}

absl::StatusOr<int> ExecCommand::Execute(const config::GlobalConfig& config) {
  if (preserve_fds_ != 0) return absl::UnimplementedError("exec --preserve-fds is not supported yet");
  if (!cgroup_.empty()) return absl::UnimplementedError("exec --cgroup is not supported");
  if (!process_file_.empty() && !command_.empty()) {
    return absl::InvalidArgumentError("exec: give either --process or a command, not both");
  }
  if (process_file_.empty() && command_.empty()) {
    return absl::InvalidArgumentError("exec: no command given (see runsc exec --help)");
  }
  RUNSC_ASSIGN_OR_RETURN(container::ContainerSnapshot snap,
                         container::Container::Peek(config.root, id_));
  switch (snap.status) {
    case container::ContainerStatus::kCreated:
    case container::ContainerStatus::kRunning:
      break;
    case container::ContainerStatus::kPaused:
      if (!ignore_paused_) {
        return absl::FailedPreconditionError(
            "cannot exec in a paused container (use --ignore-paused to override)");
      }
      break;
    case container::ContainerStatus::kCreating:
      return absl::FailedPreconditionError(
          absl::StrCat("container \"", id_, "\" is still being created"));
    case container::ContainerStatus::kStopped:
      return absl::FailedPreconditionError("cannot exec in a stopped container");
  }

  ExecFlags flags = flags_;
  flags.args = command_;
  // As runc: from the command line the terminal is --tty's (the container's
  // own process.terminal is its console's, not this process's); a --process
  // file says it itself, and --tty can only add one.
  if (process_file_.empty() || tty_) flags.terminal = tty_;
  RUNSC_ASSIGN_OR_RETURN(config::SpecProcess base, BaseProcess(snap.state.bundle));
  RUNSC_ASSIGN_OR_RETURN(config::SpecProcess process, ApplyExecFlags(std::move(base), flags));
  RUNSC_RETURN_IF_ERROR(CheckTerminal(process.terminal));
  RUNSC_ASSIGN_OR_RETURN(nlohmann::json request, ExecRequestJson(process));

  // Before the process exists, so that no signal meant for it is lost.
  absl::StatusOr<SignalForwarder> forwarder =
      detach_ ? absl::StatusOr<SignalForwarder>(absl::CancelledError()) : SignalForwarder::Create();
  if (!detach_ && !forwarder.ok()) return forwarder.status();

  // With a terminal, the console socket first: a path nobody listens on is
  // an error before the process exists.
  UniqueFd console_socket;
  if (process.terminal && !console_socket_.empty()) {
    RUNSC_ASSIGN_OR_RETURN(console_socket, sandbox::ConnectConsoleSocket(console_socket_));
  }
  InheritedStdio inherited;
  std::unique_ptr<PtyStdio> pty;
  if (process.terminal) {
    RUNSC_ASSIGN_OR_RETURN(pty, PtyStdio::Open(process.console_height, process.console_width));
  }
  ExecStdio& stdio = pty != nullptr ? static_cast<ExecStdio&>(*pty) : inherited;
  using StdioFds = std::array<int, 3>;
  RUNSC_ASSIGN_OR_RETURN(StdioFds fds, stdio.Descriptors());
  const std::string dir = container::Container::StateDir(config.root, id_);
  // The terminal's keys and window changes reach the process through a
  // TerminalSignalRelay, which owns the terminal before the process runs
  // (while this process has no other thread). A detached one outlives us.
  std::unique_ptr<TerminalSignalRelay> terminal_signals;
  if (pty != nullptr) {
    absl::StatusOr<std::unique_ptr<TerminalSignalRelay>> started =
        TerminalSignalRelay::Start(pty->slave(), dir, /*die_with_parent=*/!detach_);
    if (started.ok()) {
      terminal_signals = *std::move(started);
    } else {
      LogWarning("exec --tty: ", started.status().message(),
                 "; ^C and window changes will not reach the process");
    }
  }
  sandbox::ControlClient control(dir);
  absl::StatusOr<sandbox::ExecSession> session = control.Exec(std::move(request), fds);
  if (!session.ok()) {
    if (absl::IsUnavailable(session.status())) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot exec in container \"", id_, "\": ", session.status().message()));
    }
    return session.status();
  }
  LogDebug("exec in ", id_, ": pid ", session->pid(), " in the sandbox");

  // The terminal's master goes to the console socket (containerd, podman),
  // or stays here and is relayed to our own stdio, as runc exec -t does.
  std::unique_ptr<ConsoleRelay> relay;
  // The sentry holds the slave now; ours would keep the terminal open (no
  // hang-up for the master's reader) after the process is gone.
  if (pty != nullptr) pty->CloseSlave();
  if (terminal_signals != nullptr) {
    if (absl::Status attached = terminal_signals->Attach(session->pid()); !attached.ok()) {
      LogWarning("exec --tty: ", attached.message());
    }
  }
  if (pty != nullptr) {
    UniqueFd master = pty->TakeMaster();
    absl::Status handed_over;
    if (console_socket.valid()) {
      handed_over = sandbox::SendConsoleMaster(console_socket.get(), master.get());
    } else {
      absl::StatusOr<std::unique_ptr<ConsoleRelay>> started = ConsoleRelay::Start(std::move(master));
      if (started.ok()) relay = *std::move(started);
      handed_over = started.status();
    }
    if (!handed_over.ok()) {
      // Nobody could see or type into its terminal: undo the exec.
      (void)control.SignalProcess(session->pid(), SIGKILL);
      return absl::Status(handed_over.code(),
                          absl::StrCat("exec: setting up the terminal: ", handed_over.message()));
    }
  }

  if (detach_) {
    UniqueFd relay_pidfd;
    if (terminal_signals != nullptr) {
      relay_pidfd = UniqueFd(static_cast<int>(syscall(SYS_pidfd_open, terminal_signals->pid(), 0)));
    }
    RUNSC_ASSIGN_OR_RETURN(pid_t waiter, ForkWaiter(*session, relay_pidfd.get()));
    if (terminal_signals != nullptr) terminal_signals->Release();
    if (!pid_file_.empty()) {
      absl::Status written =
          container::WriteFileAtomically(pid_file_, absl::StrCat(waiter), 0644);
      if (!written.ok()) {
        // Without its pid file nobody would wait for it: undo the exec.
        (void)control.SignalProcess(session->pid(), SIGKILL);
        return written;
      }
    }
    return 0;
  }
  if (!pid_file_.empty()) {
    RUNSC_RETURN_IF_ERROR(
        container::WriteFileAtomically(pid_file_, absl::StrCat(getpid()), 0644));
  }
  const int pid = session->pid();
  if (!session->has_pending()) {
    RUNSC_RETURN_IF_ERROR(forwarder->ForwardUntilReadable(session->fd(), [&](int signo) {
      absl::Status sent = control.SignalProcess(pid, signo);
      if (!sent.ok()) LogWarning("exec: forwarding signal ", signo, ": ", sent.message());
    }));
  }
  const int exit_code = ExitCodeOf(*session);
  terminal_signals.reset();
  relay.reset();  // The process's last output, then the caller's tty mode back.
  return exit_code;
}

}  // namespace runsc::cmd
