// Family: the rest of /proc that real programs read, checked against what
// the same process knows from syscalls: status's ids, masks and
// capabilities, statm, environ, maps/smaps line formats, fdinfo, limits,
// comm and oom_score_adj writes, mounts/mountinfo, task/, zombies, and the
// system files (stat, loadavg, version, filesystems, sys/).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test/syscalls/proc_read_util.h"
#include "test/syscalls/test_util.h"

extern char** environ;

namespace runsc::syscall_test {
namespace {

// The environment as exec gave it, before anything could change it.
std::vector<std::string>* initial_environment = [] {
  auto* env = new std::vector<std::string>;
  for (char** e = environ; e && *e; ++e) env->push_back(*e);
  return env;
}();

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> Words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The value after "Key:" in a status-style file, trimmed.
std::string FieldOf(const std::string& contents, const std::string& key) {
  for (const std::string& line : Lines(contents)) {
    if (line.compare(0, key.size() + 1, key + ":") != 0) continue;
    std::string value = line.substr(key.size() + 1);
    size_t first = value.find_first_not_of(" \t");
    size_t last = value.find_last_not_of(" \t");
    return first == std::string::npos ? "" : value.substr(first, last - first + 1);
  }
  return "";
}

uint64_t HexField(const std::string& contents, const std::string& key) {
  return std::stoull(FieldOf(contents, key), nullptr, 16);
}

uint64_t KbField(const std::string& contents, const std::string& key) {
  return std::stoull(FieldOf(contents, key));
}

uint64_t Bit(int sig) { return uint64_t{1} << (sig - 1); }

void WriteProc(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0) << path << ": " << strerror(errno);
  EXPECT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()))
      << path << ": " << strerror(errno);
  close(fd);
}

TEST(ProcStatusTest, IdsUmaskAndGroupsAreTheProcesss) {
  const mode_t old = umask(027);
  const std::string status = ReadProcOrFail("/proc/self/status");
  umask(old);
  EXPECT_EQ(FieldOf(status, "Umask"), "0027");
  uid_t r, e, s;
  gid_t gr, ge, gs;
  ASSERT_SYSCALL_OK(getresuid(&r, &e, &s));
  ASSERT_SYSCALL_OK(getresgid(&gr, &ge, &gs));
  std::vector<std::string> uid = Words(FieldOf(status, "Uid"));
  ASSERT_EQ(uid.size(), 4u);
  EXPECT_EQ(uid[0], std::to_string(r));
  EXPECT_EQ(uid[1], std::to_string(e));
  EXPECT_EQ(uid[2], std::to_string(s));
  std::vector<std::string> gid = Words(FieldOf(status, "Gid"));
  ASSERT_EQ(gid.size(), 4u);
  EXPECT_EQ(gid[0], std::to_string(gr));
  EXPECT_EQ(gid[1], std::to_string(ge));
  gid_t groups[256];
  int n = getgroups(256, groups);
  ASSERT_GE(n, 0);
  std::set<std::string> want;
  for (int i = 0; i < n; ++i) want.insert(std::to_string(groups[i]));
  std::vector<std::string> got = Words(FieldOf(status, "Groups"));
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), want);
  EXPECT_EQ(FieldOf(status, "Threads"), "1");
  EXPECT_EQ(FieldOf(status, "TracerPid"), "0");
  EXPECT_EQ(FieldOf(status, "Seccomp"), "0");
  EXPECT_EQ(FieldOf(status, "Ngid"), "0");
}

TEST(ProcStatusTest, SignalMasksFollowTheProcesssDispositions) {
  EXPECT_EQ(RunInChild([] {
              sigset_t set;
              sigemptyset(&set);
              sigaddset(&set, SIGUSR1);
              sigaddset(&set, SIGTERM);
              CHILD_CHECK(sigprocmask(SIG_BLOCK, &set, nullptr) == 0);
              CHILD_CHECK(signal(SIGUSR2, SIG_IGN) != SIG_ERR);
              CHILD_CHECK(signal(SIGHUP, +[](int) {}) != SIG_ERR);
              // Pending: a thread-directed one and a process-directed one.
              CHILD_CHECK(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1) == 0);
              CHILD_CHECK(kill(getpid(), SIGTERM) == 0);
              std::string status;
              CHILD_CHECK(ReadProcFile("/proc/self/status", &status));
              CHILD_CHECK(HexField(status, "SigBlk") == (Bit(SIGUSR1) | Bit(SIGTERM)));
              CHILD_CHECK((HexField(status, "SigIgn") & Bit(SIGUSR2)) != 0);
              CHILD_CHECK((HexField(status, "SigCgt") & Bit(SIGHUP)) != 0);
              CHILD_CHECK((HexField(status, "SigCgt") & Bit(SIGUSR2)) == 0);
              CHILD_CHECK((HexField(status, "SigPnd") & Bit(SIGUSR1)) != 0);
              CHILD_CHECK(((HexField(status, "SigPnd") | HexField(status, "ShdPnd")) &
                           Bit(SIGTERM)) != 0);
              CHILD_CHECK(FieldOf(status, "SigQ").find('/') != std::string::npos);
              return 0;
            }),
            0);
}

