// What only systrap has: registers kept across the shared frame (FP, fs
// base), a fork child with its own control area, a hostile application
// that jumps into stub code to reach the host, and syscall patching. Every
// test runs with patching off and on (the parameter).
#include "platform/systrap/systrap_platform.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "platform/stub/stub.h"
#include "platform/stub/stub_reaper.h"
#include "platform/stub/systrap_layout.h"
#include "platform/systrap/syscall_patch.h"
#include "platform/systrap/systrap_address_space.h"
#include "platform/systrap/systrap_context.h"

extern "C" {
extern const char runsc_systrap_resume[];
extern const char runsc_systrap_resume_end[];
}

namespace runsc::platform::systrap {
namespace {

constexpr uint64_t kCodeAddr = 0x400000;
constexpr uint64_t kDataAddr = 0x500000;

class SystrapPlatformTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    auto p = SystrapPlatform::Create({.syscall_patching = GetParam()});
    ASSERT_TRUE(p.ok()) << p.status();
    platform_ = std::move(*p);
  }
  std::unique_ptr<AddressSpace> NewSpaceWithCode(const std::vector<uint8_t>& code) {
    auto as = platform_->NewAddressSpace();
    EXPECT_TRUE(as.ok()) << as.status();
    EXPECT_TRUE((*as)->Attach().ok());
    for (uint64_t addr : {kCodeAddr, kDataAddr}) {
      EXPECT_TRUE((*as)->Map(addr, 4096, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0).ok());
    }
    EXPECT_EQ(*(*as)->Write(kCodeAddr, code), code.size());
    EXPECT_TRUE((*as)->Protect(kCodeAddr, 4096, PROT_READ | PROT_EXEC).ok());
    return std::move(*as);
  }
  static Registers StartRegs() {
    Registers regs{};
    regs.rip = kCodeAddr;
    regs.eflags = 0x202;
    return regs;
  }
  std::unique_ptr<SystrapPlatform> platform_;
};

void Append(std::vector<uint8_t>& code, std::initializer_list<uint8_t> bytes) {
  code.insert(code.end(), bytes);
}
// movq rdi, xmm0; mov eax, 39 (getpid); syscall
void AppendReportXmm0(std::vector<uint8_t>& code) {
  Append(code, {0x66, 0x48, 0x0f, 0x7e, 0xc7, 0xb8, 39, 0, 0, 0, 0x0f, 0x05});
}

FpRegisters FpWithXmm0Low(uint64_t value) {
  FpRegisters fp{};
  fp.cwd = 0x37f;
  fp.mxcsr = 0x1f80;
  std::memcpy(&fp.xmm_space[0], &value, sizeof(value));
  return fp;
}

TEST_P(SystrapPlatformTest, FpRegistersAndFsBaseReachTheThread) {
  std::vector<uint8_t> code;
  AppendReportXmm0(code);  // First run: from the frame the sentry built.
  AppendReportXmm0(code);  // Then: from the frame the kernel built (xsave).
  // mov rax, fs:[0]; mov rdi, rax; mov eax, 39; syscall
  Append(code, {0x64, 0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0, 0x48, 0x89, 0xc7, 0xb8, 39, 0, 0, 0,
                0x0f, 0x05, 0xeb, 0xfe});
  auto as = NewSpaceWithCode(code);
  auto ctx = platform_->NewContext();
  Registers regs = StartRegs();

  ASSERT_TRUE(ctx->SetFpRegisters(*as, FpWithXmm0Low(0x1111222233334444)).ok());
  auto r = ctx->Switch(*as, regs);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->reason, StopReason::kSyscall);
  EXPECT_EQ(regs.orig_rax, static_cast<uint64_t>(SYS_getpid));
  EXPECT_EQ(regs.rdi, 0x1111222233334444u);

  FpRegisters fp;
  ASSERT_TRUE(ctx->GetFpRegisters(*as, fp).ok());
  uint64_t low;
  std::memcpy(&low, &fp.xmm_space[0], sizeof(low));
  EXPECT_EQ(low, 0x1111222233334444u);
  ASSERT_TRUE(ctx->SetFpRegisters(*as, FpWithXmm0Low(0x5555666677778888)).ok());
  r = ctx->Switch(*as, regs);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->reason, StopReason::kSyscall);
  EXPECT_EQ(regs.rdi, 0x5555666677778888u);

  const uint64_t tls_word = 0xfeedf00d;
  ASSERT_TRUE(as->Write(kDataAddr, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(&tls_word),
                                                       sizeof(tls_word)))
                  .ok());
  regs.fs_base = kDataAddr;
  r = ctx->Switch(*as, regs);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->reason, StopReason::kSyscall);
  EXPECT_EQ(regs.rdi, tls_word);
  EXPECT_EQ(regs.fs_base, kDataAddr);
}

