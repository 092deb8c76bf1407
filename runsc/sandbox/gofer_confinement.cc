#include "runsc/sandbox/gofer_confinement.h"

#include <linux/capability.h>
#include <sys/syscall.h>

#include "absl/strings/str_cat.h"
#include "runsc/status_macros.h"

namespace runsc::sandbox {
namespace {

// fchmodat2 (Linux 6.6) is newer than the headers of Debian 12.
constexpr int kSysFchmodat2 = 452;

absl::Status Step(absl::Status status, absl::string_view step) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat("confining the gofer: ", step, ": ",
                                                  status.message()));
}

}  // namespace

const CapabilitySet& GoferCapabilities() {
  static const CapabilitySet kCapabilities = {CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,
                                              CAP_FOWNER, CAP_FSETID};
  return kCapabilities;
}

SeccompPolicyBuilder GoferSeccompPolicy() {
  SeccompPolicyBuilder policy("gofer");
  policy
      // Paths, always relative to a directory fd it holds.
      .Allow({SYS_openat, SYS_newfstatat, SYS_statx, SYS_fstat, SYS_fstatfs, SYS_getdents64,
              SYS_mkdirat, SYS_mknodat, SYS_symlinkat, SYS_linkat, SYS_unlinkat, SYS_renameat,
              SYS_renameat2, SYS_readlinkat, SYS_fchmod, SYS_fchmodat, kSysFchmodat2,
              SYS_fchown, SYS_fchownat, SYS_utimensat, SYS_faccessat, SYS_faccessat2})
      // Extended attributes, fd forms only, on the fds the server opens for
      // them (a regular file or directory it walked to): no path form, so
      // no path string reaches the host. Which names may pass is the
      // server's check (user.* only: CheckXattrName in gofer/proto/wire.h);
      // the gofer also lacks CAP_SYS_ADMIN, so the host itself refuses it
      // trusted.* and security.* writes.
      .Allow({SYS_fgetxattr, SYS_fsetxattr, SYS_flistxattr, SYS_fremovexattr})
      // I/O on what it opened.
      .Allow({SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_pread64, SYS_pwrite64,
              SYS_lseek, SYS_ftruncate, SYS_fallocate, SYS_fsync, SYS_fdatasync, SYS_close,
              SYS_close_range, SYS_fcntl, SYS_dup, SYS_dup3})
      // The connection to the sentry: requests in, replies and donated fds out.
      .Allow({SYS_recvmsg, SYS_sendmsg, SYS_recvfrom, SYS_sendto, SYS_poll, SYS_ppoll})
      // What glibc and Abseil need to run at all.
      .Allow({SYS_mmap, SYS_munmap, SYS_mprotect, SYS_mremap, SYS_madvise, SYS_brk, SYS_futex,
              SYS_exit, SYS_exit_group, SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigreturn,
              SYS_sigaltstack, SYS_clock_gettime, SYS_clock_nanosleep, SYS_nanosleep,
              SYS_gettimeofday, SYS_getpid, SYS_gettid, SYS_getrandom, SYS_prlimit64,
              SYS_getrlimit, SYS_sched_yield, SYS_sched_getaffinity, SYS_set_robust_list,
              SYS_rseq, SYS_restart_syscall, SYS_uname});
  return policy;
}

absl::Status ConfineGofer() {
  const SeccompMode seccomp = SeccompModeFromEnvironment();
  RUNSC_RETURN_IF_ERROR(Step(SetNoNewPrivileges(), "no_new_privs"));
  RUNSC_RETURN_IF_ERROR(Step(DropCapabilities(GoferCapabilities()), "capabilities"));
  RUNSC_RETURN_IF_ERROR(Step(InstallSeccomp(GoferSeccompPolicy(), seccomp), "seccomp"));
  return absl::OkStatus();
}

}  // namespace runsc::sandbox
