// An application address space on the ptrace platform: one stub process,
// whose threads are the application's threads, each traced by the sentry
// host thread of its task.
#ifndef RUNSC_PLATFORM_PTRACE_PTRACE_ADDRESS_SPACE_H_
#define RUNSC_PLATFORM_PTRACE_PTRACE_ADDRESS_SPACE_H_

#include <map>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "platform/cpu_pairing.h"
#include "platform/platform.h"
#include "platform/ptrace/ptrace_stub.h"

namespace runsc::platform {

class PtraceAddressSpace : public AddressSpace {
 public:
  // Adopts stub process `pid` (stopped or stopping in the stub's Stop code).
  // Each attached thread is paired on one CPU with its tracer by `pairing`
  // (none if null).
  explicit PtraceAddressSpace(pid_t pid, std::shared_ptr<CpuPairing> pairing = nullptr);
  // Kills the stub process; it is reaped off the caller's path
  // (stub::StubReaper) unless the caller still traces its first thread.
  ~PtraceAddressSpace() override;

  absl::Status Attach() override;
  absl::StatusOr<pid_t> NewThread() override;
  absl::Status AttachThread(pid_t thread) override;
  void ReleaseThread() override;
  absl::StatusOr<uint64_t> Map(uint64_t addr, uint64_t length, int prot, int flags, int host_fd,
                               uint64_t offset) override;
  absl::Status Unmap(uint64_t addr, uint64_t length) override;
  absl::Status Protect(uint64_t addr, uint64_t length, int prot) override;
  absl::StatusOr<uint64_t> MemorySyscall(int nr, absl::Span<const uint64_t> args) override;
  absl::StatusOr<size_t> Read(uint64_t addr, absl::Span<uint8_t> dst) override;
  absl::StatusOr<size_t> Write(uint64_t addr, absl::Span<const uint8_t> src) override;
  absl::StatusOr<size_t> WriteFromFileMapping(uint64_t addr,
                                              absl::Span<const uint8_t> src) override;
  absl::StatusOr<std::unique_ptr<AddressSpace>> Fork() override;
  pid_t HostPid() const override { return pid_; }

  // The stub thread the calling host thread controls here; null if none.
  PtraceStub* StubOfCaller();
  // Unique among all address spaces of the sentry's life (addresses are
  // reused after free), so a Context can cache StubOfCaller() by it.
  uint64_t id() const { return id_; }

  // clone(2) of the stub process through the caller's stub thread; the
  // child stops in the Stop code. The caller owns the new pid.
  [[nodiscard]] absl::StatusOr<pid_t> ForkStub();

 private:
  // Runs `nr` in the caller's stub thread from stub entry `entry`.
  absl::StatusOr<int64_t> InjectFromCaller(const char* entry, int nr,
                                           absl::Span<const uint64_t> args);

  const pid_t pid_;
  const uint64_t id_;
  const std::shared_ptr<CpuPairing> pairing_;
  absl::Mutex mu_;
  // The CPU pin of each tracer that has one, by its host tid.
  std::map<pid_t, CpuPairing::Pin> pins_ ABSL_GUARDED_BY(mu_);
  // Attached stub threads by the host tid of the sentry thread that
  // traces them.
  std::map<pid_t, std::unique_ptr<PtraceStub>> stubs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace runsc::platform

#endif  // RUNSC_PLATFORM_PTRACE_PTRACE_ADDRESS_SPACE_H_