TEST_P(SystrapPlatformTest, AnApplicationJumpingIntoStubCodeCannotMap) {
  // mov eax, 9 (mmap); movabs rcx, <stub's `syscall; int3`>; jmp rcx
  const uint64_t target = stub::EntryAt(kStubBase, runsc_stub_syscall);
  std::vector<uint8_t> code = {0xb8, 9, 0, 0, 0, 0x48, 0xb9};
  for (int i = 0; i < 8; ++i) code.push_back(static_cast<uint8_t>(target >> (8 * i)));
  Append(code, {0xff, 0xe1});
  auto as = NewSpaceWithCode(code);
  auto ctx = platform_->NewContext();
  Registers regs = StartRegs();
  regs.rdi = 0x600000;
  regs.rsi = 4096;
  regs.rdx = PROT_READ | PROT_WRITE | PROT_EXEC;
  regs.r10 = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
  regs.r8 = static_cast<uint64_t>(-1);
  auto r = ctx->Switch(*as, regs);
  ASSERT_TRUE(r.ok()) << r.status();
  // The thread's filter kills the whole stub: no host mmap happened.
  EXPECT_EQ(r->reason, StopReason::kExited);
}

TEST_P(SystrapPlatformTest, AForkChildHasItsOwnControlArea) {
  auto parent = NewSpaceWithCode({0xeb, 0xfe});
  // Slot 0 is the parent's first thread, slot 1 a second one.
  ASSERT_TRUE(parent->NewThread().ok());
  const uint64_t slot1_state = ControlArea::StubSlotAddress(1) + SYSTRAP_CTX_STATE;
  uint32_t state = 0;
  ASSERT_TRUE(parent->Read(slot1_state, absl::MakeSpan(reinterpret_cast<uint8_t*>(&state), 4)).ok());
  EXPECT_EQ(state, static_cast<uint32_t>(SYSTRAP_STATE_STOPPED));
  auto child = parent->Fork();
  ASSERT_TRUE(child.ok()) << child.status();
  // The parent's slot 1 is in use; the child's is still zero (its only
  // thread, made by Fork for its Attach, is in slot 0): the shared pages
  // it inherited were replaced before it could run anything.
  ASSERT_TRUE(
      (*child)->Read(slot1_state, absl::MakeSpan(reinterpret_cast<uint8_t*>(&state), 4)).ok());
  EXPECT_EQ(state, 0u);
  // And the request page stays read-only for the child's threads too.
  EXPECT_FALSE((*child)->Write(kCtlBase, absl::MakeConstSpan(reinterpret_cast<uint8_t*>(&state), 4)).ok());
}

// The start and end of every mapping of process `pid`.
std::vector<std::pair<uint64_t, uint64_t>> MappingsOf(pid_t pid) {
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  FILE* maps = std::fopen(("/proc/" + std::to_string(pid) + "/maps").c_str(), "r");
  if (maps == nullptr) return ranges;
  char line[512];
  while (std::fgets(line, sizeof(line), maps) != nullptr) {
    unsigned long long lo = 0, hi = 0;
    if (std::sscanf(line, "%llx-%llx", &lo, &hi) == 2) ranges.emplace_back(lo, hi);
  }
  std::fclose(maps);
  return ranges;
}

// mov eax, 39 (getpid); syscall; jmp $
const std::vector<uint8_t> kGetpidThenSpin = {0xb8, 39, 0, 0, 0, 0x0f, 0x05, 0xeb, 0xfe};

