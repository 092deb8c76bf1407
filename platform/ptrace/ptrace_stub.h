// One traced stub thread: the low-level ptrace operations every ptrace
// platform object is built from. ptrace acts on threads, and only the host
// thread that attached may control its tracee.
#ifndef RUNSC_PLATFORM_PTRACE_PTRACE_STUB_H_
#define RUNSC_PLATFORM_PTRACE_PTRACE_STUB_H_

#include <sys/types.h>

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "platform/platform.h"

namespace runsc::platform {

class PtraceStub {
 public:
  // Thread `tid` of stub process `tgid`. Nothing happens to the thread when
  // this object dies: the address space that owns it decides its fate.
  PtraceStub(pid_t tgid, pid_t tid) : tgid_(tgid), tid_(tid) {}
  PtraceStub(const PtraceStub&) = delete;
  PtraceStub& operator=(const PtraceStub&) = delete;

  pid_t tgid() const { return tgid_; }
  pid_t tid() const { return tid_; }

  // PTRACE_SEIZE from the calling thread of a stub that is stopped or about
  // to stop itself in the stub's Stop code; waits for that stop.
  [[nodiscard]] absl::Status AttachStopped();
  // PTRACE_SEIZE + PTRACE_INTERRUPT of a thread waiting in the stub's Park
  // code; waits for the interrupt's stop.
  [[nodiscard]] absl::Status AttachParked();

  // Runs syscall `nr` with `args` in the stub from stub entry `entry` and
  // returns the raw result (negative errno on failure). The stub must be in a
  // ptrace-stop; its registers are preserved.
  [[nodiscard]] absl::StatusOr<int64_t> Inject(uint64_t entry, int nr,
                                               absl::Span<const uint64_t> args);

  // Waits for the next stop of the thread. Returns the raw wait status.
  [[nodiscard]] absl::StatusOr<int> WaitStop();

  // Ends the thread with an injected exit(2) (not exit_group) and reaps it.
  void Exit();
  // Points the thread at the Park code and detaches: it waits there, making
  // no syscall of the application's, until its process is killed.
  void ParkAndDetach();

  // Marks the thread dead (it exited or was killed and reaped).
  void MarkExited() { exited_ = true; }
  bool exited() const { return exited_; }

 private:
  const pid_t tgid_, tid_;
  bool exited_ = false;
};

// Kills stub process `tgid` and reaps its first thread, which must not be
// traced by a host thread other than the caller.
void KillAndReapStubProcess(pid_t tgid);

}  // namespace runsc::platform

#endif  // RUNSC_PLATFORM_PTRACE_PTRACE_STUB_H_
