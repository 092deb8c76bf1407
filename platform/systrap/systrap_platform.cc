#include "platform/systrap/systrap_platform.h"

#include <signal.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/errno_status.h"
#include "platform/stub/stub.h"
#include "platform/stub/stub_filter.h"
#include "platform/stub/stub_process.h"
#include "platform/systrap/systrap_context.h"
#include "platform/systrap/systrap_wait.h"

extern "C" {
extern const char runsc_systrap_init[];
extern const char runsc_systrap_signal_handler[];
extern const char runsc_systrap_restorer[];
}

namespace runsc::platform::systrap {
namespace {

constexpr unsigned long kSaRestorer = 0x04000000;  // SA_RESTORER, which glibc hides

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE (1 << 1)
#endif

// Forks the clean stub from the calling thread: a process with only the
// stub code and `area` mapped, whose one thread is the syscall thread.
absl::StatusOr<pid_t> ForkCleanStub(const ControlArea& area) {
  const stub::StubFilter filter(kStubBase, kStubBase + stub::CodeSize(), SECCOMP_RET_TRAP);
  if (!filter.valid()) return absl::InternalError("the stub code crosses a 4 GiB boundary");
  const uint64_t code_end = kStubBase + stub::CodeSize();
  const uint64_t ctl_end = kCtlBase + kCtlSize;
  // Read by the asm below from the sentry's stack, before it is unmapped.
  const uint64_t init[] = {kStubBase,
                           code_end,
                           kCtlBase - code_end,
                           ctl_end,
                           kMaxUserAddress - ctl_end,
                           stub::EntryAt(kStubBase, runsc_systrap_init)};
  struct KernelSigaction {
    uint64_t handler;
    unsigned long flags;
    uint64_t restorer;
    uint64_t mask;
  } act{stub::EntryAt(kStubBase, runsc_systrap_signal_handler),
        SA_SIGINFO | SA_ONSTACK | kSaRestorer, stub::EntryAt(kStubBase, runsc_systrap_restorer),
        ~uint64_t{0}};
  const int fd = area.fd();
  pid_t pid = static_cast<pid_t>(::syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0));
  if (pid < 0) return HostError("clone of the clean systrap stub");
  if (pid > 0) return pid;

  // Child: raw syscalls only. Any failure ends it, and the sentry sees a
  // stub that never answers.
  stub::ResetInheritedStateInChild();
  // Every catchable signal goes to the stub's handler, on the thread's
  // sigaltstack, with everything masked while it runs.
  for (int sig = 1; sig <= 64; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    if (::syscall(SYS_rt_sigaction, sig, &act, nullptr, 8) != 0) ::syscall(SYS_exit_group, 120);
  }
  // The syscall thread takes no signal: they are for application threads.
  uint64_t all = ~uint64_t{0};
  ::syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, nullptr, 8);
  ::syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (::syscall(SYS_mmap, kCtlBase, kCtlSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
                0) != static_cast<long>(kCtlBase) ||
      ::syscall(SYS_mprotect, kCtlBase, kPageSize, PROT_READ) != 0) {
    ::syscall(SYS_exit_group, 121);
  }
  if (filter.InstallInChild() != 0) ::syscall(SYS_exit_group, 127);
  asm volatile(
      "mov 0(%0), %%r12\n"
      "mov 8(%0), %%r13\n"
      "mov 16(%0), %%r14\n"
      "mov 24(%0), %%rbx\n"
      "mov 32(%0), %%rbp\n"
      "jmp *40(%0)\n" ::"a"(init)
      : "memory");
  __builtin_unreachable();
}

// The clean stub ForkCleanStubEarly made, until Create adopts it.
struct EarlyStub {
  pid_t pid = 0;
  std::unique_ptr<ControlArea> area;
};
EarlyStub& Early() {
  static EarlyStub* early = new EarlyStub();
  return *early;
}

absl::Status CheckHost() {
  if (!(::getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE)) {
    return absl::FailedPreconditionError(
        "platform systrap needs the FSGSBASE instructions (Linux >= 5.9 on a CPU with them)");
  }
  return stub::InstallStubCode();
}

// The clean stub only answers fork requests: no need to spin for it.
constexpr uint64_t kCleanStubSpinNs = 0;

// Stubs kept forked ahead for execve. One covers a shell running commands
// one after another (the pool refills while the command runs); each costs
// two host tasks of the sandbox's pids limit.
constexpr size_t kStubPoolCapacity = 1;

}  // namespace

