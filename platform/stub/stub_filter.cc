#include "platform/stub/stub_filter.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

namespace runsc::platform::stub {
namespace {

constexpr uint32_t kArchOffset = offsetof(seccomp_data, arch);
constexpr uint32_t kIpLowOffset = offsetof(seccomp_data, instruction_pointer);
constexpr uint32_t kIpHighOffset = offsetof(seccomp_data, instruction_pointer) + 4;

sock_filter Statement(uint16_t code, uint32_t k) { return BPF_STMT(code, k); }
sock_filter Jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
  return BPF_JUMP(code, k, jt, jf);
}

}  // namespace

StubFilter::StubFilter(uint64_t code_start, uint64_t code_end, uint32_t outside_action) {
  const uint32_t high = static_cast<uint32_t>(code_start >> 32);
  const uint32_t low_start = static_cast<uint32_t>(code_start);
  const uint32_t low_end = static_cast<uint32_t>(code_end);
  valid_ = code_start <= code_end && (code_end >> 32) == high;
  // Offsets in the jumps count instructions from the next one.
  program_ = {
      Statement(BPF_LD | BPF_W | BPF_ABS, kArchOffset),
      Jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 6),  // else kill
      Statement(BPF_LD | BPF_W | BPF_ABS, kIpHighOffset),
      Jump(BPF_JMP | BPF_JEQ | BPF_K, high, 0, 5),  // else outside
      Statement(BPF_LD | BPF_W | BPF_ABS, kIpLowOffset),
      Jump(BPF_JMP | BPF_JGE | BPF_K, low_start, 0, 3),  // below: outside
      Jump(BPF_JMP | BPF_JGT | BPF_K, low_end, 2, 0),    // above: outside
      Statement(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      Statement(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
      Statement(BPF_RET | BPF_K, outside_action),
  };
}

std::vector<sock_filter> SystrapThreadFilter(uint64_t code_start, uint64_t code_end) {
  const uint32_t high = static_cast<uint32_t>(code_start >> 32);
  if (code_start > code_end || (code_end >> 32) != high) return {};
  constexpr uint32_t kNrOffset = offsetof(seccomp_data, nr);
  constexpr uint32_t kArg1LowOffset = offsetof(seccomp_data, args) + 8;
  // Instructions 14, 15, 16 are the three outcomes; jumps count from the
  // next instruction.
  return {
      Statement(BPF_LD | BPF_W | BPF_ABS, kArchOffset),                 // 0
      Jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 12),        // 1: else kill
      Statement(BPF_LD | BPF_W | BPF_ABS, kIpHighOffset),               // 2
      Jump(BPF_JMP | BPF_JEQ | BPF_K, high, 0, 11),                     // 3: else trap
      Statement(BPF_LD | BPF_W | BPF_ABS, kIpLowOffset),                // 4
      Jump(BPF_JMP | BPF_JGE | BPF_K, static_cast<uint32_t>(code_start), 0, 9),  // 5
      Jump(BPF_JMP | BPF_JGT | BPF_K, static_cast<uint32_t>(code_end), 8, 0),    // 6
      Statement(BPF_LD | BPF_W | BPF_ABS, kNrOffset),                   // 7
      Jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_rt_sigreturn, 7, 0),          // 8: allow
      Jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit, 6, 0),                  // 9: allow
      Jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_futex, 0, 3),                 // 10: else kill
      Statement(BPF_LD | BPF_W | BPF_ABS, kArg1LowOffset),              // 11: futex op
      Jump(BPF_JMP | BPF_JEQ | BPF_K, 0 /*FUTEX_WAIT*/, 3, 0),          // 12: allow
      Jump(BPF_JMP | BPF_JEQ | BPF_K, 1 /*FUTEX_WAKE*/, 2, 0),          // 13: allow, else kill
      Statement(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),             // 14
      Statement(BPF_RET | BPF_K, SECCOMP_RET_TRAP),                     // 15
      Statement(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),                    // 16
  };
}

long StubFilter::InstallInChild() const {
  if (!valid_) return -EINVAL;
  sock_fprog prog = {static_cast<unsigned short>(program_.size()),
                     const_cast<sock_filter*>(program_.data())};
  if (::syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -errno;
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) return -errno;
  return 0;
}

}  // namespace runsc::platform::stub
