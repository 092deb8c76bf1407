// Family: access, faccessat, faccessat2. Checks as root, and as an ordinary
// user in a forked child that drops to uid 65534.
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "test/syscalls/test_util.h"

#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

namespace runsc::syscall_test {
namespace {

long Faccessat2(int dirfd, const char* path, int mode, int flags) {
  return syscall(SYS_faccessat2, dirfd, path, mode, flags);
}

// A file of `mode`, owned by the caller, in a directory an ordinary user may
// search (mkdtemp makes the TempDir itself 0700).
std::string MakeFile(const TempDir& dir, mode_t mode) {
  if (chmod(dir.path().c_str(), 0755) != 0) ADD_FAILURE() << "chmod: " << strerror(errno);
  std::string path = dir.File("f");
  WriteFileOrDie(path, "");
  if (chmod(path.c_str(), mode) != 0) ADD_FAILURE() << "chmod: " << strerror(errno);
  return path;
}

TEST(AccessTest, FOkOnAnExistingFileSucceeds) {
  TempDir dir;
  std::string path = MakeFile(dir, 0644);
  EXPECT_SYSCALL_OK(access(path.c_str(), F_OK));
  EXPECT_SYSCALL_OK(access(dir.path().c_str(), F_OK));
}

TEST(AccessTest, AMissingFileIsENOENT) {
  TempDir dir;
  EXPECT_SYSCALL_ERRNO(access(dir.File("missing").c_str(), F_OK), ENOENT);
  EXPECT_SYSCALL_ERRNO(access(dir.File("missing").c_str(), R_OK), ENOENT);
}

TEST(AccessTest, AnUnknownModeBitIsEINVAL) {
  TempDir dir;
  std::string path = MakeFile(dir, 0644);
  EXPECT_SYSCALL_ERRNO(access(path.c_str(), 0x10), EINVAL);
}

TEST(AccessTest, ABadPathPointerIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(syscall(SYS_access, reinterpret_cast<char*>(1), F_OK), EFAULT);
}

TEST(AccessTest, AFileAsADirectoryIsENOTDIR) {
  TempDir dir;
  std::string path = MakeFile(dir, 0644);
  EXPECT_SYSCALL_ERRNO(access((path + "/x").c_str(), F_OK), ENOTDIR);
}

TEST(AccessTest, RootMayReadAndWriteAMode0File) {
  SKIP_UNLESS_CAPABILITY(CAP_DAC_OVERRIDE);
  TempDir dir;
  std::string path = MakeFile(dir, 0);
  EXPECT_SYSCALL_OK(access(path.c_str(), R_OK | W_OK));
}

TEST(AccessTest, RootNeedsSomeExecuteBitForXOk) {
  SKIP_UNLESS_CAPABILITY(CAP_DAC_OVERRIDE);
  TempDir dir;
  std::string path = MakeFile(dir, 0644);
  EXPECT_SYSCALL_ERRNO(access(path.c_str(), X_OK), EACCES);
  ASSERT_SYSCALL_OK(chmod(path.c_str(), 0001));
  EXPECT_SYSCALL_OK(access(path.c_str(), X_OK));
  // A directory can always be searched by root.
  ASSERT_SYSCALL_OK(mkdir(dir.File("d").c_str(), 0));
  EXPECT_SYSCALL_OK(access(dir.File("d").c_str(), X_OK));
}

TEST(AccessTest, AnOrdinaryUserGetsTheOtherBits) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  SKIP_UNLESS_CAPABILITY(CAP_SETGID);
  TempDir dir;
  MakeFile(dir, 0754);
  EXPECT_EQ(RunInChild([&] {
              // The TempDir's parents need not be open to uid 65534: work
              // relative to the directory, entered while still root.
              if (chdir(dir.path().c_str()) != 0) return 11;
              if (!DropToNobody()) return 10;
              if (access("f", R_OK) != 0) return 1;
              if (access("f", W_OK) != -1 || errno != EACCES) return 2;
              if (access("f", X_OK) != -1 || errno != EACCES) return 3;
              if (access("f", F_OK) != 0) return 4;
              return 0;
            }),
            0);
}

TEST(AccessTest, AnOrdinaryUserNeedsSearchPermissionOnTheDirectory) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  SKIP_UNLESS_CAPABILITY(CAP_SETGID);
  TempDir dir;
  ASSERT_SYSCALL_OK(chmod(dir.path().c_str(), 0755));
  ASSERT_SYSCALL_OK(mkdir(dir.File("locked").c_str(), 0700));
  WriteFileOrDie(dir.File("locked/f"), "");
  ASSERT_SYSCALL_OK(mkdir(dir.File("open").c_str(), 0755));
  WriteFileOrDie(dir.File("open/f"), "");
  EXPECT_EQ(RunInChild([&] {
              // The TempDir's parents need not be open to uid 65534: work
              // relative to the directory, entered while still root.
              if (chdir(dir.path().c_str()) != 0) return 11;
              if (!DropToNobody()) return 10;
              if (access("open/f", F_OK) != 0) return 1;
              return access("locked/f", F_OK) == -1 && errno == EACCES ? 0 : 2;
            }),
            0);
}