TEST(ProcStatusTest, CapabilitiesAndNoNewPrivsAreTheProcesss) {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  ASSERT_SYSCALL_OK(syscall(SYS_capget, &header, data));
  const uint64_t eff = data[0].effective | (uint64_t{data[1].effective} << 32);
  const uint64_t prm = data[0].permitted | (uint64_t{data[1].permitted} << 32);
  const std::string status = ReadProcOrFail("/proc/self/status");
  EXPECT_EQ(HexField(status, "CapEff"), eff);
  EXPECT_EQ(HexField(status, "CapPrm"), prm);
  EXPECT_EQ(FieldOf(status, "CapEff").size(), 16u);
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
              std::string status;
              CHILD_CHECK(ReadProcFile("/proc/self/status", &status));
              CHILD_CHECK(FieldOf(status, "NoNewPrivs") == "1");
              return 0;
            }),
            0);
}

TEST(ProcStatusTest, VmSizeGrowsWithAMappingAndAgreesWithStatm) {
  const uint64_t before = KbField(ReadProcOrFail("/proc/self/status"), "VmSize");
  constexpr size_t kLen = 4 << 20;
  void* mem = mmap(nullptr, kLen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  const std::string status = ReadProcOrFail("/proc/self/status");
  const std::string statm = ReadProcOrFail("/proc/self/statm");
  munmap(mem, kLen);
  const uint64_t after = KbField(status, "VmSize");
  EXPECT_GE(after, before + (kLen >> 10));
  EXPECT_GE(KbField(status, "VmPeak"), after);
  EXPECT_GT(KbField(status, "VmRSS"), 0u);
  std::vector<std::string> pages = Words(statm);
  ASSERT_EQ(pages.size(), 7u) << statm;
  // statm was read just after status: the same size, give or take what
  // the reads themselves allocated.
  const uint64_t statm_kb = std::stoull(pages[0]) * (sysconf(_SC_PAGESIZE) >> 10);
  EXPECT_NEAR(static_cast<double>(statm_kb), static_cast<double>(after), 1024);
  EXPECT_LE(std::stoull(pages[1]), std::stoull(pages[0]));
}

TEST(ProcEnvironTest, HoldsTheEnvironmentTheProcessStartedWith) {
  const std::string environ_file = ReadProcOrFail("/proc/self/environ");
  std::vector<std::string> entries;
  for (size_t pos = 0; pos < environ_file.size();) {
    size_t end = environ_file.find('\0', pos);
    if (end == std::string::npos) end = environ_file.size();
    entries.push_back(environ_file.substr(pos, end - pos));
    pos = end + 1;
  }
  EXPECT_EQ(entries, *initial_environment);
  if (!environ_file.empty()) EXPECT_EQ(environ_file.back(), '\0');
}

// Not a test: what CmdlineOfAnExecedChildHoldsItsArguments execs. Says
// "ready" and waits for its stdin to close, so that the parent reads its
// /proc files while it runs.
TEST(ProcHelper, DISABLED_WaitForStdinToClose) {
  if (write(1, "ready\n", 6) != 6) return;
  char c;
  while (read(0, &c, 1) > 0) {
  }
}

TEST(ProcEnvironTest, CmdlineOfAnExecedChildHoldsItsArguments) {
  EXPECT_EQ(RunInChild([] {
              TestPipe to_child(O_CLOEXEC), from_child(O_CLOEXEC);
              pid_t pid = fork();
              if (pid == 0) {
                dup2(to_child.read_fd(), 0);
                dup2(from_child.write_fd(), 1);
                execl("/proc/self/exe", "runsc-child", "--gtest_also_run_disabled_tests",
                      "--gtest_filter=ProcHelper.DISABLED_WaitForStdinToClose", nullptr);
                _exit(127);
              }
              to_child.CloseRead();
              from_child.CloseWrite();
              // gtest prints its banner first: wait for the helper's line.
              std::string out;
              char buf[256];
              ssize_t n;
              while (out.find("ready\n") == std::string::npos &&
                     (n = read(from_child.read_fd(), buf, sizeof(buf))) > 0) {
                out.append(buf, n);
              }
              std::string cmdline, environ_file;
              const bool read_ok =
                  ReadProcFile("/proc/" + std::to_string(pid) + "/cmdline", &cmdline) &&
                  ReadProcFile("/proc/" + std::to_string(pid) + "/environ", &environ_file);
              to_child.CloseWrite();
              int status;
              CHILD_CHECK(waitpid(pid, &status, 0) == pid);
              CHILD_CHECK(read_ok);
              const char want[] =
                  "runsc-child\0--gtest_also_run_disabled_tests\0"
                  "--gtest_filter=ProcHelper.DISABLED_WaitForStdinToClose";
              CHILD_CHECK(cmdline == std::string(want, sizeof(want)));
              // execl passes the caller's environment on.
              std::string mine;
              CHILD_CHECK(ReadProcFile("/proc/self/environ", &mine));
              CHILD_CHECK(environ_file == mine);
              CHILD_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
              return 0;
            }),
            0);
}

// Finds the maps line whose range starts at `addr`.
std::string MapsLineAt(const std::string& maps, const void* addr) {
  char prefix[32];
  snprintf(prefix, sizeof(prefix), "%08lx-", reinterpret_cast<unsigned long>(addr));
  for (const std::string& line : Lines(maps)) {
    if (line.compare(0, strlen(prefix), prefix) == 0) return line;
  }
  return "";
}

TEST(ProcMapsTest, AnonymousLineHasLinuxsExactFormat) {
  void* mem = mmap(nullptr, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  const std::string line = MapsLineAt(ReadProcOrFail("/proc/self/maps"), mem);
  munmap(mem, 8192);
  char want[128];
  snprintf(want, sizeof(want), "%08lx-%08lx rw-p 00000000 00:00 0 ",
           reinterpret_cast<unsigned long>(mem), reinterpret_cast<unsigned long>(mem) + 8192);
  // Linux may merge a new anonymous mapping with a neighbour: then the
  // line starts earlier and this one is not found.
  if (line.empty()) GTEST_SKIP() << "merged with a neighbouring mapping";
  EXPECT_EQ(line, want);
}

TEST(ProcMapsTest, FileLineNamesThePathDeviceAndInode) {
  TempDir dir;
  const std::string path = dir.File("mapped");
  WriteFileOrDie(path, std::string(3 * 4096, 'x'));
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fd, &st));
  void* mem = mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
  ASSERT_NE(mem, MAP_FAILED) << strerror(errno);
  close(fd);
  const std::string line = MapsLineAt(ReadProcOrFail("/proc/self/maps"), mem);
  munmap(mem, 4096);
  char real[4096];
  ASSERT_NE(realpath(path.c_str(), real), nullptr);
  char head[160];
  int n = snprintf(head, sizeof(head), "%08lx-%08lx r--p 00001000 %02x:%02x %lu ",
                   reinterpret_cast<unsigned long>(mem), reinterpret_cast<unsigned long>(mem) + 4096,
                   major(st.st_dev), minor(st.st_dev), static_cast<unsigned long>(st.st_ino));
  std::string want = head;
  if (n < 73) want.append(73 - n, ' ');
  want += real;
  EXPECT_EQ(line, want);
}