TEST_P(SystrapPlatformTest, APooledStubIsFreshAndItsFirstThreadRuns) {
  // The first address space (a container's init) starts no pool.
  auto first = NewSpaceWithCode(kGetpidThenSpin);
  const uint64_t marker = 0x5ca1ab1e;
  ASSERT_EQ(*first->Write(kDataAddr, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(&marker),
                                                         sizeof(marker))),
            sizeof(marker));
  EXPECT_TRUE(platform_->stub_pool().ReadyPids().empty());
  auto second = NewSpaceWithCode(kGetpidThenSpin);
  platform_->stub_pool().WaitUntilSettled();
  const std::vector<pid_t> ready = platform_->stub_pool().ReadyPids();
  ASSERT_EQ(ready.size(), 1u);
  // Nothing but the stub's code and control area: no page of the sentry,
  // nor of any address space that ran before.
  const auto mappings = MappingsOf(ready[0]);
  ASSERT_FALSE(mappings.empty());
  for (const auto& [lo, hi] : mappings) EXPECT_GE(lo, kStubBase) << std::hex << lo << "-" << hi;

  auto third = NewSpaceWithCode(kGetpidThenSpin);
  EXPECT_EQ(third->HostPid(), ready[0]);
  EXPECT_NE(third->HostPid(), first->HostPid());
  uint64_t seen = 1;
  ASSERT_EQ(*third->Read(kDataAddr, absl::MakeSpan(reinterpret_cast<uint8_t*>(&seen), sizeof(seen))),
            sizeof(seen));
  EXPECT_EQ(seen, 0u);
  // Its prepared first thread runs the application and stops at its syscall.
  auto ctx = platform_->NewContext();
  Registers regs = StartRegs();
  auto r = ctx->Switch(*third, regs);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->reason, StopReason::kSyscall);
  EXPECT_EQ(regs.orig_rax, static_cast<uint64_t>(SYS_getpid));
}

TEST_P(SystrapPlatformTest, PooledStubsDieWithThePlatform) {
  auto first = NewSpaceWithCode(kGetpidThenSpin);
  auto second = NewSpaceWithCode(kGetpidThenSpin);
  platform_->stub_pool().WaitUntilSettled();
  const std::vector<pid_t> ready = platform_->stub_pool().ReadyPids();
  ASSERT_EQ(ready.size(), 1u);
  first.reset();
  second.reset();
  platform_.reset();
  stub::StubReaper::Get().WaitIdle();
  EXPECT_NE(::kill(ready[0], 0), 0);
  EXPECT_EQ(errno, ESRCH);
}

// A loop the tests below run: `movq %xmm0, %rdi` (so the FP state shows),
// then the site: `mov $getpid, %eax; syscall`, then back to the top.
constexpr uint64_t kLoopSite = kCodeAddr + 5;
constexpr uint64_t kAfterLoopSite = kLoopSite + kPatchLength;
std::vector<uint8_t> GetpidLoop() {
  std::vector<uint8_t> code = {0x66, 0x48, 0x0f, 0x7e, 0xc7};  // movq %xmm0, %rdi
  Append(code, {0xb8, SYS_getpid, 0, 0, 0, 0x0f, 0x05});       // the site
  Append(code, {0xeb, 0xf2});                                  // jmp to the top
  return code;
}

PatchBytes SiteBytes(AddressSpace& as) {
  PatchBytes bytes{};
  EXPECT_EQ(*as.Read(kLoopSite, absl::MakeSpan(bytes)), bytes.size());
  return bytes;
}

// Runs to the next stop, which must be the loop's getpid, reported as the
// original `syscall` would be whether the site is patched or not.
void ExpectGetpidStop(Context& ctx, AddressSpace& as, Registers& regs) {
  auto r = ctx.Switch(as, regs);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->reason, StopReason::kSyscall);
  EXPECT_EQ(regs.orig_rax, static_cast<uint64_t>(SYS_getpid));
  EXPECT_EQ(regs.rax, static_cast<uint64_t>(-ENOSYS));
  EXPECT_EQ(regs.rip, kAfterLoopSite);
  EXPECT_EQ(regs.rcx, kAfterLoopSite);
  EXPECT_EQ(regs.r11, regs.eflags);
  EXPECT_EQ(regs.gs_base, 0u);
}

