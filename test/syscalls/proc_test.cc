// Family: /proc files a process reads about itself and the system
// (/proc/self/{stat,status,cmdline,exe,fd,maps,cwd,task}, /proc/meminfo,
// /proc/cpuinfo, /proc/uptime).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <set>
#include <string>

#include "test/syscalls/proc_read_util.h"
#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// The value after "Key:" on its own line of a status-style file, trimmed.
std::string FieldOf(const std::string& contents, const std::string& key) {
  size_t pos = contents.find("\n" + key + ":");
  if (pos == std::string::npos) {
    if (contents.compare(0, key.size() + 1, key + ":") != 0) return "";
    pos = 0;
  } else {
    pos += 1;
  }
  pos += key.size() + 1;
  size_t end = contents.find('\n', pos);
  std::string value = contents.substr(pos, end - pos);
  size_t first = value.find_first_not_of(" \t");
  return first == std::string::npos ? "" : value.substr(first);
}

std::set<int> ListFds() {
  std::set<int> fds;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) {
    ADD_FAILURE() << "opendir /proc/self/fd: " << strerror(errno);
    return fds;
  }
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') fds.insert(atoi(entry->d_name));
  }
  closedir(dir);
  return fds;
}

TEST(ProcTest, SelfIsASymlinkToThePid) {
  char buf[64] = {};
  ASSERT_GT(readlink("/proc/self", buf, sizeof(buf) - 1), 0) << strerror(errno);
  EXPECT_EQ(std::string(buf), std::to_string(getpid()));
}

TEST(ProcTest, StatStartsWithPidCommStateAndPpid) {
  const std::string stat = ReadProcOrFail("/proc/self/stat");
  int pid = 0, ppid = 0;
  char state = 0;
  ASSERT_EQ(sscanf(stat.c_str(), "%d", &pid), 1) << stat;
  EXPECT_EQ(pid, getpid());
  // comm may hold spaces or parentheses: the state follows the last ')'.
  size_t close_paren = stat.rfind(')');
  ASSERT_NE(close_paren, std::string::npos);
  ASSERT_EQ(sscanf(stat.c_str() + close_paren + 1, " %c %d", &state, &ppid), 2) << stat;
  EXPECT_EQ(state, 'R');
  EXPECT_EQ(ppid, getppid());
  std::string comm = ReadProcOrFail("/proc/self/comm");
  ASSERT_FALSE(comm.empty());
  EXPECT_EQ(comm.back(), '\n');
  comm.pop_back();
  EXPECT_EQ(stat.substr(stat.find('(') + 1, close_paren - stat.find('(') - 1), comm);
}

TEST(ProcTest, StatusReportsNamePidAndPPid) {
  const std::string status = ReadProcOrFail("/proc/self/status");
  EXPECT_EQ(FieldOf(status, "Pid"), std::to_string(getpid()));
  EXPECT_EQ(FieldOf(status, "PPid"), std::to_string(getppid()));
  EXPECT_EQ(FieldOf(status, "Tgid"), std::to_string(getpid()));
  std::string comm = ReadProcOrFail("/proc/self/comm");
  if (!comm.empty()) comm.pop_back();
  EXPECT_EQ(FieldOf(status, "Name"), comm);
  EXPECT_EQ(FieldOf(status, "State").substr(0, 1), "R");
}

TEST(ProcTest, ChildSeesItsParentInStatus) {
  const pid_t parent = getpid();
  int status = RunInChild([parent] {
    std::string contents;
    if (!ReadProcFile("/proc/self/status", &contents)) return 2;
    if (FieldOf(contents, "PPid") != std::to_string(parent)) return 1;
    return FieldOf(contents, "Pid") == std::to_string(getpid()) ? 0 : 3;
  });
  EXPECT_EQ(status, 0);
}

TEST(ProcTest, CmdlineStartsWithArgvZero) {
  const std::string cmdline = ReadProcOrFail("/proc/self/cmdline");
  ASSERT_FALSE(cmdline.empty());
  EXPECT_EQ(cmdline.back(), '\0');
  EXPECT_EQ(std::string(cmdline.c_str()), std::string(program_invocation_name));
}