TEST(ProcMapsTest, HeapIsNamedAndHoldsTheBreak) {
  void* old_brk = sbrk(0);
  ASSERT_NE(sbrk(4 * 4096), reinterpret_cast<void*>(-1));
  const uintptr_t top = reinterpret_cast<uintptr_t>(sbrk(0));
  bool found = false;
  for (const std::string& line : Lines(ReadProcOrFail("/proc/self/maps"))) {
    if (line.find("[heap]") == std::string::npos) continue;
    unsigned long lo, hi;
    ASSERT_EQ(sscanf(line.c_str(), "%lx-%lx", &lo, &hi), 2);
    found = found || (top - 1 >= lo && top - 1 < hi);
    EXPECT_NE(line.find(" rw-p "), std::string::npos) << line;
  }
  brk(old_brk);
  EXPECT_TRUE(found);
}

TEST(ProcSmapsTest, EachMappingHasItsMapsLineAndSizes) {
  constexpr size_t kLen = 3 * 4096;
  auto* mem = static_cast<char*>(
      mmap(nullptr, kLen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(mem, MAP_FAILED);
  for (size_t i = 0; i < kLen; i += 4096) mem[i] = 1;
  const std::string smaps = ReadProcOrFail("/proc/self/smaps");
  const std::string maps = ReadProcOrFail("/proc/self/maps");
  munmap(mem, kLen);
  const std::string line = MapsLineAt(maps, mem);
  if (line.empty()) GTEST_SKIP() << "merged with a neighbouring mapping";
  size_t at = smaps.find(line + "\n");
  ASSERT_NE(at, std::string::npos) << line;
  const std::string block = smaps.substr(at + line.size() + 1, smaps.find("VmFlags", at) - at);
  EXPECT_EQ(FieldOf(block, "Size"), "12 kB");
  EXPECT_EQ(FieldOf(block, "Rss"), "12 kB");
  EXPECT_EQ(FieldOf(block, "Anonymous"), "12 kB");
  EXPECT_EQ(FieldOf(block, "KernelPageSize"), "4 kB");
  EXPECT_EQ(FieldOf(block, "Swap"), "0 kB");
}

TEST(ProcSmapsTest, RollupSumsRss) {
  const std::string rollup = ReadProcOrFail("/proc/self/smaps_rollup");
  std::vector<std::string> lines = Lines(rollup);
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines[0].find(" ---p 00000000 00:00 0"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("[rollup]"), std::string::npos) << lines[0];
  EXPECT_GT(std::stoull(FieldOf(rollup, "Rss")), 0u);
  EXPECT_FALSE(FieldOf(rollup, "Pss_Anon").empty());
}

std::string FdInfo(int fd) { return ReadProcOrFail("/proc/self/fdinfo/" + std::to_string(fd)); }

TEST(ProcFdinfoTest, ShowsPositionFlagsAndMount) {
  TempDir dir;
  const std::string path = dir.File("f");
  WriteFileOrDie(path, "0123456789");
  int fd = open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(lseek(fd, 3, SEEK_SET), 3);
  const std::string info = FdInfo(fd);
  EXPECT_EQ(FieldOf(info, "pos"), "3");
  const std::string flags = FieldOf(info, "flags");
  ASSERT_FALSE(flags.empty());
  EXPECT_EQ(flags[0], '0') << "octal";
  const long value = std::stol(flags, nullptr, 8);
  EXPECT_EQ(value & (O_ACCMODE | O_APPEND | O_CLOEXEC | O_NONBLOCK), O_RDWR | O_APPEND | O_CLOEXEC);
  EXPECT_FALSE(FieldOf(info, "mnt_id").empty());
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fd, &st));
  EXPECT_EQ(FieldOf(info, "ino"), std::to_string(st.st_ino));
  close(fd);
}

