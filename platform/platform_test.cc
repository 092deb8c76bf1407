// Runs hand-written machine code in real stubs, once per platform: proves
// that syscalls stop in the sentry without reaching the host, that faults
// are reported, and that memory operations and fork act on the stub.
#include "platform/platform.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "base/errno_status.h"
#include "base/poll_until.h"
#include "platform/stub/stub_reaper.h"
#include "gtest/gtest.h"

namespace runsc::platform {
namespace {

constexpr uint64_t kCodeAddr = 0x400000;
constexpr uint64_t kDataAddr = 0x500000;

// mov eax, 39 (getpid); syscall; mov eax, 60 (exit); mov edi, 7; syscall; ud2
const std::vector<uint8_t> kGetpidThenExit = {0xb8, 39, 0, 0, 0, 0x0f, 0x05, 0xb8, 60, 0, 0, 0,
                                              0xbf, 7,  0, 0, 0, 0x0f, 0x05, 0x0f, 0x0b};
// mov rax, [0x10]  (faults)
const std::vector<uint8_t> kLoadFromNull = {0x48, 0x8b, 0x04, 0x25, 0x10, 0, 0, 0};

class PlatformTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto p = CreatePlatform(GetParam());
    ASSERT_TRUE(p.ok()) << p.status();
    platform_ = std::move(*p);
  }

  std::unique_ptr<AddressSpace> NewSpaceWithCode(const std::vector<uint8_t>& code) {
    auto as = platform_->NewAddressSpace();
    EXPECT_TRUE(as.ok()) << as.status();
    EXPECT_TRUE((*as)->Attach().ok());
    auto addr = (*as)->Map(kCodeAddr, 4096, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    EXPECT_TRUE(addr.ok()) << addr.status();
    EXPECT_EQ(*(*as)->Write(kCodeAddr, code), code.size());
    EXPECT_TRUE((*as)->Protect(kCodeAddr, 4096, PROT_READ | PROT_EXEC).ok());
    return std::move(*as);
  }

  static Registers StartRegs() {
    Registers regs{};
    regs.rip = kCodeAddr;
    regs.cs = 0x33;
    regs.ss = 0x2b;
    regs.eflags = 0x202;
    return regs;
  }

  // Switches until the thread stops for a reason of its own: kInterrupted
  // means nothing happened to it (a stray stop, such as the group stop a
  // stub's own SIGSTOP may leave for threads it makes later), and the
  // sentry simply switches again.
  static absl::StatusOr<SwitchResult> SwitchToStop(Context& ctx, AddressSpace& as,
                                                   Registers& regs) {
    for (int i = 0; i < 10; ++i) {
      absl::StatusOr<SwitchResult> r = ctx.Switch(as, regs);
      if (!r.ok() || r->reason != StopReason::kInterrupted) return r;
    }
    return absl::DeadlineExceededError("ten stray stops in a row");
  }

  std::unique_ptr<Platform> platform_;
};

TEST_P(PlatformTest, UnknownPlatformIsAnError) {
  auto p = CreatePlatform("kvm");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("unknown platform"), std::string::npos);
}

TEST_P(PlatformTest, SyscallsStopInTheSentryAndNeverRunOnTheHost) {
  auto as = NewSpaceWithCode(kGetpidThenExit);
  auto ctx = platform_->NewContext();
  Registers regs = StartRegs();
  auto r = ctx->Switch(*as, regs);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->reason, StopReason::kSyscall);
  EXPECT_EQ(regs.orig_rax, static_cast<uint64_t>(SYS_getpid));
  // The answer is ours: the host's getpid never ran.
  regs.rax = 4242;
  r = ctx->Switch(*as, regs);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->reason, StopReason::kSyscall);
  EXPECT_EQ(regs.orig_rax, static_cast<uint64_t>(SYS_exit));
  EXPECT_EQ(regs.rdi, 7u);
  // exit did not run on the host either: the stub is alive and stopped.
  EXPECT_EQ(::kill(as->HostPid(), 0), 0);
}

