// The ptrace platform (DESIGN §3): stubs traced with PTRACE_SYSEMU.
//
// New address spaces are forked from one clean stub, which a dedicated host
// thread (the stub factory) creates at start-up and traces for the life of
// the platform: only a stub's tracer may inject the clone(2) that copies it.
//
// The factory also keeps one stub forked ahead for the next execve, from the
// platform's second address space on (a container that only runs its init
// never pays for it): the new stub's fork and its run to the stop it waits
// to be attached in then happen while the application runs, not in its
// execve. A pooled stub has run only stub code (it set its PDEATHSIG and
// stopped itself), is handed to one caller and never pooled again; until
// then it is stopped, untraced, and dies with the factory thread.
#ifndef RUNSC_PLATFORM_PTRACE_PTRACE_PLATFORM_H_
#define RUNSC_PLATFORM_PTRACE_PTRACE_PLATFORM_H_

#include <memory>
#include <thread>
#include <vector>

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
  bool ShouldRefill() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  bool factory_ready_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status factory_status_ ABSL_GUARDED_BY(mu_);
  bool request_pending_ ABSL_GUARDED_BY(mu_) = false;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  absl::StatusOr<pid_t> reply_ ABSL_GUARDED_BY(mu_) = 0;
  bool reply_ready_ ABSL_GUARDED_BY(mu_) = false;
  // Stubs forked ahead, stopped and untraced; owned by the platform until
  // NewAddressSpace hands one out.
  std::vector<pid_t> pooled_ ABSL_GUARDED_BY(mu_);
  size_t address_spaces_made_ ABSL_GUARDED_BY(mu_) = 0;
  // A refill failed (a pids limit): not retried until the next request.
  bool refill_failed_ ABSL_GUARDED_BY(mu_) = false;
  absl::Mutex request_mu_;  // One NewAddressSpace() at a time.
  std::thread factory_;
  std::shared_ptr<CpuPairing> pairing_;
};

}  // namespace runsc::platform

#endif  // RUNSC_PLATFORM_PTRACE_PTRACE_PLATFORM_H_
