#include "runsc/container/container.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <optional>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/errno_status.h"
#include "base/logging.h"
#include "base/phase_timer.h"
#include "base/unique_fd.h"
#include "runsc/config/boot_options.h"
#include "runsc/config/bundle.h"
#include "runsc/config/mounts.h"
#include "runsc/container/atomic_file.h"
#include "runsc/container/hook_runner.h"
#include "runsc/sandbox/cgroup.h"
#include "runsc/sandbox/control_client.h"
#include "runsc/sandbox/host_console.h"
#include "runsc/sandbox/sandbox.h"
#include "runsc/status_macros.h"

namespace runsc::container {
namespace {

constexpr char kLockFileName[] = "lock";
constexpr size_t kMaxIdLength = 255;  // A directory name.

std::string Quoted(const std::string& id) { return absl::StrCat("container \"", id, "\""); }

absl::Status DoesNotExist(const std::string& id) {
  return absl::NotFoundError(absl::StrCat(Quoted(id), " does not exist"));
}

// "container not running" verbatim, as runc says it: containerd's runc shim
// matches that text to know that a kill found the process already gone
// (`ctr task rm --force` of a stopped task kills, then deletes).
absl::Status NotRunning(const std::string& id) {
  return absl::FailedPreconditionError(absl::StrCat(Quoted(id), ": container not running"));
}

// Prefixes `status` with what we were doing to which container.
absl::Status Annotate(const absl::Status& status, absl::string_view doing, const std::string& id) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(doing, " ", Quoted(id), ": ", status.message()));
}

std::string ContainerDir(const std::string& root, const std::string& id) {
  return absl::StrCat(root, "/", id);
}

std::string LockPath(const std::string& dir) { return absl::StrCat(dir, "/", kLockFileName); }

// mkdir -p with `mode` for directories it creates.
absl::Status MakeDirectories(const std::string& path, mode_t mode) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", path, ": ", ec.message()));
  chmod(path.c_str(), mode);
  return absl::OkStatus();
}

void RemoveDirectory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (ec) LogWarning("cannot remove ", dir, ": ", ec.message());
}

// A sandbox lives while both its sentry and its gofer do: without the gofer
// it cannot serve a file, and its sentry kills the container when it sees
// the gofer go (sentry/boot/gofer_watchdog.h); until then it is as good as
// stopped, and kill/delete treat it so. (A state without a gofer pid is one
// of a sandbox that never had one recorded.)
bool SandboxIsLive(const ContainerState& state) {
  return sandbox::IsLive(state.sentry) && (state.gofer.pid <= 0 || sandbox::IsLive(state.gofer));
}

// The status now, given the recorded one. `lock_held_elsewhere` says whether
// a creator still holds the container's lock (only asked for kCreating).
ContainerStatus CurrentStatus(const ContainerState& state, bool creator_alive) {
  switch (state.status) {
    case ContainerStatus::kCreating:
      return creator_alive ? ContainerStatus::kCreating : ContainerStatus::kStopped;
    case ContainerStatus::kCreated:
    case ContainerStatus::kRunning:
    case ContainerStatus::kPaused:
      return SandboxIsLive(state) ? state.status : ContainerStatus::kStopped;
    case ContainerStatus::kStopped:
      return ContainerStatus::kStopped;
  }
  return ContainerStatus::kStopped;
}

// The cgroup of a container whose spec names none: runsc/<id> (relative to
// runsc's own cgroup, as runc's default) under the default --root. Ids are
// unique per state root only, so under any other root the name also carries
// a hash of the root: two roots' "abc" must not meet in one cgroup.
std::string DefaultCgroupPath(const std::string& root, const std::string& id) {
  if (root == config::GlobalConfig().root) return absl::StrCat("runsc/", id);
  uint32_t hash = 2166136261u;  // FNV-1a: stable, and short in a name.
  for (unsigned char c : root) hash = (hash ^ c) * 16777619u;
  return absl::StrCat("runsc/", id, "-", absl::Hex(hash, absl::kZeroPad8));
}

