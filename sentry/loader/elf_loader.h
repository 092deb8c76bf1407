// Loads an ELF executable into a fresh address space and builds the initial
// stack (argv, envp, auxv) as Linux does for execve (DESIGN §4).
//
// Handles ET_EXEC and ET_DYN (static, static-PIE) and a PT_INTERP dynamic
// loader, which the caller opens and passes in.
#ifndef RUNSC_SENTRY_LOADER_ELF_LOADER_H_
#define RUNSC_SENTRY_LOADER_ELF_LOADER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sentry/mm/memory_manager.h"
#include "sentry/vdso/vdso.h"

namespace runsc::sentry {

// What the loader needs to know about an ELF file before mapping it.
struct ElfInfo {
  bool is_dyn = false;      // ET_DYN: position independent, loaded at a bias.
  uint64_t entry = 0;
  uint64_t phoff = 0, phnum = 0;
  std::string interpreter;  // PT_INTERP path, empty for static binaries.
};

// Reads and validates the ELF header of host fd `fd`: x86-64, little-endian,
// ET_EXEC or ET_DYN, sane program headers. ENOEXEC when it is not one.
[[nodiscard]] absl::StatusOr<ElfInfo> ReadElfInfo(int fd);

struct LoadedImage {
  uint64_t entry = 0;         // Where the thread starts (interpreter's if any).
  uint64_t stack_pointer = 0;
  uint64_t brk_start = 0;
};

struct ExecArgs {
  std::vector<std::string> argv;
  std::vector<std::string> envv;
  std::string execfn;  // Path as given to execve (AT_EXECFN).
  std::string exe_name;  // Name shown in /proc/self/maps.
  uint32_t uid = 0, gid = 0;
  // Mapped into the new image and announced by AT_SYSINFO_EHDR; null for
  // none (the application then makes every clock call as a syscall).
  const Vdso* vdso = nullptr;
};

// Maps `exe_fd` (and `interp_fd` when the binary has PT_INTERP) into `mm` and
// writes the initial stack. `mm` must be empty apart from the stub.
[[nodiscard]] absl::StatusOr<LoadedImage> LoadElf(MemoryManager& mm, int exe_fd, int interp_fd,
                                                  const ExecArgs& args);

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_LOADER_ELF_LOADER_H_
