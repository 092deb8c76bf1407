// Family: the vDSO (AT_SYSINFO_EHDR, [vdso] and [vvar]). The kernel (or the
// sandbox) hands every process a vDSO whose clock functions glibc calls
// instead of trapping: it must be findable from the auxv, resolvable like
// any shared object, tell the same time as the syscalls, survive fork, and
// its data page must not be writable by the application.
#include <elf.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

int64_t Nanos(const timespec& ts) { return ts.tv_sec * 1000000000LL + ts.tv_nsec; }

int64_t SyscallNow(clockid_t clock) {
  timespec ts;
  if (syscall(SYS_clock_gettime, clock, &ts) != 0) return -1;
  return Nanos(ts);
}

// A function of the vDSO by name and version, found as glibc's loader
// finds it: program headers, PT_DYNAMIC, DT_HASH/DT_SYMTAB/DT_STRTAB and
// the version definitions. nullptr if anything is missing.
void* VdsoSymbol(const char* name, const char* version) {
  const uintptr_t base = getauxval(AT_SYSINFO_EHDR);
  if (base == 0) return nullptr;
  const auto* eh = reinterpret_cast<const Elf64_Ehdr*>(base);
  if (std::memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0) return nullptr;
  const auto* ph = reinterpret_cast<const Elf64_Phdr*>(base + eh->e_phoff);
  uintptr_t bias = 0;
  const Elf64_Dyn* dyn = nullptr;
  bool have_load = false;
  for (int i = 0; i < eh->e_phnum; ++i) {
    if (ph[i].p_type == PT_LOAD && !have_load) {
      bias = base + ph[i].p_offset - ph[i].p_vaddr;
      have_load = true;
    }
  }
  for (int i = 0; i < eh->e_phnum; ++i) {
    if (ph[i].p_type == PT_DYNAMIC) dyn = reinterpret_cast<const Elf64_Dyn*>(bias + ph[i].p_vaddr);
  }
  if (!have_load || dyn == nullptr) return nullptr;
  const uint32_t* hash = nullptr;
  const Elf64_Sym* syms = nullptr;
  const char* strs = nullptr;
  const Elf64_Versym* versym = nullptr;
  const Elf64_Verdef* verdef = nullptr;
  for (; dyn->d_tag != DT_NULL; ++dyn) {
    const uintptr_t p = bias + dyn->d_un.d_ptr;
    if (dyn->d_tag == DT_HASH) hash = reinterpret_cast<const uint32_t*>(p);
    if (dyn->d_tag == DT_SYMTAB) syms = reinterpret_cast<const Elf64_Sym*>(p);
    if (dyn->d_tag == DT_STRTAB) strs = reinterpret_cast<const char*>(p);
    if (dyn->d_tag == DT_VERSYM) versym = reinterpret_cast<const Elf64_Versym*>(p);
    if (dyn->d_tag == DT_VERDEF) verdef = reinterpret_cast<const Elf64_Verdef*>(p);
  }
  if (hash == nullptr || syms == nullptr || strs == nullptr || versym == nullptr ||
      verdef == nullptr) {
    return nullptr;
  }
  for (uint32_t i = 1; i < hash[1]; ++i) {
    if (std::strcmp(strs + syms[i].st_name, name) != 0 || syms[i].st_shndx == SHN_UNDEF) continue;
    // The version index of the symbol names a Verdef whose first aux is its name.
    for (const Elf64_Verdef* d = verdef;;
         d = reinterpret_cast<const Elf64_Verdef*>(reinterpret_cast<const char*>(d) + d->vd_next)) {
      const auto* aux =
          reinterpret_cast<const Elf64_Verdaux*>(reinterpret_cast<const char*>(d) + d->vd_aux);
      if (d->vd_ndx == (versym[i] & 0x7fff) && std::strcmp(strs + aux->vda_name, version) == 0) {
        return reinterpret_cast<void*>(bias + syms[i].st_value);
      }
      if (d->vd_next == 0) break;
    }
  }
  return nullptr;
}

// The [name] line of /proc/self/maps as start, end and permissions.
struct MapsLine {
  uintptr_t start = 0, end = 0;
  std::string perms;
};
bool FindMapping(const std::string& name, MapsLine* out) {
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    if (line.size() < name.size() || line.compare(line.size() - name.size(), name.size(), name) != 0) {
      continue;
    }
    std::istringstream in(line);
    std::string range;
    in >> range >> out->perms;
    out->start = std::stoull(range.substr(0, range.find('-')), nullptr, 16);
    out->end = std::stoull(range.substr(range.find('-') + 1), nullptr, 16);
    return true;
  }
  return false;
}

TEST(VdsoTest, AuxvPointsAtAnElfHeader) {
  const uintptr_t base = getauxval(AT_SYSINFO_EHDR);
  ASSERT_NE(base, 0u) << "no AT_SYSINFO_EHDR in the auxv";
  EXPECT_EQ(base % 4096, 0u);
  const auto* eh = reinterpret_cast<const Elf64_Ehdr*>(base);
  EXPECT_EQ(std::memcmp(eh->e_ident, ELFMAG, SELFMAG), 0);
  EXPECT_EQ(eh->e_type, ET_DYN);
  EXPECT_EQ(eh->e_machine, EM_X86_64);
}

TEST(VdsoTest, MapsShowVdsoExecutableWithVvarBelowIt) {
  MapsLine vdso, vvar;
  ASSERT_TRUE(FindMapping("[vdso]", &vdso));
  ASSERT_TRUE(FindMapping("[vvar]", &vvar));
  EXPECT_EQ(vdso.start, getauxval(AT_SYSINFO_EHDR));
  EXPECT_EQ(vdso.perms.substr(0, 3), "r-x");
  EXPECT_EQ(vvar.perms.substr(0, 3), "r--");
  EXPECT_LT(vvar.start, vdso.start);
}

