#include "fs/machine_info.h"

#include <cpuid.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace runsc::fs {
namespace {

struct Regs {
  uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

Regs Cpuid(uint32_t leaf, uint32_t subleaf = 0) {
  Regs r;
  __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
  return r;
}

// One 32-bit cpuid register's flag names, bit 0 first; "" for bits Linux
// does not show (or has no name for).
using FlagWord = const char* const[32];

// Linux's arch/x86/include/asm/cpufeatures.h, for the words read straight
// from cpuid. Linux's synthetic flags (constant_tsc, rep_good...) say what
// the kernel decided, not what the CPU has, and are left out.
constexpr FlagWord kLeaf1Edx = {
    "fpu",  "vme",  "de",   "pse",   "tsc",   "msr",  "pae",   "mce",  "cx8",  "apic", "",
    "sep",  "mtrr", "pge",  "mca",   "cmov",  "pat",  "pse36", "pn",   "clflush", "", "dts",
    "acpi", "mmx",  "fxsr", "sse",   "sse2",  "ss",   "ht",    "tm",   "ia64", "pbe"};
constexpr FlagWord kExt1Edx = {
    "", "", "", "", "", "", "", "", "", "", "", "syscall", "", "", "", "", "", "", "", "mp",
    "nx", "", "mmxext", "", "", "fxsr_opt", "pdpe1gb", "rdtscp", "", "lm", "3dnowext", "3dnow"};
constexpr FlagWord kLeaf1Ecx = {
    "pni",    "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx",   "smx",     "est",
    "tm2",    "ssse3",     "cid",    "sdbg",    "fma",    "cx16",  "xtpr",    "pdcm",
    "",       "pcid",      "dca",    "sse4_1",  "sse4_2", "x2apic", "movbe",  "popcnt",
    "tsc_deadline_timer", "aes", "xsave", "" /* osxsave */, "avx", "f16c", "rdrand", "hypervisor"};
constexpr FlagWord kExt1Ecx = {
    "lahf_lm", "cmp_legacy", "svm",  "extapic", "cr8_legacy", "abm",  "sse4a", "misalignsse",
    "3dnowprefetch", "osvw", "ibs",  "xop",     "skinit",     "wdt",  "",      "lwp",
    "fma4",    "tce",        "",     "nodeid_msr", "",        "tbm",  "topoext", "perfctr_core",
    "perfctr_nb", "",        "bpext", "ptsc",   "perfctr_llc", "mwaitx", "",   ""};
constexpr FlagWord kLeaf7Ebx = {
    "fsgsbase", "tsc_adjust", "sgx",      "bmi1",     "hle",      "avx2",     "",
    "smep",     "bmi2",       "erms",     "invpcid",  "rtm",      "cqm",      "",
    "mpx",      "rdt_a",      "avx512f",  "avx512dq", "rdseed",   "adx",      "smap",
    "avx512ifma", "",         "clflushopt", "clwb",   "intel_pt", "avx512pf", "avx512er",
    "avx512cd", "sha_ni",     "avx512bw", "avx512vl"};
constexpr FlagWord kLeafDEax = {"xsaveopt", "xsavec", "xgetbv1", "xsaves"};
constexpr FlagWord kLeaf7_1Eax = {"", "", "", "", "avx_vnni", "avx512_bf16"};
constexpr FlagWord kExt8Ebx = {"clzero", "irperf", "xsaveerptr", "", "rdpru", "", "", "", "",
                               "wbnoinvd"};
constexpr FlagWord kLeaf6Eax = {"dtherm", "ida", "arat", "", "pln", "", "pts"};
constexpr FlagWord kLeaf7Ecx = {
    "", "avx512vbmi", "umip", "pku", "ospke", "waitpkg", "avx512_vbmi2", "", "gfni", "vaes",
    "vpclmulqdq", "avx512_vnni", "avx512_bitalg", "tme", "avx512_vpopcntdq", "", "la57", "", "",
    "", "", "", "rdpid", "", "bus_lock_detect", "cldemote", "", "movdiri", "movdir64b", "enqcmd",
    "sgx_lc"};
constexpr FlagWord kLeaf7Edx = {
    "", "", "avx512_4vnniw", "avx512_4fmaps", "fsrm", "", "", "", "avx512_vp2intersect", "",
    "md_clear", "", "", "", "serialize", "", "tsxldtrk", "", "pconfig", "arch_lbr", "ibt", "",
    "amx_bf16", "avx512_fp16", "amx_tile", "amx_int8", "", "", "flush_l1d", "arch_capabilities"};

void AddFlags(const FlagWord& names, uint32_t bits, std::vector<std::string>& out) {
  for (int i = 0; i < 32; ++i) {
    if (((bits >> i) & 1) && names[i] != nullptr && names[i][0] != '\0') out.push_back(names[i]);
  }
}

double MeasureTscMhz() {
  timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC_RAW, &t0);
  const uint64_t c0 = __rdtsc();
  timespec pause = {0, 5'000'000};
  nanosleep(&pause, nullptr);
  clock_gettime(CLOCK_MONOTONIC_RAW, &t1);
  const uint64_t c1 = __rdtsc();
  const double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
  return ns > 0 ? (c1 - c0) * 1e3 / ns : 0;
}

}  // namespace

std::string CpuRangeText(int n) { return n <= 1 ? "0" : absl::StrCat("0-", n - 1); }

