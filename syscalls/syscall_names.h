// The names of Linux's x86-64 syscall numbers, independent of what the
// sentry implements: the syscall table, --strace and `runsc syscalls` name a
// number the same way whether or not it has a handler.
#ifndef RUNSC_SYSCALLS_SYSCALL_NAMES_H_
#define RUNSC_SYSCALLS_SYSCALL_NAMES_H_

namespace runsc::syscalls {

// One past the highest x86-64 syscall number the table knows (file_setattr,
// 469, Linux 6.17). Numbers at or above it are unknown and get ENOSYS.
inline constexpr int kNumSyscalls = 470;

// Linux's name for syscall `nr` ("read" for 0), or nullptr when `nr` is out
// of range or was never assigned on x86-64 (335-423).
const char* SyscallName(int nr);

// True when `nr` names a syscall on x86-64.
bool IsAssignedSyscall(int nr);

}  // namespace runsc::syscalls

#endif  // RUNSC_SYSCALLS_SYSCALL_NAMES_H_
