// The vDSO image and its mapping: an ELF that glibc's loader accepts, with
// the four functions under LINUX_2.6 and no relocations; its code, run in
// this process over a vvar page of our own, tells the host's time (from
// the TSC once calibrated, by a real syscall before); and the loader maps
// it with its vvar page into a real ptrace stub and announces it in auxv.
#include "sentry/vdso/vdso.h"

#include <dlfcn.h>
#include <elf.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/unique_fd.h"
#include "gtest/gtest.h"
#include "platform/platform.h"
#include "sentry/loader/elf_loader.h"

namespace runsc::sentry {
namespace {

constexpr const char* kFunctions[] = {"__vdso_clock_gettime", "__vdso_gettimeofday",
                                      "__vdso_time", "__vdso_getcpu"};

int64_t Nanos(const timespec& ts) { return ts.tv_sec * 1000000000LL + ts.tv_nsec; }
int64_t Host(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return Nanos(ts);
}

// The dynamic symbols of an image linked at 0, by name: read through
// PT_DYNAMIC as glibc does (DT_HASH's nchain is the symbol count).
std::map<std::string, uint64_t> DynamicSymbols(absl::Span<const uint8_t> image) {
  std::map<std::string, uint64_t> out;
  const auto* eh = reinterpret_cast<const Elf64_Ehdr*>(image.data());
  const auto* ph = reinterpret_cast<const Elf64_Phdr*>(image.data() + eh->e_phoff);
  const Elf64_Dyn* dyn = nullptr;
  for (int i = 0; i < eh->e_phnum; ++i) {
    if (ph[i].p_type == PT_DYNAMIC) dyn = reinterpret_cast<const Elf64_Dyn*>(image.data() + ph[i].p_offset);
  }
  if (dyn == nullptr) return out;
  uint64_t symtab = 0, strtab = 0, hash = 0;
  for (; dyn->d_tag != DT_NULL; ++dyn) {
    if (dyn->d_tag == DT_SYMTAB) symtab = dyn->d_un.d_ptr;
    if (dyn->d_tag == DT_STRTAB) strtab = dyn->d_un.d_ptr;
    if (dyn->d_tag == DT_HASH) hash = dyn->d_un.d_ptr;
  }
  if (symtab == 0 || strtab == 0 || hash == 0) return out;
  const uint32_t nchain = reinterpret_cast<const uint32_t*>(image.data() + hash)[1];
  const auto* syms = reinterpret_cast<const Elf64_Sym*>(image.data() + symtab);
  for (uint32_t i = 1; i < nchain; ++i) {
    out[reinterpret_cast<const char*>(image.data() + strtab + syms[i].st_name)] = syms[i].st_value;
  }
  return out;
}

TEST(VdsoImageTest, IsASharedObjectWithoutRelocations) {
  absl::Span<const uint8_t> image = Vdso::Image();
  ASSERT_GE(image.size(), sizeof(Elf64_Ehdr));
  const auto* eh = reinterpret_cast<const Elf64_Ehdr*>(image.data());
  EXPECT_EQ(std::memcmp(eh->e_ident, ELFMAG, SELFMAG), 0);
  EXPECT_EQ(eh->e_type, ET_DYN);
  EXPECT_EQ(eh->e_machine, EM_X86_64);
  const auto* ph = reinterpret_cast<const Elf64_Phdr*>(image.data() + eh->e_phoff);
  int loads = 0;
  for (int i = 0; i < eh->e_phnum; ++i) {
    if (ph[i].p_type != PT_LOAD) continue;
    ++loads;
    EXPECT_EQ(ph[i].p_vaddr, 0u) << "linked at 0, so AT_SYSINFO_EHDR is the load bias";
    EXPECT_EQ(ph[i].p_flags, static_cast<uint32_t>(PF_R | PF_X));
    EXPECT_LE(ph[i].p_memsz, image.size());
  }
  EXPECT_EQ(loads, 1);
  for (int i = 0; i < eh->e_phnum; ++i) {
    if (ph[i].p_type != PT_DYNAMIC) continue;
    for (auto* d = reinterpret_cast<const Elf64_Dyn*>(image.data() + ph[i].p_offset);
         d->d_tag != DT_NULL; ++d) {
      EXPECT_NE(d->d_tag, DT_RELA) << "the vDSO is mapped, never relocated";
      EXPECT_NE(d->d_tag, DT_REL);
      EXPECT_NE(d->d_tag, DT_TEXTREL);
    }
  }
  std::map<std::string, uint64_t> syms = DynamicSymbols(image);
  for (const char* name : kFunctions) EXPECT_NE(syms[name], 0u) << name;
  EXPECT_EQ(syms.count("runsc_vvar_page"), 0u) << "the vvar symbol stays hidden";
}

TEST(VdsoImageTest, GlibcFindsTheFunctionsUnderLinux26) {
  absl::Span<const uint8_t> image = Vdso::Image();
  UniqueFd fd(memfd_create("vdso", MFD_CLOEXEC));
  ASSERT_EQ(write(fd.get(), image.data(), image.size()), static_cast<ssize_t>(image.size()));
  void* handle = dlopen(absl::StrCat("/proc/self/fd/", fd.get()).c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  for (const char* name : kFunctions) {
    EXPECT_NE(dlvsym(handle, name, "LINUX_2.6"), nullptr) << name;
    EXPECT_EQ(dlvsym(handle, name, "LINUX_9.9"), nullptr) << name;
  }
  dlclose(handle);
}

// The image mapped in this process with a vvar page just below it that a
// VvarClock of our own keeps, as the sentry does for an application.
class InProcessVdsoTest : public ::testing::Test {
 protected:
  using ClockGettime = int (*)(clockid_t, timespec*);
  using Gettimeofday = int (*)(timeval*, void*);
  using Time = long (*)(long*);
  using Getcpu = long (*)(unsigned*, unsigned*, void*);

  void Load(const VvarClock::Options& options) {
    absl::Span<const uint8_t> image = Vdso::Image();
    size_ = kPageSize + PageRoundUp(image.size());
    void* at = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(at, MAP_FAILED);
    base_ = static_cast<uint8_t*>(at);
    std::memcpy(base_ + kPageSize, image.data(), image.size());
    ASSERT_EQ(mprotect(base_ + kPageSize, size_ - kPageSize, PROT_READ | PROT_EXEC), 0);
    clock_ = std::make_unique<VvarClock>(reinterpret_cast<runsc_vvar*>(base_), options);
    std::map<std::string, uint64_t> syms = DynamicSymbols(image);
    uint8_t* text = base_ + kPageSize;
    clock_gettime_ = reinterpret_cast<ClockGettime>(text + syms["__vdso_clock_gettime"]);
    gettimeofday_ = reinterpret_cast<Gettimeofday>(text + syms["__vdso_gettimeofday"]);
    time_ = reinterpret_cast<Time>(text + syms["__vdso_time"]);
    getcpu_ = reinterpret_cast<Getcpu>(text + syms["__vdso_getcpu"]);
  }
  void TearDown() override {
    clock_.reset();
    if (base_ != nullptr) munmap(base_, size_);
  }
  int64_t VdsoNanos(clockid_t id) {
    timespec ts{-1, -1};
    EXPECT_EQ(clock_gettime_(id, &ts), 0) << "clock " << id;
    return Nanos(ts);
  }

  uint8_t* base_ = nullptr;
  size_t size_ = 0;
  std::unique_ptr<VvarClock> clock_;
  ClockGettime clock_gettime_ = nullptr;
  Gettimeofday gettimeofday_ = nullptr;
  Time time_ = nullptr;
  Getcpu getcpu_ = nullptr;
};

TEST_F(InProcessVdsoTest, MakesTheRealSyscallWhileThePageIsDisabled) {
  VvarClock::Options o;
  o.force_syscalls = true;
  ASSERT_NO_FATAL_FAILURE(Load(o));
  const int64_t before = Host(CLOCK_MONOTONIC);
  const int64_t served = VdsoNanos(CLOCK_MONOTONIC);
  const int64_t after = Host(CLOCK_MONOTONIC);
  EXPECT_LE(before, served);
  EXPECT_LE(served, after);
  timespec ts;
  EXPECT_EQ(clock_gettime_(12345, &ts), -EINVAL) << "the raw syscall result, as the kernel's vDSO";
  unsigned cpu = 99;
  EXPECT_EQ(getcpu_(&cpu, nullptr, nullptr), 0);
  EXPECT_LT(cpu, 4096u);
}

TEST_F(InProcessVdsoTest, TellsTheHostsTimeFromTheTscOnceCalibrated) {
  if (!VvarClock::HostTscIsInvariant()) GTEST_SKIP() << "host TSC is not invariant";
  VvarClock::Options o;
  o.first_interval = absl::Milliseconds(1);
  ASSERT_NO_FATAL_FAILURE(Load(o));
  const int64_t give_up = Host(CLOCK_MONOTONIC) + 10 * 1000000000LL;
  while (!clock_->enabled() && Host(CLOCK_MONOTONIC) < give_up) usleep(1000);
  ASSERT_TRUE(clock_->enabled());
  for (clockid_t id : {CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME}) {
    const int64_t before = Host(id);
    const int64_t served = VdsoNanos(id);
    const int64_t after = Host(id);
    EXPECT_GT(served, before - 100000) << "clock " << id;
    EXPECT_LT(served, after + 100000) << "clock " << id;
    timespec mine;
    ASSERT_TRUE(clock_->Now(id, &mine));
    EXPECT_GE(Nanos(mine), served) << "the sentry reads the same clock";
  }
  // A clock the page does not keep still works, by syscall.
  const int64_t raw = VdsoNanos(CLOCK_MONOTONIC_RAW);
  EXPECT_GT(raw, 0);
  timeval tv{};
  EXPECT_EQ(gettimeofday_(&tv, nullptr), 0);
  const int64_t realtime = VdsoNanos(CLOCK_REALTIME);
  EXPECT_LE(tv.tv_sec * 1000000LL + tv.tv_usec, realtime / 1000);
  EXPECT_GE(tv.tv_usec, 0);
  EXPECT_LT(tv.tv_usec, 1000000);
  long stored = 0;
  const long seconds = time_(&stored);
  EXPECT_EQ(seconds, stored);
  EXPECT_GE(seconds, tv.tv_sec);
  EXPECT_LE(seconds, VdsoNanos(CLOCK_REALTIME) / 1000000000LL);
}

// --- Mapped into a stub by the loader ------------------------------------

TEST(VdsoMappingTest, TheLoaderMapsVvarAndVdsoAndAnnouncesThem) {
  absl::StatusOr<std::unique_ptr<Vdso>> vdso = Vdso::Create({});
  ASSERT_TRUE(vdso.ok()) << vdso.status();
  absl::StatusOr<std::unique_ptr<platform::Platform>> p = platform::CreatePlatform("ptrace");
  ASSERT_TRUE(p.ok()) << p.status();
  absl::StatusOr<std::unique_ptr<platform::AddressSpace>> as = (*p)->NewAddressSpace();
  ASSERT_TRUE(as.ok()) << as.status();
  ASSERT_TRUE((*as)->Attach().ok());
  MemoryManager mm(*std::move(as));

  absl::StatusOr<uint64_t> ehdr = (*vdso)->MapInto(mm);
  ASSERT_TRUE(ehdr.ok()) << ehdr.status();
  const Mapping* vvar = nullptr;
  const Mapping* text = nullptr;
  std::vector<Mapping> maps = mm.Mappings();
  for (const Mapping& m : maps) {
    if (m.name == "[vvar]") vvar = &m;
    if (m.name == "[vdso]") text = &m;
  }
  ASSERT_NE(vvar, nullptr);
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(text->start, *ehdr);
  EXPECT_EQ(vvar->end, text->start) << "the vvar page is just below the image";
  EXPECT_EQ(vvar->end - vvar->start, kPageSize);
  EXPECT_EQ(vvar->prot, PROT_READ);
  EXPECT_TRUE(vvar->shared) << "every process sees the sentry's updates";
  EXPECT_EQ(text->prot, PROT_READ | PROT_EXEC);
  EXPECT_FALSE(text->shared) << "a process that writes its copy changes only its own";

  absl::Span<const uint8_t> image = Vdso::Image();
  std::vector<uint8_t> in_stub(image.size());
  ASSERT_TRUE(mm.CopyIn(*ehdr, absl::MakeSpan(in_stub)).ok());
  EXPECT_TRUE(std::equal(in_stub.begin(), in_stub.end(), image.begin()));
  uint32_t magic = 0;
  ASSERT_TRUE(mm.CopyInObject(vvar->start, magic).ok());
  EXPECT_EQ(magic, RUNSC_VVAR_MAGIC);
}

}  // namespace
}  // namespace runsc::sentry
