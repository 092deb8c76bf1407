#include "platform/systrap/systrap_address_space.h"

#include <errno.h>
#include <linux/membarrier.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "base/logging.h"
#include "platform/stub/stub.h"
#include "platform/stub/stub_process.h"
#include "platform/stub/stub_reaper.h"
#include "platform/systrap/systrap_wait.h"

namespace runsc::platform::systrap {
namespace {

std::atomic<uint64_t> next_address_space_id{1};

extern "C" const char runsc_systrap_patch_entries[];
// The stride of the patch entries in stub_amd64.S.
constexpr uint64_t kPatchEntryStride = 16;

pid_t CallerTid() {
  thread_local const pid_t tid = ::gettid();
  return tid;
}

constexpr uint64_t kUcSigcontextSs = 0x2;
constexpr uint64_t kUcStrictRestoreSs = 0x4;

const stub::StubRange& Guard() {
  static const stub::StubRange range(SystrapAddressSpace::ProtectedEnd());
  return range;
}

}  // namespace

SystrapAddressSpace::SystrapAddressSpace(pid_t pid, std::unique_ptr<ControlArea> area,
                                         std::shared_ptr<CpuPairing> pairing,
                                         bool syscall_patching, HandoffSpin spin)
    : pid_(pid),
      id_(next_address_space_id++),
      area_(std::move(area)),
      pairing_(std::move(pairing)),
      spin_(spin),
      syscall_patching_(syscall_patching) {
  area_->set_pid(pid);
}

SystrapAddressSpace::~SystrapAddressSpace() {
  // Killed here, so that no application code runs in it once the sentry
  // has forgotten it; reaped off this thread (stub_reaper.h says why).
  stub::StubReaper::UnpinDying(pid_);
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [tracer, thread] : attached_) stub::StubReaper::UnpinDying(thread->tid);
  }
  ::kill(pid_, SIGKILL);
  stub::StubReaper::Get().Reap(pid_);
}

StubThread* SystrapAddressSpace::ThreadOfCaller() {
  absl::MutexLock lock(&mu_);
  auto it = attached_.find(CallerTid());
  return it == attached_.end() ? nullptr : it->second.get();
}

absl::StatusOr<uint64_t> SystrapAddressSpace::Call(int nr, absl::Span<const uint64_t> args,
                                                    const char* what) {
  // The syscall thread would serve anyone; the contract (platform.h) is
  // the ptrace platform's, so code that runs here runs there too.
  if (ThreadOfCaller() == nullptr) {
    return absl::FailedPreconditionError("the calling thread controls no thread of this stub");
  }
  absl::StatusOr<int64_t> raw = area_->CallSyscallThread(SYSTRAP_KIND_SYSCALL, nr, args);
  if (!raw.ok()) return raw.status();
  return stub::RawResult(*raw, what);
}

absl::Status SystrapAddressSpace::PrepareFirstThread() {
  absl::StatusOr<pid_t> thread = NewThread();
  if (!thread.ok()) return thread.status();
  absl::MutexLock lock(&mu_);
  prepared_first_thread_ = *thread;
  return absl::OkStatus();
}

absl::Status SystrapAddressSpace::Attach() {
  pid_t prepared = 0;
  {
    absl::MutexLock lock(&mu_);
    std::swap(prepared, prepared_first_thread_);
  }
  absl::StatusOr<pid_t> thread = prepared != 0 ? absl::StatusOr<pid_t>(prepared) : NewThread();
  if (!thread.ok()) return thread.status();
  if (absl::Status s = AttachThread(*thread); !s.ok()) return s;
  // The syscall thread (mmap and friends) joins the first pair: its
  // requests come from there first. Best effort, as for the pair.
  if (StubThread* first = ThreadOfCaller(); first != nullptr && first->pin.cpu() >= 0) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first->pin.cpu(), &one);
    (void)sched_setaffinity(pid_, sizeof(one), &one);
  }
  return absl::OkStatus();
}

