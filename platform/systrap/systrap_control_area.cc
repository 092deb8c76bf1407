#include "platform/systrap/systrap_control_area.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "base/errno_status.h"
#include "platform/platform.h"
#include "platform/stub/stub.h"
#include "platform/stub/stub_filter.h"
#include "platform/systrap/systrap_wait.h"

namespace runsc::platform::systrap {

absl::StatusOr<std::unique_ptr<ControlArea>> ControlArea::Create(uint64_t spin_cycles) {
  const std::vector<sock_filter> filter =
      stub::SystrapThreadFilter(kStubBase, kStubBase + stub::CodeSize());
  if (filter.empty() || filter.size() > SYSTRAP_MAX_FILTER) {
    return absl::InternalError("the systrap thread filter does not fit the request page");
  }
  UniqueFd fd(::memfd_create("runsc-systrap", MFD_CLOEXEC));
  if (!fd.valid()) return HostError("memfd_create of a systrap control area");
  if (::ftruncate(fd.get(), static_cast<off_t>(kCtlSize)) != 0) {
    return HostError("ftruncate of a systrap control area");
  }
  void* base = ::mmap(nullptr, kCtlSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (base == MAP_FAILED) return HostError("mmap of a systrap control area");
  std::unique_ptr<ControlArea> area(
      new ControlArea(std::move(fd), static_cast<uint8_t*>(base), spin_cycles));
  RequestPage& req = area->request();
  req.spin_cycles = spin_cycles;
  std::memcpy(req.filter, filter.data(), filter.size() * sizeof(sock_filter));
  req.prog.len = static_cast<uint16_t>(filter.size());
  req.prog.filter = kCtlBase + offsetof(RequestPage, filter);
  return area;
}

ControlArea::~ControlArea() { ::munmap(base_, kCtlSize); }

absl::StatusOr<int64_t> ControlArea::CallSyscallThread(uint64_t kind, int nr,
                                                       absl::Span<const uint64_t> args) {
  absl::MutexLock lock(&mu_);
  RequestPage& req = request();
  ReplyPage& rep = reply();
  // Seqlock write: odd while the request changes, so the stub never runs a
  // mix of two requests even if the application forged `done` to make us
  // post the next one early.
  req.seq.store(seq_ + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  req.kind = kind;
  req.nr = static_cast<uint64_t>(nr);
  for (size_t i = 0; i < 6; ++i) req.args[i] = i < args.size() ? args[i] : 0;
  seq_ += 2;
  const uint32_t seq = seq_;
  Post(req.seq, seq, rep.stub_sleeping);
  absl::Status s = WaitUntil(rep.done, rep.sentry_sleeping, spin_cycles_, pid_,
                             [seq](uint32_t done) { return done == seq; });
  if (!s.ok()) return s;
  return rep.result.load(std::memory_order_acquire);
}

}  // namespace runsc::platform::systrap
