// An application address space on the ptrace platform: one stub process.
#ifndef RUNSC_PLATFORM_PTRACE_PTRACE_ADDRESS_SPACE_H_
#define RUNSC_PLATFORM_PTRACE_PTRACE_ADDRESS_SPACE_H_

#include <memory>

#include "platform/platform.h"
#include "platform/ptrace/ptrace_stub.h"

namespace runsc::platform {

class PtraceAddressSpace : public AddressSpace {
 public:
  // Adopts stub process `pid` (stopped or stopping in the stub's Stop code).
  explicit PtraceAddressSpace(pid_t pid) : stub_(pid) {}

  absl::Status Attach() override;
  absl::StatusOr<uint64_t> Map(uint64_t addr, uint64_t length, int prot, int flags, int host_fd,
                               uint64_t offset) override;
  absl::Status Unmap(uint64_t addr, uint64_t length) override;
  absl::Status Protect(uint64_t addr, uint64_t length, int prot) override;
  absl::StatusOr<uint64_t> MemorySyscall(int nr, absl::Span<const uint64_t> args) override;
  absl::StatusOr<size_t> Read(uint64_t addr, absl::Span<uint8_t> dst) override;
  absl::StatusOr<size_t> Write(uint64_t addr, absl::Span<const uint8_t> src) override;
  absl::StatusOr<std::unique_ptr<AddressSpace>> Fork() override;
  pid_t HostPid() const override { return stub_.pid(); }

  PtraceStub& stub() { return stub_; }

 private:
  PtraceStub stub_;
};

}  // namespace runsc::platform

#endif  // RUNSC_PLATFORM_PTRACE_PTRACE_ADDRESS_SPACE_H_