void SystrapAddressSpace::WriteInitialFrame(int slot) {
  uint8_t* bytes = area_->SlotBytes(slot);
  const uint64_t stub_slot = ControlArea::StubSlotAddress(slot);
  auto* uc = reinterpret_cast<KernelUcontext*>(bytes + kInitialFrameOffset);
  std::memset(uc, 0, kFrameBytesFromUcontext);
  uc->flags = kUcSigcontextSs | kUcStrictRestoreSs;
  uc->ss_sp = stub_slot + SYSTRAP_STACK_OFFSET;
  uc->ss_size = kSlotSize - SYSTRAP_STACK_OFFSET;
  // A plain FXSAVE image (no xsave magic): the kernel restores it with
  // fxrstor and resets the other state components.
  auto* fp = reinterpret_cast<FpRegisters*>(bytes + SYSTRAP_CTX_INITIAL_FP);
  std::memset(fp, 0, sizeof(*fp));
  fp->cwd = 0x37f;
  fp->mxcsr = 0x1f80;
  uc->mcontext.fpstate = stub_slot + SYSTRAP_CTX_INITIAL_FP;
}

absl::StatusOr<pid_t> SystrapAddressSpace::NewThread() {
  int slot = -1;
  {
    absl::MutexLock lock(&mu_);
    ReclaimExitedSlotsLocked();
    for (int i = 0; i < kMaxThreads; ++i) {
      if (!slots_in_use_[i]) {
        slot = i;
        break;
      }
    }
    if (slot < 0) return ErrnoError(EAGAIN, "every systrap thread slot is in use");
    slots_in_use_[slot] = true;
  }
  ThreadContext& ctx = area_->Context(slot);
  ctx.command = SYSTRAP_CMD_RESUME;
  ctx.frame = 0;
  ctx.fs_base = 0;
  ctx.gs_base = 0;
  ctx.spin_cycles = spin_.adaptive ? 0 : spin_.cycles;
  ctx.stub_sleeping.store(0);
  ctx.sentry_sleeping.store(0);
  ctx.state.store(SYSTRAP_STATE_STARTING);
  WriteInitialFrame(slot);
  // Entry k of the slot's patch table leads to patch entry k, which tells
  // the common entry the site's index (syscall_patch.h).
  auto* patch_table = reinterpret_cast<uint64_t*>(area_->SlotBytes(slot) + SYSTRAP_CTX_PATCH_TABLE);
  for (int i = 0; i < kMaxPatchSites; ++i) {
    patch_table[i] =
        stub::EntryAt(kStubBase, runsc_systrap_patch_entries) + kPatchEntryStride * i;
  }
  const uint64_t stub_slot = ControlArea::StubSlotAddress(slot);
  // CLONE_CHILD_CLEARTID on the state word: when the thread dies, for any
  // reason, the kernel writes SYSTRAP_STATE_GONE there and wakes us.
  const uint64_t args[] = {CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                               CLONE_SYSVSEM | CLONE_CHILD_CLEARTID,
                           0, 0, stub_slot + SYSTRAP_CTX_STATE, 0, stub_slot};
  absl::StatusOr<int64_t> raw = area_->CallSyscallThread(SYSTRAP_KIND_THREAD, SYS_clone, args);
  absl::StatusOr<uint64_t> tid =
      raw.ok() ? stub::RawResult(*raw, "clone of a thread") : absl::StatusOr<uint64_t>(raw.status());
  absl::Status s = tid.status();
  if (s.ok()) {
    // The new thread sets up its signal stack and filter, then reports.
    s = WaitUntil(ctx.state, ctx.sentry_sleeping, area_->spin_cycles(), pid_,
                  [](uint32_t v) { return v != SYSTRAP_STATE_STARTING; });
    if (s.ok() && ctx.state.load() != SYSTRAP_STATE_STOPPED) {
      s = absl::InternalError("a new systrap stub thread died setting itself up");
    }
  }
  absl::MutexLock lock(&mu_);
  if (!s.ok()) {
    // A thread that was never made (or died) holds no slot.
    if (!tid.ok() || ctx.state.load() == SYSTRAP_STATE_GONE) slots_in_use_[slot] = false;
    return s;
  }
  auto thread = std::make_unique<StubThread>();
  thread->slot = slot;
  thread->tid = static_cast<pid_t>(*tid);
  unattached_[thread->tid] = std::move(thread);
  return static_cast<pid_t>(*tid);
}

