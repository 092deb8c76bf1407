#include "runsc/cmd/cli.h"

#include <fcntl.h>
#include <unistd.h>

#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "base/logging.h"
#include "base/phase_timer.h"
#include "runsc/cmd/boot.h"
#include "runsc/cmd/create.h"
#include "runsc/cmd/delete.h"
#include "runsc/cmd/events.h"
#include "runsc/cmd/exec.h"
#include "runsc/cmd/features.h"
#include "runsc/cmd/freeze.h"
#include "runsc/cmd/gofer.h"
#include "runsc/cmd/kill.h"
#include "runsc/cmd/wait.h"
#include "runsc/cmd/list.h"
#include "runsc/cmd/log_files.h"
#include "runsc/cmd/ps.h"
#include "runsc/cmd/run.h"
#include "runsc/cmd/spec.h"
#include "runsc/cmd/start.h"
#include "runsc/cmd/state.h"
#include "runsc/cmd/syscalls.h"
#include "runsc/cmd/update.h"
#include "runsc/config/default_spec.h"

namespace runsc::cmd {
namespace {

constexpr char kVersion[] = "0.1.0";

// The string forms of the enum flags, converted after parsing.
struct RawFlags {
  std::string log_format = "text";
  std::string network = "none";
  std::string file_access = "exclusive";
};

void AddGlobalFlags(CLI::App& app, config::GlobalConfig& config, RawFlags& raw) {
  app.add_option("--root", config.root, "directory for container state")->capture_default_str();
  app.add_option("--log", config.log_path, "log file (errors, and debug lines with --debug)");
  app.add_option("--log-format", raw.log_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_flag("--debug", config.debug, "log debug lines");
  app.add_option("--debug-log", config.debug_log_path, "log file for the sentry and gofer");
  app.add_flag("--strace", config.strace, "log every system call of the container");
  app.add_option("--platform", config.platform, "how syscalls are intercepted: ptrace or systrap")
      ->check(CLI::IsMember({"ptrace", "systrap"}))
      ->capture_default_str();
  app.add_option("--vdso", config.vdso,
                 "serve clock_gettime/gettimeofday/time from the sentry's vDSO without a trap "
                 "(false: every clock call traps)")
      ->capture_default_str();
  app.add_option("--cpu-pairing", config.cpu_pairing,
                 "run each application thread on one CPU with the sentry thread that serves "
                 "it: a syscall's hand-offs stay on one CPU (false: the host scheduler places "
                 "them)")
      ->capture_default_str();
  app.add_option("--file-access", raw.file_access,
                 "exclusive: only the sandbox changes the rootfs, so the sentry keeps its "
                 "stats and read-only fds between calls; shared: the host may change it too, "
                 "every stat and open asks the gofer")
      ->check(CLI::IsMember({"exclusive", "shared"}))
      ->capture_default_str();
  app.add_option("--syscall-patching", config.syscall_patching,
                 "on systrap, rewrite an application's hot `mov $nr, %eax; syscall` and "
                 "`syscall; cmp $-4095, %rax` (glibc's wrappers) into a jump to stub code, "
                 "which hands the syscall to the sentry without a signal "
                 "(false: every syscall traps with SIGSYS)")
      ->capture_default_str();
  app.add_option("--systrap-spin-us", config.systrap_spin_us,
                 "on systrap, how long (µs) an application thread and the sentry spin for "
                 "each other before they sleep, used only while a spare CPU lets them and the "
                 "spins are answered (0: never spin)")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  app.add_option("--direct-file-reads", config.direct_file_reads,
                 "read 16 KiB or more of a regular file straight from a read-only mapping "
                 "of it in the sentry into application memory, one copy (false: through "
                 "the sentry's buffer, two copies)")
      ->capture_default_str();
  app.add_option("--network", raw.network, "none, host or sandbox (only none is implemented)")
      ->check(CLI::IsMember({"none", "host", "sandbox"}))
      ->capture_default_str();
  app.add_flag("--systemd-cgroup", config.systemd_cgroup,
               "manage cgroups with systemd (not supported)");
  // runc compatibility: accepted, ignored (see cli.h).
  app.add_option("--criu", config.criu_path, "ignored (no checkpoint/restore)")->group("");
  app.add_option("--rootless", config.rootless, "ignored unless true (refused)")
      ->check(CLI::IsMember({"true", "false", "auto"}))
      ->group("");
}

void ApplyRawFlags(const RawFlags& raw, config::GlobalConfig& config) {
  config.log_format =
      raw.log_format == "json" ? config::LogFormatFlag::kJson : config::LogFormatFlag::kText;
  config.network = raw.network == "host"      ? config::NetworkMode::kHost
                   : raw.network == "sandbox" ? config::NetworkMode::kSandbox
                                              : config::NetworkMode::kNone;
  config.file_access_exclusive = raw.file_access != "shared";
}

// Descriptors 0-2 must be open before anything else is: otherwise the first
// socket or file opened would take the place of stdin or stdout and be handed
// to the container as such.
void EnsureStdio() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) < 0) {
      int null_fd = open("/dev/null", O_RDWR);
      if (null_fd >= 0 && null_fd != fd) {
        dup2(null_fd, fd);
        close(null_fd);
      }
    }
  }
}

