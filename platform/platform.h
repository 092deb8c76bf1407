// How application code runs and how its system calls are caught (DESIGN §3).
//
// The platform knows nothing of Linux semantics: it runs application code in
// stub processes until something needs the kernel (a syscall, a fault, a
// host signal) and it changes a stub's memory map on request. Everything the
// application sees is decided by the sentry above it.
#ifndef RUNSC_PLATFORM_PLATFORM_H_
#define RUNSC_PLATFORM_PLATFORM_H_

#include <signal.h>
#include <sys/types.h>
#include <sys/user.h>

#include <cstdint>
#include <memory>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace runsc::platform {

// The general-purpose registers of an application thread (amd64).
using Registers = user_regs_struct;
// The x87/SSE state in FXSAVE layout (512 bytes), as signal frames carry it.
using FpRegisters = user_fpregs_struct;

// Application code may use [kMinUserAddress, kMaxUserAddress) minus the stub's
// own pages, [StubBase(), StubEnd()).
inline constexpr uint64_t kMinUserAddress = 0x10000;
inline constexpr uint64_t kMaxUserAddress = 0x7ffffffff000;

// Where the stub code lives in every address space. Chosen below any address
// the host picks for the sentry's own mappings (stack and mmap base sit in
// the top terabyte) and far above where ELF binaries load.
inline constexpr uint64_t kStubBase = 0x7e0000000000;

// Why Switch() returned.
enum class StopReason {
  kSyscall,      // The thread made a syscall; registers hold its number and
                 // arguments. Set rax to the result before switching back.
  kFault,        // A synchronous fault (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
                 // SIGTRAP); `info` says which and where.
  kInterrupted,  // Interrupt() was called, or a host signal unrelated to the
                 // application arrived. Nothing happened to the thread.
  kExited,       // The stub is gone (killed from outside). Nothing can run in
                 // this address space again.
};

struct SwitchResult {
  StopReason reason = StopReason::kInterrupted;
  siginfo_t info{};  // For kFault.
};

// One application memory map. Implementations own a stub process, whose
// host threads are the application's threads.
//
// Thread affinity: every application thread is controlled by one host thread
// of the sentry, which attaches to it (Attach for the first, AttachThread for
// the ones NewThread makes). Map, Unmap, Protect, MemorySyscall, Fork,
// NewThread, ReleaseThread and every Context::Switch must happen on an
// attached host thread, and act through that thread's own stub thread. Read
// and Write work from any thread.
//
// Before the last reference goes, every attached host thread must call
// ReleaseThread(); the destructor then kills the stub process.
class AddressSpace {
 public:
  virtual ~AddressSpace() = default;

  // Makes the calling host thread the controller of the stub's first
  // thread. Call once, before any thread-affine call.
  [[nodiscard]] virtual absl::Status Attach() = 0;

  // A new host thread in the stub (clone(CLONE_THREAD) injected through the
  // caller's stub thread), parked in stub code until a host thread takes it
  // with AttachThread. Returns its handle (the host tid).
  [[nodiscard]] virtual absl::StatusOr<pid_t> NewThread() = 0;
  // Makes the calling host thread, which controls no thread of this address
  // space yet, the controller of `thread` from NewThread().
  [[nodiscard]] virtual absl::Status AttachThread(pid_t thread) = 0;
  // The caller's application thread is done: its stub thread exits (or, for
  // the stub's first thread, whose exit the host would turn into the whole
  // process's, waits parked in stub code until the process is killed), and
  // the caller controls nothing here any more. Never fails: a stub that is
  // already gone is simply forgotten.
  virtual void ReleaseThread() = 0;

  // mmap(2) inside the application's address space. `host_fd` is a sentry fd
  // (stubs share the sentry's fd table) or -1 for anonymous memory. Returns
  // the address, or the host's errno as an ErrnoError.
  [[nodiscard]] virtual absl::StatusOr<uint64_t> Map(uint64_t addr, uint64_t length, int prot,
                                                     int flags, int host_fd, uint64_t offset) = 0;
  [[nodiscard]] virtual absl::Status Unmap(uint64_t addr, uint64_t length) = 0;
  [[nodiscard]] virtual absl::Status Protect(uint64_t addr, uint64_t length, int prot) = 0;
  // mremap(2), madvise(2), msync(2) and mincore(2) (which writes its
  // vector into application memory), calls that act on the map: runs
  // `nr` with `args` inside the stub and returns its raw result (>= 0) or
  // the host errno as an ErrnoError. A range over the stub's own pages is
  // EINVAL; any other `nr` is refused with ENOSYS, since the platform must
  // know which arguments are addresses to keep the stub's pages safe.
  [[nodiscard]] virtual absl::StatusOr<uint64_t> MemorySyscall(int nr,
                                                               absl::Span<const uint64_t> args) = 0;