absl::Status SystrapAddressSpace::AttachThread(pid_t thread) {
  CpuPairing::Pin pin = pairing_ ? pairing_->PinCallerWith(thread) : CpuPairing::Pin();
  absl::MutexLock lock(&mu_);
  auto it = unattached_.find(thread);
  if (it == unattached_.end()) {
    return absl::NotFoundError(absl::StrCat("no unattached systrap stub thread ", thread));
  }
  it->second->pin = std::move(pin);
  attached_[CallerTid()] = std::move(it->second);
  unattached_.erase(it);
  return absl::OkStatus();
}

void SystrapAddressSpace::ReleaseThread() {
  std::unique_ptr<StubThread> thread;
  {
    absl::MutexLock lock(&mu_);
    auto it = attached_.find(CallerTid());
    if (it == attached_.end()) return;
    thread = std::move(it->second);
    attached_.erase(it);
  }
  if (spin_.adaptive && thread->spin.stats().round_trips > 0) {
    LogDebug("systrap: stub thread ", thread->tid, " spin policy: ", thread->spin.Summary());
  }
  ThreadContext& ctx = area_->Context(thread->slot);
  const bool gone = thread->gone || ctx.state.load() == SYSTRAP_STATE_GONE;
  if (!gone) {
    // The thread leaves from stub code with exit(2), running nothing of
    // the application's again; its CLEARTID tells when the slot is free.
    // The main thread is the syscall thread, so an application thread's
    // exit never ends the process. Not waited for here: an exiting
    // process's stub is killed right after, and an execve's old one too,
    // so the wait was a round trip to the stub on the path of every exit
    // and exec. NewThread reclaims the slot once the thread is gone.
    ctx.command = SYSTRAP_CMD_EXIT;
    stub::StubReaper::UnpinDying(thread->tid);
    Post(ctx.state, SYSTRAP_STATE_RUNNING, ctx.stub_sleeping);
  }
  absl::MutexLock lock(&mu_);
  exiting_slots_.push_back(thread->slot);
}

void SystrapAddressSpace::ReclaimExitedSlotsLocked() {
  // A slot whose thread may still run (the application scribbled on its
  // state word, or the process is dying) is never reused.
  if (exiting_slots_.empty() || !StubAlive(pid_)) return;
  std::erase_if(exiting_slots_, [this](int slot) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (area_->Context(slot).state.load() != SYSTRAP_STATE_GONE) return false;
    slots_in_use_[slot] = false;
    return true;
  });
}

absl::StatusOr<uint64_t> SystrapAddressSpace::Map(uint64_t addr, uint64_t length, int prot,
                                                  int flags, int host_fd, uint64_t offset) {
  if (absl::Status s = Guard().CheckMap(addr, length, flags); !s.ok()) return s;
  const uint64_t args[] = {addr, length, static_cast<uint64_t>(prot), static_cast<uint64_t>(flags),
                           static_cast<uint64_t>(static_cast<int64_t>(host_fd)), offset};
  absl::StatusOr<uint64_t> result = Call(SYS_mmap, args, "mmap");
  // The result word is writable by the application: never hand out the
  // stub's pages because it says so.
  if (result.ok() && Guard().Overlaps(*result, length)) {
    return ErrnoError(ENOMEM, "stub reported a mapping over its own pages");
  }
  if (result.ok() && syscall_patching_) {
    absl::MutexLock lock(&patch_mu_);
    patch_.Mapped(*result, length, prot, flags);
    cmp_sites_.EraseOverlapping(*result, *result + length);
  }
  return result;
}

absl::Status SystrapAddressSpace::Unmap(uint64_t addr, uint64_t length) {
  if (absl::Status s = Guard().CheckRange("munmap", addr, length); !s.ok()) return s;
  const uint64_t args[] = {addr, length};
  absl::Status s = Call(SYS_munmap, args, "munmap").status();
  if (s.ok() && syscall_patching_) {
    absl::MutexLock lock(&patch_mu_);
    patch_.Unmapped(addr, length);
    cmp_sites_.EraseOverlapping(addr, addr + length);
  }
  return s;
}