// Where runsc's own log lines go. Kept open for the whole command.
class LogSink {
 public:
  // --log, else --debug-log, else stderr.
  absl::Status Configure(const config::GlobalConfig& config) {
    const std::string& path = !config.log_path.empty() ? config.log_path : config.debug_log_path;
    if (!path.empty()) {
      absl::StatusOr<UniqueFd> fd = OpenLogFile(path);
      if (!fd.ok()) return fd.status();
      fd_ = *std::move(fd);
    }
    ConfigureLogging({.fd = fd_.valid() ? fd_.get() : 2,
                      .format = config.log_format == config::LogFormatFlag::kJson
                                    ? LogFormat::kJson
                                    : LogFormat::kText,
                      .debug = config.debug,
                      .component = "runsc"});
    return absl::OkStatus();
  }
  bool to_file() const { return fd_.valid(); }

 private:
  UniqueFd fd_;
};

// runc style: the message on stderr; and a log line when there is a log file.
int ReportError(absl::string_view message, const LogSink& sink) {
  std::cerr << "runsc: " << message << std::endl;
  if (sink.to_file()) LogError(message);
  return 1;
}

}  // namespace

std::vector<std::unique_ptr<Command>> AllCommands() {
  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(std::make_unique<CreateCommand>());
  commands.push_back(std::make_unique<StartCommand>());
  commands.push_back(std::make_unique<RunCommand>());
  commands.push_back(std::make_unique<StateCommand>());
  commands.push_back(std::make_unique<KillCommand>());
  commands.push_back(std::make_unique<WaitCommand>());
  commands.push_back(std::make_unique<DeleteCommand>());
  commands.push_back(std::make_unique<ExecCommand>());
  commands.push_back(std::make_unique<PsCommand>());
  commands.push_back(std::make_unique<FreezeCommand>(/*pause=*/true));
  commands.push_back(std::make_unique<FreezeCommand>(/*pause=*/false));
  commands.push_back(std::make_unique<EventsCommand>());
  commands.push_back(std::make_unique<UpdateCommand>());
  commands.push_back(std::make_unique<ListCommand>());
  commands.push_back(std::make_unique<SpecCommand>());
  commands.push_back(std::make_unique<FeaturesCommand>());
  commands.push_back(std::make_unique<SyscallsCommand>());
  commands.push_back(std::make_unique<BootCommand>());
  commands.push_back(std::make_unique<GoferCommand>());
  return commands;
}

int Main(int argc, char** argv) {
  // Pins the timeline's origin: the start-up lines count from here.
  (void)PhaseTimer::Origin();
  EnsureStdio();
  config::GlobalConfig config;
  RawFlags raw;
  CLI::App app("runsc: an OCI runtime that gives each container its own user-space kernel",
               "runsc");
  AddGlobalFlags(app, config, raw);
  app.set_version_flag("-v,--version", absl::StrCat("runsc version ", kVersion, "\nspec: ",
                                                    config::kOciVersion));
  app.require_subcommand(0, 1);

  std::vector<std::unique_ptr<Command>> commands = AllCommands();
  std::vector<std::pair<CLI::App*, Command*>> subcommands;
  for (auto& command : commands) {
    CLI::App* sub = app.add_subcommand(std::string(command->Name()),
                                       std::string(command->Synopsis()));
    if (command->Hidden()) sub->group("");
    command->SetFlags(*sub);
    subcommands.push_back({sub, command.get()});
  }

  LogSink sink;
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version.
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    ApplyRawFlags(raw, config);
    (void)sink.Configure(config);  // Best effort: the flags may be what failed.
    std::string message = e.what();
    // No command was recognised and something was left over: an unknown command.
    bool any_parsed = false;
    for (const auto& [sub, command] : subcommands) any_parsed = any_parsed || sub->parsed();
    if (!any_parsed && dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
      std::vector<std::string> extras = app.remaining();
      if (!extras.empty()) message = absl::StrCat("unknown command \"", extras.front(), "\"");
    }
    return ReportError(absl::StrCat(message, " (see runsc --help)"), sink);
  }
  ApplyRawFlags(raw, config);
  // Debian's Abseil is built with Mutex deadlock detection on (kAbort even
  // under NDEBUG): every Lock then walks a global lock graph under a global
  // spinlock, on every syscall path of the sentry, from all its threads.
  // Without --debug, off; with it, a lock-order bug still stops the sandbox.
  if (!config.debug) absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  Command* selected = nullptr;
  for (const auto& [sub, command] : subcommands) {
    if (sub->parsed()) selected = command;
  }
  if (selected == nullptr) {
    if (argc <= 1) {
      std::cout << app.help();
      return 0;
    }
    return ReportError("no command given (see runsc --help)", sink);
  }
  // The sandbox's own processes log through their --log-fd.
  bool is_sandbox_process = selected->Name() == "boot" || selected->Name() == "gofer";
  if (is_sandbox_process) {
    PhaseTimer::InheritOrigin();  // Their creator's: one timeline for the sandbox.
  } else {
    if (absl::Status status = sink.Configure(config); !status.ok()) {
      return ReportError(status.message(), sink);
    }
  }
  absl::StatusOr<int> result = selected->Execute(config);
  if (!result.ok()) return ReportError(result.status().message(), sink);
  return *result;
}

}  // namespace runsc::cmd
