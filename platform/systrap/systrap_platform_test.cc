// What only systrap has: registers kept across the shared frame (FP, fs
// base), a fork child with its own control area, and a hostile
// application that jumps into stub code to reach the host.
#include "platform/systrap/systrap_platform.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <cstring>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "platform/stub/stub.h"
#include "platform/stub/systrap_layout.h"

namespace runsc::platform::systrap {
namespace {

constexpr uint64_t kCodeAddr = 0x400000;
constexpr uint64_t kDataAddr = 0x500000;

class SystrapPlatformTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = SystrapPlatform::Create();
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

TEST_F(SystrapPlatformTest, FpRegistersAndFsBaseReachTheThread) {
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

TEST_F(SystrapPlatformTest, AnApplicationJumpingIntoStubCodeCannotMap) {
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

TEST_F(SystrapPlatformTest, AForkChildHasItsOwnControlArea) {
  auto parent = NewSpaceWithCode({0xeb, 0xfe});
  const uint64_t slot0_state = ControlArea::StubSlotAddress(0) + SYSTRAP_CTX_STATE;
  uint32_t state = 0;
  ASSERT_TRUE(parent->Read(slot0_state, absl::MakeSpan(reinterpret_cast<uint8_t*>(&state), 4)).ok());
  EXPECT_EQ(state, static_cast<uint32_t>(SYSTRAP_STATE_STOPPED));
  auto child = parent->Fork();
  ASSERT_TRUE(child.ok()) << child.status();
  // The parent's slot 0 is in use; the child's is still zero: the shared
  // pages it inherited were replaced before it could run anything.
  ASSERT_TRUE(
      (*child)->Read(slot0_state, absl::MakeSpan(reinterpret_cast<uint8_t*>(&state), 4)).ok());
  EXPECT_EQ(state, 0u);
  // And the request page stays read-only for the child's threads too.
  EXPECT_FALSE((*child)->Write(kCtlBase, absl::MakeConstSpan(reinterpret_cast<uint8_t*>(&state), 4)).ok());
}

}  // namespace
}  // namespace runsc::platform::systrap