absl::Status SystrapAddressSpace::Protect(uint64_t addr, uint64_t length, int prot) {
  if (absl::Status s = Guard().CheckRange("mprotect", addr, length); !s.ok()) return s;
  const uint64_t args[] = {addr, length, static_cast<uint64_t>(prot)};
  absl::Status s = Call(SYS_mprotect, args, "mprotect").status();
  if (s.ok() && syscall_patching_) {
    absl::MutexLock lock(&patch_mu_);
    patch_.Protected(addr, length, prot);
  }
  return s;
}

absl::StatusOr<uint64_t> SystrapAddressSpace::MemorySyscall(int nr,
                                                            absl::Span<const uint64_t> args) {
  if (absl::Status s = Guard().CheckMemorySyscall(nr, args); !s.ok()) return s;
  absl::StatusOr<uint64_t> result = Call(nr, args, "memory syscall");
  if (result.ok() && syscall_patching_ && nr == SYS_mremap && args.size() >= 3) {
    // Forget both ends: what moved is no longer known to be private text.
    absl::MutexLock lock(&patch_mu_);
    patch_.Unmapped(args[0], args[1]);
    patch_.Unmapped(*result, args[2]);
    cmp_sites_.EraseOverlapping(args[0], args[0] + args[1]);
    cmp_sites_.EraseOverlapping(*result, *result + args[2]);
  }
  return result;
}

absl::StatusOr<size_t> SystrapAddressSpace::Read(uint64_t addr, absl::Span<uint8_t> dst) {
  return stub::ReadStubMemory(pid_, addr, dst);
}

absl::StatusOr<size_t> SystrapAddressSpace::Write(uint64_t addr, absl::Span<const uint8_t> src) {
  return stub::WriteStubMemory(pid_, addr, src);
}

absl::StatusOr<size_t> SystrapAddressSpace::WriteFromFileMapping(uint64_t addr,
                                                    absl::Span<const uint8_t> src) {
  // process_vm_writev reads `src` in the kernel: a truncated file's page
  // fails the copy, never SIGBUS here (platform.h).
  return stub::WriteStubMemory(pid_, addr, src);
}

absl::StatusOr<pid_t> SystrapAddressSpace::ForkInto(ControlArea& child_area) {
  // CLONE_PARENT: every stub is a child of the sentry (see
  // SystrapPlatform). CLONE_FILES: stubs share the sentry's fd table, which
  // is also how the child finds `child_area`'s memfd.
  const uint64_t args[] = {CLONE_PARENT | CLONE_FILES | SIGCHLD, 0, 0, 0, 0,
                           static_cast<uint64_t>(child_area.fd())};
  absl::StatusOr<int64_t> raw = area_->CallSyscallThread(SYSTRAP_KIND_FORK, SYS_clone, args);
  if (!raw.ok()) return raw.status();
  absl::StatusOr<uint64_t> pid = stub::RawResult(*raw, "clone of the stub");
  if (!pid.ok()) return pid.status();
  // The reply is writable by the application: adopt (and one day kill)
  // only a process that is really a child of ours.
  if (*pid == 0 || *pid > INT32_MAX || !StubAlive(static_cast<pid_t>(*pid))) {
    return absl::InternalError("stub reported a fork child that is not ours");
  }
  return static_cast<pid_t>(*pid);
}

absl::StatusOr<std::unique_ptr<AddressSpace>> SystrapAddressSpace::Fork() {
  if (ThreadOfCaller() == nullptr) {
    return absl::FailedPreconditionError("the calling thread controls no thread of this stub");
  }
  absl::StatusOr<std::unique_ptr<ControlArea>> child_area =
      ControlArea::Create(area_->spin_cycles());
  if (!child_area.ok()) return child_area.status();
  absl::StatusOr<pid_t> pid = ForkInto(**child_area);
  if (!pid.ok()) return pid.status();
  ControlArea& area = **child_area;
  auto child = std::make_unique<SystrapAddressSpace>(*pid, std::move(*child_area), pairing_,
                                                     syscall_patching_, spin_);
  if (syscall_patching_) {
    // The child's text is a copy of ours, patched sites included: it needs
    // the same site table, in its own request page, before it runs.
    absl::MutexLock lock(&patch_mu_);
    absl::MutexLock child_lock(&child->patch_mu_);
    child->patch_ = patch_;
    child->xstate_sw_ = xstate_sw_;
    if (xstate_sw_.has_value()) area.SetXstateLayout(*xstate_sw_);
    child->xstate_known_.store(xstate_sw_.has_value());
    child->patching_stopped_.store(patch_.disabled());
    child->cmp_sites_.CopyFrom(cmp_sites_);
    for (size_t i = 0; i < patch_.sites().size(); ++i) child->PublishSiteLocked(static_cast<int>(i));
  }
  // The child maps its own area over the inherited one after clone returns
  // in the parent; it reads requests only from its own, so one answered
  // request proves the swap happened and nothing of the parent's is still
  // mapped when the caller goes on (or that the child died: an error). That
  // request makes the child's first thread, which the child task's Attach
  // would otherwise ask for as one more round trip.
  if (absl::Status s = child->PrepareFirstThread(); !s.ok()) return s;
  return child;
}

