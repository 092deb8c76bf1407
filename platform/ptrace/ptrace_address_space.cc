#include "platform/ptrace/ptrace_address_space.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>

#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "platform/stub/stub.h"
#include "platform/stub/stub_process.h"
#include "platform/stub/stub_reaper.h"

namespace runsc::platform {
namespace {

// The stub's own pages must survive whatever the application asks for.
bool OverlapsStub(uint64_t addr, uint64_t length) {
  return stub::StubRange(kStubBase + stub::CodeSize()).Overlaps(addr, length);
}

absl::StatusOr<uint64_t> ResultOf(absl::StatusOr<int64_t> raw, const std::string& what) {
  if (!raw.ok()) return raw.status();
  return stub::RawResult(*raw, what.c_str());
}

std::atomic<uint64_t> next_address_space_id{1};

// The calling host thread's tid, asked of the host once per thread: the
// key of stubs_, looked up on every Switch.
pid_t CallerTid() {
  thread_local const pid_t tid = ::gettid();
  return tid;
}

}  // namespace

PtraceAddressSpace::PtraceAddressSpace(pid_t pid, std::shared_ptr<CpuPairing> pairing)
    : pid_(pid), id_(next_address_space_id++), pairing_(std::move(pairing)) {}

PtraceAddressSpace::~PtraceAddressSpace() {
  absl::MutexLock lock(&mu_);
  // Threads still attached here are traced by the caller (the contract:
  // every other controller released its thread first). SIGKILL ends them
  // all; each traced thread's exit must be collected by its tracer before
  // the first thread's exit is reported.
  stub::StubReaper::UnpinDying(pid_);
  ::kill(pid_, SIGKILL);
  bool first_thread_traced = false;
  for (auto& [tracer, stub] : stubs_) {
    if (stub->tid() == pid_) {
      first_thread_traced = true;
      continue;
    }
    while (!stub->exited() && stub->WaitStop().ok()) {
    }
  }
  // The usual case: the first thread was released (parked and detached),
  // so no thread of ours traces the process and any thread may reap it,
  // off this one's path (stub_reaper.h). A first thread the caller still
  // traces (a failed exec) is reaped here, by its tracer.
  if (first_thread_traced) {
    KillAndReapStubProcess(pid_);
  } else {
    stub::StubReaper::Get().Reap(pid_);
  }
}

PtraceStub* PtraceAddressSpace::StubOfCaller() {
  absl::MutexLock lock(&mu_);
  auto it = stubs_.find(CallerTid());
  return it == stubs_.end() ? nullptr : it->second.get();
}

absl::Status PtraceAddressSpace::Attach() {
  auto stub = std::make_unique<PtraceStub>(pid_, pid_);
  if (absl::Status s = stub->AttachStopped(); !s.ok()) return s;
  CpuPairing::Pin pin = pairing_ ? pairing_->PinCallerWith(pid_) : CpuPairing::Pin();
  absl::MutexLock lock(&mu_);
  stubs_[CallerTid()] = std::move(stub);
  pins_[CallerTid()] = std::move(pin);
  return absl::OkStatus();
}

absl::StatusOr<pid_t> PtraceAddressSpace::NewThread() {
  // The new thread shares everything a thread shares; it gets no stack (the
  // Park code needs none) and no tracer until AttachThread.
  const uint64_t args[] = {CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                               CLONE_SYSVSEM,
                           0, 0, 0, 0};
  absl::StatusOr<uint64_t> tid =
      ResultOf(InjectFromCaller(runsc_stub_thread, SYS_clone, args), "clone of a thread");
  if (!tid.ok()) return tid.status();
  return static_cast<pid_t>(*tid);
}

absl::Status PtraceAddressSpace::AttachThread(pid_t thread) {
  auto stub = std::make_unique<PtraceStub>(pid_, thread);
  if (absl::Status s = stub->AttachParked(); !s.ok()) return s;
  CpuPairing::Pin pin = pairing_ ? pairing_->PinCallerWith(thread) : CpuPairing::Pin();
  absl::MutexLock lock(&mu_);
  stubs_[CallerTid()] = std::move(stub);
  pins_[CallerTid()] = std::move(pin);
  return absl::OkStatus();
}

void PtraceAddressSpace::ReleaseThread() {
  std::unique_ptr<PtraceStub> stub;
  CpuPairing::Pin pin;  // Undone on return, on this thread.
  {
    absl::MutexLock lock(&mu_);
    auto it = stubs_.find(CallerTid());
    if (it == stubs_.end()) return;
    stub = std::move(it->second);
    stubs_.erase(it);
    if (auto p = pins_.find(CallerTid()); p != pins_.end()) {
      pin = std::move(p->second);
      pins_.erase(p);
    }
  }
  // The first thread cannot exit alone: the host would report the whole
  // process gone to whoever waits for it. It parks, untraced, in stub code.
  if (stub->tid() == pid_) {
    stub->ParkAndDetach();
  } else {
    stub->Exit();
  }
}

absl::StatusOr<int64_t> PtraceAddressSpace::InjectFromCaller(const char* entry, int nr,
                                                             absl::Span<const uint64_t> args) {
  PtraceStub* stub = StubOfCaller();
  if (stub == nullptr) {
    return absl::FailedPreconditionError("the calling thread controls no thread of this stub");
  }
  return stub->Inject(stub::EntryAt(kStubBase, entry), nr, args);
}

absl::StatusOr<uint64_t> PtraceAddressSpace::Map(uint64_t addr, uint64_t length, int prot,
                                                 int flags, int host_fd, uint64_t offset) {
  if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && OverlapsStub(addr, length)) {
    return ErrnoError(EINVAL, "mapping over the stub's pages");
  }
  const uint64_t args[] = {addr, length, static_cast<uint64_t>(prot), static_cast<uint64_t>(flags),
                           static_cast<uint64_t>(static_cast<int64_t>(host_fd)), offset};
  absl::StatusOr<uint64_t> result =
      ResultOf(InjectFromCaller(runsc_stub_syscall, SYS_mmap, args), "mmap");
  if (result.ok() && OverlapsStub(*result, length)) {
    // Cannot happen (the stub's pages are mapped), but never hand them out.
    (void)Unmap(*result, length);
    return ErrnoError(ENOMEM, "host placed a mapping over the stub");
  }
  return result;
}

