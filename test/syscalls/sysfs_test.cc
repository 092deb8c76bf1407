// Family: the parts of /sys that glibc, nproc and language runtimes read
// (devices/system/cpu, kernel/mm/transparent_hugepage, fs/cgroup), and the
// filesystem types of /proc and /sys.
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

std::string ReadOrFail(const std::string& path) {
  std::string out;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    ADD_FAILURE() << "open " << path << ": " << strerror(errno);
    return out;
  }
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, n);
  close(fd);
  return out;
}

// The number of CPUs in a cpulist ("0-3,5").
int CountCpuList(const std::string& list) {
  int count = 0;
  size_t pos = 0;
  while (pos < list.size() && list[pos] != '\n') {
    int lo = 0, hi = 0, used = 0;
    if (sscanf(list.c_str() + pos, "%d-%d%n", &lo, &hi, &used) == 2) {
      count += hi - lo + 1;
    } else if (sscanf(list.c_str() + pos, "%d%n", &lo, &used) == 1) {
      count += 1;
    } else {
      return -1;
    }
    pos += used;
    if (pos < list.size() && list[pos] == ',') ++pos;
  }
  return count;
}

TEST(SysfsCpuTest, OnlinePossibleAndPresentAgreeWithTheScheduler) {
  const std::string online = ReadOrFail("/sys/devices/system/cpu/online");
  ASSERT_FALSE(online.empty());
  EXPECT_EQ(online.back(), '\n');
  EXPECT_EQ(CountCpuList(online), sysconf(_SC_NPROCESSORS_ONLN));
  EXPECT_EQ(CountCpuList(online), get_nprocs());
  cpu_set_t set;
  ASSERT_SYSCALL_OK(sched_getaffinity(0, sizeof(set), &set));
  EXPECT_LE(CPU_COUNT(&set), CountCpuList(online));
  EXPECT_GE(CountCpuList(ReadOrFail("/sys/devices/system/cpu/possible")), CountCpuList(online));
  EXPECT_GE(CountCpuList(ReadOrFail("/sys/devices/system/cpu/present")), CountCpuList(online));
}

TEST(SysfsCpuTest, EveryOnlineCpuHasADirectory) {
  const int cpus = CountCpuList(ReadOrFail("/sys/devices/system/cpu/online"));
  ASSERT_GT(cpus, 0);
  for (int cpu = 0; cpu < cpus; ++cpu) {
    struct stat st;
    const std::string dir = "/sys/devices/system/cpu/cpu" + std::to_string(cpu);
    ASSERT_SYSCALL_OK(stat(dir.c_str(), &st));
    EXPECT_TRUE(S_ISDIR(st.st_mode)) << dir;
  }
  struct stat st;
  EXPECT_SYSCALL_ERRNO(stat(("/sys/devices/system/cpu/cpu" + std::to_string(cpus + 4096)).c_str(), &st),
                       ENOENT);
}

TEST(SysfsTest, TransparentHugepageEnabledHasOneChoiceInBrackets) {
  const std::string enabled = ReadOrFail("/sys/kernel/mm/transparent_hugepage/enabled");
  const size_t open_bracket = enabled.find('['), close_bracket = enabled.find(']');
  ASSERT_NE(open_bracket, std::string::npos) << enabled;
  ASSERT_NE(close_bracket, std::string::npos) << enabled;
  const std::string choice = enabled.substr(open_bracket + 1, close_bracket - open_bracket - 1);
  EXPECT_TRUE(choice == "always" || choice == "madvise" || choice == "never") << choice;
  EXPECT_EQ(enabled.find('[', open_bracket + 1), std::string::npos);
}

TEST(SysfsTest, CgroupIsADirectory) {
  struct stat st;
  ASSERT_SYSCALL_OK(stat("/sys/fs/cgroup", &st));
  EXPECT_TRUE(S_ISDIR(st.st_mode));
}

TEST(SysfsTest, SysAndProcHaveTheirFilesystemTypes) {
  struct statfs sfs;
  ASSERT_SYSCALL_OK(statfs("/sys/devices/system/cpu/online", &sfs));
  EXPECT_EQ(sfs.f_type, 0x62656572);  // SYSFS_MAGIC.
  ASSERT_SYSCALL_OK(statfs("/proc/self/status", &sfs));
  EXPECT_EQ(sfs.f_type, 0x9fa0);  // PROC_SUPER_MAGIC.
  struct stat sys, proc;
  ASSERT_SYSCALL_OK(stat("/sys", &sys));
  ASSERT_SYSCALL_OK(stat("/proc", &proc));
  EXPECT_NE(sys.st_dev, proc.st_dev);
}

TEST(SysfsTest, FilesAreReadOnly) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(DropToNobody());
              int fd = open("/sys/devices/system/cpu/online", O_WRONLY | O_CLOEXEC);
              // EROFS where /sys is mounted read-only (containers), else
              // the permission check's EACCES.
              CHILD_CHECK(fd == -1 && (errno == EACCES || errno == EROFS));
              return 0;
            }),
            0);
}

}  // namespace
}  // namespace runsc::syscall_test