void SystrapAddressSpace::AfterRoundTrip(StubThread& thread, bool sentry_spin_served,
                                         bool stub_spin_served) {
  if (!spin_.adaptive || spin_.cycles == 0 || pairing_ == nullptr) return;
  switch (thread.spin.Record(sentry_spin_served, stub_spin_served)) {
    case SpinPolicy::Action::kNone:
      break;
    case SpinPolicy::Action::kStartSpinning:
      if (pairing_->StartSpinning(thread.pin, thread.tid)) {
        thread.spin.Started();
      } else {
        thread.spin.Refused();
      }
      break;
    case SpinPolicy::Action::kStopSpinning:
      pairing_->StopSpinning(thread.pin, thread.tid);
      thread.spin.Stopped();
      break;
  }
}

bool SystrapAddressSpace::SingleThreaded() {
  absl::MutexLock lock(&mu_);
  return attached_.size() + unattached_.size() == 1;
}

absl::Status SystrapAddressSpace::RewriteText(uint64_t addr, absl::Span<const uint8_t> bytes,
                                              int prot) {
  const uint64_t page = addr & ~(kPageSize - 1);
  const uint64_t writable[] = {page, kPageSize, static_cast<uint64_t>(prot | PROT_WRITE)};
  if (absl::Status s = Call(SYS_mprotect, writable, "mprotect for a patch").status(); !s.ok()) {
    return s;
  }
  absl::StatusOr<size_t> written = Write(addr, bytes);
  const uint64_t back[] = {page, kPageSize, static_cast<uint64_t>(prot)};
  absl::Status restored = Call(SYS_mprotect, back, "mprotect after a patch").status();
  if (!written.ok()) return written.status();
  if (*written != bytes.size()) return absl::InternalError("short write of a syscall patch");
  return restored;
}

absl::Status SystrapAddressSpace::SyncCores() {
  const uint64_t args[] = {MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0};
  return Call(SYS_membarrier, args, "membarrier sync-core").status();
}

bool SystrapAddressSpace::SyncCoresReadyLocked() {
  if (sync_cores_ == SyncCoreState::kUnknown) {
    // Once per stub process (a fork child is a new mm: its own). The kernel
    // waits for an RCU grace period here, so not before it is needed.
    const uint64_t args[] = {MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0};
    absl::Status s = Call(SYS_membarrier, args, "membarrier register sync-core").status();
    sync_cores_ = s.ok() ? SyncCoreState::kReady : SyncCoreState::kUnsupported;
    if (!s.ok()) {
      LogInfo("systrap: no membarrier sync-core (", s.message(),
              "): syscall sites of multi-threaded processes are not patched");
    }
  }
  return sync_cores_ == SyncCoreState::kReady;
}

