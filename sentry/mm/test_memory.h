// For tests that copy in and out of real application memory: a memory
// manager over a fresh ptrace stub, attached. A header, not a library: only
// tests include it.
#ifndef RUNSC_SENTRY_MM_TEST_MEMORY_H_
#define RUNSC_SENTRY_MM_TEST_MEMORY_H_

#include <memory>

#include "absl/status/statusor.h"
#include "platform/platform.h"
#include "sentry/mm/memory_manager.h"

namespace runsc::sentry {

struct TestMemory {
  std::unique_ptr<platform::Platform> platform;  // Outlives `mm`: destroy `mm` first.
  std::unique_ptr<MemoryManager> mm;
};

inline absl::StatusOr<TestMemory> NewTestMemory() {
  absl::StatusOr<std::unique_ptr<platform::Platform>> p = platform::CreatePlatform("ptrace");
  if (!p.ok()) return p.status();
  absl::StatusOr<std::unique_ptr<platform::AddressSpace>> as = (*p)->NewAddressSpace();
  if (!as.ok()) return as.status();
  if (absl::Status attached = (*as)->Attach(); !attached.ok()) return attached;
  return TestMemory{*std::move(p), std::make_unique<MemoryManager>(*std::move(as))};
}

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_MM_TEST_MEMORY_H_