TEST_P(SystrapPlatformTest, AHotSiteIsPatchedOnlyWithPatchingAndStopsTheSame) {
  auto as = NewSpaceWithCode(GetpidLoop());
  auto ctx = platform_->NewContext();
  Registers regs = StartRegs();
  regs.rbx = 0xb0b0;
  regs.r12 = 0x1212;
  regs.r15 = 0x1515;
  regs.rsp = kDataAddr + 4096;
  for (int i = 0; i < 4; ++i) {
    ExpectGetpidStop(*ctx, *as, regs);
    // Registers the syscall does not touch survive, patched or not.
    EXPECT_EQ(regs.rbx, 0xb0b0u);
    EXPECT_EQ(regs.r12, 0x1212u);
    EXPECT_EQ(regs.r15, 0x1515u);
    EXPECT_EQ(regs.rsp, kDataAddr + 4096);
    regs.rax = 42;
  }
  EXPECT_EQ(SiteBytes(*as), GetParam() ? PatchSequence(0) : OriginalSequence(SYS_getpid));
}

TEST_P(SystrapPlatformTest, FpRegistersSurviveAPatchedStop) {
  auto as = NewSpaceWithCode(GetpidLoop());
  auto ctx = platform_->NewContext();
  Registers regs = StartRegs();
  for (uint64_t value : {0x1111u, 0x2222u, 0x3333u, 0x4444u}) {
    ASSERT_TRUE(ctx->SetFpRegisters(*as, FpWithXmm0Low(value)).ok());
    ExpectGetpidStop(*ctx, *as, regs);
    EXPECT_EQ(regs.rdi, value);
    FpRegisters fp;
    ASSERT_TRUE(ctx->GetFpRegisters(*as, fp).ok());
    uint64_t low;
    std::memcpy(&low, &fp.xmm_space[0], sizeof(low));
    EXPECT_EQ(low, value);
  }
}

// Has stub thread `tid` (stopped at a patched stop, which the caller is
// about to resume) take `sig` in the stub's resume code, after it saw the
// resume and before it is back in application code: this thread seizes it
// while it waits, single-steps it into the resume code once the resume is
// posted (`posted`), and detaches with the signal. That window is a few
// instructions wide, so only this makes it certain. Returns false if the
// thread never got there; `seize_errno` is set if it could not be traced.
bool SignalInResumeCode(pid_t tid, int sig, std::atomic<bool>& seized, std::atomic<bool>& posted,
                        int& seize_errno) {
  if (::ptrace(PTRACE_SEIZE, tid, 0, 0) != 0 || ::ptrace(PTRACE_INTERRUPT, tid, 0, 0) != 0) {
    seize_errno = errno;
    seized = true;
    return false;
  }
  int status;
  if (::waitpid(tid, &status, __WALL) != tid || !WIFSTOPPED(status)) return false;
  seized = true;
  while (!posted) std::this_thread::yield();
  const uint64_t begin = stub::EntryAt(kStubBase, runsc_systrap_resume);
  const uint64_t end = stub::EntryAt(kStubBase, runsc_systrap_resume_end);
  bool inside = false;
  for (int step = 0; step < 1'000'000 && !inside; ++step) {
    if (::ptrace(PTRACE_SINGLESTEP, tid, 0, 0) != 0) return false;
    if (::waitpid(tid, &status, __WALL) != tid || !WIFSTOPPED(status)) return false;
    user_regs_struct regs;
    if (::ptrace(PTRACE_GETREGS, tid, 0, &regs) != 0) return false;
    inside = regs.rip >= begin && regs.rip < end;
  }
  // Stopped after a step (SIGTRAP): the detach delivers `sig` instead.
  return ::ptrace(PTRACE_DETACH, tid, 0, inside ? sig : 0) == 0 && inside;
}