absl::Status SystrapAddressSpace::RewriteTextGuarded(uint64_t addr, absl::Span<const uint8_t> old,
                                                     absl::Span<const uint8_t> bytes, int prot) {
  if (bytes.empty() || old.size() != bytes.size()) return absl::InternalError("bad text rewrite");
  const uint64_t page = addr & ~(kPageSize - 1);
  const uint64_t writable[] = {page, kPageSize, static_cast<uint64_t>(prot | PROT_WRITE)};
  if (absl::Status s = Call(SYS_mprotect, writable, "mprotect for a patch").status(); !s.ok()) {
    return s;
  }
  auto write = [&](uint64_t at, absl::Span<const uint8_t> what) -> absl::Status {
    absl::StatusOr<size_t> written = Write(at, what);
    if (!written.ok()) return written.status();
    if (*written != what.size()) return absl::InternalError("short write of a syscall patch");
    return absl::OkStatus();
  };
  const uint8_t int3[] = {kInt3};
  guard_in_flight_.store(addr, std::memory_order_seq_cst);
  absl::Status s = write(addr, int3);
  if (s.ok()) s = SyncCores();
  if (s.ok()) s = write(addr + 1, bytes.subspan(1));
  if (s.ok()) s = SyncCores();
  // The first byte last, whatever happened: the new one if the rest is in
  // place, else the old one back (the rest is then the old bytes or, if a
  // write failed half-way, what no thread can reach without that byte).
  absl::Status last = write(addr, s.ok() ? bytes.first(1) : old.first(1));
  if (last.ok()) last = SyncCores();
  guard_in_flight_.store(0, std::memory_order_seq_cst);
  const uint64_t back[] = {page, kPageSize, static_cast<uint64_t>(prot)};
  absl::Status restored = Call(SYS_mprotect, back, "mprotect after a patch").status();
  if (!s.ok()) return s;
  if (!last.ok()) return last;
  return restored;
}

bool SystrapAddressSpace::IsPatchGuardTrap(uint64_t rip) {
  if (!syscall_patching_ || rip == 0) return false;
  const uint64_t start = rip - 1;
  if (!cmp_sites_.Find(start + kSyscallLength).has_value()) return false;
  if (guard_in_flight_.load(std::memory_order_seq_cst) == start) return true;
  // The rewrite is over (the SIGTRAP was reported late): if the int3 is
  // gone, it was ours. One still there with no rewrite going on is the
  // application's own.
  uint8_t byte = kInt3;
  absl::StatusOr<size_t> read = Read(start, absl::MakeSpan(&byte, 1));
  return read.ok() && *read == 1 && byte != kInt3;
}

void SystrapAddressSpace::MaybePatch(uint64_t end, uint64_t nr) {
  static_assert(kHotTraps > 1, "a site is classified at its first trap, patched when hot");
  if (!syscall_patching_) return;
  absl::MutexLock lock(&patch_mu_);
  if (patch_.disabled()) return;
  const int traps = patch_.NoteTrap(end);
  if (traps == 1) return ClassifyLocked(end);
  if (traps != kHotTraps) return;
  if (std::optional<int32_t> imm = cmp_sites_.Find(end); imm.has_value()) {
    PatchCmpSiteLocked(end, *imm);
  } else {
    PatchMovSiteLocked(end, nr);
  }
}

void SystrapAddressSpace::ClassifyLocked(uint64_t end) {
  if (end < kSyscallLength) return;
  CmpSiteBytes bytes{};
  absl::StatusOr<size_t> read = Read(end - kSyscallLength, absl::MakeSpan(bytes));
  if (!read.ok() || *read != bytes.size()) return;
  if (std::optional<int32_t> imm = SyscallCmpImmediate(bytes); imm.has_value()) {
    (void)cmp_sites_.Insert(end, *imm);  // Full: the site traps as before.
  }
}

void SystrapAddressSpace::PatchCmpSiteLocked(uint64_t end, int32_t imm) {
  const uint64_t start = end - kSyscallLength;
  // One page, one private executable mapping (syscall_patch.h).
  if (start / kPageSize != (start + kCmpSiteLength - 1) / kPageSize) return;
  const std::optional<int> prot = patch_.PrivateProtection(start, kCmpSiteLength);
  if (!prot.has_value() || !(*prot & PROT_EXEC)) return;
  CmpSiteBytes bytes{};
  absl::StatusOr<size_t> read = Read(start, absl::MakeSpan(bytes));
  if (!read.ok() || *read != bytes.size() || SyscallCmpImmediate(bytes) != imm) return;
  // Other threads may run these bytes meanwhile: the guarded rewrite.
  const bool alone = SingleThreaded();
  if (!alone && !SyncCoresReadyLocked()) return;
  const std::optional<int> index = patch_.ClaimCmp(start, imm);
  if (!index.has_value()) return;
  // The table entry first: the patched code reads it.
  PublishSiteLocked(*index);
  const CmpSiteBytes patch = CmpPatchSequence(*index);
  absl::Status s =
      alone ? RewriteText(start, patch, *prot) : RewriteTextGuarded(start, bytes, patch, *prot);
  if (!s.ok()) {
    LogWarning("systrap: patching the syscall at 0x", absl::Hex(start), ": ", s.message());
    return;
  }
  LogDebug("systrap: patched the syscall; cmp at 0x", absl::Hex(start), " as site ", *index,
           alone ? "" : " (threads running)");
}