// Checks the terminal settings as runc does: a terminal needs somewhere to
// send its master, and a console socket needs a terminal.
absl::Status CheckTerminal(const config::Spec& spec, const CreateOptions& options) {
  if (spec.process.terminal && options.console_socket.empty() && !options.keep_console_master) {
    return absl::InvalidArgumentError(
        "process.terminal is true: --console-socket is required to receive the pty master "
        "(or run it in the foreground with runsc run)");
  }
  if (!spec.process.terminal && !options.console_socket.empty()) {
    return absl::InvalidArgumentError(
        "--console-socket is only used with process.terminal: true, which this config does not set");
  }
  return absl::OkStatus();
}

// Reserves `id` under `root` and returns the new container's lock, held.
// Under the root lock, no other create can take the same id between our
// check and our mkdir, nor find the directory without its lock file.
absl::StatusOr<FileLock> ReserveId(const std::string& root, const std::string& id,
                                   const std::string& dir) {
  RUNSC_ASSIGN_OR_RETURN(FileLock root_lock, FileLock::Acquire(root));
  if (mkdir(dir.c_str(), 0711) != 0) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(absl::StrCat(Quoted(id), " already exists"));
    }
    return HostError(absl::StrCat("mkdir ", dir));
  }
  absl::StatusOr<FileLock> lock = FileLock::Acquire(LockPath(dir), FileLock::Open::kCreate);
  if (!lock.ok()) RemoveDirectory(dir);
  return lock;
}

}  // namespace

absl::Status Container::ValidateId(const std::string& id) {
  if (id.empty()) return absl::InvalidArgumentError("container id must not be empty");
  if (id.size() > kMaxIdLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("container id is longer than ", kMaxIdLength, " characters"));
  }
  bool valid = id != "." && id != ".." &&
               std::all_of(id.begin(), id.end(), [](char c) {
                 return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-' || c == '.';
               });
  if (!valid) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid container id \"", id, "\": use letters, digits, '_', '+', '-' and '.'"));
  }
  return absl::OkStatus();
}

Container::Container(std::string root, ContainerState state, FileLock lock)
    : root_(std::move(root)),
      dir_(ContainerDir(root_, state.id)),
      state_(std::move(state)),
      lock_(std::move(lock)) {}

