// The ptrace platform (DESIGN §3): stubs traced with PTRACE_SYSEMU.
//
// New address spaces are forked from one clean stub, which a dedicated host
// thread (the stub factory) creates at start-up and traces for the life of
// the platform: only a stub's tracer may inject the clone(2) that copies it.
#ifndef RUNSC_PLATFORM_PTRACE_PTRACE_PLATFORM_H_
#define RUNSC_PLATFORM_PTRACE_PTRACE_PLATFORM_H_

#include <memory>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "platform/cpu_pairing.h"
#include "platform/platform.h"

namespace runsc::platform {

class PtracePlatform : public Platform {
 public:
  // Maps the stub code at kStubBase in the sentry and starts the factory.
  // Application threads are paired with their tracers by `pairing` (none
  // if null).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<PtracePlatform>> Create(
      std::shared_ptr<CpuPairing> pairing = nullptr);
  ~PtracePlatform() override;

  absl::string_view Name() const override { return "ptrace"; }
  absl::StatusOr<std::unique_ptr<AddressSpace>> NewAddressSpace() override;
  std::unique_ptr<Context> NewContext() override;

 private:
  PtracePlatform() = default;
  void FactoryLoop();

  absl::Mutex mu_;
  bool factory_ready_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status factory_status_ ABSL_GUARDED_BY(mu_);
  bool request_pending_ ABSL_GUARDED_BY(mu_) = false;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  absl::StatusOr<pid_t> reply_ ABSL_GUARDED_BY(mu_) = 0;
  bool reply_ready_ ABSL_GUARDED_BY(mu_) = false;
  absl::Mutex request_mu_;  // One NewAddressSpace() at a time.
  std::thread factory_;
  std::shared_ptr<CpuPairing> pairing_;
};

}  // namespace runsc::platform

#endif  // RUNSC_PLATFORM_PTRACE_PTRACE_PLATFORM_H_
