// The formats of /proc files, byte for byte against what Linux prints
// (samples taken from Linux 6.x), and against the host's own /proc where
// the host is the referee.
#include "fs/proc_format.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>

#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace runsc::fs {
namespace {

using sentry::Mapping;

TEST(FormatMapsLineTest, FileMappingPadsTheNameToColumn73) {
  Mapping m;
  m.start = 0x557aa60ac000;
  m.end = 0x557aa60ae000;
  m.prot = PROT_READ;
  m.offset = 0;
  m.dev = makedev(0xfe, 0);
  m.ino = 247134;
  m.name = "/usr/bin/cat";
  EXPECT_EQ(FormatMapsLine(m),
            "557aa60ac000-557aa60ae000 r--p 00000000 fe:00 247134                     "
            "/usr/bin/cat\n");
}

TEST(FormatMapsLineTest, AnonymousMappingEndsWithASpace) {
  Mapping m;
  m.start = 0x7f0000000000;
  m.end = 0x7f0000002000;
  m.prot = PROT_READ | PROT_WRITE;
  m.offset = 0x1000;  // Not shown for anonymous memory: Linux prints 0.
  EXPECT_EQ(FormatMapsLine(m), "7f0000000000-7f0000002000 rw-p 00000000 00:00 0 \n");
}

TEST(FormatMapsLineTest, SharedExecutableAndSpecialNames) {
  Mapping m;
  m.start = 0x1000;
  m.end = 0x3000;
  m.prot = PROT_READ | PROT_EXEC;
  m.shared = true;
  m.offset = 0x2000;
  m.dev = makedev(8, 17);
  m.ino = 12;
  m.name = "/lib/x";
  // Short addresses are zero-padded to 8 digits.
  EXPECT_EQ(FormatMapsLine(m), "00001000-00003000 r-xs 00002000 08:11 12" + std::string(33, ' ') +
                                   "/lib/x\n");
  Mapping stack;
  stack.start = 0x7ffffffde000 - 0x21000;
  stack.end = 0x7ffffffde000;
  stack.prot = PROT_READ | PROT_WRITE;
  stack.name = "[stack]";
  EXPECT_EQ(FormatMapsLine(stack),
            "7ffffffbd000-7ffffffde000 rw-p 00000000 00:00 0                          [stack]\n");
}

TEST(FormatMapsLineTest, NewlineInANameIsEscaped) {
  Mapping m;
  m.start = 0x1000;
  m.end = 0x2000;
  m.prot = PROT_READ;
  m.ino = 1;
  m.name = "/tmp/a\nb";
  const std::string line = FormatMapsLine(m);
  EXPECT_NE(line.find("/tmp/a\\012b\n"), std::string::npos) << line;
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
}

TEST(FormatLimitsTest, MatchesLinuxTable) {
  std::array<struct rlimit, RLIM_NLIMITS> limits;
  for (auto& l : limits) l = {RLIM_INFINITY, RLIM_INFINITY};
  limits[RLIMIT_STACK] = {8388608, RLIM_INFINITY};
  limits[RLIMIT_CORE] = {0, RLIM_INFINITY};
  limits[RLIMIT_NPROC] = {96364, 96364};
  limits[RLIMIT_NOFILE] = {20000, 20000};
  limits[RLIMIT_MEMLOCK] = {8388608, 8388608};
  limits[RLIMIT_SIGPENDING] = {96364, 96364};
  limits[RLIMIT_MSGQUEUE] = {819200, 819200};
  limits[RLIMIT_NICE] = {0, 0};
  limits[RLIMIT_RTPRIO] = {0, 0};
  // Linux 6.18's /proc/self/limits for the same values.
  EXPECT_EQ(FormatLimits(limits),
            "Limit                     Soft Limit           Hard Limit           Units     \n"
            "Max cpu time              unlimited            unlimited            seconds   \n"
            "Max file size             unlimited            unlimited            bytes     \n"
            "Max data size             unlimited            unlimited            bytes     \n"
            "Max stack size            8388608              unlimited            bytes     \n"
            "Max core file size        0                    unlimited            bytes     \n"
            "Max resident set          unlimited            unlimited            bytes     \n"
            "Max processes             96364                96364                processes \n"
            "Max open files            20000                20000                files     \n"
            "Max locked memory         8388608              8388608              bytes     \n"
            "Max address space         unlimited            unlimited            bytes     \n"
            "Max file locks            unlimited            unlimited            locks     \n"
            "Max pending signals       96364                96364                signals   \n"
            "Max msgqueue size         819200               819200               bytes     \n"
            "Max nice priority         0                    0                    \n"
            "Max realtime priority     0                    0                    \n"
            "Max realtime timeout      unlimited            unlimited            us        \n");
}

TEST(FormatLimitsTest, MatchesTheHostsOwnLimits) {
  std::array<struct rlimit, RLIM_NLIMITS> limits;
  for (int i = 0; i < RLIM_NLIMITS; ++i) ASSERT_EQ(getrlimit(i, &limits[i]), 0);
  std::ifstream in("/proc/self/limits");
  std::stringstream host;
  host << in.rdbuf();
  EXPECT_EQ(FormatLimits(limits), host.str());
}

TaskStatus SampleStatus() {
  TaskStatus s;
  s.name = "cat";
  s.tgid = s.pid = 3381;
  s.ppid = 3337;
  s.pgid = 3337;
  s.sid = 31696;
  s.fd_size = 256;
  s.cpus = 2;
  s.cap_prm = s.cap_eff = s.cap_bnd = 0x000001fffeffffff;
  return s;
}

TEST(FormatStatusTest, HeadAndSignalAndCapabilityLinesAreLinuxs) {
  TaskStatus s = SampleStatus();
  s.blocked = sentry::SignalBit(SIGINT);
  s.ignored = sentry::SignalBit(SIGPIPE);
  s.caught = sentry::SignalBit(SIGCHLD) | sentry::SignalBit(SIGRTMIN + 1);
  s.pending = sentry::SignalBit(SIGUSR1);
  const std::string out = FormatStatus(s);
  EXPECT_EQ(out.substr(0, out.find("Kthread")),
            "Name:\tcat\nUmask:\t0022\nState:\tR (running)\nTgid:\t3381\nNgid:\t0\nPid:\t3381\n"
            "PPid:\t3337\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t256\n"
            "Groups:\t \nNStgid:\t3381\nNSpid:\t3381\nNSpgid:\t3337\nNSsid:\t31696\n");
  EXPECT_NE(out.find("\nSigPnd:\t0000000000000200\nShdPnd:\t0000000000000000\n"
                     "SigBlk:\t0000000000000002\nSigIgn:\t0000000000001000\n"
                     "SigCgt:\t0000000400010000\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("\nCapInh:\t0000000000000000\nCapPrm:\t000001fffeffffff\n"
                     "CapEff:\t000001fffeffffff\nCapBnd:\t000001fffeffffff\n"
                     "CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("VmSize"), std::string::npos) << "no memory given, no Vm lines";
}

TEST(FormatStatusTest, GroupsAndIdsAndMemory) {
  TaskStatus s = SampleStatus();
  s.uid[0] = 1000;
  s.uid[1] = 0;
  s.uid[2] = 1001;
  s.uid[3] = 0;
  s.groups = {4, 24, 27};
  s.umask = 077;
  s.state = 'Z';
  s.has_memory = true;
  s.memory.size = 3060 << 10;
  s.memory.rss_anon = 112 << 10;
  s.memory.rss_file = 1656 << 10;
  const std::string out = FormatStatus(s);
  EXPECT_NE(out.find("\nUmask:\t0077\nState:\tZ (zombie)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nUid:\t1000\t0\t1001\t0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nGroups:\t4 24 27 \n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nVmPeak:\t    3060 kB\nVmSize:\t    3060 kB\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nVmRSS:\t    1768 kB\nRssAnon:\t     112 kB\nRssFile:\t    1656 kB\n"),
            std::string::npos)
      << out;
}

TEST(FormatStatusTest, NameEscapesNewlinesAndBackslashes) {
  EXPECT_EQ(EscapeStatusName("a\nb\\c"), "a\\nb\\\\c");
}

TEST(FormatCpuMaskTest, WordsOf32BitsMostSignificantFirst) {
  EXPECT_EQ(FormatCpuMask(1), "1");
  EXPECT_EQ(FormatCpuMask(2), "3");
  EXPECT_EQ(FormatCpuMask(32), "ffffffff");
  EXPECT_EQ(FormatCpuMask(36), "f,ffffffff");
}

TEST(UsageOfTest, CountsMappingsByKind) {
  std::vector<Mapping> maps;
  Mapping text{0x1000, 0x3000, PROT_READ | PROT_EXEC, false, 0, "/bin/app"};
  text.ino = 5;
  Mapping lib{0x10000, 0x12000, PROT_READ | PROT_EXEC, false, 0, "/lib/libc.so"};
  lib.ino = 6;
  Mapping heap{0x20000, 0x24000, PROT_READ | PROT_WRITE, false, 0, "[heap]"};
  Mapping guard{0x30000, 0x31000, PROT_NONE, false, 0, ""};
  Mapping shm{0x40000, 0x41000, PROT_READ | PROT_WRITE, true, 0, ""};
  Mapping stack{0x50000, 0x58000, PROT_READ | PROT_WRITE, false, 0, "[stack]"};
  maps = {text, lib, heap, guard, shm, stack};
  const MemoryUsage u = UsageOf(maps, "/bin/app");
  EXPECT_EQ(u.size, 0x2000u + 0x2000 + 0x4000 + 0x1000 + 0x1000 + 0x8000);
  EXPECT_EQ(u.exe, 0x2000u);
  EXPECT_EQ(u.lib, 0x2000u);
  EXPECT_EQ(u.data, 0x4000u);
  EXPECT_EQ(u.stack, 0x8000u);
  EXPECT_EQ(u.rss_file, 0x4000u);
  EXPECT_EQ(u.rss_anon, 0x4000u + 0x8000);
  EXPECT_EQ(u.rss_shmem, 0x1000u);
  EXPECT_EQ(FormatStatm(u), "18 17 5 2 0 12 0\n");
}

TEST(FormatSmapsTest, OneBlockPerMappingInLinuxsLayout) {
  Mapping m{0x1000, 0x3000, PROT_READ, false, 0, "/bin/app"};
  m.ino = 5;
  const std::string out = FormatSmaps({m});
  EXPECT_EQ(out.substr(0, out.find("Pss_Dirty")),
            "00001000-00003000 r--p 00000000 00:00 5" + std::string(34, ' ') + "/bin/app\n"
            "Size:                  8 kB\n"
            "KernelPageSize:        4 kB\n"
            "MMUPageSize:           4 kB\n"
            "Rss:                   8 kB\n"
            "Pss:                   8 kB\n");
  EXPECT_NE(out.find("\nPrivate_Clean:         8 kB\nPrivate_Dirty:         0 kB\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("\nTHPeligible:    0\nVmFlags: rd mr mw me \n"), std::string::npos) << out;
}

TEST(FormatSmapsTest, RollupSumsAndSpansTheMappings) {
  Mapping a{0x1000, 0x2000, PROT_READ | PROT_WRITE, false, 0, ""};
  Mapping b{0x5000, 0x7000, PROT_READ | PROT_WRITE, false, 0, "[stack]"};
  const std::string out = FormatSmapsRollup({a, b});
  EXPECT_EQ(out.substr(0, out.find('\n') + 1),
            "00001000-00007000 ---p 00000000 00:00 0" + std::string(34, ' ') + "[rollup]\n");
  EXPECT_NE(out.find("\nRss:                  12 kB\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nPss_Anon:             12 kB\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nAnonymous:            12 kB\n"), std::string::npos) << out;
}

TEST(FormatMeminfoTest, KilobyteLinesInLinuxsColumns) {
  struct sysinfo info {};
  info.mem_unit = 4096;
  info.totalram = 1000;
  info.freeram = 250;
  info.bufferram = 10;
  info.totalswap = 0;
  const std::string out = FormatMeminfo(info);
  EXPECT_EQ(out.substr(0, out.find("Cached")),
            "MemTotal:           4000 kB\nMemFree:            1000 kB\n"
            "MemAvailable:       1040 kB\nBuffers:              40 kB\n");
  EXPECT_NE(out.find("\nSwapTotal:             0 kB\nSwapFree:              0 kB\n"),
            std::string::npos);
  EXPECT_NE(out.find("\nHugePages_Total:       0\n"), std::string::npos);
  EXPECT_NE(out.find("\nHugepagesize:       2048 kB\n"), std::string::npos);
}

TEST(FormatMeminfoTest, SameKeysInTheSameOrderAsTheHost) {
  std::ifstream in("/proc/meminfo");
  std::vector<std::string> host_keys;
  for (std::string line; std::getline(in, line);) host_keys.push_back(line.substr(0, line.find(':')));
  struct sysinfo info {};
  ASSERT_EQ(sysinfo(&info), 0);
  std::istringstream ours(FormatMeminfo(info));
  // Ours is a subset of the host's keys, in the host's order.
  size_t at = 0;
  for (std::string line; std::getline(ours, line);) {
    const std::string key = line.substr(0, line.find(':'));
    while (at < host_keys.size() && host_keys[at] != key) ++at;
    EXPECT_LT(at, host_keys.size()) << key << " is not where the host has it";
  }
}

TEST(FormatMountsTest, MountsAndMountinfoLines) {
  ProcMount root;
  root.id = 1;
  root.parent_id = 0;
  root.major = 0;
  root.minor = 0x2d;
  root.mount_point = "/";
  root.fstype = "9p";
  root.source = "none";
  root.options = "ro,relatime";
  ProcMount proc;
  proc.id = 2;
  proc.parent_id = 1;
  proc.minor = 0x15;
  proc.mount_point = "/my proc";
  proc.fstype = proc.source = "proc";
  proc.options = "rw,nosuid,nodev,noexec,relatime";
  EXPECT_EQ(FormatMounts({root, proc}),
            "none / 9p ro,relatime 0 0\nproc /my\\040proc proc rw,nosuid,nodev,noexec,relatime 0 0\n");
  EXPECT_EQ(FormatMountinfo({root, proc}),
            "1 0 0:45 / / ro,relatime - 9p none ro\n"
            "2 1 0:21 / /my\\040proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n");
}

}  // namespace
}  // namespace runsc::fs
