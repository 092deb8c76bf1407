#include "runsc/cmd/boot.h"

#include <fcntl.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "base/phase_timer.h"
#include "runsc/config/boot_options.h"
#include "runsc/config/bundle.h"
#include "runsc/config/mounts.h"
#include "platform/systrap/systrap_platform.h"
#include "runsc/sandbox/sentry_confinement.h"
#include "runsc/status_macros.h"

namespace runsc::cmd {
namespace {

absl::Status CheckFd(int fd, absl::string_view flag) {
  if (fd < 0 || fcntl(fd, F_GETFD) < 0) {
    return absl::InvalidArgumentError(absl::StrCat(flag, " ", fd, " is not an open descriptor"));
  }
  return absl::OkStatus();
}

// Tells create why we cannot boot: "error: <message>\n" on the ready pipe.
void ReportNotReady(int ready_fd, const absl::Status& status) {
  std::string line = absl::StrCat("error: ", status.message(), "\n");
  ssize_t unused = write(ready_fd, line.data(), line.size());
  (void)unused;
}

}  // namespace

void BootCommand::SetFlags(CLI::App& app) {
  app.add_option("--bundle", bundle_, "bundle directory; config.json is read again from it")
      ->required();
  app.add_option("--gofer-fd", gofer_fd_, "connection to the gofer")->required();
  app.add_option("--control-fd", control_fd_, "listening control socket")->required();
  app.add_option("--ready-fd", ready_fd_, "pipe to report readiness on")->required();
  app.add_option("--log-fd", log_fd_, "where to log")->capture_default_str();
  app.add_option("container-id", id_, "container id")->required();
}

absl::StatusOr<sentry::BootOptions> BootCommand::Options(const config::GlobalConfig& config) const {
  RUNSC_RETURN_IF_ERROR(CheckFd(gofer_fd_, "--gofer-fd"));
  RUNSC_RETURN_IF_ERROR(CheckFd(control_fd_, "--control-fd"));
  RUNSC_ASSIGN_OR_RETURN(config::Bundle bundle, config::LoadBundle(bundle_));
  RUNSC_ASSIGN_OR_RETURN(sentry::BootOptions options, config::MakeBootOptions(bundle.spec, id_));
  for (const std::string& warning : config::MountWarnings(bundle.spec)) LogWarning(warning);
  options.platform = config.platform;
  options.gofer_fd = gofer_fd_;
  options.control_fd = control_fd_;
  options.ready_fd = ready_fd_;
  options.log_fd = log_fd_;
  options.strace = config.strace;
  options.vdso = config.vdso;
  options.cpu_pairing = config.cpu_pairing;
  options.file_access_exclusive = config.file_access_exclusive;
  options.syscall_patching = config.syscall_patching;
  options.systrap_spin_ns = config.systrap_spin_us * 1000;
  options.direct_file_reads = config.direct_file_reads;
  options.debug = config.debug;
  return options;
}

absl::StatusOr<int> BootCommand::Execute(const config::GlobalConfig& config) {
  ConfigureLogging({.fd = log_fd_,
                    .format = config.log_format == config::LogFormatFlag::kJson ? LogFormat::kJson
                                                                                : LogFormat::kText,
                    .debug = config.debug,
                    .component = "sentry"});
  if (absl::Status ready = CheckFd(ready_fd_, "--ready-fd"); !ready.ok()) {
    LogError("boot: ", ready.message());
    return 1;
  }
  PhaseTimer timeline("sentry confinement");
  absl::StatusOr<sentry::BootOptions> options = Options(config);
  timeline.Mark("reading config.json");
  if (!options.ok()) {
    LogError("boot: ", options.status().message());
    ReportNotReady(ready_fd_, options.status());
    return 1;
  }
  // config.json has been read and every descriptor is open: from here on
  // the sentry reaches the host only through them.
  auto fork_stubs_early = [&]() -> absl::Status {
    if (config.platform != "systrap") return absl::OkStatus();
    return platform::systrap::SystrapPlatform::ForkCleanStubEarly();
  };
  if (absl::Status confined = sandbox::ConfineSentry(fork_stubs_early); !confined.ok()) {
    LogError("boot: ", confined.message());
    ReportNotReady(ready_fd_, confined);
    return 1;
  }
  timeline.Mark("namespaces, pivot_root, capabilities and seccomp");
  return sentry::BootMain(*options);
}

}  // namespace runsc::cmd