TEST_P(PlatformTest, FaultsAreReportedWithTheAddress) {
  auto as = NewSpaceWithCode(kLoadFromNull);
  auto ctx = platform_->NewContext();
  Registers regs = StartRegs();
  auto r = ctx->Switch(*as, regs);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->reason, StopReason::kFault);
  EXPECT_EQ(r->info.si_signo, SIGSEGV);
  EXPECT_EQ(reinterpret_cast<uint64_t>(r->info.si_addr), 0x10u);
}

TEST_P(PlatformTest, ReadWriteAndBadAddresses) {
  auto as = NewSpaceWithCode(kGetpidThenExit);
  ASSERT_TRUE(as->Map(kDataAddr, 8192, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0).ok());
  const uint8_t msg[] = "hello";
  EXPECT_EQ(*as->Write(kDataAddr, msg), sizeof(msg));
  uint8_t back[sizeof(msg)] = {};
  EXPECT_EQ(*as->Read(kDataAddr, absl::MakeSpan(back)), sizeof(msg));
  EXPECT_EQ(std::memcmp(msg, back, sizeof(msg)), 0);
  auto bad = as->Read(0x1000, absl::MakeSpan(back));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(ErrnoOf(bad.status()), EFAULT);
  // Crossing into unmapped memory gives a short copy.
  std::vector<uint8_t> big(8192 + 16);
  EXPECT_EQ(*as->Read(kDataAddr, absl::MakeSpan(big)), 8192u);
}

TEST_P(PlatformTest, TheStubHidesTheSentryMemory) {
  auto as = NewSpaceWithCode(kGetpidThenExit);
  // Some address of the sentry's own data is not mapped in the stub.
  static int sentry_variable = 5;
  uint8_t byte;
  auto r = as->Read(reinterpret_cast<uint64_t>(&sentry_variable), absl::MakeSpan(&byte, 1));
  EXPECT_FALSE(r.ok());
  // And the stub's pages cannot be unmapped or mapped over.
  EXPECT_EQ(ErrnoOf(as->Unmap(kStubBase, 4096)), EINVAL);
}

TEST_P(PlatformTest, ForkCopiesMemory) {
  auto parent = NewSpaceWithCode(kGetpidThenExit);
  ASSERT_TRUE(parent->Map(kDataAddr, 4096, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0).ok());
  const uint8_t before[] = {1, 2, 3};
  ASSERT_TRUE(parent->Write(kDataAddr, before).ok());
  auto child = parent->Fork();
  ASSERT_TRUE(child.ok()) << child.status();
  // Attach from another thread, as the sentry does for a new task.
  std::thread([&] {
    ASSERT_TRUE((*child)->Attach().ok());
    const uint8_t after[] = {9, 9, 9};
    ASSERT_TRUE((*child)->Write(kDataAddr, after).ok());
    auto ctx = platform_->NewContext();
    Registers regs = StartRegs();
    auto r = SwitchToStop(*ctx, **child, regs);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->reason, StopReason::kSyscall);
    child->reset();  // Killed and reaped on its tracer thread.
  }).join();
  uint8_t now[3];
  ASSERT_TRUE(parent->Read(kDataAddr, absl::MakeSpan(now)).ok());
  EXPECT_EQ(now[0], 1);  // Copy-on-write: the parent is unchanged.
}

TEST_P(PlatformTest, ThreadsShareMemoryAndAreRunByTheirOwnTracers) {
  auto as = NewSpaceWithCode(kGetpidThenExit);
  auto thread = as->NewThread();
  ASSERT_TRUE(thread.ok()) << thread.status();
  EXPECT_NE(*thread, as->HostPid());
  std::thread([&] {
    // This host thread controls only the new stub thread: its memory
    // operations and its Switch go through that thread.
    ASSERT_TRUE(as->AttachThread(*thread).ok());
    ASSERT_TRUE(as->Map(kDataAddr, 4096, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0).ok());
    auto ctx = platform_->NewContext();
    Registers regs = StartRegs();
    auto r = SwitchToStop(*ctx, *as, regs);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->reason, StopReason::kSyscall);
    EXPECT_EQ(regs.orig_rax, static_cast<uint64_t>(SYS_getpid));
    as->ReleaseThread();
  }).join();
  // The mapping made through the other thread is the process's.
  const uint8_t msg[] = "shared";
  EXPECT_EQ(*as->Write(kDataAddr, msg), sizeof(msg));
  // The released thread goes (on systrap ReleaseThread does not wait for
  // it: its exit is not on the caller's path); the process lives on.
  EXPECT_TRUE(PollUntil(
      [&] { return ::syscall(SYS_tgkill, as->HostPid(), *thread, 0) != 0; }, absl::Seconds(30)));
  EXPECT_EQ(::kill(as->HostPid(), 0), 0);
  // The first thread still runs on its own tracer.
  auto ctx = platform_->NewContext();
  Registers regs = StartRegs();
  auto r = SwitchToStop(*ctx, *as, regs);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->reason, StopReason::kSyscall);
}