absl::Status PtraceAddressSpace::Unmap(uint64_t addr, uint64_t length) {
  if (OverlapsStub(addr, length)) return ErrnoError(EINVAL, "unmapping the stub's pages");
  const uint64_t args[] = {addr, length};
  return ResultOf(InjectFromCaller(runsc_stub_syscall, SYS_munmap, args),
                  "munmap")
      .status();
}

absl::Status PtraceAddressSpace::Protect(uint64_t addr, uint64_t length, int prot) {
  if (OverlapsStub(addr, length)) return ErrnoError(EINVAL, "mprotect of the stub's pages");
  const uint64_t args[] = {addr, length, static_cast<uint64_t>(prot)};
  return ResultOf(InjectFromCaller(runsc_stub_syscall, SYS_mprotect, args),
                  "mprotect")
      .status();
}

absl::StatusOr<uint64_t> PtraceAddressSpace::MemorySyscall(int nr,
                                                           absl::Span<const uint64_t> args) {
  if (absl::Status s = stub::StubRange(kStubBase + stub::CodeSize()).CheckMemorySyscall(nr, args);
      !s.ok()) {
    return s;
  }
  return ResultOf(InjectFromCaller(runsc_stub_syscall, nr, args), absl::StrCat("syscall ", nr));
}

absl::StatusOr<size_t> PtraceAddressSpace::Read(uint64_t addr, absl::Span<uint8_t> dst) {
  return stub::ReadStubMemory(pid_, addr, dst);
}

absl::StatusOr<size_t> PtraceAddressSpace::Write(uint64_t addr, absl::Span<const uint8_t> src) {
  return stub::WriteStubMemory(pid_, addr, src);
}

absl::StatusOr<size_t> PtraceAddressSpace::WriteFromFileMapping(uint64_t addr,
                                                    absl::Span<const uint8_t> src) {
  // process_vm_writev reads `src` in the kernel: a truncated file's page
  // fails the copy, never SIGBUS here (platform.h).
  return stub::WriteStubMemory(pid_, addr, src);
}

absl::StatusOr<pid_t> PtraceAddressSpace::ForkStub() {
  // CLONE_PARENT: every stub is a child of the sentry, so none is orphaned
  // when the application's parent exits, and PDEATHSIG ties it to the
  // sentry. CLONE_FILES: stubs share the sentry's fd table (DESIGN §3).
  const uint64_t args[] = {CLONE_PARENT | CLONE_FILES | SIGCHLD, 0, 0, 0, 0};
  absl::StatusOr<uint64_t> pid = ResultOf(InjectFromCaller(runsc_stub_fork, SYS_clone, args), "clone");
  if (!pid.ok()) return pid.status();
  return static_cast<pid_t>(*pid);
}

absl::StatusOr<std::unique_ptr<AddressSpace>> PtraceAddressSpace::Fork() {
  absl::StatusOr<pid_t> pid = ForkStub();
  if (!pid.ok()) return pid.status();
  return std::make_unique<PtraceAddressSpace>(*pid, pairing_);
}

}  // namespace runsc::platform
