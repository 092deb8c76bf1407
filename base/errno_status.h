// Linux errno values carried inside absl::Status.
//
// Note: Debian's Abseil 20220623 has its own absl::string_view (not
// std::string_view); use absl::string_view wherever Abseil APIs are involved.
//
// Syscall handlers must return a Linux errno, never a host errno picked up by
// accident (DESIGN §4). Anything that can fail with a meaningful errno (gofer
// replies, host syscalls made on the application's behalf) returns an
// absl::Status built here, and the syscall layer extracts the errno in one
// place with ErrnoOf().
#ifndef RUNSC_BASE_ERRNO_STATUS_H_
#define RUNSC_BASE_ERRNO_STATUS_H_

#include "absl/strings/string_view.h"

#include "absl/status/status.h"

namespace runsc {

// A status whose errno payload is `linux_errno`; `what` says what failed.
[[nodiscard]] absl::Status ErrnoError(int linux_errno, absl::string_view what);

// The errno captured in `status`, or `fallback` when it has none (an internal
// error that no Linux errno describes). Returns 0 for an OK status.
[[nodiscard]] int ErrnoOf(const absl::Status& status, int fallback = 5 /*EIO*/);

// ErrnoError(errno, what + ": " + strerror(errno)): for host calls that just failed.
[[nodiscard]] absl::Status HostError(absl::string_view what);

}  // namespace runsc

#endif  // RUNSC_BASE_ERRNO_STATUS_H_
