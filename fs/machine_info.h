// What /proc and /sys tell the application about the machine: the CPUs the
// sandbox has and what cpuid says about them.
//
// Captured once, at boot (NewProcfs / NewSysfs ask for it), from cpuid and
// sysconf: the sentry is meant to run pivot_rooted into an empty directory
// under a seccomp filter, so nothing here may read a host path when the
// application opens a file.
#ifndef RUNSC_FS_MACHINE_INFO_H_
#define RUNSC_FS_MACHINE_INFO_H_

#include <string>
#include <vector>

namespace runsc::fs {

struct CpuIdentity {
  std::string vendor;      // "GenuineIntel", "AuthenticAMD".
  std::string model_name;  // The brand string, trimmed.
  int family = 0, model = 0, stepping = 0;
  int cpuid_level = 0;       // Highest basic leaf.
  int cache_size_kb = 0;     // L2, from leaf 0x80000006 (0: unknown).
  int clflush_size = 64;
  int physical_bits = 0, virtual_bits = 0;
  std::vector<std::string> flags;  // Linux's names, in Linux's order.
};

class MachineInfo {
 public:
  // The snapshot, taken at the first call.
  static const MachineInfo& Get();

  // The sandbox's CPUs, 0..cpus()-1: as many as the sentry may run on (its
  // host affinity at boot). sched_getaffinity(2) in the sandbox reports the
  // same set.
  int cpus() const { return cpus_; }
  const CpuIdentity& cpu() const { return cpu_; }
  // The TSC's frequency in MHz, measured at the first call (a few ms).
  double cpu_mhz() const;

  // /proc/cpuinfo: one block per CPU, in Linux's layout.
  std::string CpuinfoText() const;

  // "0-3" (or "0" for one CPU), as /sys/devices/system/cpu/online reads.
  std::string CpuListText() const;

  // Decodes cpuid; exposed for tests.
  static CpuIdentity ReadCpuid();

 private:
  MachineInfo();
  int cpus_ = 1;
  CpuIdentity cpu_;
};

// The CPU list format of Linux's cpulist ("0-3", "0"), for n CPUs from 0.
std::string CpuRangeText(int n);

}  // namespace runsc::fs

#endif  // RUNSC_FS_MACHINE_INFO_H_