TEST_P(PlatformTest, AThreadWithoutAStubThreadCannotSwitch) {
  auto as = NewSpaceWithCode(kGetpidThenExit);
  std::thread([&] {
    auto ctx = platform_->NewContext();
    Registers regs = StartRegs();
    EXPECT_FALSE(ctx->Switch(*as, regs).ok());
    EXPECT_FALSE(as->Map(kDataAddr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0).ok());
  }).join();
}

TEST_P(PlatformTest, TheFirstThreadParksWhenReleasedBeforeTheOthers) {
  auto as = NewSpaceWithCode(kGetpidThenExit);
  auto thread = as->NewThread();
  ASSERT_TRUE(thread.ok()) << thread.status();
  as->ReleaseThread();  // The first thread's task is done; the process is not.
  std::thread([&] {
    ASSERT_TRUE(as->AttachThread(*thread).ok());
    auto ctx = platform_->NewContext();
    Registers regs = StartRegs();
    auto r = SwitchToStop(*ctx, *as, regs);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->reason, StopReason::kSyscall);
    const pid_t pid = as->HostPid();
    as->ReleaseThread();
    as.reset();  // Kills the parked first thread; the reaper reaps it.
    stub::StubReaper::Get().WaitIdle();
    EXPECT_NE(::kill(pid, 0), 0);
  }).join();
}

TEST_P(PlatformTest, EveryAddressSpaceIsAFreshProcessPooledOrNot) {
  // From the second address space on, the platform forks one ahead; each
  // must still be a process of its own with none of another's memory.
  std::vector<pid_t> pids;
  for (int i = 0; i < 4; ++i) {
    auto as = NewSpaceWithCode(kGetpidThenExit);
    for (pid_t earlier : pids) EXPECT_NE(as->HostPid(), earlier);
    pids.push_back(as->HostPid());
    uint8_t byte = 0;
    auto read = as->Read(kDataAddr, absl::MakeSpan(&byte, 1));
    ASSERT_FALSE(read.ok()) << "iteration " << i;  // The last one's data page is not here.
    EXPECT_EQ(ErrnoOf(read.status()), EFAULT);
    ASSERT_TRUE(as->Map(kDataAddr, 4096, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0).ok());
    const uint8_t marker = 0x42;
    ASSERT_EQ(*as->Write(kDataAddr, absl::MakeConstSpan(&marker, 1)), 1u);
    auto ctx = platform_->NewContext();
    Registers regs = StartRegs();
    auto r = SwitchToStop(*ctx, *as, regs);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->reason, StopReason::kSyscall);
    EXPECT_EQ(regs.orig_rax, static_cast<uint64_t>(SYS_getpid));
    as->ReleaseThread();
  }
}

TEST_P(PlatformTest, InterruptStopsARunningThread) {
  // jmp $ (spin forever)
  auto as = NewSpaceWithCode({0xeb, 0xfe});
  auto ctx = platform_->NewContext();
  std::thread interrupter([&] {
    ::usleep(20000);
    ctx->Interrupt();
  });
  Registers regs = StartRegs();
  auto r = ctx->Switch(*as, regs);
  interrupter.join();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->reason, StopReason::kInterrupted);
}

INSTANTIATE_TEST_SUITE_P(Platforms, PlatformTest, ::testing::Values("ptrace", "systrap"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace runsc::platform
