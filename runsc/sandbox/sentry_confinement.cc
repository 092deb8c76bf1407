#include "runsc/sandbox/sentry_confinement.h"

#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "absl/strings/str_cat.h"
#include "base/phase_timer.h"
#include "runsc/sandbox/confinement.h"
#include "runsc/status_macros.h"

namespace runsc::sandbox {
namespace {

// Where the empty root is mounted, in the sentry's own mount namespace.
constexpr char kEmptyRootMountPoint[] = "/tmp";

// clone flags that would give a process new namespaces: never the sentry's
// business once it runs (its threads and stubs share its own).
constexpr uint64_t kNamespaceFlags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
                                     CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP;

absl::Status Step(absl::Status status, absl::string_view step) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat("confining the sentry: ", step, ": ",
                                                  status.message()));
}

}  // namespace

SeccompPolicyBuilder SentrySeccompPolicy() {
  SeccompPolicyBuilder policy("sentry");
  policy
      // Memory: its own, and the application's through its stubs.
      .Allow({SYS_mmap, SYS_munmap, SYS_mprotect, SYS_mremap, SYS_madvise, SYS_brk, SYS_msync,
              SYS_mincore, SYS_membarrier})
      // Descriptors: host files the gofer donated, stdio, pipes, eventfds…
      .Allow({SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_pread64, SYS_pwrite64, SYS_preadv,
              SYS_pwritev, SYS_preadv2, SYS_pwritev2, SYS_close, SYS_close_range, SYS_dup,
              SYS_dup2, SYS_dup3, SYS_fcntl, SYS_fstat, SYS_newfstatat, SYS_statx, SYS_lseek,
              SYS_getdents64, SYS_ftruncate, SYS_fallocate, SYS_fsync, SYS_fdatasync,
              SYS_fstatfs, SYS_sendfile, SYS_splice, SYS_copy_file_range,
              SYS_pipe2, SYS_eventfd2, SYS_timerfd_create, SYS_timerfd_settime,
              SYS_timerfd_gettime, SYS_poll, SYS_ppoll, SYS_select, SYS_pselect6,
              SYS_epoll_create1, SYS_epoll_ctl, SYS_epoll_wait, SYS_epoll_pwait,
              SYS_epoll_pwait2, SYS_memfd_create})
      // ioctl: only on host ttys (stdio, the console), only the plain-data
      // termios and window calls HostFile forwards, each argument checked
      // or copied by the sentry first. Job control is the sentry's own.
      .AllowIf(SYS_ioctl, {SCMP_A1(SCMP_CMP_EQ, TCGETS)})
      .AllowIf(SYS_ioctl, {SCMP_A1(SCMP_CMP_EQ, TCSETS)})
      .AllowIf(SYS_ioctl, {SCMP_A1(SCMP_CMP_EQ, TCSETSW)})
      .AllowIf(SYS_ioctl, {SCMP_A1(SCMP_CMP_EQ, TCSETSF)})
      .AllowIf(SYS_ioctl, {SCMP_A1(SCMP_CMP_EQ, TIOCGWINSZ)})
      .AllowIf(SYS_ioctl, {SCMP_A1(SCMP_CMP_EQ, TIOCSWINSZ)})
      .AllowIf(SYS_ioctl, {SCMP_A1(SCMP_CMP_EQ, TCFLSH)})
      .AllowIf(SYS_ioctl, {SCMP_A1(SCMP_CMP_EQ, TCXONC)})
      .AllowIf(SYS_ioctl, {SCMP_A1(SCMP_CMP_EQ, TCSBRK)})
      .AllowIf(SYS_ioctl, {SCMP_A1(SCMP_CMP_EQ, FIONREAD)})
      // The clean stub leaves the sentry's process group (setpgid(0, 0)), so
      // that the console's ^C reaches the sentry and not the stubs.
      .AllowIf(SYS_setpgid, {SCMP_A0(SCMP_CMP_EQ, 0), SCMP_A1(SCMP_CMP_EQ, 0)})
      // The control socket and the gofer connection (SCM_RIGHTS).
      .Allow({SYS_accept4, SYS_recvmsg, SYS_sendmsg, SYS_recvfrom, SYS_sendto, SYS_shutdown,
              SYS_getsockopt, SYS_setsockopt, SYS_getsockname, SYS_getpeername})
      // Unix sockets only: the sentry has no network to reach.
      .AllowIf(SYS_socket, {SCMP_A0(SCMP_CMP_EQ, AF_UNIX)})
      .AllowIf(SYS_socketpair, {SCMP_A0(SCMP_CMP_EQ, AF_UNIX)})
      // Threads (its own and, injected, the application's in stubs) and
      // stub forks: any clone that makes no new namespace.
      .AllowIf(SYS_clone, {SCMP_A0(SCMP_CMP_MASKED_EQ, kNamespaceFlags, 0)})
      // clone3's flags are in memory a filter cannot read: ENOSYS makes
      // glibc fall back to clone.
      .Fail(SYS_clone3, ENOSYS)
      .Allow({SYS_exit, SYS_exit_group, SYS_wait4, SYS_waitid, SYS_gettid, SYS_getpid,
              SYS_getppid, SYS_set_robust_list, SYS_get_robust_list, SYS_rseq,
              SYS_set_tid_address, SYS_futex, SYS_sched_yield, SYS_sched_getaffinity,
              SYS_sched_setaffinity, SYS_sched_getparam, SYS_sched_getscheduler,
              SYS_sched_get_priority_max, SYS_sched_get_priority_min, SYS_sched_rr_get_interval,
              SYS_getrusage, SYS_prlimit64, SYS_getrlimit,
              SYS_getpriority, SYS_setpriority, SYS_restart_syscall, SYS_pause})
      // Controlling stubs.
      .Allow({SYS_ptrace, SYS_process_vm_readv, SYS_process_vm_writev, SYS_kill, SYS_tgkill,
              SYS_tkill})
      // Signals.
      .Allow({SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigreturn, SYS_sigaltstack,
              SYS_rt_sigtimedwait, SYS_rt_sigpending, SYS_rt_sigqueueinfo,
              SYS_rt_tgsigqueueinfo, SYS_rt_sigsuspend})
      // Time and identity (answers the sentry derives its own from).
      .Allow({SYS_clock_gettime, SYS_clock_getres, SYS_clock_nanosleep, SYS_nanosleep,
              SYS_gettimeofday, SYS_time, SYS_getrandom, SYS_uname, SYS_sysinfo, SYS_getuid,
              SYS_geteuid, SYS_getgid, SYS_getegid, SYS_getresuid, SYS_getresgid,
              SYS_getgroups, SYS_getcwd, SYS_times, SYS_getitimer, SYS_setitimer,
              SYS_timer_create, SYS_timer_settime, SYS_timer_gettime, SYS_timer_delete,
              SYS_timer_getoverrun, SYS_alarm})
      // The root is empty, so no open can succeed; glibc still tries a few
      // (get_nprocs reads /sys/devices/system/cpu/online, then falls back
      // to sched_getaffinity). ENOENT, as the empty root would answer, keeps
      // those fallbacks working instead of killing the sentry.
      .Fail(SYS_openat, ENOENT)
      .Fail(SYS_open, ENOENT)
      // prctl: PR_SET_PDEATHSIG and PR_SET_NO_NEW_PRIVS in new stubs, thread
      // names; seccomp: the stubs install their own filter.
      .Allow({SYS_prctl, SYS_seccomp, SYS_arch_prctl});
  return policy;
}

absl::Status ConfineSentry(std::function<absl::Status()> before_seccomp) {
  const SeccompMode seccomp = SeccompModeFromEnvironment();
  PhaseTimer timeline("sentry confinement");
  RUNSC_RETURN_IF_ERROR(Step(MakeMountsPrivate(), "private mounts"));
  RUNSC_RETURN_IF_ERROR(Step(PivotRootIntoEmptyDir(kEmptyRootMountPoint), "empty root"));
  timeline.Mark("private mounts and pivot_root");
  RUNSC_RETURN_IF_ERROR(Step(SetNoNewPrivileges(), "no_new_privs"));
  RUNSC_RETURN_IF_ERROR(Step(DropCapabilities({}), "capabilities"));
  timeline.Mark("capabilities");
  if (before_seccomp) RUNSC_RETURN_IF_ERROR(Step(before_seccomp(), "before seccomp"));
  timeline.Mark("before seccomp (the clean stub)");
  RUNSC_RETURN_IF_ERROR(Step(InstallSeccomp(SentrySeccompPolicy(), seccomp), "seccomp"));
  return absl::OkStatus();
}

}  // namespace runsc::sandbox
