// MachineInfo against the host kernel: the CPU count and what cpuid says
// must be what the host's /proc/cpuinfo and /sys show (the host is the
// referee; the sandbox may not read them later).
#include "fs/machine_info.h"

#include <sched.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"

namespace runsc::fs {
namespace {

std::string ReadHost(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The value of `key` in the first block of a cpuinfo text.
std::string Field(const std::string& cpuinfo, const std::string& key) {
  for (absl::string_view line : absl::StrSplit(cpuinfo, '\n')) {
    size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    if (absl::StripAsciiWhitespace(line.substr(0, colon)) == key) {
      return std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
    }
  }
  return "";
}

TEST(MachineInfoTest, CpuCountIsTheAffinitysCount) {
  cpu_set_t set;
  ASSERT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
  EXPECT_EQ(MachineInfo::Get().cpus(), CPU_COUNT(&set));
  EXPECT_LE(MachineInfo::Get().cpus(), sysconf(_SC_NPROCESSORS_ONLN));
}

TEST(MachineInfoTest, CpuRangeText) {
  EXPECT_EQ(CpuRangeText(1), "0");
  EXPECT_EQ(CpuRangeText(2), "0-1");
  EXPECT_EQ(CpuRangeText(64), "0-63");
}

TEST(MachineInfoTest, IdentityMatchesTheHostsCpuinfo) {
  const std::string host = ReadHost("/proc/cpuinfo");
  ASSERT_FALSE(host.empty());
  const CpuIdentity& c = MachineInfo::Get().cpu();
  EXPECT_EQ(c.vendor, Field(host, "vendor_id"));
  EXPECT_EQ(std::to_string(c.family), Field(host, "cpu family"));
  EXPECT_EQ(std::to_string(c.model), Field(host, "model"));
  EXPECT_EQ(std::to_string(c.stepping), Field(host, "stepping"));
  EXPECT_EQ(c.model_name, Field(host, "model name"));
  EXPECT_EQ(std::to_string(c.cpuid_level), Field(host, "cpuid level"));
  EXPECT_EQ(absl::StrCat(c.physical_bits, " bits physical, ", c.virtual_bits, " bits virtual"),
            Field(host, "address sizes"));
}

TEST(MachineInfoTest, FlagsAreAmongTheHostsAndHoldTheCommonOnes) {
  const std::string host = ReadHost("/proc/cpuinfo");
  std::set<std::string> host_flags = absl::StrSplit(Field(host, "flags"), ' ', absl::SkipEmpty());
  const CpuIdentity& c = MachineInfo::Get().cpu();
  ASSERT_FALSE(c.flags.empty());
  // Linux hides a few bits it reads (and masks some under a hypervisor):
  // most of ours must be the host's, and the ones programs test for must
  // agree exactly.
  int unknown = 0;
  for (const std::string& f : c.flags) unknown += host_flags.count(f) ? 0 : 1;
  EXPECT_LE(unknown, 3) << absl::StrJoin(c.flags, " ");
  std::set<std::string> ours(c.flags.begin(), c.flags.end());
  for (const char* f : {"fpu", "tsc", "sse", "sse2", "ssse3", "sse4_1", "sse4_2", "avx", "avx2",
                        "aes", "lm", "nx", "popcnt", "bmi2"}) {
    EXPECT_EQ(ours.count(f), host_flags.count(f)) << f;
  }
}

TEST(MachineInfoTest, CpuinfoHasOneBlockPerCpu) {
  const MachineInfo& m = MachineInfo::Get();
  const std::string text = m.CpuinfoText();
  int blocks = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, "processor\t: ")) ++blocks;
  }
  EXPECT_EQ(blocks, m.cpus());
  EXPECT_NE(text.find("processor\t: 0\nvendor_id\t: " + m.cpu().vendor + "\n"), std::string::npos);
  EXPECT_GT(m.cpu_mhz(), 100);
  EXPECT_EQ(text.substr(text.size() - 19), "power management:\n\n");
}

}  // namespace
}  // namespace runsc::fs
