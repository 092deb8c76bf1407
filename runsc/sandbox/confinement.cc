#include "runsc/sandbox/confinement.h"

#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "base/logging.h"
#include "base/phase_timer.h"
#include "runsc/status_macros.h"

namespace runsc::sandbox {

absl::Status MakeMountsPrivate() {
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return HostError("making every mount private (mount --make-rprivate /)");
  }
  return absl::OkStatus();
}

absl::Status PivotRootIntoEmptyDir(const std::string& mount_point) {
  // noexec, nosuid, nodev and tiny: nothing is ever meant to be in it.
  if (mount("runsc-empty-root", mount_point.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
            "size=4k,nr_inodes=2,mode=0555") != 0) {
    return HostError(absl::StrCat("mounting an empty tmpfs at ", mount_point));
  }
  if (chdir(mount_point.c_str()) != 0) return HostError(absl::StrCat("chdir to ", mount_point));
  // pivot_root(".", "."): the old root is stacked under the new one at "/"
  // and can be detached right away, with no directory left for it.
  if (syscall(SYS_pivot_root, ".", ".") != 0) return HostError("pivot_root into the empty root");
  if (umount2(".", MNT_DETACH) != 0) return HostError("detaching the old root");
  if (chdir("/") != 0) return HostError("chdir(\"/\") in the empty root");
  if (mount(nullptr, "/", nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
            nullptr) != 0) {
    return HostError("making the empty root read-only");
  }
  return absl::OkStatus();
}

absl::Status DropCapabilities(const CapabilitySet& keep) {
  // Securebits and the bounding set need CAP_SETPCAP: before the capset.
  if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
                                   SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED,
            0, 0, 0) != 0) {
    return HostError("prctl(PR_SET_SECUREBITS)");
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) {
    return HostError("clearing the ambient capabilities");
  }
  // The kernel may know more capabilities than our headers: drop until
  // EINVAL, which past the last one it has means "no such capability" (and
  // every kernel has more than 32).
  for (int cap = 0;; ++cap) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0) continue;
    if (errno == EINVAL && cap >= 32) break;
    return HostError(absl::StrCat("dropping capability ", cap, " from the bounding set"));
  }
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  for (int cap : keep) {
    data[CAP_TO_INDEX(cap)].effective |= CAP_TO_MASK(cap);
    data[CAP_TO_INDEX(cap)].permitted |= CAP_TO_MASK(cap);
  }
  if (syscall(SYS_capset, &header, data) != 0) {
    return HostError("capset to the capabilities this process keeps");
  }
  return absl::OkStatus();
}

absl::Status SetNoNewPrivileges() {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return HostError("prctl(PR_SET_NO_NEW_PRIVS)");
  return absl::OkStatus();
}

SeccompMode SeccompModeFromEnvironment() {
  const char* value = getenv("RUNSC_UNSAFE_NO_SECCOMP");
  if (value == nullptr) return SeccompMode::kEnforce;
  if (strcmp(value, "1") == 0) return SeccompMode::kOff;
  if (strcmp(value, "log") == 0) return SeccompMode::kLogOnly;
  return SeccompMode::kEnforce;
}

absl::Status InstallSeccomp(SeccompPolicyBuilder builder, SeccompMode mode) {
  if (mode == SeccompMode::kOff) {
    LogError("RUNSC_UNSAFE_NO_SECCOMP=1: NO SECCOMP FILTER. This sandbox process can make any "
             "host system call. For debugging only.");
    return absl::OkStatus();
  }
  if (mode == SeccompMode::kLogOnly) {
    LogError("RUNSC_UNSAFE_NO_SECCOMP=log: the seccomp filter only LOGS what it would deny. "
             "For deriving the policy only.");
    builder.OnDenied(DeniedAction::kLog);
  }
  PhaseTimer timeline(absl::StrCat(builder.name(), " seccomp"));
  RUNSC_ASSIGN_OR_RETURN(SeccompPolicy policy, builder.TryBuild());
  timeline.Mark("building the filter");
  RUNSC_RETURN_IF_ERROR(policy.Install());
  timeline.Mark("loading the filter");
  return absl::OkStatus();
}

}  // namespace runsc::sandbox
