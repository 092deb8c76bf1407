// Family: utimensat, futimens, utimes (UTIME_NOW, UTIME_OMIT).
// Times set to "now" are only checked against "at least" bounds taken from
// the coarse clock the kernel stamps inodes with.
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

struct stat StatOf(const std::string& path) {
  struct stat st = {};
  if (lstat(path.c_str(), &st) != 0) ADD_FAILURE() << "lstat " << path << ": " << strerror(errno);
  return st;
}

struct timespec CoarseNow() {
  struct timespec ts = {};
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return ts;
}

bool NotBefore(const struct timespec& t, const struct timespec& bound) {
  return t.tv_sec > bound.tv_sec || (t.tv_sec == bound.tv_sec && t.tv_nsec >= bound.tv_nsec);
}

TEST(UtimensatTest, SetsBothTimesExactly) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  struct timespec times[2] = {{1000000000, 123456789}, {1100000000, 987654321}};
  ASSERT_SYSCALL_OK(utimensat(AT_FDCWD, dir.File("f").c_str(), times, 0));
  struct stat st = StatOf(dir.File("f"));
  EXPECT_EQ(st.st_atim.tv_sec, 1000000000);
  EXPECT_EQ(st.st_atim.tv_nsec, 123456789);
  EXPECT_EQ(st.st_mtim.tv_sec, 1100000000);
  EXPECT_EQ(st.st_mtim.tv_nsec, 987654321);
}

TEST(UtimensatTest, UtimeOmitLeavesATimeAlone) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  struct timespec first[2] = {{1000, 0}, {2000, 0}};
  ASSERT_SYSCALL_OK(utimensat(AT_FDCWD, dir.File("f").c_str(), first, 0));
  struct timespec second[2] = {{3000, 0}, {0, UTIME_OMIT}};
  ASSERT_SYSCALL_OK(utimensat(AT_FDCWD, dir.File("f").c_str(), second, 0));
  struct stat st = StatOf(dir.File("f"));
  EXPECT_EQ(st.st_atim.tv_sec, 3000);
  EXPECT_EQ(st.st_mtim.tv_sec, 2000);
}

TEST(UtimensatTest, UtimeNowSetsTheCurrentTime) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  struct timespec old_times[2] = {{1000, 0}, {1000, 0}};
  ASSERT_SYSCALL_OK(utimensat(AT_FDCWD, dir.File("f").c_str(), old_times, 0));
  struct timespec before = CoarseNow();
  struct timespec now[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
  ASSERT_SYSCALL_OK(utimensat(AT_FDCWD, dir.File("f").c_str(), now, 0));
  struct stat st = StatOf(dir.File("f"));
  EXPECT_EQ(st.st_atim.tv_sec, 1000);
  EXPECT_TRUE(NotBefore(st.st_mtim, before));
}

TEST(UtimensatTest, NullTimesMeansNowForBoth) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  struct timespec old_times[2] = {{1000, 0}, {1000, 0}};
  ASSERT_SYSCALL_OK(utimensat(AT_FDCWD, dir.File("f").c_str(), old_times, 0));
  struct timespec before = CoarseNow();
  ASSERT_SYSCALL_OK(utimensat(AT_FDCWD, dir.File("f").c_str(), nullptr, 0));
  struct stat st = StatOf(dir.File("f"));
  EXPECT_TRUE(NotBefore(st.st_atim, before));
  EXPECT_TRUE(NotBefore(st.st_mtim, before));
}

TEST(UtimensatTest, ChangingTimesUpdatesCtime) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  struct timespec before = CoarseNow();
  struct timespec times[2] = {{1000, 0}, {1000, 0}};
  ASSERT_SYSCALL_OK(utimensat(AT_FDCWD, dir.File("f").c_str(), times, 0));
  EXPECT_TRUE(NotBefore(StatOf(dir.File("f")).st_ctim, before));
}

TEST(UtimensatTest, SymlinkNofollowChangesTheLinkNotTheTarget) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  ASSERT_SYSCALL_OK(symlink("f", dir.File("link").c_str()));
  struct timespec target_times[2] = {{5000, 0}, {5000, 0}};
  ASSERT_SYSCALL_OK(utimensat(AT_FDCWD, dir.File("f").c_str(), target_times, 0));
  struct timespec link_times[2] = {{7000, 0}, {7000, 0}};
  ASSERT_SYSCALL_OK(
      utimensat(AT_FDCWD, dir.File("link").c_str(), link_times, AT_SYMLINK_NOFOLLOW));
  EXPECT_EQ(StatOf(dir.File("link")).st_mtim.tv_sec, 7000);
  EXPECT_EQ(StatOf(dir.File("f")).st_mtim.tv_sec, 5000);
}

