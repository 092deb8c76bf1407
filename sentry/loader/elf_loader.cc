#include "sentry/loader/elf_loader.h"

#include <elf.h>
#include <errno.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "base/errno_status.h"

namespace runsc::sentry {
namespace {

// Where ET_DYN main executables go (Linux's ELF_ET_DYN_BASE without ASLR).
constexpr uint64_t kDynBase = 0x555555554000;
// Top of the initial stack, below the top of the user address space.
constexpr uint64_t kStackTop = 0x7ffffffde000;
constexpr uint64_t kStackSize = 8 << 20;
constexpr size_t kMaxPhnum = 128;

absl::Status ReadAt(int fd, void* buf, size_t len, uint64_t off) {
  ssize_t n = ::pread(fd, buf, len, static_cast<off_t>(off));
  if (n != static_cast<ssize_t>(len)) return ErrnoError(ENOEXEC, "short read of ELF headers");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Elf64_Phdr>> ReadPhdrs(int fd, const ElfInfo& info) {
  std::vector<Elf64_Phdr> phdrs(info.phnum);
  if (absl::Status s = ReadAt(fd, phdrs.data(), phdrs.size() * sizeof(Elf64_Phdr), info.phoff);
      !s.ok()) {
    return s;
  }
  return phdrs;
}

int ProtOf(uint32_t flags) {
  return ((flags & PF_R) ? PROT_READ : 0) | ((flags & PF_W) ? PROT_WRITE : 0) |
         ((flags & PF_X) ? PROT_EXEC : 0);
}

struct MappedObject {
  uint64_t bias = 0;
  uint64_t phdr_addr = 0;
  uint64_t end = 0;  // Highest address of any segment.
};

// Maps the PT_LOAD segments of `fd`. ET_DYN objects go at `preferred_base`
// if nonzero, else wherever the host finds room.
absl::StatusOr<MappedObject> MapObject(MemoryManager& mm, int fd, const ElfInfo& info,
                                       const std::vector<Elf64_Phdr>& phdrs,
                                       uint64_t preferred_base, const std::string& name) {
  // The file part of every segment must exist: a mapping past the end of
  // the file would fault when .bss is zeroed, or SIGBUS the application
  // later. A truncated executable is a bad executable.
  struct stat st;
  if (::fstat(fd, &st) != 0) return HostError("fstat of the ELF file");
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);
  uint64_t lo = UINT64_MAX, hi = 0;
  for (const Elf64_Phdr& ph : phdrs) {
    if (ph.p_type != PT_LOAD) continue;
    if (ph.p_filesz > ph.p_memsz || ph.p_vaddr + ph.p_memsz < ph.p_vaddr ||
        (ph.p_align > 1 && (ph.p_vaddr % kPageSize) != (ph.p_offset % kPageSize))) {
      return ErrnoError(ENOEXEC, "malformed PT_LOAD segment");
    }
    if (ph.p_filesz > 0 && (ph.p_offset > file_size || ph.p_filesz > file_size - ph.p_offset)) {
      return ErrnoError(ENOEXEC, "PT_LOAD segment extends past the end of the file");
    }
    lo = std::min(lo, PageRoundDown(ph.p_vaddr));
    hi = std::max(hi, PageRoundUp(ph.p_vaddr + ph.p_memsz));
  }
  if (lo >= hi || hi - lo > (1ull << 40)) return ErrnoError(ENOEXEC, "no loadable segments");

  MappedObject obj;
  if (info.is_dyn) {
    // Reserve the whole span so the segments land together.
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | (preferred_base ? MAP_FIXED_NOREPLACE : 0);
    absl::StatusOr<uint64_t> base =
        mm.address_space().Map(preferred_base, hi - lo, PROT_NONE, flags, -1, 0);
    if (!base.ok()) return base.status();
    obj.bias = *base - lo;
  } else if (lo < platform::kMinUserAddress || hi > platform::kStubBase) {
    return ErrnoError(ENOEXEC, "ET_EXEC segments outside the user address range");
  }

  for (const Elf64_Phdr& ph : phdrs) {
    if (ph.p_type != PT_LOAD) continue;
    const uint64_t start = PageRoundDown(ph.p_vaddr + obj.bias);
    const uint64_t file_end = ph.p_vaddr + obj.bias + ph.p_filesz;
    const uint64_t mem_end = PageRoundUp(ph.p_vaddr + obj.bias + ph.p_memsz);
    const int prot = ProtOf(ph.p_flags);
    uint64_t mapped_end = start;
    if (ph.p_filesz > 0) {
      mapped_end = PageRoundUp(file_end);
      // The tail of the last file page belongs to .bss: zeroed through a
      // writable mapping (process_vm_writev honours protections), made
      // read-only afterwards if the segment is. Every other segment is
      // mapped with its own protection at once: each Map and Protect is a
      // round trip to the stub, and an execve of a static binary made three
      // needless ones.
      const bool zero_tail = ph.p_memsz > ph.p_filesz && mapped_end > file_end;
      const int map_prot = zero_tail ? prot | PROT_WRITE : prot;
      absl::StatusOr<uint64_t> r = mm.Map(start, mapped_end - start, map_prot,
                                          MAP_PRIVATE | MAP_FIXED, fd, PageRoundDown(ph.p_offset), name);
      if (!r.ok()) return r.status();
      if (zero_tail) {
        std::vector<uint8_t> zeros(mapped_end - file_end, 0);
        if (absl::Status s = mm.CopyOut(file_end, zeros); !s.ok()) return s;
        if (map_prot != prot) {
          if (absl::Status s = mm.Protect(start, mapped_end - start, prot); !s.ok()) return s;
        }
      }
    }
    if (mem_end > mapped_end) {
      absl::StatusOr<uint64_t> r = mm.Map(mapped_end, mem_end - mapped_end, prot,
                                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0, "");
      if (!r.ok()) return r.status();
    }
    obj.end = std::max(obj.end, mem_end);
  }

  obj.phdr_addr = 0;
  for (const Elf64_Phdr& ph : phdrs) {
    if (ph.p_type == PT_PHDR) obj.phdr_addr = ph.p_vaddr + obj.bias;
  }
  if (obj.phdr_addr == 0) {
    for (const Elf64_Phdr& ph : phdrs) {
      if (ph.p_type == PT_LOAD && ph.p_offset <= info.phoff &&
          info.phoff < ph.p_offset + ph.p_filesz) {
        obj.phdr_addr = ph.p_vaddr + obj.bias + (info.phoff - ph.p_offset);
        break;
      }
    }
  }
  return obj;
}

// Builds the stack as the kernel does: strings at the top, then auxv, envp,
// argv and argc, with the stack pointer 16-byte aligned at argc.
absl::StatusOr<uint64_t> BuildStack(MemoryManager& mm, const ExecArgs& args,
                                    std::vector<std::pair<uint64_t, uint64_t>> auxv) {
  absl::StatusOr<uint64_t> stack =
      mm.Map(kStackTop - kStackSize, kStackSize, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0, "[stack]");
  if (!stack.ok()) return stack.status();

  std::vector<uint8_t> strings;  // Laid out downward from kStackTop.
  auto push_string = [&](const std::string& s) {
    strings.insert(strings.begin(), s.c_str(), s.c_str() + s.size() + 1);
    return strings.size();  // Distance from the top to the string's start.
  };
  uint8_t random_bytes[16];
  if (::getrandom(random_bytes, sizeof(random_bytes), 0) != sizeof(random_bytes)) {
    return HostError("getrandom for AT_RANDOM");
  }
  const size_t execfn_off = push_string(args.execfn);
  const size_t platform_off = push_string("x86_64");
  std::vector<size_t> env_offs, arg_offs;
  for (auto it = args.envv.rbegin(); it != args.envv.rend(); ++it) env_offs.push_back(push_string(*it));
  for (auto it = args.argv.rbegin(); it != args.argv.rend(); ++it) arg_offs.push_back(push_string(*it));
  strings.insert(strings.begin(), random_bytes, random_bytes + sizeof(random_bytes));
  const size_t random_off = strings.size();
  if (strings.size() > kStackSize / 4) return ErrnoError(E2BIG, "arguments too large");

  const uint64_t strings_base = kStackTop - strings.size();
  auto addr_of = [&](size_t off) { return kStackTop - off; };
  mm.arg_start = addr_of(arg_offs.empty() ? execfn_off : arg_offs.back());
  mm.arg_end = arg_offs.empty() ? mm.arg_start : addr_of(arg_offs.front()) + args.argv.back().size() + 1;
  mm.env_start = env_offs.empty() ? mm.arg_end : addr_of(env_offs.back());
  mm.env_end = env_offs.empty() ? mm.env_start : addr_of(env_offs.front()) + args.envv.back().size() + 1;
  mm.stack_top = kStackTop;

  auxv.push_back({AT_RANDOM, addr_of(random_off)});
  auxv.push_back({AT_PLATFORM, addr_of(platform_off)});
  auxv.push_back({AT_EXECFN, addr_of(execfn_off)});
  auxv.push_back({AT_NULL, 0});

  std::vector<uint64_t> words;
  words.push_back(args.argv.size());
  for (auto it = arg_offs.rbegin(); it != arg_offs.rend(); ++it) words.push_back(addr_of(*it));
  words.push_back(0);
  for (auto it = env_offs.rbegin(); it != env_offs.rend(); ++it) words.push_back(addr_of(*it));
  words.push_back(0);
  for (auto [key, value] : auxv) {
    words.push_back(key);
    words.push_back(value);
  }
  uint64_t sp = (strings_base - words.size() * 8) & ~uint64_t{15};
  if (absl::Status s = mm.CopyOut(strings_base, strings); !s.ok()) return s;
  if (absl::Status s = mm.CopyOut(sp, absl::MakeConstSpan(reinterpret_cast<uint8_t*>(words.data()),
                                                        words.size() * 8));
      !s.ok()) {
    return s;
  }
  return sp;
}

}  // namespace

absl::StatusOr<ElfInfo> ReadElfInfo(int fd) {
  Elf64_Ehdr eh;
  if (absl::Status s = ReadAt(fd, &eh, sizeof(eh), 0); !s.ok()) return s;
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_X86_64 ||
      (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) || eh.e_phentsize != sizeof(Elf64_Phdr) ||
      eh.e_phnum == 0 || eh.e_phnum > kMaxPhnum) {
    return ErrnoError(ENOEXEC, "not an x86-64 ELF executable");
  }
  ElfInfo info;
  info.is_dyn = eh.e_type == ET_DYN;
  info.entry = eh.e_entry;
  info.phoff = eh.e_phoff;
  info.phnum = eh.e_phnum;
  absl::StatusOr<std::vector<Elf64_Phdr>> phdrs = ReadPhdrs(fd, info);
  if (!phdrs.ok()) return phdrs.status();
  for (const Elf64_Phdr& ph : *phdrs) {
    if (ph.p_type != PT_INTERP) continue;
    if (ph.p_filesz < 2 || ph.p_filesz > 4096) return ErrnoError(ENOEXEC, "bad PT_INTERP");
    std::string path(ph.p_filesz, '\0');
    if (absl::Status s = ReadAt(fd, path.data(), path.size(), ph.p_offset); !s.ok()) return s;
    path.resize(std::strlen(path.c_str()));
    info.interpreter = path;
  }
  return info;
}