TEST(ProcFdinfoTest, PipeFlagsShowNonblockAndPositionZero) {
  TestPipe p(O_NONBLOCK);
  const std::string info = FdInfo(p.write_fd());
  EXPECT_EQ(FieldOf(info, "pos"), "0");
  const long value = std::stol(FieldOf(info, "flags"), nullptr, 8);
  EXPECT_EQ(value & (O_ACCMODE | O_NONBLOCK | O_CLOEXEC), O_WRONLY | O_NONBLOCK);
}

TEST(ProcFdinfoTest, AnonymousInodeFilesAddTheirOwnLines) {
  int efd = eventfd(5, EFD_CLOEXEC);
  ASSERT_GE(efd, 0);
  EXPECT_EQ(std::stoull(FieldOf(FdInfo(efd), "eventfd-count"), nullptr, 16), 5u);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGUSR1);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
  ASSERT_GE(sfd, 0);
  EXPECT_EQ(FieldOf(FdInfo(sfd), "sigmask"), "0000000000000200");
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  ASSERT_GE(epfd, 0);
  epoll_event ev = {};
  ev.events = EPOLLIN | EPOLLOUT;
  ev.data.u64 = 0xabc;
  ASSERT_SYSCALL_OK(epoll_ctl(epfd, EPOLL_CTL_ADD, efd, &ev));
  int tfd = -1;
  unsigned events = 0;
  unsigned long long data = 0;
  for (const std::string& line : Lines(FdInfo(epfd))) {
    if (line.compare(0, 4, "tfd:") == 0) {
      ASSERT_EQ(sscanf(line.c_str(), "tfd: %d events: %x data: %llx", &tfd, &events, &data), 3) << line;
    }
  }
  EXPECT_EQ(tfd, efd);
  EXPECT_EQ(events & (EPOLLIN | EPOLLOUT), static_cast<unsigned>(EPOLLIN | EPOLLOUT));
  EXPECT_EQ(data, 0xabcu);
  close(epfd);
  close(sfd);
  close(efd);
}

