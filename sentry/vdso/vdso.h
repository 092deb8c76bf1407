// The vDSO the sentry gives every application (DESIGN §4), after Linux's:
// an ELF shared object built at build time from vdso.c and embedded in
// the sentry, mapped into every new address space next to a read-only
// "vvar" page of clock parameters, and announced by AT_SYSINFO_EHDR, so
// glibc answers clock_gettime, gettimeofday and time without a trap.
//
// Both live in one sealed memfd the sentry owns: page 0 is the vvar page
// (mapped MAP_SHARED, so every process sees the sentry's updates, and
// read-only for good: F_SEAL_FUTURE_WRITE refuses PROT_WRITE), the pages
// after it the vDSO image (mapped MAP_PRIVATE, so an application that
// makes its own copy writable changes only its own). fork keeps both.
#ifndef RUNSC_SENTRY_VDSO_VDSO_H_
#define RUNSC_SENTRY_VDSO_VDSO_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "base/unique_fd.h"
#include "sentry/mm/memory_manager.h"
#include "sentry/vdso/vvar_clock.h"

namespace runsc::sentry {

class Vdso {
 public:
  // Builds the memfd and starts the clock. Needs no host path: it runs
  // after the sentry is confined.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Vdso>> Create(
      const VvarClock::Options& options);
  ~Vdso();
  Vdso(const Vdso&) = delete;
  Vdso& operator=(const Vdso&) = delete;

  // Maps [vvar] and [vdso] into `mm` where the host finds room; returns the
  // address of the vDSO's ELF header (AT_SYSINFO_EHDR).
  [[nodiscard]] absl::StatusOr<uint64_t> MapInto(MemoryManager& mm) const;

  const VvarClock& clock() const { return *clock_; }

  // The embedded ELF image (for tests and the loader).
  static absl::Span<const uint8_t> Image();

 private:
  Vdso(UniqueFd memfd, runsc_vvar* vvar, uint64_t image_bytes);

  UniqueFd memfd_;
  runsc_vvar* vvar_;  // The sentry's writable mapping of page 0.
  uint64_t image_bytes_;  // Page-rounded size of the image in the memfd.
  std::unique_ptr<VvarClock> clock_;
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_VDSO_VDSO_H_