absl::StatusOr<LoadedImage> LoadElf(MemoryManager& mm, int exe_fd, int interp_fd,
                                    const ExecArgs& args) {
  absl::StatusOr<ElfInfo> info = ReadElfInfo(exe_fd);
  if (!info.ok()) return info.status();
  absl::StatusOr<std::vector<Elf64_Phdr>> phdrs = ReadPhdrs(exe_fd, *info);
  if (!phdrs.ok()) return phdrs.status();
  absl::StatusOr<MappedObject> exe =
      MapObject(mm, exe_fd, *info, *phdrs, info->is_dyn ? kDynBase : 0, args.exe_name);
  if (!exe.ok()) return exe.status();

  LoadedImage image;
  image.entry = info->entry + exe->bias;
  uint64_t interp_base = 0;
  if (!info->interpreter.empty()) {
    if (interp_fd < 0) return ErrnoError(ENOENT, "interpreter not opened");
    absl::StatusOr<ElfInfo> interp = ReadElfInfo(interp_fd);
    if (!interp.ok()) return interp.status();
    if (!interp->is_dyn || !interp->interpreter.empty()) {
      return ErrnoError(ELIBBAD, "interpreter is not a shared object");
    }
    absl::StatusOr<std::vector<Elf64_Phdr>> iphdrs = ReadPhdrs(interp_fd, *interp);
    if (!iphdrs.ok()) return iphdrs.status();
    absl::StatusOr<MappedObject> mapped =
        MapObject(mm, interp_fd, *interp, *iphdrs, 0, info->interpreter);
    if (!mapped.ok()) return mapped.status();
    interp_base = mapped->bias;
    image.entry = interp->entry + mapped->bias;
  }
  image.brk_start = PageRoundUp(exe->end);
  mm.SetBrkStart(image.brk_start);

  std::vector<std::pair<uint64_t, uint64_t>> auxv = {
      {AT_PHDR, exe->phdr_addr}, {AT_PHENT, sizeof(Elf64_Phdr)}, {AT_PHNUM, info->phnum},
      {AT_PAGESZ, kPageSize},    {AT_BASE, interp_base},         {AT_FLAGS, 0},
      {AT_ENTRY, info->entry + exe->bias},
      {AT_UID, args.uid},        {AT_EUID, args.uid},            {AT_GID, args.gid},
      {AT_EGID, args.gid},       {AT_SECURE, 0},                 {AT_CLKTCK, 100},
      {AT_HWCAP, ::getauxval(AT_HWCAP)}, {AT_HWCAP2, ::getauxval(AT_HWCAP2)},
  };
  if (args.vdso != nullptr) {
    absl::StatusOr<uint64_t> vdso_base = args.vdso->MapInto(mm);
    if (!vdso_base.ok()) return vdso_base.status();
    auxv.push_back({AT_SYSINFO_EHDR, *vdso_base});
  }
  absl::StatusOr<uint64_t> sp = BuildStack(mm, args, std::move(auxv));
  if (!sp.ok()) return sp.status();
  image.stack_pointer = *sp;
  return image;
}

}  // namespace runsc::sentry