TEST(ProcFdinfoTest, ListsTheSameFdsAsFd) {
  auto list = [](const char* path) {
    std::set<std::string> out;
    DIR* d = opendir(path);
    if (d == nullptr) return out;
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') out.insert(e->d_name);
    }
    closedir(d);
    return out;
  };
  TestPipe p;
  // Each listing holds its own directory fd: compare without it.
  std::set<std::string> fds = list("/proc/self/fd"), infos = list("/proc/self/fdinfo");
  EXPECT_EQ(fds.count(std::to_string(p.read_fd())), 1u);
  EXPECT_EQ(infos.count(std::to_string(p.read_fd())), 1u);
  EXPECT_LE(std::abs(static_cast<long>(fds.size()) - static_cast<long>(infos.size())), 1);
  EXPECT_SYSCALL_ERRNO(open("/proc/self/fdinfo/100000", O_RDONLY | O_CLOEXEC), ENOENT);
}

TEST(ProcFdinfoTest, MountIdIsTheMountinfoIdOfTheFilesMount) {
  int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const std::string mnt_id = FieldOf(FdInfo(fd), "mnt_id");
  close(fd);
  bool found = false;
  for (const std::string& line : Lines(ReadProcOrFail("/proc/self/mountinfo"))) {
    std::vector<std::string> w = Words(line);
    if (w.size() > 4 && w[4] == "/proc") found = w[0] == mnt_id;
  }
  EXPECT_TRUE(found) << "mnt_id " << mnt_id;
}

TEST(ProcLimitsTest, ShowsTheProcesssLimitsInLinuxsTable) {
  EXPECT_EQ(RunInChild([] {
              struct rlimit nofile;
              CHILD_CHECK(getrlimit(RLIMIT_NOFILE, &nofile) == 0);
              nofile.rlim_cur = 100;
              CHILD_CHECK(setrlimit(RLIMIT_NOFILE, &nofile) == 0);
              std::string limits;
              CHILD_CHECK(ReadProcFile("/proc/self/limits", &limits));
              std::vector<std::string> lines = Lines(limits);
              CHILD_CHECK(lines.size() == 17);
              CHILD_CHECK(lines[0] ==
                          "Limit                     Soft Limit           Hard Limit           Units     ");
              char want[128];
              if (nofile.rlim_max == RLIM_INFINITY) {
                snprintf(want, sizeof(want), "%-25s %-20s %-20s %-10s", "Max open files", "100",
                         "unlimited", "files");
              } else {
                snprintf(want, sizeof(want), "%-25s %-20s %-20lu %-10s", "Max open files", "100",
                         static_cast<unsigned long>(nofile.rlim_max), "files");
              }
              CHILD_CHECK(lines[8] == want);
              return 0;
            }),
            0);
}

TEST(ProcCommTest, TheProcessMayRenameItself) {
  EXPECT_EQ(RunInChild([] {
              int fd = open("/proc/self/comm", O_WRONLY | O_CLOEXEC);
              CHILD_CHECK(fd >= 0);
              // Truncated to 15 bytes, as PR_SET_NAME.
              CHILD_CHECK(write(fd, "renamed-by-proc-comm", 20) == 20);
              close(fd);
              std::string comm;
              CHILD_CHECK(ReadProcFile("/proc/self/comm", &comm));
              CHILD_CHECK(comm == "renamed-by-proc\n");
              char name[17] = {};
              CHILD_CHECK(prctl(PR_GET_NAME, name) == 0);
              CHILD_CHECK(std::string(name) == "renamed-by-proc");
              std::string stat;
              CHILD_CHECK(ReadProcFile("/proc/self/stat", &stat));
              CHILD_CHECK(stat.find("(renamed-by-proc)") != std::string::npos);
              std::string task_comm;
              CHILD_CHECK(ReadProcFile("/proc/self/task/" + std::to_string(gettid()) + "/comm",
                                       &task_comm));
              CHILD_CHECK(task_comm == "renamed-by-proc\n");
              return 0;
            }),
            0);
}

