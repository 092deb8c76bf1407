// Syscall patching on systrap (issue 7): a hot syscall site of the
// application is rewritten into a jump to the stub's patch entries
// (stub_amd64.S), in one of two forms:
//
//   mov $nr, %eax; syscall        b8 imm32 0f 05       (7 bytes)
//   -> xor %eax, %eax; mov $(8 * k), %al; jmp *%gs:(%rax)
//                                 31 c0 b0 8k 65 ff 20
//
//   syscall; cmp $imm32, %rax     0f 05 48 3d imm32    (8 bytes)
//   -> jmp *%gs:(8 * k)           65 ff 24 25 8k 00 00 00
//
// where k is the site's index in this address space. The second form is
// glibc's: of the 526 `syscall`s of Debian 12's libc.so.6, 429 are followed
// by `cmp $-4096, %rax` (293) or `cmp $-4095, %rax` (136, among them
// syscall(2), whose number comes from a register), against 436 preceded by
// `mov $nr, %eax` (most of them both); `cmp` is the wrapper's error check,
// and the number stays in rax. A patched thread's host gs base is its slot's
// patch table, whose entry k is the stub's patch entry k, which looks site k
// up in the read-only request page (nr or "in rax", return address), builds
// the frame a SIGSYS would have built, and stops as the signal handler
// does. What that saves is the signal: its delivery, the xsave/xrstor of a
// kernel signal frame and, when the sentry changed only general registers,
// the rt_sigreturn too (SYSTRAP_CMD_RESUME_FAST; bench-platform has both).
//
// Why these encodings:
// - A `jmp`, not a `call`: a call pushes its return address below the
//   application's rsp, where a leaf function may keep data (the red zone),
//   and an inline `syscall` does not make a function non-leaf. The return
//   address comes from the site table instead, rcx and r11 are free (the
//   `syscall` clobbered them) and the stack is never touched.
// - Through %gs: the stub is 2 TiB from the application's code, out of reach
//   of a rel32 jump, and an absolute address would need memory of ours in
//   the application's low 2 GiB. gs is the x86-64 segment Linux programs
//   leave alone (glibc's TLS is fs), so it is virtualised: while the
//   application's gs base is 0 (what the sentry keeps in Registers), the
//   host's is the slot's table. If the application sets a gs base of its
//   own, every site of the address space is unpatched and patching stops
//   there for good (SystrapAddressSpace).
// - k fits `mov $imm8, %al` as 8 * k: at most 32 sites per address space,
//   the first 32 hot ones; the rest trap as before.
// - The second form keeps every register (rax is the number), and the
//   `cmp` it replaces is carried out by the sentry: whenever a thread is
//   resumed at the address after the `syscall` of a known second-form site
//   (patched or not yet), Switch sets the flags as that cmp would
//   (FlagsAfterCmp) and resumes after it. So the stop is reported as the
//   `syscall` would be (rip after the `syscall`), and a restart's `rip -= 2`
//   lands on the site's first byte: the patched jmp, which makes the
//   syscall in rax again. No special case for restarts.
// Known differences from the original sequence: after the first form the
// arithmetic flags are those of the `xor` (compiled code never keeps flags
// across an inline `syscall`: GCC's x86 asm always clobbers them); code that
// jumps into the middle of a site (to the `syscall` of the first form, to
// the `cmp` of the second) would run the patch's tail bytes: neither is a
// branch target in glibc; the application sees its patched bytes if it
// reads its own text, as under gVisor.
//
// When a site is patched (SystrapAddressSpace::MaybePatch), all of:
// - it trapped twice (hot), as a SIGSYS from exactly these bytes (for the
//   first form with eax equal to the trapped syscall number);
// - the bytes lie in one page of a private mapping this address space
//   mapped with PROT_EXEC (shared text would patch other processes too);
// - nobody can be executing inside the bytes while they change, which
//   process_vm_writev does not do atomically:
//   - first form: the process has one thread, stopped in the stub. With
//     more, one may sit at the `syscall` (preempted after the `mov`, or
//     resumed there by a restart or a signal return), an address inside the
//     patch: the same bytes are not safe to change under it. (gVisor stops
//     all threads instead.)
//   - second form, any number of threads: its only inner instruction
//     boundary is the `cmp`, and no thread is ever there in user space: a
//     site is known (CmpSiteSet) from its first trap on, before that trap
//     returns, and from then on every resume at the cmp runs it in the
//     sentry instead (above). That leaves threads at the first byte, about
//     to run the `syscall`, and for them the bytes change as Linux's
//     text_poke_bp changes live kernel code (the protocol Intel's SDM rules
//     on cross-modifying code, vol. 3A 8.1.3, were checked against there):
//     an `int3` over the first byte (a one-byte store is atomic), every
//     thread of the process serialised (membarrier
//     PRIVATE_EXPEDITED_SYNC_CORE: an IPI to each CPU running one, and a
//     serialising return to user space for the others), the other 7 bytes,
//     serialise, the first byte, serialise. A thread that meets the int3
//     stops with SIGTRAP one byte in, and Switch moves it back to the site
//     (IsPatchGuardTrap) to run whatever is there by then. With one thread,
//     stopped, the bytes are simply written.
//   Later threads see whole patches.
//
// What the sentry sees is as if the original `syscall` ran: rip is the
// address after the `syscall`, rcx = rip, r11 = rflags, orig_rax = nr. In
// the first form a restart (ERESTART*: rip -= 2) then lands at site + 5,
// inside the patched jmp: Switch recognises that address (SiteRewoundTo, checked against the
// bytes in memory) and reports at once the syscall in rax the original
// `syscall` would have made there, so SA_RESTART, restart_syscall and
// rewinding signal frames all work.
//
// fork copies the patched text (host copy-on-write) and this table (Fork);
// execve starts from a clean stub and a fresh table.
#ifndef RUNSC_PLATFORM_SYSTRAP_SYSCALL_PATCH_H_
#define RUNSC_PLATFORM_SYSTRAP_SYSCALL_PATCH_H_

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"
#include "platform/stub/systrap_layout.h"