absl::Status SystrapPlatform::ForkCleanStubEarly() {
  if (absl::Status s = CheckHost(); !s.ok()) return s;
  EarlyStub& early = Early();
  if (early.area != nullptr) return absl::OkStatus();
  absl::StatusOr<std::unique_ptr<ControlArea>> area =
      ControlArea::Create(TscCyclesFor(kCleanStubSpinNs));
  if (!area.ok()) return area.status();
  absl::StatusOr<pid_t> pid = ForkCleanStub(**area);
  if (!pid.ok()) return pid.status();
  early.pid = *pid;
  early.area = std::move(*area);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<SystrapPlatform>> SystrapPlatform::Create(SystrapOptions options) {
  if (absl::Status s = CheckHost(); !s.ok()) return s;
  std::unique_ptr<SystrapPlatform> platform(new SystrapPlatform());
  const uint64_t spin_cycles = TscCyclesFor(options.spin_ns);
  platform->spin_cycles_ = spin_cycles;
  platform->adaptive_spin_ = options.adaptive_spin;
  platform->pairing_ = std::move(options.pairing);
  platform->syscall_patching_ = options.syscall_patching;
  SystrapPlatform* p = platform.get();
  platform->pool_ = std::make_unique<SystrapStubPool>(
      kStubPoolCapacity, [p] { return p->ForkFresh(/*first_thread=*/true); });
  if (EarlyStub& early = Early(); early.area != nullptr) {
    platform->clean_ = std::make_unique<SystrapAddressSpace>(early.pid, std::move(early.area));
    return platform;
  }
  platform->parent_ = std::thread([p = platform.get()] { p->ParentLoop(); });
  absl::Status status;
  {
    absl::MutexLock lock(&platform->mu_);
    platform->mu_.Await(absl::Condition(&platform->ready_));
    status = platform->status_;
  }
  if (!status.ok()) {
    platform->parent_.join();
    return status;
  }
  return platform;
}

SystrapPlatform::~SystrapPlatform() {
  pool_.reset();
  clean_.reset();
  {
    absl::MutexLock lock(&mu_);
    shutting_down_ = true;
  }
  if (parent_.joinable()) parent_.join();
}

void SystrapPlatform::ParentLoop() {
  absl::Status status;
  absl::StatusOr<std::unique_ptr<ControlArea>> area =
      ControlArea::Create(TscCyclesFor(kCleanStubSpinNs));
  if (area.ok()) {
    absl::StatusOr<pid_t> pid = ForkCleanStub(**area);
    if (pid.ok()) {
      clean_ = std::make_unique<SystrapAddressSpace>(*pid, std::move(*area));
    } else {
      status = pid.status();
    }
  } else {
    status = area.status();
  }
  absl::MutexLock lock(&mu_);
  status_ = status;
  ready_ = true;
  if (!status.ok()) return;
  mu_.Await(absl::Condition(&shutting_down_));
}

absl::StatusOr<std::unique_ptr<SystrapAddressSpace>> SystrapPlatform::ForkFresh(
    bool first_thread) {
  // Adaptive: the syscall thread (mmap and friends, rarer) does not spin.
  absl::StatusOr<std::unique_ptr<ControlArea>> area =
      ControlArea::Create(adaptive_spin_ ? 0 : spin_cycles_);
  if (!area.ok()) return area.status();
  absl::StatusOr<pid_t> pid = clean_->ForkInto(**area);
  if (!pid.ok()) return pid.status();
  auto as = std::make_unique<SystrapAddressSpace>(
      *pid, std::move(*area), pairing_, syscall_patching_,
      HandoffSpin{.cycles = spin_cycles_, .adaptive = adaptive_spin_});
  if (first_thread) {
    if (absl::Status s = as->PrepareFirstThread(); !s.ok()) return s;
  }
  return as;
}

absl::StatusOr<std::unique_ptr<AddressSpace>> SystrapPlatform::NewAddressSpace() {
  if (std::unique_ptr<SystrapAddressSpace> pooled = pool_->Take()) return pooled;
  absl::StatusOr<std::unique_ptr<SystrapAddressSpace>> fresh = ForkFresh(/*first_thread=*/false);
  if (!fresh.ok()) return fresh.status();
  return std::unique_ptr<AddressSpace>(std::move(*fresh));
}

std::unique_ptr<Context> SystrapPlatform::NewContext() { return std::make_unique<SystrapContext>(); }

}  // namespace runsc::platform::systrap