TEST(ProcCommTest, AnotherProcessCannotRenameIt) {
  const std::string parent_comm = "/proc/" + std::to_string(getpid()) + "/comm";
  const std::string before = ReadProcOrFail(parent_comm);
  EXPECT_EQ(RunInChild([parent_comm] {
              int fd = open(parent_comm.c_str(), O_WRONLY | O_CLOEXEC);
              CHILD_CHECK(fd >= 0);
              CHILD_CHECK(write(fd, "intruder", 8) == -1 && errno == EINVAL);
              close(fd);
              return 0;
            }),
            0);
  EXPECT_EQ(ReadProcOrFail(parent_comm), before);
}

TEST(ProcOomScoreAdjTest, ReadableAndWritableWithinRange) {
  EXPECT_EQ(RunInChild([] {
              std::string text;
              CHILD_CHECK(ReadProcFile("/proc/self/oom_score_adj", &text));
              const int value = std::stoi(text);
              CHILD_CHECK(value >= -1000 && value <= 1000);
              const int raised = value < 1000 ? value + 1 : value;
              int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
              CHILD_CHECK(fd >= 0);
              const std::string raised_text = std::to_string(raised) + "\n";
              CHILD_CHECK(write(fd, raised_text.data(), raised_text.size()) ==
                          static_cast<ssize_t>(raised_text.size()));
              CHILD_CHECK(write(fd, "1001", 4) == -1 && errno == EINVAL);
              CHILD_CHECK(write(fd, "x", 1) == -1 && errno == EINVAL);
              close(fd);
              CHILD_CHECK(ReadProcFile("/proc/self/oom_score_adj", &text));
              CHILD_CHECK(std::stoi(text) == raised);
              CHILD_CHECK(ReadProcFile("/proc/self/oom_score", &text));
              CHILD_CHECK(std::stoi(text) >= 0);
              return 0;
            }),
            0);
}

TEST(ProcSmallFilesTest, LoginuidCgroupAndRootLink) {
  const std::string loginuid = ReadProcOrFail("/proc/self/loginuid");
  ASSERT_FALSE(loginuid.empty());
  EXPECT_NO_THROW(std::stoul(loginuid));
  bool unified = false;
  for (const std::string& line : Lines(ReadProcOrFail("/proc/self/cgroup"))) {
    unified = unified || line.compare(0, 3, "0::") == 0;
  }
  EXPECT_TRUE(unified);
  char target[64] = {};
  ASSERT_GT(readlink("/proc/self/root", target, sizeof(target) - 1), 0) << strerror(errno);
  EXPECT_STREQ(target, "/");
}

TEST(ProcMountsTest, MountsAndMountinfoDescribeTheSameMounts) {
  const std::string mounts = ReadProcOrFail("/proc/self/mounts");
  EXPECT_EQ(ReadProcOrFail("/proc/mounts"), mounts);
  std::set<std::string> points;
  bool proc = false;
  for (const std::string& line : Lines(mounts)) {
    std::vector<std::string> w = Words(line);
    ASSERT_EQ(w.size(), 6u) << line;
    points.insert(w[1]);
    proc = proc || (w[1] == "/proc" && w[2] == "proc");
  }
  EXPECT_TRUE(proc) << mounts;
  EXPECT_EQ(points.count("/"), 1u);
  std::set<std::string> info_points;
  std::set<std::string> ids;
  const std::vector<std::string> info_lines = Lines(ReadProcOrFail("/proc/self/mountinfo"));
  EXPECT_EQ(info_lines.size(), Lines(mounts).size());
  for (const std::string& line : info_lines) {
    std::vector<std::string> w = Words(line);
    ASSERT_GE(w.size(), 10u) << line;
    ids.insert(w[0]);
    EXPECT_NE(w[2].find(':'), std::string::npos) << line;
    EXPECT_EQ(w[3][0], '/') << line;
    info_points.insert(w[4]);
    EXPECT_NE(line.find(" - "), std::string::npos) << line;
  }
  EXPECT_EQ(info_points, points);
  EXPECT_EQ(ids.size(), info_lines.size()) << "mount ids are unique";
}

