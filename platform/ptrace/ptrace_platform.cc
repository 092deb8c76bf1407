#include "platform/ptrace/ptrace_platform.h"

#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "base/logging.h"
#include "platform/ptrace/ptrace_address_space.h"
#include "platform/ptrace/ptrace_context.h"
#include "platform/stub/stub.h"
#include "platform/stub/stub_filter.h"
#include "platform/stub/stub_process.h"

namespace runsc::platform {
namespace {

// Forks the clean stub from the calling thread. The child only makes raw
// syscalls (the parent has other threads) and then jumps into the stub,
// which unmaps all of the sentry's memory and stops.
absl::StatusOr<pid_t> ForkCleanStub() {
  // Built before the fork: the child must not allocate.
  const stub::StubFilter filter(kStubBase, kStubBase + stub::CodeSize());
  if (!filter.valid()) return absl::InternalError("the stub code crosses a 4 GiB boundary");
  pid_t pid = static_cast<pid_t>(::syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0));
  if (pid < 0) return HostError("clone of the clean stub");
  if (pid > 0) return pid;

  // Child: raw syscalls only from here on.
  stub::ResetInheritedStateInChild();
  uint64_t empty = 0;
  ::syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, nullptr, 8);
  // Out of the sentry's process group, which may be the foreground of the
  // container's console: the terminal's signals are for the sentry to pass
  // on, never for a stub (every stub is forked from this one).
  ::syscall(SYS_setpgid, 0, 0);
  // Last: from here on only stub code may make a syscall, and every stub
  // forked from this one inherits the filter. Fail closed: a stub without
  // its filter never runs (Attach sees it exit).
  if (filter.InstallInChild() != 0) ::syscall(SYS_exit_group, 127);
  const uint64_t stub_end = kStubBase + stub::CodeSize();
  const uint64_t above = kMaxUserAddress - stub_end;
  const uint64_t init = stub::EntryAt(kStubBase, runsc_stub_init);
  asm volatile(
      "mov %0, %%r12\n"
      "mov %1, %%r13\n"
      "mov %2, %%r14\n"
      "jmp *%3\n" ::"r"(kStubBase),
      "r"(stub_end), "r"(above), "r"(init)
      : "r12", "r13", "r14", "memory");
  __builtin_unreachable();
}

// Stubs the factory keeps forked ahead (see ptrace_platform.h). One
// covers a shell running commands one after another; each is a host task
// of the sandbox's pids limit.
constexpr size_t kStubPoolCapacity = 1;

}  // namespace

absl::StatusOr<std::unique_ptr<PtracePlatform>> PtracePlatform::Create(
    std::shared_ptr<CpuPairing> pairing) {
  if (absl::Status s = stub::InstallStubCode(); !s.ok()) return s;
  std::unique_ptr<PtracePlatform> platform(new PtracePlatform());
  platform->pairing_ = std::move(pairing);
  platform->factory_ = std::thread([p = platform.get()] { p->FactoryLoop(); });
  absl::Status status;
  {
    absl::MutexLock lock(&platform->mu_);
    platform->mu_.Await(absl::Condition(&platform->factory_ready_));
    status = platform->factory_status_;
  }
  if (!status.ok()) {
    platform->factory_.join();
    return status;
  }
  return platform;
}

PtracePlatform::~PtracePlatform() {
  {
    absl::MutexLock lock(&mu_);
    shutting_down_ = true;
  }
  if (factory_.joinable()) factory_.join();
}

void PtracePlatform::FactoryLoop() {
  // This thread is the real parent of every stub (CLONE_PARENT keeps it so),
  // so their PDEATHSIG fires only when it exits: it lives as long as the
  // platform.
  std::unique_ptr<PtraceAddressSpace> clean;
  absl::Status status;
  absl::StatusOr<pid_t> pid = ForkCleanStub();
  if (pid.ok()) {
    clean = std::make_unique<PtraceAddressSpace>(*pid);
    status = clean->Attach();
  } else {
    status = pid.status();
  }
  {
    absl::MutexLock lock(&mu_);
    factory_status_ = status;
    factory_ready_ = true;
    if (!status.ok()) return;
  }
  absl::MutexLock lock(&mu_);
  for (;;) {
    auto wake = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return request_pending_ || shutting_down_ || ShouldRefill();
    };
    mu_.Await(absl::Condition(&wake));
    if (shutting_down_) break;
    mu_.Unlock();
    absl::StatusOr<pid_t> forked = clean->ForkStub();
    mu_.Lock();
    // A request that came while this fork was made for the pool takes it:
    // ownership of the new stub passes to the requester.
    if (request_pending_) {
      request_pending_ = false;
      reply_ = forked;
      reply_ready_ = true;
    } else if (forked.ok()) {
      pooled_.push_back(*forked);
    } else {
      refill_failed_ = true;
    }
  }
  for (pid_t pid : pooled_) KillAndReapStubProcess(pid);
  pooled_.clear();
  // `clean` dies here, on its tracer thread.
}

bool PtracePlatform::ShouldRefill() const {
  return address_spaces_made_ >= 2 && !refill_failed_ && pooled_.size() < kStubPoolCapacity;
}

absl::StatusOr<std::unique_ptr<AddressSpace>> PtracePlatform::NewAddressSpace() {
  absl::MutexLock serialize(&request_mu_);
  absl::MutexLock lock(&mu_);
  ++address_spaces_made_;
  refill_failed_ = false;  // Worth another try: something may have gone.
  if (!pooled_.empty()) {
    const pid_t pid = pooled_.back();
    pooled_.pop_back();
    return std::make_unique<PtraceAddressSpace>(pid, pairing_);
  }
  request_pending_ = true;
  mu_.Await(absl::Condition(&reply_ready_));
  reply_ready_ = false;
  if (!reply_.ok()) return reply_.status();
  return std::make_unique<PtraceAddressSpace>(*reply_, pairing_);
}

std::unique_ptr<Context> PtracePlatform::NewContext() { return std::make_unique<PtraceContext>(); }

}  // namespace runsc::platform