absl::StatusOr<Container> Container::Create(const config::GlobalConfig& config,
                                            const CreateOptions& options) {
  const std::string& id = options.id;
  PhaseTimer timeline("create");
  RUNSC_RETURN_IF_ERROR(ValidateId(id));
  RUNSC_RETURN_IF_ERROR(config::ValidateForCreate(config));
  RUNSC_ASSIGN_OR_RETURN(config::Bundle bundle, config::LoadBundle(options.bundle));
  RUNSC_RETURN_IF_ERROR(CheckTerminal(bundle.spec, options));
  // What boot will do with the spec, checked now so that the error comes
  // from create rather than from a sentry that failed to start.
  RUNSC_RETURN_IF_ERROR(config::MakeBootOptions(bundle.spec, id).status());
  // The console socket first: a path nobody listens on is an error before
  // anything exists. The pty is opened here, before the sandbox is confined.
  UniqueFd console_socket;
  std::optional<sandbox::HostPty> pty;
  if (bundle.spec.process.terminal) {
    if (!options.console_socket.empty()) {
      RUNSC_ASSIGN_OR_RETURN(console_socket, sandbox::ConnectConsoleSocket(options.console_socket));
    }
    RUNSC_ASSIGN_OR_RETURN(pty, sandbox::OpenHostPty(bundle.spec.process.console_height,
                                                     bundle.spec.process.console_width));
    LogDebug(Quoted(id), ": console is ", pty->slave_name);
  }

  timeline.Mark("reading and checking config.json");
  RUNSC_RETURN_IF_ERROR(MakeDirectories(config.root, 0711));
  const std::string dir = ContainerDir(config.root, id);
  RUNSC_ASSIGN_OR_RETURN(FileLock lock, ReserveId(config.root, id, dir));
  timeline.Mark("reserving the id");
  // From here on, a failure leaves nothing behind.
  sandbox::SandboxProcesses processes;
  sandbox::Cgroup cgroup;
  const HookRunner hooks(bundle.spec.hooks);
  ContainerState state;
  absl::Cleanup undo = [&] {
    absl::Status destroyed = sandbox::Sandbox::Destroy(processes);
    if (!destroyed.ok()) LogError(Quoted(id), ": ", destroyed.message());
    // After the processes: a cgroup with processes cannot be removed.
    absl::Status removed = cgroup.Destroy();
    if (!removed.ok()) LogError(Quoted(id), ": ", removed.message());
    // runtime.md: a failed create continues the lifecycle at the
    // destruction, which the poststop hooks follow, once there was a
    // sandbox for any hook to have seen.
    if (processes.sentry.pid != 0) {
      hooks.RunBestEffort(HookKind::kPoststop, OciState(state, ContainerStatus::kStopped).dump());
    }
    RemoveDirectory(dir);
  };

  state.oci_version = bundle.spec.oci_version;
  state.id = id;
  state.status = ContainerStatus::kCreating;
  state.bundle = bundle.dir;
  state.rootfs = bundle.rootfs;
  state.created = absl::Now();
  state.annotations = bundle.spec.annotations;
  state.hooks = bundle.spec.hooks;
  state.resources = bundle.spec.linux_spec.resources;
  // The cgroup exists before either child does; the state file names it
  // from the start, so that a delete after a crashed create removes it.
  absl::StatusOr<sandbox::Cgroup> made = sandbox::Cgroup::Create(
      bundle.spec.linux_spec.cgroups_path.empty() ? DefaultCgroupPath(config.root, id)
                                                  : bundle.spec.linux_spec.cgroups_path,
      id, bundle.spec.linux_spec.resources);
  if (!made.ok()) return Annotate(made.status(), "making the cgroup of", id);
  cgroup = *std::move(made);
  timeline.Mark("making the cgroup");
  state.cgroup_dirs = cgroup.dirs();
  RUNSC_RETURN_IF_ERROR(WriteStateFile(dir, state));
  RUNSC_ASSIGN_OR_RETURN(std::vector<UniqueFd> cgroup_procs, cgroup.OpenProcsFiles());
  timeline.Mark("first state file");

  sandbox::SandboxSpec spec;
  spec.container_id = id;
  spec.bundle_dir = bundle.dir;
  spec.rootfs = bundle.rootfs;
  spec.rootfs_readonly = bundle.spec.root.readonly;
  for (const config::BindMount& mount : config::BindMountsOf(bundle.spec, bundle.dir)) {
    spec.bind_mounts.push_back({.source = mount.source, .read_only = mount.read_only});
  }
  spec.state_dir = dir;
  spec.child_global_flags = config::ChildGlobalFlags(config);
  spec.log_fd = options.child_log_fd;
  spec.timeline = config.debug;
  for (const UniqueFd& fd : cgroup_procs) spec.cgroup_procs_fds.push_back(fd.get());
  if (pty.has_value()) spec.console_fd = pty->slave.get();
  absl::StatusOr<sandbox::SandboxProcesses> launched = sandbox::Sandbox::Launch(spec);
  if (!launched.ok()) return Annotate(launched.status(), "starting the sandbox of", id);
  processes = *launched;
  timeline.Mark("launching the sandbox");
  if (pty.has_value()) {
    // The sentry holds the slave now; ours would keep the terminal open
    // (no hang-up for the master's reader) after the sandbox is gone.
    pty->slave.reset();
    if (console_socket.valid()) {
      RUNSC_RETURN_IF_ERROR(Annotate(
          sandbox::SendConsoleMaster(console_socket.get(), pty->master.get()),
          "setting up the terminal of", id));
      pty->master.reset();
    }
  }

  state.sentry = processes.sentry;
  state.gofer = processes.gofer;
  RUNSC_RETURN_IF_ERROR(WriteStateFile(dir, state));
  // runtime.md steps 3-5, with the sandbox up and its process not started.
  // runsc runs them all on the host (hook_runner.h says why); the deprecated
  // prestart ones come first, as the spec asks of runtimes that run them
  // with createRuntime. A failure undoes the create.
  const std::string creating = OciState(state, ContainerStatus::kCreating).dump();
  for (HookKind kind :
       {HookKind::kPrestart, HookKind::kCreateRuntime, HookKind::kCreateContainer}) {
    RUNSC_RETURN_IF_ERROR(Annotate(hooks.Run(kind, creating), "creating", id));
  }

  RUNSC_RETURN_IF_ERROR(CheckTransition(id, state.status, ContainerStatus::kCreated));
  state.status = ContainerStatus::kCreated;
  RUNSC_RETURN_IF_ERROR(WriteStateFile(dir, state));
  // Last: whoever waits for the pid file (containerd) may act on the
  // container as soon as it appears.
  if (!options.pid_file.empty()) {
    RUNSC_RETURN_IF_ERROR(Annotate(
        WriteFileAtomically(options.pid_file, absl::StrCat(processes.sentry.pid), 0644),
        "writing the pid file of", id));
  }
  timeline.Mark("hooks, state file and pid file");
  std::move(undo).Cancel();
  Container container(config.root, std::move(state), std::move(lock));
  if (pty.has_value()) container.console_master_ = std::move(pty->master);
  return container;
}