TEST_P(SystrapPlatformTest, ASignalInTheResumeCodeOfAPatchedStopKeepsTheFpState) {
  if (!GetParam()) GTEST_SKIP() << "only patched stops resume with signals unblocked";
  auto as = NewSpaceWithCode(GetpidLoop());
  auto ctx = platform_->NewContext();
  Registers regs = StartRegs();
  constexpr uint64_t kValue = 0x0123456789abcdefu;
  ASSERT_TRUE(ctx->SetFpRegisters(*as, FpWithXmm0Low(kValue)).ok());
  for (int i = 0; i < 20 && SiteBytes(*as) != PatchSequence(0); ++i) {
    ExpectGetpidStop(*ctx, *as, regs);
  }
  ASSERT_EQ(SiteBytes(*as), PatchSequence(0));
  ExpectGetpidStop(*ctx, *as, regs);  // A patched stop: its FP state is the live one.
  EXPECT_EQ(regs.rdi, kValue);
  const Registers at_stop = regs;

  auto& sas = static_cast<SystrapAddressSpace&>(*as);
  StubThread* thread = sas.ThreadOfCaller();
  ASSERT_NE(thread, nullptr);
  ASSERT_TRUE(thread->patched_stop);
  std::atomic<bool> seized{false}, posted{false};
  bool signalled = false;
  int seize_errno = 0;
  std::thread stepper([&] {
    signalled = SignalInResumeCode(thread->tid, kInterruptSignal, seized, posted, seize_errno);
  });
  while (!seized) std::this_thread::yield();
  // Switch posts the resume and waits; `posted` is set just before, and
  // the stepper waits for the resume itself, so the order does not matter.
  posted = true;
  auto r = ctx->Switch(*as, regs);
  stepper.join();
  if (seize_errno == EPERM) GTEST_SKIP() << "ptrace is not allowed here (Yama?)";
  ASSERT_TRUE(signalled) << "the stub thread never reached its resume code: "
                         << std::strerror(seize_errno);
  ASSERT_TRUE(r.ok()) << r.status();
  // Nothing of the application ran: the stop is the one before.
  EXPECT_EQ(r->reason, StopReason::kInterrupted);
  EXPECT_EQ(regs.rip, at_stop.rip);
  EXPECT_EQ(regs.rsp, at_stop.rsp);
  // Resumed again, it runs the loop with its FP state whole.
  for (int i = 0; i < 3; ++i) {
    ExpectGetpidStop(*ctx, *as, regs);
    EXPECT_EQ(regs.rdi, kValue) << "stop " << i;
  }
}

TEST_P(SystrapPlatformTest, AvxStateSurvivesPatchedSyscalls) {
  if (!__builtin_cpu_supports("avx")) GTEST_SKIP() << "no AVX on this host";
  // Puts a value in the upper half of ymm0 once, then loops reporting it
  // in rdi at each getpid: an FXSAVE-only frame would lose it.
  const std::vector<uint8_t> code = {
      0x48, 0xb8, 0xef, 0xcd, 0xab, 0x90, 0x78, 0x56, 0x34, 0x12,  // movabs $v, %rax
      0xc4, 0xe1, 0xf9, 0x6e, 0xc8,                                // vmovq %rax, %xmm1
      0xc4, 0xe3, 0x7d, 0x18, 0xc1, 0x01,                          // vinsertf128 $1, ...
      0xc4, 0xe3, 0x7d, 0x19, 0xc1, 0x01,                          // loop: vextractf128
      0xc4, 0xe1, 0xf9, 0x7e, 0xcf,                                // vmovq %xmm1, %rdi
      0xb8, SYS_getpid, 0, 0, 0, 0x0f, 0x05,                       // the site
      0xeb, 0xec};                                                 // jmp loop
  auto as = NewSpaceWithCode(code);
  auto ctx = platform_->NewContext();
  Registers regs = StartRegs();
  for (int i = 0; i < 5; ++i) {
    auto r = ctx->Switch(*as, regs);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->reason, StopReason::kSyscall);
    EXPECT_EQ(regs.rip, kCodeAddr + 0x27);
    EXPECT_EQ(regs.rdi, 0x1234567890abcdefu) << "stop " << i;
  }
  PatchBytes bytes{};
  ASSERT_EQ(*as->Read(kCodeAddr + 0x20, absl::MakeSpan(bytes)), bytes.size());
  EXPECT_EQ(bytes, GetParam() ? PatchSequence(0) : OriginalSequence(SYS_getpid));
}

TEST_P(SystrapPlatformTest, ARestartRewoundIntoAPatchedSiteMakesTheSyscallInRax) {
  auto as = NewSpaceWithCode(GetpidLoop());
  auto ctx = platform_->NewContext();
  Registers regs = StartRegs();
  for (int i = 0; i < 3; ++i) ExpectGetpidStop(*ctx, *as, regs);
  // What the sentry does for ERESTARTSYS (rax = orig_rax) and for
  // ERESTART_RESTARTBLOCK (rax = restart_syscall): rip back by 2.
  for (uint64_t nr : {uint64_t{SYS_getpid}, uint64_t{SYS_restart_syscall}}) {
    regs.rip -= 2;
    regs.rax = nr;
    auto r = ctx->Switch(*as, regs);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->reason, StopReason::kSyscall);
    EXPECT_EQ(regs.orig_rax, nr);
    EXPECT_EQ(regs.rip, kAfterLoopSite);
  }
  // And the loop goes on from there.
  regs.rax = 0;
  ExpectGetpidStop(*ctx, *as, regs);
}

