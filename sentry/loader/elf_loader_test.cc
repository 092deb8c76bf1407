// The ELF loader against real and hand-made binaries: headers are read
// right, anything that is not an x86-64 executable is ENOEXEC (never a
// crash), segments land where their headers say with .bss zeroed, and the
// initial stack is what the x86-64 ABI promises _start. Loading uses a real
// ptrace stub, and the last test runs busybox from it to its first syscall.
#include "sentry/loader/elf_loader.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "base/errno_status.h"
#include "base/unique_fd.h"
#include "gtest/gtest.h"
#include "platform/platform.h"
#include "sentry/mm/test_memory.h"

namespace runsc::sentry {
namespace {

constexpr char kBusybox[] = "/bin/busybox";

// An in-memory file with `bytes`, as the gofer would donate it.
UniqueFd FileWith(const std::vector<uint8_t>& bytes) {
  UniqueFd fd(::memfd_create("elf", MFD_CLOEXEC));
  EXPECT_TRUE(fd.valid());
  EXPECT_EQ(::write(fd.get(), bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  return fd;
}

std::vector<uint8_t> ReadFile(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// A small ET_EXEC: one PT_LOAD (R+W+X) at kVaddr holding the headers and
// kCode, kBssSize bytes of .bss after the file part, and optionally a
// PT_INTERP. The bytes after the file part, up to the end of the page, are
// 0xAA in the file: the loader must not let them show through .bss.
constexpr uint64_t kVaddr = 0x400000;
constexpr uint64_t kBssSize = 0x2100;
// exit_group(7): mov eax, 231; mov edi, 7; syscall
const std::vector<uint8_t> kCode = {0xb8, 231, 0, 0, 0, 0xbf, 7, 0, 0, 0, 0x0f, 0x05};

struct TinyElf {
  Elf64_Ehdr eh{};
  std::vector<Elf64_Phdr> ph;
  std::string interp;
  size_t file_part = 0;  // p_filesz of the PT_LOAD.

  TinyElf() {
    std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_EXEC;
    eh.e_machine = EM_X86_64;
    eh.e_version = EV_CURRENT;
    eh.e_phoff = sizeof(Elf64_Ehdr);
    eh.e_ehsize = sizeof(Elf64_Ehdr);
    eh.e_phentsize = sizeof(Elf64_Phdr);
    Elf64_Phdr load{};
    load.p_type = PT_LOAD;
    load.p_flags = PF_R | PF_W | PF_X;
    load.p_vaddr = load.p_paddr = kVaddr;
    load.p_align = 0x1000;
    ph.push_back(load);
  }
  void AddInterp(const std::string& path) {
    interp = path;
    Elf64_Phdr p{};
    p.p_type = PT_INTERP;
    p.p_filesz = p.p_memsz = path.size() + 1;
    ph.push_back(p);
  }
  uint64_t CodeOffset() const { return sizeof(Elf64_Ehdr) + ph.size() * sizeof(Elf64_Phdr); }
  uint64_t Entry() const { return kVaddr + CodeOffset(); }

  std::vector<uint8_t> Bytes() {
    const uint64_t interp_off = CodeOffset() + kCode.size();
    file_part = interp_off + (interp.empty() ? 0 : interp.size() + 1);
    eh.e_phnum = static_cast<uint16_t>(ph.size());
    if (eh.e_entry == 0) eh.e_entry = Entry();
    if (!ph.empty()) {
      ph[0].p_filesz = file_part;
      ph[0].p_memsz = file_part + kBssSize;
    }
    for (Elf64_Phdr& p : ph) {
      if (p.p_type == PT_INTERP && p.p_offset == 0) p.p_offset = interp_off;
    }
    std::vector<uint8_t> out(sizeof(eh) + ph.size() * sizeof(Elf64_Phdr));
    std::memcpy(out.data(), &eh, sizeof(eh));
    std::memcpy(out.data() + sizeof(eh), ph.data(), ph.size() * sizeof(Elf64_Phdr));
    out.insert(out.end(), kCode.begin(), kCode.end());
    if (!interp.empty()) out.insert(out.end(), interp.c_str(), interp.c_str() + interp.size() + 1);
    // Junk after the segment's file part, to the end of its page.
    out.resize(PageRoundUp(out.size()), 0xAA);
    return out;
  }
};

absl::StatusOr<ElfInfo> InfoOf(const std::vector<uint8_t>& bytes) {
  UniqueFd fd = FileWith(bytes);
  return ReadElfInfo(fd.get());
}

// --- Headers -------------------------------------------------------------

TEST(ReadElfInfoTest, BusyboxIsAStaticExecutableWithItsEntryInText) {
  std::vector<uint8_t> bytes = ReadFile(kBusybox);
  if (bytes.size() < sizeof(Elf64_Ehdr)) GTEST_SKIP() << "no " << kBusybox;
  UniqueFd fd(::open(kBusybox, O_RDONLY | O_CLOEXEC));
  absl::StatusOr<ElfInfo> info = ReadElfInfo(fd.get());
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_TRUE(info->interpreter.empty()) << "busybox-static has no PT_INTERP";

  Elf64_Ehdr eh;
  std::memcpy(&eh, bytes.data(), sizeof(eh));
  EXPECT_EQ(info->is_dyn, eh.e_type == ET_DYN);
  EXPECT_EQ(info->entry, eh.e_entry);
  EXPECT_EQ(info->phoff, eh.e_phoff);
  EXPECT_EQ(info->phnum, eh.e_phnum);
  // The entry point is inside an executable PT_LOAD that the file backs.
  int executable_segments_with_entry = 0, loads = 0;
  for (uint64_t i = 0; i < info->phnum; ++i) {
    Elf64_Phdr ph;
    std::memcpy(&ph, bytes.data() + info->phoff + i * sizeof(ph), sizeof(ph));
    if (ph.p_type != PT_LOAD) continue;
    ++loads;
    EXPECT_LE(ph.p_offset + ph.p_filesz, bytes.size());
    EXPECT_LE(ph.p_filesz, ph.p_memsz);
    if ((ph.p_flags & PF_X) && info->entry >= ph.p_vaddr && info->entry < ph.p_vaddr + ph.p_filesz) {
      ++executable_segments_with_entry;
    }
  }
  EXPECT_GE(loads, 2);
  EXPECT_EQ(executable_segments_with_entry, 1);
}

TEST(ReadElfInfoTest, ReadsAHandMadeExecutable) {
  TinyElf elf;
  elf.AddInterp("/lib64/ld-linux-x86-64.so.2");
  absl::StatusOr<ElfInfo> info = InfoOf(elf.Bytes());
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_FALSE(info->is_dyn);
  EXPECT_EQ(info->entry, elf.Entry());
  EXPECT_EQ(info->phoff, sizeof(Elf64_Ehdr));
  EXPECT_EQ(info->phnum, 2u);
  EXPECT_EQ(info->interpreter, "/lib64/ld-linux-x86-64.so.2");

  TinyElf pie;
  pie.eh.e_type = ET_DYN;
  EXPECT_TRUE(InfoOf(pie.Bytes())->is_dyn);
}

// Every one of these is refused with ENOEXEC, so execve reports "Exec format
// error" and a shell can try the file as a script.
TEST(ReadElfInfoTest, AnythingElseIsEnoexec) {
  std::map<std::string, std::vector<uint8_t>> bad;
  bad["empty file"] = {};
  bad["a shell script"] = {'#', '!', '/', 'b', 'i', 'n', '/', 's', 'h', '\n'};
  std::vector<uint8_t> garbage(4096);
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<uint8_t>(i * 7919 + 13);
  bad["garbage"] = garbage;
  {
    std::vector<uint8_t> truncated = TinyElf().Bytes();
    truncated.resize(40);  // Half an ELF header.
    bad["truncated header"] = truncated;
    truncated = TinyElf().Bytes();
    truncated.resize(sizeof(Elf64_Ehdr) + 20);  // Half a program header.
    bad["truncated program headers"] = truncated;
  }
  auto variant = [&](const std::string& name, auto change) {
    TinyElf elf;
    change(elf);
    bad[name] = elf.Bytes();
  };
  variant("32-bit", [](TinyElf& e) { e.eh.e_ident[EI_CLASS] = ELFCLASS32; });
  variant("big-endian", [](TinyElf& e) { e.eh.e_ident[EI_DATA] = ELFDATA2MSB; });
  variant("aarch64", [](TinyElf& e) { e.eh.e_machine = EM_AARCH64; });
  variant("i386", [](TinyElf& e) { e.eh.e_machine = EM_386; });
  variant("relocatable object", [](TinyElf& e) { e.eh.e_type = ET_REL; });
  variant("core dump", [](TinyElf& e) { e.eh.e_type = ET_CORE; });
  variant("odd phentsize", [](TinyElf& e) { e.eh.e_phentsize = 32; });
  variant("no program headers", [](TinyElf& e) { e.ph.clear(); });
  variant("program headers past the end", [](TinyElf& e) { e.eh.e_phoff = 1 << 20; });
  variant("program header offset negative as off_t",
          [](TinyElf& e) { e.eh.e_phoff = uint64_t{1} << 63; });
  variant("too many program headers", [](TinyElf& e) {
    Elf64_Phdr note{};
    note.p_type = PT_NOTE;
    e.ph.resize(129, note);
  });
  variant("one-byte PT_INTERP", [](TinyElf& e) {
    e.AddInterp("");
  });
  variant("huge PT_INTERP", [](TinyElf& e) {
    e.AddInterp("/x");
    e.ph.back().p_filesz = 1 << 20;
  });
  variant("PT_INTERP past the end", [](TinyElf& e) {
    e.AddInterp("/x");
    e.ph.back().p_offset = 1 << 20;
  });

  for (const auto& [name, bytes] : bad) {
    absl::StatusOr<ElfInfo> info = InfoOf(bytes);
    EXPECT_FALSE(info.ok()) << name;
    EXPECT_EQ(ErrnoOf(info.status()), ENOEXEC) << name << ": " << info.status();
  }
}

// --- Loading into a stub ------------------------------------------------

class LoadElfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TestMemory> memory = NewTestMemory();
    ASSERT_TRUE(memory.ok()) << memory.status();
    platform_ = std::move(memory->platform);
    mm_ = std::move(memory->mm);
  }

  uint64_t Word(uint64_t addr) {
    uint64_t v = 0;
    EXPECT_TRUE(mm_->CopyInObject(addr, v).ok()) << std::hex << addr;
    return v;
  }
  std::string String(uint64_t addr) {
    absl::StatusOr<std::string> s = mm_->CopyInString(addr, 4096);
    EXPECT_TRUE(s.ok()) << std::hex << addr;
    return s.ok() ? *s : "";
  }
  std::vector<uint8_t> Bytes(uint64_t addr, size_t n) {
    std::vector<uint8_t> out(n);
    EXPECT_TRUE(mm_->CopyIn(addr, absl::MakeSpan(out)).ok()) << std::hex << addr;
    return out;
  }

  // What _start finds at the stack pointer.
  struct InitialStack {
    std::vector<std::string> argv, envp;
    std::map<uint64_t, uint64_t> auxv;
  };
  InitialStack ReadStack(uint64_t sp) {
    InitialStack st;
    const uint64_t argc = Word(sp);
    uint64_t p = sp + 8;
    for (uint64_t i = 0; i < argc; ++i, p += 8) st.argv.push_back(String(Word(p)));
    EXPECT_EQ(Word(p), 0u) << "argv ends with NULL";
    for (p += 8; Word(p) != 0; p += 8) st.envp.push_back(String(Word(p)));
    for (p += 8;; p += 16) {
      const uint64_t key = Word(p);
      EXPECT_EQ(st.auxv.count(key), 0u) << "auxv key " << key << " twice";
      st.auxv[key] = Word(p + 8);
      if (key == AT_NULL || st.auxv.size() > 64) break;
    }
    return st;
  }

  std::unique_ptr<platform::Platform> platform_;
  std::unique_ptr<MemoryManager> mm_;
};

TEST_F(LoadElfTest, SegmentsLandAsTheHeadersSayAndBssIsZero) {
  TinyElf elf;
  const std::vector<uint8_t> bytes = elf.Bytes();
  UniqueFd fd = FileWith(bytes);
  absl::StatusOr<LoadedImage> image = LoadElf(*mm_, fd.get(), -1, {.argv = {"tiny"}});
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->entry, elf.Entry());
  // The file part is the file's bytes.
  EXPECT_EQ(Bytes(kVaddr, elf.file_part),
            std::vector<uint8_t>(bytes.begin(), bytes.begin() + elf.file_part));
  // After it, to the end of .bss, zeros: not the 0xAA that follows in the
  // file's last page, and not garbage in the anonymous pages.
  EXPECT_EQ(Bytes(kVaddr + elf.file_part, kBssSize), std::vector<uint8_t>(kBssSize, 0));
  // brk starts at the first page past .bss.
  EXPECT_EQ(image->brk_start, PageRoundUp(kVaddr + elf.file_part + kBssSize));
  // The mappings carry the segment's protection.
  bool found = false;
  for (const Mapping& m : mm_->Mappings()) {
    if (m.start == kVaddr) {
      found = true;
      EXPECT_EQ(m.prot, PROT_READ | PROT_WRITE | PROT_EXEC);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(LoadElfTest, ReadOnlySegmentsEndUpReadOnly) {
  TinyElf elf;
  elf.ph[0].p_flags = PF_R | PF_X;
  UniqueFd fd = FileWith(elf.Bytes());
  ASSERT_TRUE(LoadElf(*mm_, fd.get(), -1, {.argv = {"tiny"}}).ok());
  // Written with PROT_WRITE to zero the tail, then protected as asked: the
  // application cannot write its text (CopyOut goes through the stub's own
  // page permissions).
  const uint8_t byte = 0;
  EXPECT_FALSE(mm_->CopyOut(kVaddr, absl::MakeConstSpan(&byte, 1)).ok());
}

TEST_F(LoadElfTest, TheInitialStackFollowsTheAbi) {
  TinyElf elf;
  UniqueFd fd = FileWith(elf.Bytes());
  ExecArgs args{.argv = {"tiny", "first arg", ""},
                .envv = {"PATH=/bin", "HOME=/root"},
                .execfn = "/bin/tiny",
                .exe_name = "/bin/tiny",
                .uid = 1000,
                .gid = 100};
  absl::StatusOr<LoadedImage> image = LoadElf(*mm_, fd.get(), -1, args);
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->stack_pointer % 16, 0u) << "rsp is 16-byte aligned at _start";

  InitialStack st = ReadStack(image->stack_pointer);
  EXPECT_EQ(st.argv, args.argv);
  EXPECT_EQ(st.envp, args.envv);
  EXPECT_EQ(st.auxv[AT_ENTRY], elf.Entry());
  EXPECT_EQ(st.auxv[AT_PHDR], kVaddr + sizeof(Elf64_Ehdr));  // Where the headers were mapped.
  EXPECT_EQ(st.auxv[AT_PHENT], sizeof(Elf64_Phdr));
  EXPECT_EQ(st.auxv[AT_PHNUM], 1u);
  EXPECT_EQ(st.auxv[AT_PAGESZ], 4096u);
  EXPECT_EQ(st.auxv[AT_BASE], 0u);  // No interpreter.
  EXPECT_EQ(st.auxv[AT_UID], 1000u);
  EXPECT_EQ(st.auxv[AT_EUID], 1000u);
  EXPECT_EQ(st.auxv[AT_GID], 100u);
  EXPECT_EQ(st.auxv[AT_EGID], 100u);
  EXPECT_EQ(st.auxv[AT_SECURE], 0u);
  EXPECT_EQ(String(st.auxv[AT_EXECFN]), "/bin/tiny");
  EXPECT_EQ(String(st.auxv[AT_PLATFORM]), "x86_64");
  ASSERT_NE(st.auxv[AT_RANDOM], 0u);
  EXPECT_EQ(Bytes(st.auxv[AT_RANDOM], 16).size(), 16u);
  EXPECT_EQ(st.auxv.count(AT_NULL), 1u);
  // The program headers at AT_PHDR are the file's.
  Elf64_Phdr ph;
  ASSERT_TRUE(mm_->CopyInObject(st.auxv[AT_PHDR], ph).ok());
  EXPECT_EQ(ph.p_type, static_cast<uint32_t>(PT_LOAD));
  EXPECT_EQ(ph.p_vaddr, kVaddr);
  // /proc/self/cmdline and environ read these ranges.
  EXPECT_EQ(mm_->arg_end - mm_->arg_start, std::string("tiny\0first arg\0\0", 16).size());
  EXPECT_EQ(String(mm_->arg_start), "tiny");
  EXPECT_EQ(String(mm_->env_start), "PATH=/bin");
  EXPECT_EQ(mm_->env_end - mm_->env_start, sizeof("PATH=/bin") + sizeof("HOME=/root"));
}

TEST_F(LoadElfTest, MalformedSegmentsAreEnoexec) {
  TinyElf bigger_file_part;
  std::vector<uint8_t> bytes = bigger_file_part.Bytes();
  Elf64_Phdr* load = reinterpret_cast<Elf64_Phdr*>(bytes.data() + sizeof(Elf64_Ehdr));
  load->p_memsz = load->p_filesz - 1;  // More file than memory.
  UniqueFd fd = FileWith(bytes);
  EXPECT_EQ(ErrnoOf(LoadElf(*mm_, fd.get(), -1, {.argv = {"x"}}).status()), ENOEXEC);

  TinyElf in_page_zero;
  bytes = in_page_zero.Bytes();
  load = reinterpret_cast<Elf64_Phdr*>(bytes.data() + sizeof(Elf64_Ehdr));
  load->p_vaddr = 0x1000;  // Below the lowest user address.
  fd = FileWith(bytes);
  EXPECT_EQ(ErrnoOf(LoadElf(*mm_, fd.get(), -1, {.argv = {"x"}}).status()), ENOEXEC);

  TinyElf over_the_stub;
  bytes = over_the_stub.Bytes();
  load = reinterpret_cast<Elf64_Phdr*>(bytes.data() + sizeof(Elf64_Ehdr));
  load->p_vaddr = platform::kStubBase - 0x1000;  // Its .bss would cover the stub.
  fd = FileWith(bytes);
  EXPECT_EQ(ErrnoOf(LoadElf(*mm_, fd.get(), -1, {.argv = {"x"}}).status()), ENOEXEC);

  TinyElf misaligned;
  bytes = misaligned.Bytes();
  load = reinterpret_cast<Elf64_Phdr*>(bytes.data() + sizeof(Elf64_Ehdr));
  load->p_vaddr = kVaddr + 0x10;  // vaddr and offset disagree modulo the page.
  fd = FileWith(bytes);
  EXPECT_EQ(ErrnoOf(LoadElf(*mm_, fd.get(), -1, {.argv = {"x"}}).status()), ENOEXEC);

  TinyElf wraps;
  bytes = wraps.Bytes();
  load = reinterpret_cast<Elf64_Phdr*>(bytes.data() + sizeof(Elf64_Ehdr));
  load->p_memsz = ~uint64_t{0} - 0x1000;  // vaddr + memsz wraps around.
  fd = FileWith(bytes);
  EXPECT_EQ(ErrnoOf(LoadElf(*mm_, fd.get(), -1, {.argv = {"x"}}).status()), ENOEXEC);
}

TEST_F(LoadElfTest, AnInterpreterMustBeOpenedAndBeASharedObject) {
  TinyElf dynamic;
  dynamic.AddInterp("/lib/ld.so");
  UniqueFd fd = FileWith(dynamic.Bytes());
  EXPECT_EQ(ErrnoOf(LoadElf(*mm_, fd.get(), -1, {.argv = {"x"}}).status()), ENOENT);
}

TEST_F(LoadElfTest, ATruncatedBusyboxFailsCleanly) {
  std::vector<uint8_t> bytes = ReadFile(kBusybox);
  if (bytes.size() < 65536) GTEST_SKIP() << "no " << kBusybox;
  bytes.resize(65536);  // Headers intact, segments cut off.
  UniqueFd fd = FileWith(bytes);
  absl::StatusOr<LoadedImage> image = LoadElf(*mm_, fd.get(), -1, {.argv = {"busybox"}});
  ASSERT_FALSE(image.ok());
  // Refused up front, as a bad executable: not a fault while zeroing .bss
  // in a page the file no longer backs, and not SIGBUS once it runs.
  EXPECT_EQ(ErrnoOf(image.status()), ENOEXEC) << image.status();
}

TEST_F(LoadElfTest, SegmentsPastTheEndOfTheFileAreEnoexec) {
  TinyElf elf;
  std::vector<uint8_t> bytes = elf.Bytes();
  Elf64_Phdr* load = reinterpret_cast<Elf64_Phdr*>(bytes.data() + sizeof(Elf64_Ehdr));
  load->p_filesz = 3 * 4096;  // The file is one page.
  load->p_memsz = 4 * 4096;
  UniqueFd fd = FileWith(bytes);
  EXPECT_EQ(ErrnoOf(LoadElf(*mm_, fd.get(), -1, {.argv = {"x"}}).status()), ENOEXEC);

  bytes = elf.Bytes();
  load = reinterpret_cast<Elf64_Phdr*>(bytes.data() + sizeof(Elf64_Ehdr));
  load->p_offset = ~uint64_t{0} & ~uint64_t{0xfff};  // offset + filesz wraps.
  fd = FileWith(bytes);
  EXPECT_EQ(ErrnoOf(LoadElf(*mm_, fd.get(), -1, {.argv = {"x"}}).status()), ENOEXEC);
}

TEST_F(LoadElfTest, BusyboxRunsFromItsEntryToItsFirstSyscall) {
  UniqueFd fd(::open(kBusybox, O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) GTEST_SKIP() << "no " << kBusybox;
  absl::StatusOr<LoadedImage> image =
      LoadElf(*mm_, fd.get(), -1, {.argv = {"busybox", "true"}, .execfn = kBusybox});
  ASSERT_TRUE(image.ok()) << image.status();
  // Its first instructions are the file's.
  absl::StatusOr<ElfInfo> info = ReadElfInfo(fd.get());
  ASSERT_TRUE(info.ok());
  std::vector<uint8_t> file = ReadFile(kBusybox);
  for (uint64_t i = 0; i < info->phnum; ++i) {
    Elf64_Phdr ph;
    std::memcpy(&ph, file.data() + info->phoff + i * sizeof(ph), sizeof(ph));
    if (ph.p_type != PT_LOAD || image->entry < ph.p_vaddr ||
        image->entry >= ph.p_vaddr + ph.p_filesz) {
      continue;
    }
    const uint64_t off = ph.p_offset + (image->entry - ph.p_vaddr);
    EXPECT_EQ(Bytes(image->entry, 16), std::vector<uint8_t>(file.begin() + off,
                                                            file.begin() + off + 16));
  }
  // glibc's start code reads argc, argv, envp and auxv (AT_RANDOM, AT_PHDR
  // for TLS) before its first syscall: a wrong stack or mapping faults.
  std::unique_ptr<platform::Context> context = platform_->NewContext();
  platform::Registers regs{};
  regs.rip = image->entry;
  regs.rsp = image->stack_pointer;
  regs.cs = 0x33;
  regs.ss = 0x2b;
  regs.eflags = 0x202;
  absl::StatusOr<platform::SwitchResult> r = context->Switch(mm_->address_space(), regs);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->reason, platform::StopReason::kSyscall)
      << "signal " << r->info.si_signo << " at 0x" << std::hex << regs.rip;
}

}  // namespace
}  // namespace runsc::sentry