void SystrapAddressSpace::PatchMovSiteLocked(uint64_t end, uint64_t nr) {
  if (end < kPatchLength) return;
  const uint64_t start = end - kPatchLength;
  // One page, one private executable mapping, one thread (syscall_patch.h).
  if (start / kPageSize != (end - 1) / kPageSize) return;
  const std::optional<int> prot = patch_.PrivateProtection(start, kPatchLength);
  if (!prot.has_value() || !(*prot & PROT_EXEC) || !SingleThreaded()) return;
  PatchBytes bytes{};
  absl::StatusOr<size_t> read = Read(start, absl::MakeSpan(bytes));
  if (!read.ok() || *read != bytes.size() || !IsPatchableSequence(bytes, nr)) return;
  const std::optional<int> index = patch_.Claim(start, static_cast<uint32_t>(nr));
  if (!index.has_value()) return;
  // The table entry first: the patched code reads it.
  PublishSiteLocked(*index);
  if (absl::Status s = RewriteText(start, PatchSequence(*index), *prot); !s.ok()) {
    LogWarning("systrap: patching syscall ", nr, " at 0x", absl::Hex(start), ": ", s.message());
    return;
  }
  LogDebug("systrap: patched syscall ", nr, " at 0x", absl::Hex(start), " as site ", *index);
}

void SystrapAddressSpace::PublishSiteLocked(int index) {
  const SyscallPatchSites::Site& site = patch_.sites()[index];
  area_->SetPatchSite(index, SyscallPatchSites::TableEntry(site));
  // Only the first form has a restart address inside the patch.
  const bool mov = site.form == SyscallPatchSites::Form::kMovSyscall;
  rewind_addresses_[index].store(mov ? site.start + kPatchRewindOffset : 0,
                                 std::memory_order_relaxed);
  site_count_.store(static_cast<int>(patch_.sites().size()), std::memory_order_release);
}

std::optional<uint64_t> SystrapAddressSpace::PatchedSiteRewoundTo(uint64_t rip) {
  const int count = site_count_.load(std::memory_order_acquire);
  bool maybe = false;
  for (int i = 0; i < count && !maybe; ++i) {
    maybe = rewind_addresses_[i].load(std::memory_order_relaxed) == rip;
  }
  if (!maybe) return std::nullopt;
  absl::MutexLock lock(&patch_mu_);
  const std::optional<int> index = patch_.SiteRewoundTo(rip);
  if (!index.has_value()) return std::nullopt;
  // The site may have been unmapped and other code mapped there since.
  const uint64_t start = patch_.sites()[*index].start;
  PatchBytes bytes{};
  absl::StatusOr<size_t> read = Read(start, absl::MakeSpan(bytes));
  if (!read.ok() || *read != bytes.size() || bytes != PatchSequence(*index)) return std::nullopt;
  return start;
}

uint64_t SystrapAddressSpace::HostGsBase(int slot, uint64_t app_gs) {
  if (!syscall_patching_) return app_gs;
  if (app_gs == 0 && !patching_stopped_.load(std::memory_order_acquire)) {
    return ControlArea::StubSlotAddress(slot) + SYSTRAP_CTX_PATCH_TABLE;
  }
  absl::MutexLock lock(&patch_mu_);
  if (app_gs != 0 && !patch_.disabled()) StopPatchingLocked();
  if (app_gs != 0 || patch_.disabled()) return app_gs;
  return ControlArea::StubSlotAddress(slot) + SYSTRAP_CTX_PATCH_TABLE;
}