TEST_P(SystrapPlatformTest, AGsBaseOfTheApplicationUnpatchesEverySite) {
  auto as = NewSpaceWithCode(GetpidLoop());
  auto ctx = platform_->NewContext();
  Registers regs = StartRegs();
  for (int i = 0; i < 3; ++i) ExpectGetpidStop(*ctx, *as, regs);
  regs.gs_base = kDataAddr;
  auto r = ctx->Switch(*as, regs);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->reason, StopReason::kSyscall);
  EXPECT_EQ(regs.orig_rax, static_cast<uint64_t>(SYS_getpid));
  EXPECT_EQ(regs.gs_base, kDataAddr);
  EXPECT_EQ(SiteBytes(*as), OriginalSequence(SYS_getpid));
  // Patching stays off for this address space, with gs 0 again as well.
  regs.gs_base = 0;
  for (int i = 0; i < 3; ++i) ExpectGetpidStop(*ctx, *as, regs);
  EXPECT_EQ(SiteBytes(*as), OriginalSequence(SYS_getpid));
}

TEST_P(SystrapPlatformTest, AForkChildRunsItsInheritedPatchedSite) {
  auto parent = NewSpaceWithCode(GetpidLoop());
  auto ctx = platform_->NewContext();
  Registers regs = StartRegs();
  for (int i = 0; i < 3; ++i) ExpectGetpidStop(*ctx, *parent, regs);
  auto child = parent->Fork();
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ(SiteBytes(**child), SiteBytes(*parent));
  ASSERT_TRUE((*child)->Attach().ok());
  auto child_ctx = platform_->NewContext();
  Registers child_regs = regs;
  child_regs.rip = kCodeAddr;
  for (int i = 0; i < 3; ++i) ExpectGetpidStop(*child_ctx, **child, child_regs);
}

// glibc's error check after a syscall whose number is in a register, as
// syscall(2) has it: the site is the second form, `syscall; cmp`.
//   0: mov %rbx, %rax           48 89 d8      (the number, from rbx)
//   3: syscall                  0f 05         <- the site, ends at 5
//   5: cmp $-4095, %rax         48 3d 01 f0 ff ff
//  11: jae 19                   73 06
//  13: mov %rax, %r14           49 89 c6      (a result)
//  16: nop; jmp 0               90 eb ed
//  19: mov %rax, %r13           49 89 c5      (an error)
//  22: jmp 0                    eb e8
constexpr uint64_t kCmpSite = kCodeAddr + 3;
constexpr uint64_t kAfterCmpSyscall = kCmpSite + 2;
std::vector<uint8_t> SyscallWrapperLoop() {
  return {0x48, 0x89, 0xd8, 0x0f, 0x05, 0x48, 0x3d, 0x01, 0xf0, 0xff, 0xff, 0x73, 0x06,
          0x49, 0x89, 0xc6, 0x90, 0xeb, 0xed, 0x49, 0x89, 0xc5, 0xeb, 0xe8};
}

CmpSiteBytes CmpSiteBytesIn(AddressSpace& as) {
  CmpSiteBytes bytes{};
  EXPECT_EQ(*as.Read(kCmpSite, absl::MakeSpan(bytes)), bytes.size());
  return bytes;
}

