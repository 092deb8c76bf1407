// Syscall patching on systrap (issue 7): a hot `mov $nr, %eax; syscall` of
// the application (b8 imm32 0f 05, glibc's usual 7 bytes) is rewritten into
//
//   xor %eax, %eax; mov $(8 * k), %al; jmp *%gs:(%rax)      31 c0 b0 8k 65 ff 20
//
// where k is the site's index in this address space. A patched thread's host
// gs base is its slot's patch table, whose entries all hold the stub's patch
// entry (stub_amd64.S), which looks site k up in the read-only request page
// (nr, return address), builds the frame a SIGSYS would have built, and
// stops as the signal handler does. What that saves is the signal: its
// delivery and the xsave/xrstor of a kernel signal frame; what it adds is one
// rt_sigprocmask (bench-platform has both).
//
// Why this encoding:
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
// Known differences from the original sequence: the arithmetic flags after
// the syscall are those of the `xor` (compiled code never keeps flags across
// an inline `syscall`: GCC's x86 asm always clobbers them), and the
// application sees its patched bytes if it reads its own text, as under
// gVisor.
//
// When a site is patched (SystrapAddressSpace::MaybePatch), all of:
// - it trapped twice (hot), as a SIGSYS from exactly these 7 bytes with eax
//   equal to the trapped syscall number;
// - the 7 bytes lie in one page of a private mapping this address space
//   mapped with PROT_EXEC (shared text would patch other processes too);
// - the process has one thread, stopped in the stub: nobody can be
//   executing the sequence while it is rewritten, which process_vm_writev
//   does not do atomically. (gVisor stops all threads instead; with one
//   thread there is nothing to stop. Later threads see whole patches.)
//
// What the sentry sees is as if the original `syscall` ran: rip is the
// address after the 7 bytes, rcx = rip, r11 = rflags, orig_rax = nr. A
// restart (ERESTART*: rip -= 2) then lands at site + 5, inside the patched
// jmp: Switch recognises that address (SiteRewoundTo, checked against the
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

inline constexpr int kPatchLength = 7;
inline constexpr int kMaxPatchSites = SYSTRAP_MAX_PATCH_SITES;
// Where a restart's `rip -= 2` lands in a patched site, from its start.
inline constexpr uint64_t kPatchRewindOffset = kPatchLength - 2;
// How many traps at one address make it hot.
inline constexpr int kHotTraps = 2;

using PatchBytes = std::array<uint8_t, kPatchLength>;

// `mov $nr, %eax; syscall`.
PatchBytes OriginalSequence(uint32_t nr);
// The patched bytes of site `index` (< kMaxPatchSites).
PatchBytes PatchSequence(int index);
// Whether `bytes` are `mov $nr, %eax; syscall` with this nr, which must fit
// the 16 bits of a site table entry.
bool IsPatchableSequence(absl::Span<const uint8_t> bytes, uint64_t nr);

// One address space's patched sites and what it knows of its mappings.
// Copied whole into a fork child. Only the sentry thread controlling the
// address space's one thread changes it (patching needs a single thread).
class SyscallPatchSites {
 public:
  struct Site {
    uint64_t start = 0;  // first byte of the 7
    uint32_t nr = 0;
  };

  // Mapping bookkeeping, called for every mmap, munmap, mprotect the
  // address space carries out. Only private mappings are remembered.
  void Mapped(uint64_t addr, uint64_t length, int prot, int flags);
  void Unmapped(uint64_t addr, uint64_t length);
  void Protected(uint64_t addr, uint64_t length, int prot);
  // The protection of [addr, addr + length) if one private mapping with one
  // protection covers all of it.
  std::optional<int> PrivateProtection(uint64_t addr, uint64_t length) const;

  // Counts a trap from the syscall ending at `end`; true the one time it
  // becomes hot.
  bool NoteTrap(uint64_t end);

  // The index of the site starting at `start`, registering it for `nr` if
  // new (or updating its nr: new code may be mapped where an old site was);
  // nullopt when the table is full.
  std::optional<int> Claim(uint64_t start, uint32_t nr);
  // Its entry in the stub's site table (SYSTRAP_REQ_PATCH_SITES).
  static uint64_t TableEntry(const Site& site);
  const std::vector<Site>& sites() const { return sites_; }

  // The site whose start + kPatchRewindOffset is `rip`, if any.
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
  void Erase(uint64_t addr, uint64_t end);

  std::map<uint64_t, Region> private_regions_;  // by start
  absl::flat_hash_map<uint64_t, int> traps_;   // by end of the syscall
  std::vector<Site> sites_;
  bool disabled_ = false;
};

}  // namespace runsc::platform::systrap

#endif  // RUNSC_PLATFORM_SYSTRAP_SYSCALL_PATCH_H_