  // Copies between the application's memory and the sentry's. Returns the
  // number of bytes copied, which is short if the range crosses into
  // unmapped or inaccessible memory; ErrnoError(EFAULT) if nothing could be.
  [[nodiscard]] virtual absl::StatusOr<size_t> Read(uint64_t addr, absl::Span<uint8_t> dst) = 0;
  [[nodiscard]] virtual absl::StatusOr<size_t> Write(uint64_t addr,
                                                     absl::Span<const uint8_t> src) = 0;
  // Write, for a `src` that lies in the sentry's mapping of a file that may
  // shrink under it (a read-only MAP_SHARED mapping of a host fd, which the
  // application can truncate at any time): `src` is read only by the host
  // kernel (process_vm_writev), never in user mode, so that a page past the
  // new end of the file ends the copy short, as a fault on the application's
  // side does, instead of raising SIGBUS in the sentry. (A fault inside a
  // kernel copy is fixed up by the copy, never delivered as a signal.)
  [[nodiscard]] virtual absl::StatusOr<size_t> WriteFromFileMapping(
      uint64_t addr, absl::Span<const uint8_t> src) = 0;

  // A copy-on-write duplicate of this address space (for fork), not yet
  // attached to any thread.
  [[nodiscard]] virtual absl::StatusOr<std::unique_ptr<AddressSpace>> Fork() = 0;

  // Host pid of the stub process (for `runsc ps` and tests).
  virtual pid_t HostPid() const = 0;
};

// One application thread's execution context.
class Context {
 public:
  virtual ~Context() = default;

  // Runs the thread with `regs` in `as` until it stops, then stores its
  // registers back into `regs`. Must run on the thread attached to `as`.
  [[nodiscard]] virtual absl::StatusOr<SwitchResult> Switch(AddressSpace& as,
                                                            Registers& regs) = 0;

  // Makes a running or future Switch() of this context return kInterrupted
  // soon. Callable from any thread.
  virtual void Interrupt() = 0;

  // FP/SSE state of the thread as of the last stop (for signal frames).
  [[nodiscard]] virtual absl::Status GetFpRegisters(AddressSpace& as, FpRegisters& fp) = 0;
  [[nodiscard]] virtual absl::Status SetFpRegisters(AddressSpace& as, const FpRegisters& fp) = 0;
};

class Platform {
 public:
  virtual ~Platform() = default;
  virtual absl::string_view Name() const = 0;
  // A fresh, empty address space (only the stub's pages are mapped), not yet
  // attached to any thread.
  [[nodiscard]] virtual absl::StatusOr<std::unique_ptr<AddressSpace>> NewAddressSpace() = 0;
  virtual std::unique_ptr<Context> NewContext() = 0;
};

struct PlatformOptions {
  // Keep each application thread on one CPU with the sentry thread that
  // serves it (platform/cpu_pairing.h says why and what it costs).
  bool cpu_pairing = true;
  // systrap only: patch hot syscall sites of the application into calls to
  // stub code (platform/systrap/syscall_patch.h). Ignored by ptrace.
  bool syscall_patching = true;
  // systrap only: the hand-offs' spin budget, used while spinning pays
  // (systrap::SystrapOptions::spin_ns, platform/systrap/spin_policy.h).
  uint64_t systrap_spin_ns = 50'000;  // systrap::SystrapOptions::kDefaultSpinNs.
};

// Looks a platform up by name ("ptrace" or "systrap"). An unknown name is
// an InvalidArgument error that lists the known ones.
[[nodiscard]] absl::StatusOr<std::unique_ptr<Platform>> CreatePlatform(
    absl::string_view name, const PlatformOptions& options = {});

}  // namespace runsc::platform

#endif  // RUNSC_PLATFORM_PLATFORM_H_