TEST(ProcTaskTest, ThreadSelfAndTaskDirectoryNameTheThread) {
  char target[64] = {};
  ASSERT_GT(readlink("/proc/thread-self", target, sizeof(target) - 1), 0) << strerror(errno);
  EXPECT_EQ(std::string(target), std::to_string(getpid()) + "/task/" + std::to_string(gettid()));
  std::set<std::string> tasks;
  DIR* d = opendir("/proc/self/task");
  ASSERT_NE(d, nullptr);
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') tasks.insert(e->d_name);
  }
  closedir(d);
  EXPECT_EQ(tasks.count(std::to_string(gettid())), 1u);
  const std::string status =
      ReadProcOrFail("/proc/self/task/" + std::to_string(gettid()) + "/status");
  EXPECT_EQ(FieldOf(status, "Pid"), std::to_string(gettid()));
  struct stat st;
  EXPECT_SYSCALL_ERRNO(
      stat(("/proc/self/task/" + std::to_string(gettid()) + "/task").c_str(), &st), ENOENT);
}

TEST(ProcPidTest, ZombieShowsStateZ) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) _exit(3);
  // Wait until it is a zombie without reaping it.
  siginfo_t info = {};
  ASSERT_SYSCALL_OK(waitid(P_PID, pid, &info, WEXITED | WNOWAIT));
  const std::string status = ReadProcOrFail("/proc/" + std::to_string(pid) + "/status");
  const std::string stat_line = ReadProcOrFail("/proc/" + std::to_string(pid) + "/stat");
  int wstatus;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  EXPECT_EQ(FieldOf(status, "State"), "Z (zombie)");
  size_t paren = stat_line.rfind(')');
  ASSERT_NE(paren, std::string::npos);
  EXPECT_EQ(stat_line.substr(paren + 1, 3), " Z ");
  struct stat st;
  EXPECT_SYSCALL_ERRNO(stat(("/proc/" + std::to_string(pid)).c_str(), &st), ENOENT);
}

TEST(ProcPidTest, NamesWithLeadingZerosAreNotPids) {
  struct stat st;
  EXPECT_SYSCALL_OK(stat(("/proc/" + std::to_string(getpid())).c_str(), &st));
  EXPECT_SYSCALL_ERRNO(stat(("/proc/0" + std::to_string(getpid())).c_str(), &st), ENOENT);
  EXPECT_SYSCALL_ERRNO(stat("/proc/kmsg-runsc-none", &st), ENOENT);
}

TEST(ProcPidTest, StatHas52FieldsAndAStartTimeSinceBoot) {
  const std::string stat = ReadProcOrFail("/proc/self/stat");
  const std::vector<std::string> fields = Words(stat.substr(stat.rfind(')') + 2));
  ASSERT_EQ(fields.size() + 2, 52u) << stat;
  // Fields are numbered from 1 (pid); fields[0] is field 3 (state).
  EXPECT_EQ(fields[20 - 3], "1");  // num_threads.
  double uptime = 0;
  sscanf(ReadProcOrFail("/proc/uptime").c_str(), "%lf", &uptime);
  const double start = std::stod(fields[22 - 3]) / sysconf(_SC_CLK_TCK);
  EXPECT_LE(start, uptime + 0.02);
  EXPECT_GE(start, 0);
  EXPECT_EQ(fields[38 - 3], "17");  // exit_signal: SIGCHLD.
}