TEST(ProcTest, ExeLinksToThisBinary) {
  char target[4096] = {};
  ASSERT_GT(readlink("/proc/self/exe", target, sizeof(target) - 1), 0) << strerror(errno);
  EXPECT_EQ(target[0], '/');
  EXPECT_NE(std::string(target).find("runsc_syscall_test_proc"), std::string::npos) << target;
  struct stat via_proc, via_path;
  ASSERT_SYSCALL_OK(stat("/proc/self/exe", &via_proc));
  ASSERT_SYSCALL_OK(stat(target, &via_path));
  EXPECT_EQ(via_proc.st_ino, via_path.st_ino);
  EXPECT_EQ(via_proc.st_dev, via_path.st_dev);
}

TEST(ProcTest, FdDirectoryListsExactlyTheOpenFds) {
  TestPipe p;
  std::set<int> fds = ListFds();
  EXPECT_EQ(fds.count(p.read_fd()), 1u);
  EXPECT_EQ(fds.count(p.write_fd()), 1u);
  // Every listed fd is really open, but for the one opendir held meanwhile.
  int stale = 0;
  for (int fd : fds) stale += fcntl(fd, F_GETFD) == -1 ? 1 : 0;
  EXPECT_LE(stale, 1);
  // A high number, so that opendir cannot reuse it once it is closed.
  const int high = fcntl(p.write_fd(), F_DUPFD_CLOEXEC, 500);
  ASSERT_GE(high, 500);
  EXPECT_EQ(ListFds().count(high), 1u);
  close(high);
  EXPECT_EQ(ListFds().count(high), 0u);
}

TEST(ProcTest, FdLinkOfAPipeNamesItsInode) {
  TestPipe p;
  char target[256] = {};
  const std::string link = "/proc/self/fd/" + std::to_string(p.read_fd());
  ASSERT_GT(readlink(link.c_str(), target, sizeof(target) - 1), 0) << strerror(errno);
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(p.read_fd(), &st));
  EXPECT_EQ(std::string(target), "pipe:[" + std::to_string(st.st_ino) + "]");
}

TEST(ProcTest, FdLinkOfAFileNamesItsPath) {
  TempDir dir;
  const std::string path = dir.File("named");
  WriteFileOrDie(path, "x");
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  char target[4096] = {};
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  ASSERT_GT(readlink(link.c_str(), target, sizeof(target) - 1), 0) << strerror(errno);
  char real[4096];
  ASSERT_NE(realpath(path.c_str(), real), nullptr);
  EXPECT_STREQ(target, real);
  close(fd);
}

TEST(ProcTest, MapsShowsTheStackAroundALocalVariable) {
  const std::string maps = ReadProcOrFail("/proc/self/maps");
  int local = 0;
  const uintptr_t addr = reinterpret_cast<uintptr_t>(&local);
  bool found = false;
  size_t start = 0;
  while (start < maps.size()) {
    size_t end = maps.find('\n', start);
    if (end == std::string::npos) end = maps.size();
    const std::string line = maps.substr(start, end - start);
    start = end + 1;
    if (line.find("[stack]") == std::string::npos) continue;
    unsigned long lo = 0, hi = 0;
    ASSERT_EQ(sscanf(line.c_str(), "%lx-%lx", &lo, &hi), 2) << line;
    found = addr >= lo && addr < hi;
    EXPECT_NE(line.find(" rw-p "), std::string::npos) << line;
  }
  EXPECT_TRUE(found) << maps;
}

TEST(ProcTest, MapsShowsANewMappingWithItsProtection) {
  void* mem = mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  char prefix[64];
  snprintf(prefix, sizeof(prefix), "%lx-%lx r--p ", reinterpret_cast<unsigned long>(mem),
           reinterpret_cast<unsigned long>(mem) + 4096);
  EXPECT_NE(ReadProcOrFail("/proc/self/maps").find(prefix), std::string::npos) << prefix;
  munmap(mem, 4096);
  EXPECT_EQ(ReadProcOrFail("/proc/self/maps").find(prefix), std::string::npos);
}