TEST(AccessTest, AccessChecksTheRealUidAndEaccessTheEffective) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  SKIP_UNLESS_CAPABILITY(CAP_SETGID);
  TempDir dir;
  MakeFile(dir, 0644);
  EXPECT_EQ(RunInChild([&] {
              // The TempDir's parents need not be open to uid 65534: work
              // relative to the directory, entered while still root.
              if (chdir(dir.path().c_str()) != 0) return 11;
              // Real ids nobody, effective uid still root.
              if (setgroups(0, nullptr) != 0) return 10;
              if (setresgid(kNobodyId, kNobodyId, kNobodyId) != 0) return 10;
              if (setresuid(kNobodyId, 0, 0) != 0) return 10;
              if (access("f", W_OK) != -1 || errno != EACCES) return 1;
              if (faccessat(AT_FDCWD, "f", W_OK, AT_EACCESS) != 0) return 2;
              return 0;
            }),
            0);
  EXPECT_EQ(RunInChild([&] {
              if (chdir(dir.path().c_str()) != 0) return 11;
              // Real uid root, effective ids nobody.
              if (setgroups(0, nullptr) != 0) return 10;
              if (setresgid(0, kNobodyId, 0) != 0) return 10;
              if (setresuid(0, kNobodyId, 0) != 0) return 10;
              if (access("f", W_OK) != 0) return 1;
              if (faccessat(AT_FDCWD, "f", W_OK, AT_EACCESS) != -1 || errno != EACCES)
                return 2;
              return 0;
            }),
            0);
}

TEST(FaccessatTest, IsRelativeToTheDirfd) {
  TempDir dir;
  MakeFile(dir, 0644);
  int dfd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(dfd);
  EXPECT_SYSCALL_OK(syscall(SYS_faccessat, dfd, "f", R_OK));
  EXPECT_SYSCALL_ERRNO(syscall(SYS_faccessat, dfd, "missing", F_OK), ENOENT);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_faccessat, -1, "f", F_OK), EBADF);
  close(dfd);
}

TEST(Faccessat2Test, SymlinkNofollowChecksTheLinkItself) {
  TempDir dir;
  ASSERT_SYSCALL_OK(symlink("nowhere", dir.File("dangling").c_str()));
  if (Faccessat2(AT_FDCWD, dir.path().c_str(), F_OK, 0) == -1 && errno == ENOSYS)
    GTEST_SKIP() << "no faccessat2 (Linux < 5.8)";
  EXPECT_SYSCALL_ERRNO(Faccessat2(AT_FDCWD, dir.File("dangling").c_str(), F_OK, 0), ENOENT);
  EXPECT_SYSCALL_OK(
      Faccessat2(AT_FDCWD, dir.File("dangling").c_str(), F_OK, AT_SYMLINK_NOFOLLOW));
}

TEST(Faccessat2Test, EmptyPathChecksTheFd) {
  TempDir dir;
  std::string path = MakeFile(dir, 0644);
  if (Faccessat2(AT_FDCWD, dir.path().c_str(), F_OK, 0) == -1 && errno == ENOSYS)
    GTEST_SKIP() << "no faccessat2 (Linux < 5.8)";
  int fd = open(path.c_str(), O_PATH);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_SYSCALL_OK(Faccessat2(fd, "", R_OK, AT_EMPTY_PATH));
  EXPECT_SYSCALL_ERRNO(Faccessat2(fd, "", R_OK, 0), ENOENT);
  close(fd);
}

TEST(Faccessat2Test, EmptyPathWithAtEaccessChecksTheFdForTheEffectiveIds) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  SKIP_UNLESS_CAPABILITY(CAP_SETGID);
  TempDir dir;
  std::string path = MakeFile(dir, 0600);
  if (Faccessat2(AT_FDCWD, dir.path().c_str(), F_OK, 0) == -1 && errno == ENOSYS)
    GTEST_SKIP() << "no faccessat2 (Linux < 5.8)";
  int fd = open(path.c_str(), O_PATH);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(RunInChild([fd] {
              // Real uid nobody, effective uid root: the owner's bits do not
              // let nobody in, root's capabilities let root in.
              if (setgroups(0, nullptr) != 0) return 10;
              if (setresgid(kNobodyId, kNobodyId, kNobodyId) != 0) return 10;
              if (setresuid(kNobodyId, 0, 0) != 0) return 10;
              if (Faccessat2(fd, "", R_OK, AT_EMPTY_PATH) != -1 || errno != EACCES) return 1;
              if (Faccessat2(fd, "", R_OK, AT_EMPTY_PATH | AT_EACCESS) != 0) return 2;
              return 0;
            }),
            0);
  close(fd);
}

TEST(Faccessat2Test, AnUnknownFlagIsEINVAL) {
  TempDir dir;
  if (Faccessat2(AT_FDCWD, dir.path().c_str(), F_OK, 0) == -1 && errno == ENOSYS)
    GTEST_SKIP() << "no faccessat2 (Linux < 5.8)";
  EXPECT_SYSCALL_ERRNO(Faccessat2(AT_FDCWD, dir.path().c_str(), F_OK, 0x1), EINVAL);
}

}  // namespace
}  // namespace runsc::syscall_test