absl::StatusOr<Container> Container::Load(const std::string& root, const std::string& id) {
  RUNSC_RETURN_IF_ERROR(ValidateId(id));
  const std::string dir = ContainerDir(root, id);
  absl::StatusOr<FileLock> lock = FileLock::Acquire(LockPath(dir));
  if (absl::IsNotFound(lock.status())) return DoesNotExist(id);
  if (!lock.ok()) return lock.status();
  absl::StatusOr<ContainerState> state = ReadStateFile(dir);
  if (absl::IsNotFound(state.status())) {
    // The lock exists but no state: a create died between the two. What is
    // left is a stopped container that delete can clean up.
    ContainerState abandoned;
    abandoned.id = id;
    abandoned.status = ContainerStatus::kCreating;
    state = abandoned;
  }
  if (!state.ok()) return state.status();
  if (state->id != id) {
    return absl::DataLossError(absl::StrCat(dir, "/state.json names another container \"",
                                            state->id, "\""));
  }
  return Container(root, *std::move(state), *std::move(lock));
}

absl::StatusOr<ContainerSnapshot> Container::Peek(const std::string& root, const std::string& id) {
  RUNSC_RETURN_IF_ERROR(ValidateId(id));
  const std::string dir = ContainerDir(root, id);
  absl::StatusOr<ContainerState> state = ReadStateFile(dir);
  if (absl::IsNotFound(state.status())) {
    struct stat st;
    if (stat(dir.c_str(), &st) != 0) return DoesNotExist(id);
    // Being reserved by a create (or abandoned by one that died).
    ContainerState reserved;
    reserved.id = id;
    reserved.status = ContainerStatus::kCreating;
    state = reserved;
  }
  if (!state.ok()) return state.status();
  bool creator_alive = state->status == ContainerStatus::kCreating && FileLock::IsHeld(LockPath(dir));
  ContainerStatus status = CurrentStatus(*state, creator_alive);
  return ContainerSnapshot{*std::move(state), status};
}

std::string Container::StateDir(const std::string& root, const std::string& id) {
  return ContainerDir(root, id);
}

absl::StatusOr<std::vector<std::string>> Container::ListIds(const std::string& root) {
  std::vector<std::string> ids;
  DIR* dir = opendir(root.c_str());
  if (dir == nullptr) {
    if (errno == ENOENT) return ids;
    return HostError(absl::StrCat("open ", root));
  }
  while (dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == ".." || !ValidateId(name).ok()) continue;
    struct stat st;
    if (fstatat(dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
      ids.push_back(std::move(name));
    }
  }
  closedir(dir);
  std::sort(ids.begin(), ids.end());
  return ids;
}

ContainerStatus Container::status() const {
  // We hold the lock, so no create is in progress: a container still marked
  // creating was abandoned.
  return CurrentStatus(state_, /*creator_alive=*/false);
}

absl::Status Container::Record(ContainerStatus to) {
  ContainerState next = state_;
  next.status = to;
  RUNSC_RETURN_IF_ERROR(WriteStateFile(dir_, next));
  state_ = std::move(next);
  return absl::OkStatus();
}

