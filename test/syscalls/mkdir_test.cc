// Family: mkdir, mkdirat, rmdir.
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

TEST(MkdirTest, MkdirMakesAnEmptyDirectory) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("d").c_str(), 0755));
  struct stat st;
  ASSERT_SYSCALL_OK(stat(dir.File("d").c_str(), &st));
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_nlink, 2u);
  EXPECT_EQ(st.st_uid, geteuid());
}

TEST(MkdirTest, MkdirAddsALinkToTheParent) {
  TempDir dir;
  struct stat before, after;
  ASSERT_SYSCALL_OK(stat(dir.path().c_str(), &before));
  ASSERT_SYSCALL_OK(mkdir(dir.File("d").c_str(), 0755));
  ASSERT_SYSCALL_OK(stat(dir.path().c_str(), &after));
  EXPECT_EQ(after.st_nlink, before.st_nlink + 1);
  ASSERT_SYSCALL_OK(rmdir(dir.File("d").c_str()));
  ASSERT_SYSCALL_OK(stat(dir.path().c_str(), &after));
  EXPECT_EQ(after.st_nlink, before.st_nlink);
}

TEST(MkdirTest, MkdirOfAnExistingNameIsEEXIST) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("d").c_str(), 0755));
  WriteFileOrDie(dir.File("f"), "");
  EXPECT_SYSCALL_ERRNO(mkdir(dir.File("d").c_str(), 0755), EEXIST);
  EXPECT_SYSCALL_ERRNO(mkdir(dir.File("f").c_str(), 0755), EEXIST);
  // Even a dangling symlink counts: mkdir does not follow it.
  ASSERT_SYSCALL_OK(symlink("nowhere", dir.File("link").c_str()));
  EXPECT_SYSCALL_ERRNO(mkdir(dir.File("link").c_str(), 0755), EEXIST);
}

TEST(MkdirTest, TheModeIsMaskedByTheUmask) {
  TempDir dir;
  std::string path = dir.File("d");
  EXPECT_EQ(RunInChild([&] {
              umask(022);
              if (mkdir(path.c_str(), 0777) != 0) return 1;
              struct stat st;
              if (stat(path.c_str(), &st) != 0) return 2;
              return (st.st_mode & 07777) == 0755 ? 0 : 3;
            }),
            0);
}

TEST(MkdirTest, TheStickyBitIsKept) {
  TempDir dir;
  std::string path = dir.File("d");
  EXPECT_EQ(RunInChild([&] {
              umask(0);
              if (mkdir(path.c_str(), 01777) != 0) return 1;
              struct stat st;
              if (stat(path.c_str(), &st) != 0) return 2;
              return (st.st_mode & 07777) == 01777 ? 0 : 3;
            }),
            0);
}

TEST(MkdirTest, AMissingParentIsENOENT) {
  TempDir dir;
  EXPECT_SYSCALL_ERRNO(mkdir(dir.File("no/d").c_str(), 0755), ENOENT);
}

TEST(MkdirTest, AFileAsParentIsENOTDIR) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  EXPECT_SYSCALL_ERRNO(mkdir(dir.File("f/d").c_str(), 0755), ENOTDIR);
}

TEST(MkdirTest, ATooLongNameIsENAMETOOLONG) {
  TempDir dir;
  EXPECT_SYSCALL_ERRNO(mkdir(dir.File(std::string(NAME_MAX + 1, 'd')).c_str(), 0755),
                       ENAMETOOLONG);
}

TEST(MkdirTest, ATrailingSlashIsAccepted) {
  TempDir dir;
  EXPECT_SYSCALL_OK(mkdir((dir.File("d") + "/").c_str(), 0755));
  struct stat st;
  EXPECT_SYSCALL_OK(stat(dir.File("d").c_str(), &st));
}

TEST(MkdirTest, ABadPathPointerIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(syscall(SYS_mkdir, reinterpret_cast<char*>(1), 0755), EFAULT);
}

TEST(MkdirTest, MkdiratIsRelativeToTheDirfd) {
  TempDir dir;
  int dfd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(dfd);
  ASSERT_SYSCALL_OK(mkdirat(dfd, "d", 0755));
  struct stat st;
  EXPECT_SYSCALL_OK(stat(dir.File("d").c_str(), &st));
  EXPECT_SYSCALL_ERRNO(mkdirat(-1, "d", 0755), EBADF);
  close(dfd);
}

TEST(RmdirTest, RmdirRemovesAnEmptyDirectory) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("d").c_str(), 0755));
  EXPECT_SYSCALL_OK(rmdir(dir.File("d").c_str()));
  struct stat st;
  EXPECT_SYSCALL_ERRNO(stat(dir.File("d").c_str(), &st), ENOENT);
}

TEST(RmdirTest, ANonEmptyDirectoryIsENOTEMPTY) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("d").c_str(), 0755));
  WriteFileOrDie(dir.File("d/f"), "");
  EXPECT_SYSCALL_ERRNO(rmdir(dir.File("d").c_str()), ENOTEMPTY);
}

TEST(RmdirTest, DotAsTheLastComponentIsEINVAL) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("d").c_str(), 0755));
  EXPECT_SYSCALL_ERRNO(rmdir(dir.File("d/.").c_str()), EINVAL);
}

TEST(RmdirTest, DotDotAsTheLastComponentIsENOTEMPTY) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("d").c_str(), 0755));
  EXPECT_SYSCALL_ERRNO(rmdir(dir.File("d/..").c_str()), ENOTEMPTY);
}

TEST(RmdirTest, AFileIsENOTDIR) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  EXPECT_SYSCALL_ERRNO(rmdir(dir.File("f").c_str()), ENOTDIR);
}

TEST(RmdirTest, ASymlinkToADirectoryIsENOTDIR) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("d").c_str(), 0755));
  ASSERT_SYSCALL_OK(symlink("d", dir.File("link").c_str()));
  EXPECT_SYSCALL_ERRNO(rmdir(dir.File("link").c_str()), ENOTDIR);
}

TEST(RmdirTest, AMissingDirectoryIsENOENT) {
  TempDir dir;
  EXPECT_SYSCALL_ERRNO(rmdir(dir.File("missing").c_str()), ENOENT);
}

}  // namespace
}  // namespace runsc::syscall_test
