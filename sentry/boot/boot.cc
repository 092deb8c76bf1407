#include "sentry/boot/boot.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/errno_status.h"
#include "base/logging.h"
#include "fs/devfs.h"
#include "fs/fd_table.h"
#include "fs/gofer_node.h"
#include "fs/host_file.h"
#include "fs/host_tty.h"
#include "fs/mapped_file_reader.h"
#include "fs/procfs.h"
#include "fs/sysfs.h"
#include "fs/vfs.h"
#include "gofer/client/gofer_client.h"
#include "platform/platform.h"
#include "base/phase_timer.h"
#include "sentry/boot/console_signal_relay.h"
#include "sentry/boot/control_server.h"
#include "sentry/boot/gofer_watchdog.h"
#include "sentry/boot/kernel_control.h"
#include "sentry/boot/process_launcher.h"
#include "sentry/boot/mounts.h"
#include "sentry/kernel/kernel.h"
#include "sentry/vdso/vdso.h"
#include "syscalls/exec.h"
#include "syscalls/syscall_table.h"

namespace runsc::sentry {
namespace {

void ReportReady(int fd, const absl::Status& status) {
  if (fd < 0) return;
  std::string msg = status.ok() ? "ok\n" : absl::StrCat("error: ", status.message(), "\n");
  ssize_t unused = ::write(fd, msg.data(), msg.size());
  (void)unused;
  ::close(fd);
}

}  // namespace

int BootMain(const BootOptions& options) {
  ::signal(SIGPIPE, SIG_IGN);  // EPIPE from host fds becomes the app's SIGPIPE.
  PhaseTimer timeline("sentry");
  // Before any thread exists: every one inherits the mask.
  if (options.terminal) ConsoleSignalRelay::BlockInThisThread();
  // Logging was configured by the caller (runsc boot), with the user's
  // --log-format and --debug: not reset here.

  fs::MappedFileReader::SetEnabled(options.direct_file_reads);
  absl::StatusOr<std::unique_ptr<platform::Platform>> platform =
      platform::CreatePlatform(options.platform, {.cpu_pairing = options.cpu_pairing,
                                                 .syscall_patching = options.syscall_patching,
                                                 .systrap_spin_ns = options.systrap_spin_ns});
  if (!platform.ok()) {
    LogError("platform: ", platform.status().message());
    ReportReady(options.ready_fd, platform.status());
    return 1;
  }
  timeline.Mark("platform created");
  // For the watchdog, which only polls it: the client owns the connection.
  UniqueFd gofer_watch(::fcntl(options.gofer_fd, F_DUPFD_CLOEXEC, 3));
  auto gofer = std::make_shared<gofer::GoferClient>(UniqueFd(options.gofer_fd));
  absl::StatusOr<gofer::WalkedFile> root = gofer->Attach();
  if (!root.ok()) {
    LogError("gofer attach: ", root.status().message());
    ReportReady(options.ready_fd, root.status());
    return 1;
  }

  timeline.Mark("gofer attach");
  static syscalls::Dispatcher dispatcher;
  Kernel kernel(std::move(*platform), dispatcher);
  kernel.strace = options.strace;
  // Without a vDSO the application still runs: every clock call traps.
  absl::StatusOr<std::unique_ptr<Vdso>> vdso = Vdso::Create({.force_syscalls = !options.vdso});
  if (vdso.ok()) {
    kernel.vdso = vdso->get();
  } else {
    LogWarning("vdso: ", vdso.status().message(), "; clock calls trap to the sentry");
  }
  if (!options.hostname.empty()) {
    if (absl::Status s = kernel.root_uts->SetHostname(options.hostname); !s.ok()) {
      LogError("hostname: ", s.message());
      return 1;
    }
  }
  // The rootfs is the sandbox's alone (DESIGN §5) unless --file-access=shared:
  // its stats, missing names and read-only fds are kept.
  fs::Vfs vfs(std::make_shared<fs::GoferNode>(
      gofer, *root,
      options.file_access_exclusive ? std::make_shared<fs::GoferFsCache>() : nullptr));
  (void)vfs.Mount(nullptr, "/proc", fs::NewProcfs(kernel));
  // The console (process.terminal): fd 0 is the host pty slave, and the
  // container's init has it as controlling terminal, as under runc.
  std::shared_ptr<fs::HostTty> console;
  if (options.terminal) {
    int fd = ::fcntl(0, F_DUPFD_CLOEXEC, 3);
    if (fd < 0 || !::isatty(fd)) {
      absl::Status s = absl::FailedPreconditionError("process.terminal: stdin is not a tty");
      ReportReady(options.ready_fd, s);
      return 1;
    }
    console = std::make_shared<fs::HostTty>(UniqueFd(fd));
  }
  // Terminals of exec'd processes (runsc exec --tty), as /dev/pts/<n>.
  auto terminals = std::make_shared<fs::HostTerminals>();
  // Sentry pseudo-terminals (/dev/ptmx, /dev/pts/<n>), numbered with those.
  auto devpts = std::make_shared<fs::Devpts>(terminals);
  (void)vfs.Mount(nullptr, "/dev", fs::NewDevfs(console, devpts));
  (void)vfs.Mount(nullptr, "/sys", fs::NewSysfs(kernel));

  timeline.Mark("vDSO and /proc, /dev, /sys");
  ProcessLauncher launcher(kernel, vfs, terminals);
  KernelControl control(kernel, launcher);
  ControlServer server(UniqueFd(options.control_fd), control);
  if (absl::Status s = server.StartServing(); !s.ok()) {
    ReportReady(options.ready_fd, s);
    return 1;
  }

  // From here on a gofer that goes away stops the sandbox (see
  // gofer_watchdog.h); the bound on the wait is for tasks that would not
  // die: a sandbox without its files must not stay up.
  absl::StatusOr<std::unique_ptr<GoferWatchdog>> watchdog = GoferWatchdog::Start(
      std::move(gofer_watch), [&kernel, &control] {
        LogError("the gofer hung up: the sandbox can no longer serve the container's files; "
                 "killing the container");
        control.KillSandbox();
        absl::MutexLock lock(&kernel.mu);
        if (!kernel.AwaitExitLocked(/*all_threads=*/false, absl::Now() + absl::Seconds(10))) {
          LogError("the container's init did not die after the gofer hung up; exiting");
          ::_exit(128 + SIGKILL);
        }
      });
  if (!watchdog.ok()) {
    LogError(watchdog.status().message());
    ReportReady(options.ready_fd, watchdog.status());
    return 1;
  }

  std::shared_ptr<Task> init;
  {
    absl::MutexLock lock(&kernel.mu);
    init = kernel.NewTask();
    init->pgid = init->sid = init->tid();
    init->handlers = std::make_shared<SignalHandlers>();
    if (console != nullptr) console->job_control().SetControllingSessionLocked(init->sid, init->pgid);
  }
  std::optional<ConsoleSignalRelay> relay;
  if (console != nullptr) relay.emplace(kernel, console);
  init->context = kernel.platform().NewContext();
  init->creds.ResetTo(options.uid, options.gid);
  init->no_new_privs = options.no_new_privileges;
  if (options.capabilities.has_value()) {
    init->creds.InstallCapabilities(*options.capabilities);
    init->creds.TransformForExecve(/*setid_file=*/false, init->no_new_privs);
  }
  init->creds.groups = options.additional_gids;
  std::sort(init->creds.groups.begin(), init->creds.groups.end());
  init->rlimits[RLIMIT_NOFILE] = {1024, 4096};
  for (const Rlimit& r : options.rlimits) {
    if (r.resource >= 0 && r.resource < RLIM_NLIMITS) init->rlimits[r.resource] = {r.soft, r.hard};
  }
  auto fds = std::make_shared<fs::FdTable>();
  const int stdio_flags[3] = {O_RDONLY, O_WRONLY, O_WRONLY};
  for (int fd = 0; fd < 3; ++fd) {
    std::shared_ptr<fs::File> f;
    if (console != nullptr) {
      f = console->Open(O_RDWR).value_or(nullptr);
    } else {
      f = StdioFile(fd, stdio_flags[fd]);
    }
    if (f) fds->InstallAt(fd, f, false);
  }
  init->fds = fds;
  auto fsc = std::make_shared<fs::FsContext>();
  fsc->vfs = &vfs;
  fsc->root = vfs.root();
  fsc->cwd = vfs.root();
  init->fs = fsc;
  if (absl::Status s = ApplyMounts(*init, vfs, gofer, options, devpts); !s.ok()) {
    LogError(s.message());
    ReportReady(options.ready_fd, s);
    return 1;
  }
  absl::StatusOr<std::shared_ptr<fs::Dentry>> cwd = vfs.Resolve(*init, vfs.root(), options.cwd, true);
  if (!cwd.ok() || (*cwd)->node->Type() != S_IFDIR) {
    absl::Status s = absl::InvalidArgumentError(absl::StrCat("cwd \"", options.cwd, "\" is not a directory in the container"));
    ReportReady(options.ready_fd, s);
    return 1;
  }
  fsc->cwd = *cwd;
  timeline.Mark("rootfs and mounts");

  const int ready_fd = options.ready_fd;
  init->before_run = [&](Task& task) {
    timeline.Mark("the init's host thread");
    std::string exe = FindExecutable(vfs, task, options.argv[0], options.env);
    absl::Status s = syscalls::ExecInto(task, exe, options.argv, options.env);
    if (!s.ok()) {
      s = absl::Status(s.code(), absl::StrCat("cannot execute \"", options.argv[0], "\": ", s.message()));
      LogError(s.message());
    }
    timeline.Mark("loading the container's executable");
    ReportReady(ready_fd, s);
    const bool started = s.ok() && control.WaitForStart();
    timeline.Mark("waiting for runsc start");
    return started;
  };
  if (!init->Start()) {
    ReportReady(ready_fd, absl::ResourceExhaustedError("no host thread for the container's init"));
    return 1;
  }

  int status;
  {
    absl::MutexLock lock(&kernel.mu);
    kernel.AwaitExitLocked(/*all_threads=*/false);
    // Give the other tasks (already SIGKILLed) a moment to go.
    kernel.AwaitExitLocked(/*all_threads=*/true, absl::Now() + absl::Seconds(5));
    status = kernel.init_exit_status;
  }
  timeline.Mark("running the container until its init exited");
  // What the sentry's rootfs caches leave to the gofer (fs/gofer_fs_cache.h).
  LogDebug("gofer round trips while the container ran: ", gofer->RequestsSent());
  control.Shutdown();
  server.Stop();
  if ((status & 0x7f) == 0) return (status >> 8) & 0xff;
  return 128 + (status & 0x7f);
}

}  // namespace runsc::sentry
