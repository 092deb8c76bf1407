// Family: chdir, fchdir, getcwd. The working directory is process-wide, so
// every case that changes it does so in a forked child.
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// The raw getcwd, which returns the length including the NUL (glibc's
// wrapper returns the buffer instead).
long RawGetcwd(char* buf, size_t size) { return syscall(SYS_getcwd, buf, size); }

// The canonical path of `path` as getcwd would report it.
std::string Canonical(const std::string& path) {
  char buf[PATH_MAX];
  return realpath(path.c_str(), buf) != nullptr ? std::string(buf) : std::string();
}

TEST(ChdirTest, ChdirChangesWhatGetcwdReports) {
  TempDir dir;
  std::string want = Canonical(dir.path());
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(RunInChild([&] {
              if (chdir(dir.path().c_str()) != 0) return 1;
              char buf[PATH_MAX];
              long n = RawGetcwd(buf, sizeof(buf));
              if (n != static_cast<long>(want.size()) + 1) return 2;
              return std::string(buf) == want ? 0 : 3;
            }),
            0);
}

TEST(ChdirTest, RelativePathsResolveFromTheNewCwd) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "here");
  EXPECT_EQ(RunInChild([&] {
              if (chdir(dir.path().c_str()) != 0) return 1;
              int fd = open("f", O_RDONLY);
              if (fd < 0) return 2;
              char buf[4];
              return read(fd, buf, 4) == 4 ? 0 : 3;
            }),
            0);
}

TEST(ChdirTest, DotDotOfTheRootIsTheRoot) {
  EXPECT_EQ(RunInChild([] {
              if (chdir("/") != 0 || chdir("..") != 0) return 1;
              char buf[8];
              if (RawGetcwd(buf, sizeof(buf)) != 2) return 2;
              return std::string(buf) == "/" ? 0 : 3;
            }),
            0);
}

TEST(ChdirTest, AFileIsENOTDIR) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  EXPECT_SYSCALL_ERRNO(chdir(dir.File("f").c_str()), ENOTDIR);
}

TEST(ChdirTest, AMissingDirectoryIsENOENT) {
  TempDir dir;
  EXPECT_SYSCALL_ERRNO(chdir(dir.File("missing").c_str()), ENOENT);
  EXPECT_SYSCALL_ERRNO(chdir(""), ENOENT);
}

TEST(ChdirTest, ABadPathPointerIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(syscall(SYS_chdir, reinterpret_cast<char*>(1)), EFAULT);
}

TEST(ChdirTest, AnOrdinaryUserNeedsSearchPermission) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  SKIP_UNLESS_CAPABILITY(CAP_SETGID);
  TempDir dir;
  ASSERT_SYSCALL_OK(chmod(dir.path().c_str(), 0755));
  ASSERT_SYSCALL_OK(mkdir(dir.File("noexec").c_str(), 0644));
  ASSERT_SYSCALL_OK(mkdir(dir.File("ok").c_str(), 0755));
  EXPECT_EQ(RunInChild([&] {
              // The TempDir's parents need not be open to uid 65534: work
              // relative to the directory, entered while still root.
              if (chdir(dir.path().c_str()) != 0) return 11;
              if (!DropToNobody()) return 10;
              if (chdir("noexec") != -1 || errno != EACCES) return 1;
              return chdir("ok") == 0 ? 0 : 2;
            }),
            0);
}

TEST(FchdirTest, FchdirToADirectoryFd) {
  TempDir dir;
  std::string want = Canonical(dir.path());
  int fd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(RunInChild([&] {
              if (fchdir(fd) != 0) return 1;
              char buf[PATH_MAX];
              if (getcwd(buf, sizeof(buf)) == nullptr) return 2;
              return std::string(buf) == want ? 0 : 3;
            }),
            0);
  close(fd);
}

TEST(FchdirTest, AnOPathDirectoryFdWorks) {
  TempDir dir;
  int fd = open(dir.path().c_str(), O_PATH | O_DIRECTORY);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(RunInChild([&] { return fchdir(fd) == 0 ? 0 : 1; }), 0);
  close(fd);
}

TEST(FchdirTest, AnOrdinaryUserNeedsSearchPermission) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  SKIP_UNLESS_CAPABILITY(CAP_SETGID);
  TempDir dir;
  ASSERT_SYSCALL_OK(chmod(dir.path().c_str(), 0755));
  ASSERT_SYSCALL_OK(mkdir(dir.File("noexec").c_str(), 0644));
  int fd = open(dir.File("noexec").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(RunInChild([fd] {
              if (!DropToNobody()) return 10;
              return fchdir(fd) == -1 && errno == EACCES ? 0 : 1;
            }),
            0);
  close(fd);
}

TEST(FchdirTest, AFileFdIsENOTDIR) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_SYSCALL_ERRNO(fchdir(fd), ENOTDIR);
  close(fd);
}

TEST(FchdirTest, ABadFdIsEBADF) { EXPECT_SYSCALL_ERRNO(fchdir(-1), EBADF); }

TEST(GetcwdTest, ATooSmallBufferIsERANGE) {
  TempDir dir;
  std::string want = Canonical(dir.path());
  EXPECT_EQ(RunInChild([&] {
              if (chdir(dir.path().c_str()) != 0) return 1;
              char buf[PATH_MAX];
              // Exactly the length leaves no room for the NUL.
              if (RawGetcwd(buf, want.size()) != -1 || errno != ERANGE) return 2;
              if (RawGetcwd(buf, 1) != -1 || errno != ERANGE) return 3;
              if (RawGetcwd(buf, 0) != -1 || errno != ERANGE) return 4;
              return RawGetcwd(buf, want.size() + 1) == static_cast<long>(want.size()) + 1 ? 0 : 5;
            }),
            0);
}

TEST(GetcwdTest, ABadBufferIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(RawGetcwd(reinterpret_cast<char*>(1), PATH_MAX), EFAULT);
}

TEST(GetcwdTest, ARemovedCwdIsENOENT) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("gone").c_str(), 0755));
  std::string path = dir.File("gone");
  EXPECT_EQ(RunInChild([&] {
              if (chdir(path.c_str()) != 0) return 1;
              if (rmdir(path.c_str()) != 0) return 2;
              char buf[PATH_MAX];
              return RawGetcwd(buf, sizeof(buf)) == -1 && errno == ENOENT ? 0 : 3;
            }),
            0);
}

}  // namespace
}  // namespace runsc::syscall_test