TEST(UtimensatTest, AnOutOfRangeNsecIsEINVAL) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  struct timespec big[2] = {{0, 1000000000}, {0, 0}};
  EXPECT_SYSCALL_ERRNO(utimensat(AT_FDCWD, dir.File("f").c_str(), big, 0), EINVAL);
  struct timespec negative[2] = {{0, 0}, {0, -1}};
  EXPECT_SYSCALL_ERRNO(utimensat(AT_FDCWD, dir.File("f").c_str(), negative, 0), EINVAL);
}

TEST(UtimensatTest, AnUnknownFlagIsEINVAL) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  EXPECT_SYSCALL_ERRNO(utimensat(AT_FDCWD, dir.File("f").c_str(), nullptr, 0x1), EINVAL);
}

TEST(UtimensatTest, AMissingFileIsENOENT) {
  TempDir dir;
  EXPECT_SYSCALL_ERRNO(utimensat(AT_FDCWD, dir.File("missing").c_str(), nullptr, 0), ENOENT);
}

TEST(UtimensatTest, ANullPathWithAnFdActsOnTheFd) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  struct timespec times[2] = {{4000, 0}, {4000, 0}};
  ASSERT_SYSCALL_OK(syscall(SYS_utimensat, fd, nullptr, times, 0));
  EXPECT_EQ(StatOf(dir.File("f")).st_mtim.tv_sec, 4000);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_utimensat, fd, nullptr, times, AT_SYMLINK_NOFOLLOW), EINVAL);
  close(fd);
}

TEST(UtimensatTest, AnOrdinaryUserMayTouchButNotSetTimesOfAWritableFile) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  SKIP_UNLESS_CAPABILITY(CAP_SETGID);
  TempDir dir;
  ASSERT_SYSCALL_OK(chmod(dir.path().c_str(), 0755));
  WriteFileOrDie(dir.File("f"), "");
  ASSERT_SYSCALL_OK(chmod(dir.File("f").c_str(), 0666));
  EXPECT_EQ(RunInChild([&] {
              // The TempDir's parents need not be open to uid 65534: work
              // relative to the directory, entered while still root.
              if (chdir(dir.path().c_str()) != 0) return 11;
              if (!DropToNobody()) return 10;
              // Write permission is enough to set both times to now...
              if (utimensat(AT_FDCWD, "f", nullptr, 0) != 0) return 1;
              // ...but only the owner may set explicit times.
              struct timespec times[2] = {{1000, 0}, {1000, 0}};
              if (utimensat(AT_FDCWD, "f", times, 0) != -1 || errno != EPERM) return 2;
              return 0;
            }),
            0);
}

TEST(FutimensTest, SetsTheTimesOfTheOpenFile) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  struct timespec times[2] = {{6000, 500}, {0, UTIME_OMIT}};
  ASSERT_SYSCALL_OK(futimens(fd, times));
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fd, &st));
  EXPECT_EQ(st.st_atim.tv_sec, 6000);
  EXPECT_EQ(st.st_atim.tv_nsec, 500);
  EXPECT_SYSCALL_ERRNO(futimens(-1, times), EBADF);
  close(fd);
}

TEST(UtimesTest, SetsMicrosecondTimes) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  struct timeval tv[2] = {{2000, 250}, {3000, 999999}};
  ASSERT_SYSCALL_OK(utimes(dir.File("f").c_str(), tv));
  struct stat st = StatOf(dir.File("f"));
  EXPECT_EQ(st.st_atim.tv_sec, 2000);
  EXPECT_EQ(st.st_atim.tv_nsec, 250000);
  EXPECT_EQ(st.st_mtim.tv_sec, 3000);
  EXPECT_EQ(st.st_mtim.tv_nsec, 999999000);
}

TEST(UtimesTest, AnOutOfRangeUsecIsEINVAL) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  struct timeval tv[2] = {{0, 1000000}, {0, 0}};
  EXPECT_SYSCALL_ERRNO(syscall(SYS_utimes, dir.File("f").c_str(), tv), EINVAL);
}

}  // namespace
}  // namespace runsc::syscall_test
