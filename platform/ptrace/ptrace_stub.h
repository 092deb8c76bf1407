// One traced stub process: the low-level ptrace operations every ptrace
// platform object is built from.
#ifndef RUNSC_PLATFORM_PTRACE_PTRACE_STUB_H_
#define RUNSC_PLATFORM_PTRACE_PTRACE_STUB_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "platform/platform.h"

namespace runsc::platform {

class PtraceStub {
 public:
  // Adopts stub process `pid`, which is stopped or about to stop itself in
  // the stub's Stop code. The stub is killed when this object dies.
  explicit PtraceStub(pid_t pid) : pid_(pid) {}
  ~PtraceStub();
  PtraceStub(const PtraceStub&) = delete;
  PtraceStub& operator=(const PtraceStub&) = delete;

  pid_t pid() const { return pid_; }

  // PTRACE_SEIZE from the calling thread and wait for the stub's stop.
  [[nodiscard]] absl::Status Attach();

  // Runs syscall `nr` with `args` in the stub from stub entry `entry` and
  // returns the raw result (negative errno on failure). The stub must be in a
  // ptrace-stop; its registers are preserved.
  [[nodiscard]] absl::StatusOr<int64_t> Inject(uint64_t entry, int nr,
                                               absl::Span<const uint64_t> args);

  // Waits for the next stop of the stub. Returns the raw wait status.
  [[nodiscard]] absl::StatusOr<int> WaitStop();

  // Marks the stub dead (it exited or was killed and reaped).
  void MarkExited() { exited_ = true; }
  bool exited() const { return exited_; }

 private:
  pid_t pid_;
  bool attached_ = false;
  bool exited_ = false;
};

}  // namespace runsc::platform

#endif  // RUNSC_PLATFORM_PTRACE_PTRACE_STUB_H_
