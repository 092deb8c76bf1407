#include "fs/procfs_system.h"

#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <time.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/errno_status.h"
#include "fs/fd_table.h"
#include "fs/inotify_file.h"
#include "fs/machine_info.h"
#include "fs/proc_format.h"
#include "fs/synthetic.h"

namespace runsc::fs {
namespace {

using sentry::Kernel;
using sentry::Task;
using Children = std::map<std::string, std::shared_ptr<Node>>;

std::shared_ptr<Node> Text(const std::string& key, std::string contents) {
  return std::make_shared<SyntheticFileNode>(
      key, [contents = std::move(contents)](Task&) -> absl::StatusOr<std::string> {
        return contents;
      });
}

std::shared_ptr<Node> Generated(const std::string& key, SyntheticFileNode::Generator g) {
  return std::make_shared<SyntheticFileNode>(key, std::move(g));
}

double Seconds(const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; }

// Seconds since boot, by the clock the sandbox's CLOCK_BOOTTIME reads (the
// host's: the sentry does not shift clocks), so that /proc/uptime,
// /proc/stat's btime and the tasks' start times agree with clock_gettime.
double UptimeSeconds() {
  timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

// "12.34": seconds in hundredths, rounded down as Linux prints them (a
// reader comparing with clock_gettime must not see the future).
std::string Centiseconds(double seconds) {
  const int64_t cs = static_cast<int64_t>(seconds * 100);
  return absl::StrFormat("%d.%02d", cs / 100, cs % 100);
}

// CPU time spent for the sandbox, in seconds: the sentry's own (the
// syscalls it served: "system"), and its reaped children's (stubs, which
// run the application: "user"). Stubs still running are not counted yet.
struct CpuTimes {
  double user = 0, system = 0;
};
CpuTimes SandboxCpuTimes() {
  struct rusage self {}, children {};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  return {Seconds(children.ru_utime), Seconds(self.ru_utime) + Seconds(self.ru_stime) +
                                          Seconds(children.ru_stime)};
}

// Idle time summed over the CPUs, as Linux counts it.
double IdleSeconds(double uptime, const CpuTimes& busy) {
  return std::max(0.0, uptime * MachineInfo::Get().cpus() - busy.user - busy.system);
}

struct TaskCounts {
  int running = 0, total = 0, last = 0;
};
TaskCounts CountTasks(Kernel& kernel) {
  TaskCounts c;
  absl::MutexLock lock(&kernel.mu);
  kernel.ForEachTask([&](Task& t) {
    ++c.total;
    // Whether a task runs or waits in a syscall is not tracked: every live
    // one counts as runnable.
    if (!t.leader().zombie && !t.exiting) ++c.running;
  });
  c.last = kernel.last_tid();
  return c;
}

std::string StatText(Kernel& kernel) {
  const int cpus = MachineInfo::Get().cpus();
  const double up = UptimeSeconds();
  const CpuTimes busy = SandboxCpuTimes();
  const double idle = IdleSeconds(up, busy);
  constexpr double kHz = 100;  // USER_HZ.
  auto cpu_line = [&](const std::string& name, double share) {
    return absl::StrFormat("%s %d 0 %d %d 0 0 0 0 0 0\n", name,
                           static_cast<int64_t>(busy.user * share * kHz),
                           static_cast<int64_t>(busy.system * share * kHz),
                           static_cast<int64_t>(idle * share * kHz));
  };
  std::string out = cpu_line("cpu ", 1.0);
  for (int cpu = 0; cpu < cpus; ++cpu) out += cpu_line(absl::StrCat("cpu", cpu), 1.0 / cpus);
  const TaskCounts tasks = CountTasks(kernel);
  const int64_t btime = static_cast<int64_t>(absl::ToUnixSeconds(absl::Now()) - up);
  absl::StrAppendFormat(&out,
                        "intr 0\nctxt 0\nbtime %d\nprocesses %d\nprocs_running %d\n"
                        "procs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
                        btime, tasks.last, std::max(tasks.running, 1));
  return out;
}

// A random UUID (RFC 4122 version 4), as Linux's random/uuid.
std::string RandomUuid() {
  uint8_t b[16] = {};
  ssize_t n = ::getrandom(b, sizeof(b), 0);  // Never short for 16 bytes.
  (void)n;
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return absl::StrFormat("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\n",
                         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                         b[12], b[13], b[14], b[15]);
}

std::shared_ptr<Node> SysDir(Kernel& kernel) {
  const std::string k = "/proc/sys/kernel";
  auto random = SyntheticDirNode::Fixed(
      k + "/random",
      {{"boot_id", Text(k + "/random/boot_id", RandomUuid())},
       {"uuid", Generated(k + "/random/uuid",
                          [](Task&) -> absl::StatusOr<std::string> { return RandomUuid(); })}});
  auto kernel_dir = SyntheticDirNode::Fixed(
      k, {
             // The reading task's UTS namespace, as in Linux.
             {"hostname", Generated(k + "/hostname",
                                    [](Task& t) -> absl::StatusOr<std::string> {
                                      return t.uts->hostname() + "\n";
                                    })},
             {"domainname", Generated(k + "/domainname",
                                      [](Task& t) -> absl::StatusOr<std::string> {
                                        return t.uts->domainname() + "\n";
                                      })},
             {"osrelease", Text(k + "/osrelease", absl::StrCat(Kernel::kRelease, "\n"))},
             {"ostype", Text(k + "/ostype", "Linux\n")},
             {"version", Text(k + "/version", absl::StrCat(Kernel::kVersion, "\n"))},
             // Kernel::NewTask wraps tids at 1 << 22, Linux's PID_MAX_LIMIT.
             {"pid_max", Text(k + "/pid_max", absl::StrCat(1 << 22, "\n"))},
             {"threads-max", Text(k + "/threads-max", absl::StrCat(1 << 22, "\n"))},
             {"ngroups_max", Text(k + "/ngroups_max", "65536\n")},
             // CAP_CHECKPOINT_RESTORE (40): what capget(2) knows
             // (Credentials::kAllCapabilities). libcap reads this.
             {"cap_last_cap", Text(k + "/cap_last_cap", "40\n")},
             {"overflowuid", Text(k + "/overflowuid", "65534\n")},
             {"overflowgid", Text(k + "/overflowgid", "65534\n")},
             {"random", random},
         });
  const std::string v = "/proc/sys/vm";
  auto vm = SyntheticDirNode::Fixed(
      v, {
             // Heuristic overcommit: the host's mmap decides, and the
             // sentry does not refuse on its own.
             {"overcommit_memory", Text(v + "/overcommit_memory", "0\n")},
             {"max_map_count", Text(v + "/max_map_count", "65530\n")},
         });
  const std::string f = "/proc/sys/fs";
  const std::string i = f + "/inotify";
  auto inotify = SyntheticDirNode::Fixed(
      i, {
             {"max_queued_events",
              Text(i + "/max_queued_events", absl::StrCat(InotifyFile::kMaxQueuedEvents, "\n"))},
             {"max_user_instances",
              Text(i + "/max_user_instances", absl::StrCat(WatchTable::kMaxUserInstances, "\n"))},
             {"max_user_watches",
              Text(i + "/max_user_watches", absl::StrCat(WatchTable::kMaxUserWatches, "\n"))},
         });
  auto fs = SyntheticDirNode::Fixed(
      f, {
             {"file-max", Text(f + "/file-max", "9223372036854775807\n")},
             // FdTable's limit: RLIMIT_NOFILE may not be raised past it.
             {"nr_open", Text(f + "/nr_open", absl::StrCat(FdTable::kMaxFds, "\n"))},
             {"inotify", inotify},
         });
  return SyntheticDirNode::Fixed("/proc/sys", {{"kernel", kernel_dir}, {"vm", vm}, {"fs", fs}});
}

}  // namespace

Children NewProcSystemFiles(Kernel& kernel) {
  // Taken now, at boot: cpuid, the CPU count.
  const MachineInfo& machine = MachineInfo::Get();
  return {
      {"meminfo", Generated("/proc/meminfo",
                            [](Task&) -> absl::StatusOr<std::string> {
                              struct sysinfo info {};
                              if (::sysinfo(&info) != 0) return HostError("sysinfo");
                              return FormatMeminfo(info);
                            })},
      {"cpuinfo", Generated("/proc/cpuinfo",
                            [&machine](Task&) -> absl::StatusOr<std::string> {
                              return machine.CpuinfoText();
                            })},
      {"stat", Generated("/proc/stat",
                         [&kernel](Task&) -> absl::StatusOr<std::string> {
                           return StatText(kernel);
                         })},
      {"uptime", Generated("/proc/uptime",
                           [](Task&) -> absl::StatusOr<std::string> {
                             const double up = UptimeSeconds();
                             return absl::StrCat(Centiseconds(up), " ",
                                                 Centiseconds(IdleSeconds(up, SandboxCpuTimes())),
                                                 "\n");
                           })},
      {"loadavg", Generated("/proc/loadavg",
                            [&kernel](Task&) -> absl::StatusOr<std::string> {
                              // Load averages are not computed by the sentry.
                              const TaskCounts tasks = CountTasks(kernel);
                              return absl::StrFormat("0.00 0.00 0.00 %d/%d %d\n",
                                                     std::max(tasks.running, 1), tasks.total,
                                                     tasks.last);
                            })},
      {"version", Text("/proc/version",
                       absl::StrCat("Linux version ", Kernel::kRelease,
                                    " (runsc@runsc) (runsc sentry) ", Kernel::kVersion, "\n"))},
      // What the sentry can mount (and shows in /proc/mounts).
      {"filesystems", Text("/proc/filesystems", "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\t9p\n")},
      {"cmdline", Text("/proc/cmdline", "BOOT_IMAGE=/runsc-sentry ro quiet\n")},
      {"sys", SysDir(kernel)},
  };
}

}  // namespace runsc::fs
