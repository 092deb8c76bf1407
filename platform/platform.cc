#include "platform/platform.h"

#include "absl/strings/str_cat.h"
#include "platform/cpu_pairing.h"
#include "platform/ptrace/ptrace_platform.h"
#include "platform/systrap/systrap_platform.h"

namespace runsc::platform {

absl::StatusOr<std::unique_ptr<Platform>> CreatePlatform(absl::string_view name,
                                                         const PlatformOptions& options) {
  if (name == "ptrace") {
    absl::StatusOr<std::unique_ptr<PtracePlatform>> p =
        PtracePlatform::Create(CpuPairing::Create(options.cpu_pairing));
    if (!p.ok()) return p.status();
    return std::unique_ptr<Platform>(std::move(*p));
  }
  if (name == "systrap") {
    absl::StatusOr<std::unique_ptr<systrap::SystrapPlatform>> p =
        systrap::SystrapPlatform::Create(
        {.spin_ns = options.systrap_spin_ns,
         .pairing = CpuPairing::Create(options.cpu_pairing),
         .syscall_patching = options.syscall_patching});
    if (!p.ok()) return p.status();
    return std::unique_ptr<Platform>(std::move(*p));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown platform \"", name, "\"; known platforms: ptrace, systrap"));
}

}  // namespace runsc::platform