TEST(VdsoTest, ClockFunctionsResolveUnderLinux26) {
  for (const char* name :
       {"__vdso_clock_gettime", "__vdso_gettimeofday", "__vdso_time", "__vdso_getcpu"}) {
    EXPECT_NE(VdsoSymbol(name, "LINUX_2.6"), nullptr) << name;
  }
  EXPECT_EQ(VdsoSymbol("__vdso_clock_gettime", "LINUX_9.9"), nullptr);
}

TEST(VdsoTest, VdsoClockGettimeAgreesWithTheSyscall) {
  auto vdso_clock_gettime =
      reinterpret_cast<int (*)(clockid_t, timespec*)>(VdsoSymbol("__vdso_clock_gettime", "LINUX_2.6"));
  ASSERT_NE(vdso_clock_gettime, nullptr);
  for (clockid_t clock : {CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME}) {
    for (int i = 0; i < 100; ++i) {
      timespec a, b;
      ASSERT_EQ(vdso_clock_gettime(clock, &a), 0);
      const int64_t raw = SyscallNow(clock);
      ASSERT_EQ(vdso_clock_gettime(clock, &b), 0);
      EXPECT_LE(Nanos(a), raw) << "clock " << clock;
      EXPECT_LE(raw, Nanos(b)) << "clock " << clock;
      EXPECT_GE(a.tv_nsec, 0);
      EXPECT_LT(a.tv_nsec, 1000000000);
    }
  }
  // The raw syscall result, as for any vDSO call: glibc turns it into errno.
  timespec ts;
  EXPECT_EQ(vdso_clock_gettime(12345, &ts), -EINVAL);
}

TEST(VdsoTest, GlibcClocksAreMonotonicAndAgree) {
  // glibc reaches these through the vDSO; the syscalls are the referee.
  int64_t last = 0;
  for (int i = 0; i < 100000; ++i) {
    timespec ts;
    ASSERT_EQ(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
    ASSERT_GE(Nanos(ts), last) << "iteration " << i;
    last = Nanos(ts);
  }
  const time_t before = time(nullptr);
  timeval tv;
  ASSERT_EQ(gettimeofday(&tv, nullptr), 0);
  timespec rt;
  ASSERT_EQ(clock_gettime(CLOCK_REALTIME, &rt), 0);
  const int64_t raw = SyscallNow(CLOCK_REALTIME);
  const time_t after = time(nullptr);
  EXPECT_LE(before, tv.tv_sec);
  EXPECT_LE(tv.tv_sec * 1000000LL + tv.tv_usec, Nanos(rt) / 1000);
  EXPECT_LE(Nanos(rt), raw);
  EXPECT_LE(raw / 1000000000LL, after);
}

TEST(VdsoTest, TheVvarPageCannotBeMadeWritable) {
  MapsLine vvar;
  ASSERT_TRUE(FindMapping("[vvar]", &vvar));
  void* page = reinterpret_cast<void*>(vvar.start);
  EXPECT_NE(mprotect(page, 4096, PROT_READ | PROT_WRITE), 0);
  // Time still works, and a child that tries to write the page dies of
  // SIGSEGV without changing what the parent reads.
  timespec before;
  ASSERT_EQ(clock_gettime(CLOCK_MONOTONIC, &before), 0);
  EXPECT_EQ(RunInChild([&] {
              DisableCoreDumps();
              *static_cast<volatile uint64_t*>(page) = 0;
              return 0;
            }),
            128 + SIGSEGV);
  timespec after;
  ASSERT_EQ(clock_gettime(CLOCK_MONOTONIC, &after), 0);
  EXPECT_GE(Nanos(after), Nanos(before));
  EXPECT_LT(Nanos(after) - Nanos(before), 3600LL * 1000000000LL);
}

TEST(VdsoTest, AChildThatPatchesItsVdsoChangesOnlyItsOwn) {
  const uintptr_t base = getauxval(AT_SYSINFO_EHDR);
  ASSERT_NE(base, 0u);
  const uint8_t first = *reinterpret_cast<const uint8_t*>(base);
  // Linux 6.x may refuse to make the vDSO writable at all (sealed system
  // mappings); where it allows it, the write is the child's private copy.
  EXPECT_EQ(RunInChild([&] {
              if (mprotect(reinterpret_cast<void*>(base), 4096,
                           PROT_READ | PROT_WRITE | PROT_EXEC) != 0) {
                return 0;
              }
              *reinterpret_cast<volatile uint8_t*>(base) = first ^ 0xff;
              CHILD_CHECK(*reinterpret_cast<volatile uint8_t*>(base) == (first ^ 0xff));
              return 0;
            }),
            0);
  EXPECT_EQ(*reinterpret_cast<const uint8_t*>(base), first);
  timespec ts;
  EXPECT_EQ(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
}

TEST(VdsoTest, AForkedChildKeepsAWorkingVdso) {
  const int64_t parent_now = SyscallNow(CLOCK_MONOTONIC);
  EXPECT_EQ(RunInChild([&] {
              CHILD_CHECK(getauxval(AT_SYSINFO_EHDR) != 0);
              MapsLine vdso;
              CHILD_CHECK(FindMapping("[vdso]", &vdso));
              timespec ts;
              for (int i = 0; i < 1000; ++i) {
                CHILD_CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
                CHILD_CHECK(Nanos(ts) >= parent_now);
              }
              return 0;
            }),
            0);
}

}  // namespace
}  // namespace runsc::syscall_test