CpuIdentity MachineInfo::ReadCpuid() {
  CpuIdentity id;
  Regs r0 = Cpuid(0);
  id.cpuid_level = static_cast<int>(r0.eax);
  char vendor[13] = {};
  std::memcpy(vendor, &r0.ebx, 4);
  std::memcpy(vendor + 4, &r0.edx, 4);
  std::memcpy(vendor + 8, &r0.ecx, 4);
  id.vendor = vendor;

  Regs r1 = Cpuid(1);
  const int base_family = (r1.eax >> 8) & 0xf;
  id.family = base_family == 0xf ? base_family + ((r1.eax >> 20) & 0xff) : base_family;
  id.model = (r1.eax >> 4) & 0xf;
  if (id.family >= 6) id.model += ((r1.eax >> 16) & 0xf) << 4;
  id.stepping = r1.eax & 0xf;
  id.clflush_size = static_cast<int>(((r1.ebx >> 8) & 0xff) * 8);

  const uint32_t max_ext = Cpuid(0x80000000).eax;
  Regs e1 = max_ext >= 0x80000001 ? Cpuid(0x80000001) : Regs{};
  if (max_ext >= 0x80000004) {
    char brand[49] = {};
    for (uint32_t i = 0; i < 3; ++i) {
      Regs b = Cpuid(0x80000002 + i);
      std::memcpy(brand + 16 * i, &b, 16);
    }
    id.model_name = std::string(absl::StripAsciiWhitespace(brand));
  }
  if (max_ext >= 0x80000006) id.cache_size_kb = static_cast<int>(Cpuid(0x80000006).ecx >> 16);
  Regs e8 = max_ext >= 0x80000008 ? Cpuid(0x80000008) : Regs{};
  id.physical_bits = static_cast<int>(e8.eax & 0xff);
  id.virtual_bits = static_cast<int>((e8.eax >> 8) & 0xff);

  Regs l6 = id.cpuid_level >= 6 ? Cpuid(6) : Regs{};
  Regs l7 = id.cpuid_level >= 7 ? Cpuid(7, 0) : Regs{};
  Regs l7_1 = id.cpuid_level >= 7 && l7.eax >= 1 ? Cpuid(7, 1) : Regs{};
  Regs ld = id.cpuid_level >= 0xd ? Cpuid(0xd, 1) : Regs{};

  // Linux's word order: 0, 1, 4, 6, 9, 10, 12, 13, 14, 16, 18.
  AddFlags(kLeaf1Edx, r1.edx, id.flags);
  AddFlags(kExt1Edx, e1.edx, id.flags);
  AddFlags(kLeaf1Ecx, r1.ecx, id.flags);
  AddFlags(kExt1Ecx, e1.ecx, id.flags);
  AddFlags(kLeaf7Ebx, l7.ebx, id.flags);
  AddFlags(kLeafDEax, ld.eax, id.flags);
  AddFlags(kLeaf7_1Eax, l7_1.eax, id.flags);
  AddFlags(kExt8Ebx, e8.ebx, id.flags);
  AddFlags(kLeaf6Eax, l6.eax, id.flags);
  AddFlags(kLeaf7Ecx, l7.ecx, id.flags);
  AddFlags(kLeaf7Edx, l7.edx, id.flags);
  return id;
}

MachineInfo::MachineInfo() {
  // The CPUs the sentry may run on: its affinity, which its cgroup's cpuset
  // limits. Not sysconf(_SC_NPROCESSORS_ONLN): glibc opens
  // /sys/devices/system/cpu/online for it, which the confined sentry cannot
  // (and its seccomp filter kills it for trying).
  cpu_set_t set;
  CPU_ZERO(&set);
  cpus_ = ::sched_getaffinity(0, sizeof(set), &set) == 0 ? std::max(1, CPU_COUNT(&set)) : 1;
  cpu_ = ReadCpuid();
}

const MachineInfo& MachineInfo::Get() {
  static const MachineInfo* info = new MachineInfo();
  return *info;
}

double MachineInfo::cpu_mhz() const {
  static const double mhz = MeasureTscMhz();
  return mhz;
}

std::string MachineInfo::CpuinfoText() const {
  const CpuIdentity& c = cpu_;
  const double mhz = cpu_mhz();
  const std::string flags = absl::StrJoin(c.flags, " ");
  std::string out;
  for (int cpu = 0; cpu < cpus_; ++cpu) {
    absl::StrAppendFormat(&out,
                          "processor\t: %d\n"
                          "vendor_id\t: %s\n"
                          "cpu family\t: %d\n"
                          "model\t\t: %d\n"
                          "model name\t: %s\n"
                          "stepping\t: %d\n"
                          "cpu MHz\t\t: %.3f\n",
                          cpu, c.vendor, c.family, c.model, c.model_name, c.stepping, mhz);
    if (c.cache_size_kb > 0) absl::StrAppendFormat(&out, "cache size\t: %d KB\n", c.cache_size_kb);
    absl::StrAppendFormat(&out,
                          "physical id\t: 0\n"
                          "siblings\t: %d\n"
                          "core id\t\t: %d\n"
                          "cpu cores\t: %d\n"
                          "apicid\t\t: %d\n"
                          "initial apicid\t: %d\n"
                          "fpu\t\t: yes\n"
                          "fpu_exception\t: yes\n"
                          "cpuid level\t: %d\n"
                          "wp\t\t: yes\n"
                          "flags\t\t: %s\n"
                          "bogomips\t: %.2f\n"
                          "clflush size\t: %d\n"
                          "cache_alignment\t: %d\n"
                          "address sizes\t: %d bits physical, %d bits virtual\n"
                          "power management:\n\n",
                          cpus_, cpu, cpus_, cpu, cpu, c.cpuid_level, flags, mhz * 2,
                          c.clflush_size, c.clflush_size, c.physical_bits, c.virtual_bits);
  }
  return out;
}

std::string MachineInfo::CpuListText() const { return CpuRangeText(cpus_); }

}  // namespace runsc::fs
