// The stub: the only code of ours that runs inside an application's address
// space. It lives in its own page-aligned section of the runsc binary and is
// copied to kStubBase in the sentry, so every process forked from the sentry
// (and every stub forked from those) finds it at the same address.
//
// Entry points (offsets from the start of the stub code):
//   Init    — first code of the clean stub after the sentry forked it:
//             unmaps everything but the stub pages (r12 = kStubBase, r13 =
//             stub end, r14 = length to unmap above), then falls into Stop.
//   Stop    — prctl(PR_SET_PDEATHSIG, SIGKILL); kill(getpid(), SIGSTOP); and
//             wait there for a tracer to attach and take over.
//   Syscall — `syscall; int3`: a tracer sets the registers, points rip here
//             and continues; the int3 hands control back with rax = result.
//   Fork    — like Syscall for a clone(2); the child takes the Stop path.
//   Thread  — like Syscall for a clone(CLONE_THREAD); the new thread, which
//             no tracer controls yet, takes the Park path.
//   Park    — pause(2) in a loop: a thread waits there, harmless, until a
//             tracer seizes it or the process is killed.
#ifndef RUNSC_PLATFORM_STUB_STUB_H_
#define RUNSC_PLATFORM_STUB_STUB_H_

#include <cstdint>

extern "C" {
extern const char runsc_stub_start[];
extern const char runsc_stub_init[];
extern const char runsc_stub_stop[];
extern const char runsc_stub_syscall[];
extern const char runsc_stub_fork[];
extern const char runsc_stub_thread[];
extern const char runsc_stub_park[];
extern const char runsc_stub_end[];
}

namespace runsc::platform::stub {

// Size of the stub code, a whole number of pages.
inline uint64_t CodeSize() { return runsc_stub_end - runsc_stub_start; }

// Address of an entry point once the stub is at `base`.
inline uint64_t EntryAt(uint64_t base, const char* symbol) {
  return base + static_cast<uint64_t>(symbol - runsc_stub_start);
}

}  // namespace runsc::platform::stub

#endif  // RUNSC_PLATFORM_STUB_STUB_H_
