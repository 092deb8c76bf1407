#include "platform/systrap/systrap_address_space.h"

#include <errno.h>
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
#include "platform/stub/stub.h"
#include "platform/stub/stub_process.h"
#include "platform/systrap/systrap_wait.h"

namespace runsc::platform::systrap {
namespace {

std::atomic<uint64_t> next_address_space_id{1};

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
                                         std::shared_ptr<CpuPairing> pairing)
    : pid_(pid), id_(next_address_space_id++), area_(std::move(area)), pairing_(std::move(pairing)) {
  area_->set_pid(pid);
}

SystrapAddressSpace::~SystrapAddressSpace() {
  ::kill(pid_, SIGKILL);
  int status;
  while (::waitpid(pid_, &status, __WALL) < 0 && errno == EINTR) {
  }
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

absl::Status SystrapAddressSpace::Attach() {
  absl::StatusOr<pid_t> thread = NewThread();
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
  ctx.stub_sleeping.store(0);
  ctx.sentry_sleeping.store(0);
  ctx.state.store(SYSTRAP_STATE_STARTING);
  WriteInitialFrame(slot);
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
  ThreadContext& ctx = area_->Context(thread->slot);
  bool gone = thread->gone || ctx.state.load() == SYSTRAP_STATE_GONE;
  if (!gone) {
    // The thread leaves from stub code with exit(2); its CLEARTID tells us
    // when the slot is free. The main thread is the syscall thread, so an
    // application thread's exit never ends the process.
    ctx.command = SYSTRAP_CMD_EXIT;
    Post(ctx.state, SYSTRAP_STATE_RUNNING, ctx.stub_sleeping);
    gone = WaitUntil(ctx.state, ctx.sentry_sleeping, area_->spin_cycles(), pid_,
                     [](uint32_t v) { return v == SYSTRAP_STATE_GONE; })
               .ok();
  }
  // A slot whose thread may still run (the application scribbled on its
  // state word, or the process is dying) is never reused.
  if (gone && StubAlive(pid_)) {
    absl::MutexLock lock(&mu_);
    slots_in_use_[thread->slot] = false;
  }
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
  return result;
}

absl::Status SystrapAddressSpace::Unmap(uint64_t addr, uint64_t length) {
  if (absl::Status s = Guard().CheckRange("munmap", addr, length); !s.ok()) return s;
  const uint64_t args[] = {addr, length};
  return Call(SYS_munmap, args, "munmap").status();
}

absl::Status SystrapAddressSpace::Protect(uint64_t addr, uint64_t length, int prot) {
  if (absl::Status s = Guard().CheckRange("mprotect", addr, length); !s.ok()) return s;
  const uint64_t args[] = {addr, length, static_cast<uint64_t>(prot)};
  return Call(SYS_mprotect, args, "mprotect").status();
}

absl::StatusOr<uint64_t> SystrapAddressSpace::MemorySyscall(int nr,
                                                            absl::Span<const uint64_t> args) {
  if (absl::Status s = Guard().CheckMemorySyscall(nr, args); !s.ok()) return s;
  return Call(nr, args, "memory syscall");
}

absl::StatusOr<size_t> SystrapAddressSpace::Read(uint64_t addr, absl::Span<uint8_t> dst) {
  return stub::ReadStubMemory(pid_, addr, dst);
}

absl::StatusOr<size_t> SystrapAddressSpace::Write(uint64_t addr, absl::Span<const uint8_t> src) {
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
  auto child = std::make_unique<SystrapAddressSpace>(*pid, std::move(*child_area), pairing_);
  // The child maps its own area over the inherited one after clone returns
  // in the parent; it reads requests only from its own, so one answered
  // request proves the swap happened and nothing of the parent's is still
  // mapped when the caller goes on (or that the child died: an error).
  absl::StatusOr<int64_t> raw = area.CallSyscallThread(SYSTRAP_KIND_SYSCALL, SYS_getpid, {});
  if (!raw.ok()) return raw.status();
  if (absl::StatusOr<uint64_t> r = stub::RawResult(*raw, "getpid in the fork child"); !r.ok()) {
    return r.status();
  }
  return child;
}

}  // namespace runsc::platform::systrap