uint64_t SystrapAddressSpace::AppGsBase(int slot, uint64_t host_gs) const {
  if (syscall_patching_ && host_gs == ControlArea::StubSlotAddress(slot) + SYSTRAP_CTX_PATCH_TABLE) {
    return 0;
  }
  return host_gs;
}

void SystrapAddressSpace::LearnXstateLayout(const uint8_t* sw_reserved) {
  if (!syscall_patching_ || xstate_known_.load(std::memory_order_acquire)) return;
  absl::MutexLock lock(&patch_mu_);
  if (xstate_sw_.has_value()) return;
  // The frame is in memory the application can write: what goes to the
  // read-only request page is checked first (a bad copy would only spoil
  // the application's own FP state, but the patch entry writes at
  // xstate_size, which must stay in the slot).
  FpxSwBytes sw;
  std::memcpy(&sw, sw_reserved, sizeof(sw));
  constexpr uint64_t kX87AndSse = 0x3;
  if (sw.magic1 != SYSTRAP_FP_XSTATE_MAGIC1 || sw.xstate_size < 512 + 64 ||
      sw.xstate_size > SYSTRAP_MAX_PATCH_XSTATE || sw.extended_size != sw.xstate_size + 4 ||
      (sw.xfeatures & kX87AndSse) != kX87AndSse) {
    return;
  }
  std::array<uint8_t, SYSTRAP_XSTATE_SW_SIZE> bytes;
  std::memcpy(bytes.data(), &sw, bytes.size());
  area_->SetXstateLayout(bytes);
  xstate_sw_ = bytes;
  xstate_known_.store(true, std::memory_order_release);
}

void SystrapAddressSpace::StopPatchingLocked() {
  patch_.Disable();
  patching_stopped_.store(true, std::memory_order_release);
  // With other threads running, one could be inside a first-form site
  // while it is restored (a second-form one is restored as it was patched,
  // guarded): the price of a program that sets its own gs base, rare on
  // x86-64 (glibc's TLS is fs), after patching started. Only the calling
  // thread runs with the application's gs base once this returns, and it is
  // stopped: no thread meets a patch with a gs base that is not a table.
  const bool alone = SingleThreaded();
  for (size_t i = 0; i < patch_.sites().size(); ++i) {
    const SyscallPatchSites::Site& site = patch_.sites()[i];
    const int index = static_cast<int>(i);
    absl::Status s;
    if (site.form == SyscallPatchSites::Form::kSyscallCmp) {
      // The cmp stays run by the sentry (cmp_sites_): right for the
      // original bytes too.
      CmpSiteBytes bytes{};
      absl::StatusOr<size_t> read = Read(site.start, absl::MakeSpan(bytes));
      if (!read.ok() || *read != bytes.size() || bytes != CmpPatchSequence(index)) continue;
      const std::optional<int> prot = patch_.PrivateProtection(site.start, kCmpSiteLength);
      const CmpSiteBytes original = OriginalCmpSequence(site.cmp_imm);
      if (!prot.has_value()) {
        s = absl::InternalError("its mapping is unknown");
      } else if (alone) {
        s = RewriteText(site.start, original, *prot);
      } else {
        s = SyncCoresReadyLocked() ? RewriteTextGuarded(site.start, bytes, original, *prot)
                                   : absl::InternalError("no membarrier sync-core");
      }
    } else {
      PatchBytes bytes{};
      absl::StatusOr<size_t> read = Read(site.start, absl::MakeSpan(bytes));
      if (!read.ok() || *read != bytes.size() || bytes != PatchSequence(index)) continue;
      const std::optional<int> prot = patch_.PrivateProtection(site.start, kPatchLength);
      s = prot.has_value() ? RewriteText(site.start, OriginalSequence(site.nr), *prot)
                           : absl::InternalError("its mapping is unknown");
    }
    if (!s.ok()) {
      LogWarning("systrap: restoring the syscall patched at 0x", absl::Hex(site.start), ": ",
                 s.message());
    }
  }
  LogInfo("systrap: the application set its gs base: syscall patching off for pid ", pid_);
}

}  // namespace runsc::platform::systrap
