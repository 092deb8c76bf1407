// How the gofer confines itself (DESIGN §1), after it has opened its root
// and the bind-mount sources, closed every other descriptor and chrooted
// into the rootfs (gofer/server/gofer_main.cc), and before it serves the
// first request.
//
// runsc create started it in new mount, pid, ipc, uts and network
// namespaces (sandbox.h), inside the sandbox's cgroup. Its root is a chroot
// in its own mount namespace rather than a pivot_root: the rootfs need not
// be a mount point, and with CAP_SYS_CHROOT gone (below) the chroot cannot
// be escaped by chrooting again; every path it walks is fd-relative anyway.
// Then, in order:
//   1. no_new_privs;
//   2. capabilities reduced to what serving files as root needs:
//        CAP_CHOWN           chown/fchownat to the uid/gid the sentry asks;
//        CAP_DAC_OVERRIDE    open, create and remove whatever the mode bits
//                            say (the sentry checks permissions itself);
//        CAP_DAC_READ_SEARCH walk and read directories regardless of mode;
//        CAP_FOWNER          chmod, utimensat, O_NOATIME on files it does
//                            not own;
//        CAP_FSETID          keep setuid/setgid bits across chmod and
//                            writes, as the application asked.
//      No CAP_MKNOD: the gofer makes only FIFOs and regular files. No
//      CAP_SYS_ADMIN, CAP_SYS_CHROOT, CAP_SETUID/SETGID, CAP_NET_*, …;
//   3. the seccomp filter (GoferSeccompPolicy), last.
#ifndef RUNSC_RUNSC_SANDBOX_GOFER_CONFINEMENT_H_
#define RUNSC_RUNSC_SANDBOX_GOFER_CONFINEMENT_H_

#include "absl/status/status.h"
#include "runsc/sandbox/confinement.h"
#include "runsc/sandbox/seccomp_policy.h"

namespace runsc::sandbox {

// The capabilities the gofer keeps (see above).
const CapabilitySet& GoferCapabilities();

// The host syscalls of file serving: fd-relative path calls, I/O, the
// SEQPACKET connection (sendmsg/recvmsg with SCM_RIGHTS), and what glibc and
// Abseil need. No socket, no exec, no mount, no ptrace.
SeccompPolicyBuilder GoferSeccompPolicy();

// Steps 1-3 above. Irrevocable; on error the gofer must exit.
[[nodiscard]] absl::Status ConfineGofer();

}  // namespace runsc::sandbox

#endif  // RUNSC_RUNSC_SANDBOX_GOFER_CONFINEMENT_H_