TEST(ProcReadTest, PreadAndShortReadsSeeOneSnapshot) {
  const std::string whole = ReadProcOrFail("/proc/self/limits");
  int fd = open("/proc/self/limits", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  char buf[16] = {};
  ASSERT_EQ(pread(fd, buf, 10, 5), 10);
  EXPECT_EQ(std::string(buf, 10), whole.substr(5, 10));
  std::string bytewise;
  char c;
  while (read(fd, &c, 1) == 1) bytewise += c;
  EXPECT_EQ(bytewise, whole);
  EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
  ASSERT_EQ(read(fd, buf, 5), 5);
  EXPECT_EQ(std::string(buf, 5), whole.substr(0, 5));
  close(fd);
}

TEST(ProcSystemTest, StatHasCpuLinesBtimeAndCounts) {
  const std::string stat = ReadProcOrFail("/proc/stat");
  std::vector<std::string> lines = Lines(stat);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0].compare(0, 4, "cpu "), 0) << lines[0];
  EXPECT_GE(Words(lines[0]).size(), 8u);
  long cpus = 0;
  long btime = 0, processes = 0, running = 0;
  for (const std::string& line : lines) {
    std::vector<std::string> w = Words(line);
    if (w.empty()) continue;
    if (w[0].size() > 3 && w[0].compare(0, 3, "cpu") == 0) ++cpus;
    if (w[0] == "btime") btime = std::stol(w[1]);
    if (w[0] == "processes") processes = std::stol(w[1]);
    if (w[0] == "procs_running") running = std::stol(w[1]);
  }
  EXPECT_EQ(cpus, sysconf(_SC_NPROCESSORS_ONLN));
  timespec boot;
  clock_gettime(CLOCK_BOOTTIME, &boot);
  EXPECT_NEAR(static_cast<double>(btime), static_cast<double>(time(nullptr) - boot.tv_sec), 2);
  EXPECT_GE(processes, 1);
  EXPECT_GE(running, 1);
}

TEST(ProcSystemTest, LoadavgCountsTasksAndTheLastPid) {
  const std::string loadavg = ReadProcOrFail("/proc/loadavg");
  double a, b, c;
  int running, total, last;
  ASSERT_EQ(sscanf(loadavg.c_str(), "%lf %lf %lf %d/%d %d", &a, &b, &c, &running, &total, &last), 6)
      << loadavg;
  EXPECT_GE(running, 1);
  EXPECT_GE(total, running);
  pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  waitpid(child, nullptr, 0);
  sscanf(ReadProcOrFail("/proc/loadavg").c_str(), "%lf %lf %lf %d/%d %d", &a, &b, &c, &running,
         &total, &last);
  EXPECT_GE(last, child);
}

TEST(ProcSystemTest, VersionFilesystemsAndCmdline) {
  struct utsname u;
  ASSERT_SYSCALL_OK(uname(&u));
  const std::string version = ReadProcOrFail("/proc/version");
  EXPECT_EQ(version.compare(0, 14 + strlen(u.release), std::string("Linux version ") + u.release), 0)
      << version;
  std::set<std::string> nodev;
  for (const std::string& line : Lines(ReadProcOrFail("/proc/filesystems"))) {
    if (line.compare(0, 6, "nodev\t") == 0) nodev.insert(line.substr(6));
  }
  for (const char* fs : {"proc", "sysfs", "tmpfs"}) EXPECT_EQ(nodev.count(fs), 1u) << fs;
  EXPECT_FALSE(ReadProcOrFail("/proc/cmdline").empty());
}

TEST(ProcSystemTest, SysKernelMatchesUname) {
  struct utsname u;
  ASSERT_SYSCALL_OK(uname(&u));
  EXPECT_EQ(ReadProcOrFail("/proc/sys/kernel/hostname"), std::string(u.nodename) + "\n");
  EXPECT_EQ(ReadProcOrFail("/proc/sys/kernel/osrelease"), std::string(u.release) + "\n");
  EXPECT_EQ(ReadProcOrFail("/proc/sys/kernel/ostype"), std::string(u.sysname) + "\n");
  EXPECT_GE(std::stol(ReadProcOrFail("/proc/sys/kernel/pid_max")), 32768);
  EXPECT_EQ(std::stol(ReadProcOrFail("/proc/sys/kernel/ngroups_max")), sysconf(_SC_NGROUPS_MAX));
  EXPECT_GE(std::stol(ReadProcOrFail("/proc/sys/kernel/cap_last_cap")), 40);
}

TEST(ProcSystemTest, SysVmAndFsLimits) {
  const long overcommit = std::stol(ReadProcOrFail("/proc/sys/vm/overcommit_memory"));
  EXPECT_TRUE(overcommit >= 0 && overcommit <= 2);
  struct rlimit nofile;
  ASSERT_SYSCALL_OK(getrlimit(RLIMIT_NOFILE, &nofile));
  const unsigned long nr_open = std::stoul(ReadProcOrFail("/proc/sys/fs/nr_open"));
  EXPECT_GE(nr_open, nofile.rlim_max == RLIM_INFINITY ? 0 : nofile.rlim_max);
  EXPECT_GT(std::stoull(ReadProcOrFail("/proc/sys/fs/file-max")), 0u);
}

}  // namespace
}  // namespace runsc::syscall_test