namespace runsc::platform::systrap {

// The first form.
inline constexpr int kPatchLength = 7;
inline constexpr int kMaxPatchSites = SYSTRAP_MAX_PATCH_SITES;
// Where a restart's `rip -= 2` lands in a patched site, from its start.
inline constexpr uint64_t kPatchRewindOffset = kPatchLength - 2;
// How many traps at one address make it hot.
inline constexpr int kHotTraps = 2;
// The second form: `syscall` (2 bytes), then the `cmp` (6).
inline constexpr int kCmpSiteLength = 8;
inline constexpr uint64_t kSyscallLength = 2;
inline constexpr uint64_t kCmpLength = kCmpSiteLength - kSyscallLength;
// The site table's syscall number for the second form: the number is in
// rax (stub_amd64.S, NR_IN_RAX).
inline constexpr uint16_t kNrInRax = 0xffff;
inline constexpr uint8_t kInt3 = 0xcc;

using PatchBytes = std::array<uint8_t, kPatchLength>;
using CmpSiteBytes = std::array<uint8_t, kCmpSiteLength>;

// `mov $nr, %eax; syscall`.
PatchBytes OriginalSequence(uint32_t nr);
// The patched bytes of site `index` (< kMaxPatchSites).
PatchBytes PatchSequence(int index);
// Whether `bytes` are `mov $nr, %eax; syscall` with this nr, which must fit
// the 16 bits of a site table entry (and not be kNrInRax).
bool IsPatchableSequence(absl::Span<const uint8_t> bytes, uint64_t nr);

// `syscall; cmp $imm, %rax`.
CmpSiteBytes OriginalCmpSequence(int32_t imm);
// `jmp *%gs:(8 * index)`.
CmpSiteBytes CmpPatchSequence(int index);
// The immediate if `bytes` are `syscall; cmp $imm32, %rax`.
std::optional<int32_t> SyscallCmpImmediate(absl::Span<const uint8_t> bytes);
// `eflags` after `cmp $imm, %rax` ran with this rax: the six arithmetic
// flags as the instruction sets them, the others kept.
uint64_t FlagsAfterCmp(uint64_t eflags, uint64_t rax, int32_t imm);

// One address space's patched sites and what it knows of its mappings.
// Copied whole into a fork child. Only the sentry thread controlling the
// address space's one thread changes it (patching needs a single thread).
class SyscallPatchSites {
 public:
  enum class Form { kMovSyscall, kSyscallCmp };
  struct Site {
    uint64_t start = 0;  // first byte of the site
    uint32_t nr = 0;     // the first form's number
    Form form = Form::kMovSyscall;
    int32_t cmp_imm = 0;  // the second form's immediate
  };

  // Mapping bookkeeping, called for every mmap, munmap, mprotect the
  // address space carries out. Only private mappings are remembered.
  void Mapped(uint64_t addr, uint64_t length, int prot, int flags);
  void Unmapped(uint64_t addr, uint64_t length);
  void Protected(uint64_t addr, uint64_t length, int prot);
  // The protection of [addr, addr + length) if one private mapping with one
  // protection covers all of it.
  std::optional<int> PrivateProtection(uint64_t addr, uint64_t length) const;

  // Counts a trap from the syscall ending at `end`: 1 at its first trap,
  // kHotTraps the one time it becomes hot, else 0 (and 0 for every address
  // once too many are counted).
  int NoteTrap(uint64_t end);

  // The index of the site starting at `start`, registering it for `nr` if
  // new (or updating it: new code may be mapped where an old site was);
  // nullopt when the table is full.
  std::optional<int> Claim(uint64_t start, uint32_t nr);
  // The same for a second-form site.
  std::optional<int> ClaimCmp(uint64_t start, int32_t imm);
  // Its entry in the stub's site table (SYSTRAP_REQ_PATCH_SITES).
  static uint64_t TableEntry(const Site& site);
  const std::vector<Site>& sites() const { return sites_; }

  // The first-form site whose start + kPatchRewindOffset is `rip`, if any.
  std::optional<int> SiteRewoundTo(uint64_t rip) const;

  bool disabled() const { return disabled_; }
  void Disable() { disabled_ = true; }

 private:
  struct Region {
    uint64_t end = 0;
    int prot = 0;
  };
  // Splits the region containing `at` (if any) so that one starts there.
  void SplitAt(uint64_t at);
  std::optional<int> ClaimSite(const Site& site);
  void Erase(uint64_t addr, uint64_t end);

  std::map<uint64_t, Region> private_regions_;  // by start
  absl::flat_hash_map<uint64_t, int> traps_;   // by end of the syscall
  std::vector<Site> sites_;
  bool disabled_ = false;
};

}  // namespace runsc::platform::systrap

#endif  // RUNSC_PLATFORM_SYSTRAP_SYSCALL_PATCH_H_