TEST(ProcTest, CwdLinksToTheWorkingDirectory) {
  char cwd[4096], link[4096] = {};
  ASSERT_NE(getcwd(cwd, sizeof(cwd)), nullptr);
  ASSERT_GT(readlink("/proc/self/cwd", link, sizeof(link) - 1), 0) << strerror(errno);
  EXPECT_STREQ(link, cwd);
}

// Magic links: opening /proc/self/fd/N reopens the file the fd holds, not
// whatever its text names now.
TEST(ProcTest, FdLinkReopensADeletedFile) {
  TempDir dir;
  const std::string path = dir.File("doomed");
  WriteFileOrDie(path, "still here");
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_SYSCALL_OK(fd);
  ASSERT_SYSCALL_OK(unlink(path.c_str()));
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  int again = open(link.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(again, 0) << strerror(errno);
  char buf[32] = {};
  EXPECT_EQ(read(again, buf, sizeof(buf) - 1), 10);
  EXPECT_STREQ(buf, "still here");
  close(again);
  close(fd);
}

TEST(ProcTest, FdLinkReopensADeletedTmpfsFile) {
  char path[] = "/dev/shm/proc_test.XXXXXX";
  int fd = mkstemp(path);
  ASSERT_SYSCALL_OK(fd);
  ASSERT_EQ(write(fd, "on tmpfs", 8), 8);
  ASSERT_SYSCALL_OK(unlink(path));
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  int again = open(link.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(again, 0) << strerror(errno);
  char buf[16] = {};
  EXPECT_EQ(read(again, buf, sizeof(buf) - 1), 8);
  EXPECT_STREQ(buf, "on tmpfs");
  close(again);
  close(fd);
}

TEST(ProcTest, FdLinkReopensAFileThatWasRenamed) {
  TempDir dir;
  WriteFileOrDie(dir.File("before"), "old name");
  int fd = open(dir.File("before").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_SYSCALL_OK(fd);
  ASSERT_SYSCALL_OK(rename(dir.File("before").c_str(), dir.File("after").c_str()));
  WriteFileOrDie(dir.File("before"), "impostor");
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  int again = open(link.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(again, 0) << strerror(errno);
  char buf[32] = {};
  EXPECT_EQ(read(again, buf, sizeof(buf) - 1), 8);
  EXPECT_STREQ(buf, "old name");
  close(again);
  close(fd);
}

TEST(ProcTest, FdLinkReopensAMemfdWithItsContents) {
  int fd = memfd_create("reopened", MFD_CLOEXEC);
  ASSERT_SYSCALL_OK(fd);
  ASSERT_EQ(write(fd, "abc", 3), 3);
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  int again = open(link.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(again, 0) << strerror(errno);
  char buf[4] = {};
  EXPECT_EQ(pread(again, buf, 3, 0), 3);
  EXPECT_STREQ(buf, "abc");
  // The same file: a write through one is read through the other, and the
  // new description has its own offset.
  ASSERT_EQ(pwrite(again, "Z", 1, 1), 1);
  EXPECT_EQ(pread(fd, buf, 3, 0), 3);
  EXPECT_STREQ(buf, "aZc");
  EXPECT_EQ(lseek(again, 0, SEEK_CUR), 0);
  struct stat a, b;
  ASSERT_SYSCALL_OK(fstat(fd, &a));
  ASSERT_SYSCALL_OK(fstat(again, &b));
  EXPECT_EQ(a.st_ino, b.st_ino);
  close(again);
  close(fd);
}

TEST(ProcTest, FdLinkOfADirectoryCanBeWalkedThrough) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("d").c_str(), 0755));
  int fd = open(dir.File("d").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_SYSCALL_OK(fd);
  ASSERT_SYSCALL_OK(rename(dir.File("d").c_str(), dir.File("e").c_str()));
  const std::string inside = "/proc/self/fd/" + std::to_string(fd) + "/made";
  int made = open(inside.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  ASSERT_GE(made, 0) << strerror(errno);
  close(made);
  struct stat st;
  EXPECT_SYSCALL_OK(stat(dir.File("e/made").c_str(), &st));
  close(fd);
}

TEST(ProcTest, CwdLinkFollowsTheDirectoryNotItsOldName) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("here").c_str(), 0755));
  EXPECT_EQ(RunInChild([&dir] {
              CHILD_CHECK(chdir(dir.File("here").c_str()) == 0);
              CHILD_CHECK(rename(dir.File("here").c_str(), dir.File("there").c_str()) == 0);
              int fd = open("/proc/self/cwd/x", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
              CHILD_CHECK(fd >= 0);
              close(fd);
              struct stat st;
              CHILD_CHECK(stat(dir.File("there/x").c_str(), &st) == 0);
              return 0;
            }),
            0);
}

TEST(ProcTest, TaskDirectoryHoldsTheMainThread) {
  struct stat st;
  const std::string task = "/proc/self/task/" + std::to_string(gettid());
  EXPECT_SYSCALL_OK(stat(task.c_str(), &st));
  EXPECT_TRUE(S_ISDIR(st.st_mode));
}

TEST(ProcTest, MissingPidIsENOENT) {
  EXPECT_SYSCALL_ERRNO(open("/proc/2147483647/stat", O_RDONLY | O_CLOEXEC), ENOENT);
  EXPECT_SYSCALL_ERRNO(open("/proc/self/no-such-file", O_RDONLY | O_CLOEXEC), ENOENT);
}

TEST(ProcTest, MeminfoReportsTotalAndFreeMemoryInKilobytes) {
  const std::string meminfo = ReadProcOrFail("/proc/meminfo");
  for (const char* key : {"MemTotal", "MemFree", "MemAvailable"}) {
    const std::string value = FieldOf(meminfo, key);
    unsigned long kb = 0;
    char unit[8] = {};
    ASSERT_EQ(sscanf(value.c_str(), "%lu %7s", &kb, unit), 2) << key << ": " << value;
    EXPECT_STREQ(unit, "kB") << key;
    if (std::string(key) == "MemTotal") EXPECT_GT(kb, 0u);
  }
  unsigned long total = 0, free_kb = 0;
  sscanf(FieldOf(meminfo, "MemTotal").c_str(), "%lu", &total);
  sscanf(FieldOf(meminfo, "MemFree").c_str(), "%lu", &free_kb);
  EXPECT_LE(free_kb, total);
}

TEST(ProcTest, CpuinfoHasAProcessorEntryPerOnlineCpu) {
  const std::string cpuinfo = ReadProcOrFail("/proc/cpuinfo");
  long processors = 0;
  for (size_t pos = 0; (pos = cpuinfo.find("processor", pos)) != std::string::npos; ++pos) {
    if (pos == 0 || cpuinfo[pos - 1] == '\n') ++processors;
  }
  EXPECT_GE(processors, 1);
  EXPECT_EQ(processors, sysconf(_SC_NPROCESSORS_ONLN));
}

TEST(ProcTest, UptimeAgreesWithBoottime) {
  timespec before, after;
  clock_gettime(CLOCK_BOOTTIME, &before);
  const std::string uptime = ReadProcOrFail("/proc/uptime");
  clock_gettime(CLOCK_BOOTTIME, &after);
  double up = -1, idle = -1;
  ASSERT_EQ(sscanf(uptime.c_str(), "%lf %lf", &up, &idle), 2) << uptime;
  EXPECT_GE(idle, 0);
  // Printed in hundredths of a second, rounded down.
  EXPECT_GE(up, before.tv_sec + before.tv_nsec / 1e9 - 0.011);
  EXPECT_LE(up, after.tv_sec + after.tv_nsec / 1e9 + 0.001);
}

TEST(ProcTest, WritingAReadOnlyProcFileIsEINVAL) {
  // Root may open the 0444 file for writing; the file has no write operation.
  SKIP_UNLESS_CAPABILITY(CAP_DAC_OVERRIDE);
  int fd = open("/proc/self/stat", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0) << strerror(errno);
  EXPECT_SYSCALL_ERRNO(write(fd, "x", 1), EINVAL);
  close(fd);
}

}  // namespace
}  // namespace runsc::syscall_test