// Runs the wrapper loop `rounds` times on `ctx`, answering each syscall
// alternately with a result and an error, and checks that the next stop
// saw the answer take the branch the cmp decides.
void RunWrapperLoop(Context& ctx, AddressSpace& as, Registers& regs, uint64_t nr, int rounds,
                    uint64_t tag) {
  regs.rbx = nr;
  for (int i = 0; i < rounds; ++i) {
    auto r = ctx.Switch(as, regs);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->reason, StopReason::kSyscall) << "stop " << i;
    ASSERT_EQ(regs.orig_rax, nr);
    ASSERT_EQ(regs.rip, kAfterCmpSyscall);
    ASSERT_EQ(regs.rcx, kAfterCmpSyscall);
    if (i > 0) {
      // The previous answer went where the cmp sends it.
      if ((i - 1) % 2 == 0) {
        ASSERT_EQ(regs.r14, tag + i - 1) << "stop " << i;
      } else {
        ASSERT_EQ(regs.r13, static_cast<uint64_t>(-EINTR)) << "stop " << i;
      }
    }
    regs.r13 = regs.r14 = 0;
    regs.rax = i % 2 == 0 ? tag + i : static_cast<uint64_t>(-EINTR);
  }
}

TEST_P(SystrapPlatformTest, ASyscallCmpSiteIsPatchedAndTheCmpStillDecides) {
  auto as = NewSpaceWithCode(SyscallWrapperLoop());
  auto ctx = platform_->NewContext();
  Registers regs = StartRegs();
  RunWrapperLoop(*ctx, *as, regs, SYS_getppid, 6, 1000);
  EXPECT_EQ(CmpSiteBytesIn(*as), GetParam() ? CmpPatchSequence(0) : OriginalCmpSequence(-4095));
  // The number is the register's, whatever it is, at the same site.
  RunWrapperLoop(*ctx, *as, regs, SYS_getpid, 4, 2000);
}

TEST_P(SystrapPlatformTest, ARestartOfASyscallCmpSiteMakesTheSyscallAgain) {
  auto as = NewSpaceWithCode(SyscallWrapperLoop());
  auto ctx = platform_->NewContext();
  Registers regs = StartRegs();
  RunWrapperLoop(*ctx, *as, regs, SYS_getppid, 3, 1000);
  // ERESTARTSYS: rax back to the number, rip to the site's first byte.
  regs.rip -= 2;
  regs.rax = regs.orig_rax;
  auto r = ctx->Switch(*as, regs);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->reason, StopReason::kSyscall);
  EXPECT_EQ(regs.orig_rax, static_cast<uint64_t>(SYS_getppid));
  EXPECT_EQ(regs.rip, kAfterCmpSyscall);
}

TEST_P(SystrapPlatformTest, ASyscallCmpSiteIsPatchedWhileThreadsRunIt) {
  auto as = NewSpaceWithCode(SyscallWrapperLoop());
  auto second = as->NewThread();
  ASSERT_TRUE(second.ok()) << second.status();
  constexpr int kRounds = 200;
  // The second thread runs the same loop, from its own sentry thread,
  // while the first makes the site hot and patches it.
  std::thread other([&] {
    ASSERT_TRUE(as->AttachThread(*second).ok());
    auto ctx = platform_->NewContext();
    Registers regs = StartRegs();
    RunWrapperLoop(*ctx, *as, regs, SYS_getpid, kRounds, 5000);
    as->ReleaseThread();
  });
  auto ctx = platform_->NewContext();
  Registers regs = StartRegs();
  RunWrapperLoop(*ctx, *as, regs, SYS_getppid, kRounds, 1000);
  other.join();
  EXPECT_EQ(CmpSiteBytesIn(*as), GetParam() ? CmpPatchSequence(0) : OriginalCmpSequence(-4095));
}

TEST_P(SystrapPlatformTest, AForkChildRunsItsInheritedSyscallCmpSite) {
  auto parent = NewSpaceWithCode(SyscallWrapperLoop());
  auto ctx = platform_->NewContext();
  Registers regs = StartRegs();
  RunWrapperLoop(*ctx, *parent, regs, SYS_getppid, 3, 1000);
  auto child = parent->Fork();
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ(CmpSiteBytesIn(**child), CmpSiteBytesIn(*parent));
  ASSERT_TRUE((*child)->Attach().ok());
  auto child_ctx = platform_->NewContext();
  // The child resumes where the parent stopped, after the syscall: the cmp
  // is its first instruction.
  Registers child_regs = regs;
  RunWrapperLoop(*child_ctx, **child, child_regs, SYS_getppid, 4, 3000);
}

INSTANTIATE_TEST_SUITE_P(Patching, SystrapPlatformTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Patched" : "Trapped";
                         });

}  // namespace
}  // namespace runsc::platform::systrap