absl::Status Container::Start() {
  PhaseTimer timeline("start");
  RUNSC_RETURN_IF_ERROR(CheckTransition(state_.id, status(), ContainerStatus::kRunning));
  const HookRunner hooks(state_.hooks);
  // runtime.md step 7: before the container's process runs, on the host
  // (hook_runner.h). A failure stops the container; delete finishes it.
  absl::Status hooked =
      hooks.Run(HookKind::kStartContainer, OciState(state_, ContainerStatus::kCreated).dump());
  if (!hooked.ok()) {
    absl::Status stopped = sandbox::Sandbox::Destroy({state_.sentry, state_.gofer});
    if (!stopped.ok()) LogError(Quoted(state_.id), ": ", stopped.message());
    return Annotate(hooked, "starting", state_.id);
  }
  timeline.Mark("checks and startContainer hooks");
  RUNSC_RETURN_IF_ERROR(
      Annotate(sandbox::ControlClient(dir_).Start(), "starting", state_.id));
  timeline.Mark("the sentry's answer to start");
  // Not checked against status() again: a short program may already have
  // run to its end (`sh -c "exit 7"`), so the sentry may be gone by now. The
  // start still happened; state and list report stopped from the sentry's
  // liveness.
  RUNSC_RETURN_IF_ERROR(Record(ContainerStatus::kRunning));
  // Failures are warnings: the container runs whatever they say.
  hooks.RunBestEffort(HookKind::kPoststart, OciState(state_, ContainerStatus::kRunning).dump());
  timeline.Mark("state file and poststart hooks");
  return absl::OkStatus();
}

absl::Status Container::Signal(int signo, bool all) {
  ContainerStatus now = status();
  if (now != ContainerStatus::kCreated && now != ContainerStatus::kRunning &&
      now != ContainerStatus::kPaused) {
    return NotRunning(state_.id);
  }
  if (now == ContainerStatus::kPaused) {
    // The sentry is frozen and cannot take a request. SIGKILL still works,
    // as with runc: it kills the sandbox, which then thaws to die.
    if (signo != SIGKILL) {
      return absl::FailedPreconditionError(
          absl::StrCat(Quoted(state_.id), " is paused: resume it to signal it"));
    }
    if (kill(state_.sentry.pid, SIGKILL) != 0) return HostError(absl::StrCat("kill ", state_.sentry.pid));
    return sandbox::Cgroup::FromDirs(state_.cgroup_dirs).SetFrozen(false);
  }
  absl::Status sent = sandbox::ControlClient(dir_).Signal(signo, all);
  if (!sent.ok() && signo == SIGKILL && sandbox::IsLive(state_.sentry)) {
    // SIGKILL must work even when the sentry is wedged: kill the sentry
    // itself, which takes the whole sandbox with it.
    LogWarning(Quoted(state_.id), ": sentry did not take SIGKILL (", sent.message(),
               "); killing it");
    if (kill(state_.sentry.pid, SIGKILL) == 0) return absl::OkStatus();
    return HostError(absl::StrCat("kill ", state_.sentry.pid));
  }
  if (!sent.ok() && !sandbox::IsLive(state_.sentry)) return NotRunning(state_.id);
  return Annotate(sent, "signalling", state_.id);
}

absl::StatusOr<int> Container::WaitForExit() {
  const ContainerStatus now = status();
  if (now == ContainerStatus::kStopped) {
    return absl::FailedPreconditionError(absl::StrCat(
        Quoted(state_.id), " is stopped: its exit status was not kept (wait before it exits)"));
  }
  if (now != ContainerStatus::kCreated && now != ContainerStatus::kRunning &&
      now != ContainerStatus::kPaused) {
    return NotRunning(state_.id);
  }
  absl::StatusOr<sandbox::ExecSession> session = sandbox::ControlClient(dir_).WaitForInit();
  if (!session.ok()) return Annotate(session.status(), "waiting for", state_.id);
  absl::StatusOr<int> wait_status = session->Wait();
  if (!wait_status.ok()) return Annotate(wait_status.status(), "waiting for", state_.id);
  return *wait_status;
}

