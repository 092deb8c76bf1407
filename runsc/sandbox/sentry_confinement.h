// How the sentry confines itself (DESIGN §1), once everything it needs from
// the host is open: config.json has been read, and the gofer socket, the
// control socket, the ready pipe, the log and stdio are descriptors. It
// never opens a host path afterwards: files come from the gofer, /proc,
// /dev and /sys are its own, and stubs are forked from itself.
//
// runsc create started it in new mount, pid, ipc, uts and network
// namespaces (sandbox.h), inside the sandbox's cgroup. Then, in order:
//   1. every mount private, so nothing below reaches the host;
//   2. pivot_root into an empty read-only tmpfs (mounted over /tmp in its
//      own mount namespace);
//   3. no_new_privs;
//   4. every capability dropped: ptrace and process_vm_readv/writev of its
//      stubs need none, since the stubs are its own children with the same
//      uid and no more capabilities than it has (it has none);
//   5. the seccomp filter (SentrySeccompPolicy), last.
#ifndef RUNSC_RUNSC_SANDBOX_SENTRY_CONFINEMENT_H_
#define RUNSC_RUNSC_SANDBOX_SENTRY_CONFINEMENT_H_

#include "absl/status/status.h"
#include <functional>

#include "runsc/sandbox/seccomp_policy.h"

namespace runsc::sandbox {

// The host syscalls the sentry makes: its own (ptrace platform, Abseil,
// glibc), and those it injects into its stubs, which inherit this filter
// when forked after it (mmap, munmap, mprotect, mremap, madvise, clone,
// exit, …). Derived by running the unit, integration and compatibility
// suites with RUNSC_UNSAFE_NO_SECCOMP=log. Everything else kills the
// sentry (and with it the sandbox).
SeccompPolicyBuilder SentrySeccompPolicy();

// Steps 1-5 above. Irrevocable; on error the sentry must exit.
// `before_seccomp`, if given, runs after every step but the seccomp filter:
// the systrap platform forks its clean stub there, so that stubs are
// confined (empty root, no capabilities) but do not inherit the sentry's
// filter, which would kill application syscalls instead of letting the
// stub's own filter trap them to the sentry.
[[nodiscard]] absl::Status ConfineSentry(std::function<absl::Status()> before_seccomp = {});

}  // namespace runsc::sandbox

#endif  // RUNSC_RUNSC_SANDBOX_SENTRY_CONFINEMENT_H_