absl::Status Container::Pause() {
  RUNSC_RETURN_IF_ERROR(CheckTransition(state_.id, status(), ContainerStatus::kPaused));
  RUNSC_RETURN_IF_ERROR(Annotate(sandbox::Cgroup::FromDirs(state_.cgroup_dirs).SetFrozen(true),
                                 "pausing", state_.id));
  return Record(ContainerStatus::kPaused);
}

absl::Status Container::Resume() {
  ContainerStatus now = status();
  if (now != ContainerStatus::kPaused) {
    return absl::FailedPreconditionError(absl::StrCat(Quoted(state_.id), " is not paused"));
  }
  RUNSC_RETURN_IF_ERROR(Annotate(sandbox::Cgroup::FromDirs(state_.cgroup_dirs).SetFrozen(false),
                                 "resuming", state_.id));
  return Record(ContainerStatus::kRunning);
}

absl::Status Container::UpdateResources(const config::SpecResources& changes) {
  const ContainerStatus now = status();
  if (now != ContainerStatus::kCreated && now != ContainerStatus::kRunning &&
      now != ContainerStatus::kPaused) {
    return absl::FailedPreconditionError(
        absl::StrCat(Quoted(state_.id), " is not running: cannot update it"));
  }
  config::SpecResources merged = config::MergeResources(state_.resources, changes);
  RUNSC_RETURN_IF_ERROR(Annotate(config::CheckMemorySwap(merged), "updating", state_.id));
  // All of it, as runc writes its whole merged set: v2's swap file is
  // swap - limit and v1 orders the memory writes by both, so a swap change
  // needs the limit in force and a limit change the swap.
  absl::Status applied = sandbox::Cgroup::FromDirs(state_.cgroup_dirs).Update(merged);
  if (!applied.ok()) {
    // Files written before the error stay written (cgroup.h, as runc); the
    // state keeps the last update that applied whole, and says so here.
    return absl::Status(applied.code(),
                        absl::StrCat("updating ", Quoted(state_.id), ": ", applied.message(),
                                     " (fields before it may be applied; not recorded)"));
  }
  ContainerState next = state_;
  next.resources = std::move(merged);
  RUNSC_RETURN_IF_ERROR(WriteStateFile(dir_, next));
  state_ = std::move(next);
  return absl::OkStatus();
}

absl::Status Container::Delete(bool force) {
  PhaseTimer timeline("delete");
  ContainerStatus now = status();
  if ((now == ContainerStatus::kRunning || now == ContainerStatus::kPaused) && !force) {
    return absl::FailedPreconditionError(absl::StrCat(Quoted(state_.id), " is ", std::string(StatusName(now)),
                                                      ": stop it first or use delete --force"));
  }
  // A frozen sandbox does not die of SIGKILL: thaw it first.
  if (now == ContainerStatus::kPaused) {
    absl::Status thawed = sandbox::Cgroup::FromDirs(state_.cgroup_dirs).SetFrozen(false);
    if (!thawed.ok()) LogWarning(Quoted(state_.id), ": ", thawed.message());
  }
  RUNSC_RETURN_IF_ERROR(Annotate(sandbox::Sandbox::Destroy({state_.sentry, state_.gofer}),
                                 "deleting", state_.id));
  timeline.Mark("killing and reaping the sentry and gofer");
  // Then the cgroup, with whatever is still in it (stubs of a sentry that
  // died some other way).
  RUNSC_RETURN_IF_ERROR(Annotate(sandbox::Cgroup::FromDirs(state_.cgroup_dirs).Destroy(),
                                 "deleting", state_.id));
  timeline.Mark("removing the cgroup");
  // After the sandbox is gone; failures are warnings (runtime.md step 13).
  HookRunner(state_.hooks)
      .RunBestEffort(HookKind::kPoststop, OciState(state_, ContainerStatus::kStopped).dump());
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("deleting ", Quoted(state_.id), ": cannot remove ", dir_, ": ", ec.message()));
  }
  timeline.Mark("poststop hooks and the state directory");
  return absl::OkStatus();
}

}  // namespace runsc::container
