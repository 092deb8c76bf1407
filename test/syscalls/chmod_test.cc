// Family: chmod, fchmod, fchmodat, chown, fchown, lchown, fchownat, umask.
// Cases that change ownership need CAP_CHOWN; cases about what an ordinary
// user may not do drop to uid 65534 in a forked child.
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

mode_t ModeOf(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return static_cast<mode_t>(-1);
  return st.st_mode;
}

TEST(ChmodTest, ChmodSetsThePermissionBits) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  ASSERT_SYSCALL_OK(chmod(dir.File("f").c_str(), 0604));
  EXPECT_EQ(ModeOf(dir.File("f")) & 07777, 0604u);
  EXPECT_TRUE(S_ISREG(ModeOf(dir.File("f"))));
}

TEST(ChmodTest, ChmodKeepsOnlyTheLow12Bits) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  // S_IFDIR in the argument does not turn the file into a directory.
  ASSERT_SYSCALL_OK(chmod(dir.File("f").c_str(), S_IFDIR | 04755));
  EXPECT_EQ(ModeOf(dir.File("f")), static_cast<mode_t>(S_IFREG | 04755));
}

TEST(ChmodTest, ChmodFollowsSymlinks) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  ASSERT_SYSCALL_OK(symlink("f", dir.File("link").c_str()));
  ASSERT_SYSCALL_OK(chmod(dir.File("link").c_str(), 0600));
  EXPECT_EQ(ModeOf(dir.File("f")) & 07777, 0600u);
  EXPECT_EQ(ModeOf(dir.File("link")) & 0777, 0777u);
}

TEST(ChmodTest, ChmodOfAMissingFileIsENOENT) {
  TempDir dir;
  EXPECT_SYSCALL_ERRNO(chmod(dir.File("missing").c_str(), 0644), ENOENT);
}

TEST(ChmodTest, FchmodChangesTheOpenFile) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  ASSERT_SYSCALL_OK(fchmod(fd, 0640));
  EXPECT_EQ(ModeOf(dir.File("f")) & 07777, 0640u);
  close(fd);
}

TEST(ChmodTest, FchmodOfABadFdIsEBADF) {
  EXPECT_SYSCALL_ERRNO(fchmod(-1, 0644), EBADF);
}

TEST(ChmodTest, FchmodatIsRelativeToTheDirfd) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  int dfd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(dfd);
  ASSERT_SYSCALL_OK(syscall(SYS_fchmodat, dfd, "f", 0611));
  EXPECT_EQ(ModeOf(dir.File("f")) & 07777, 0611u);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_fchmodat, -1, "f", 0644), EBADF);
  close(dfd);
}

TEST(ChmodTest, AnOrdinaryUserCannotChmodSomeoneElsesFile) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  SKIP_UNLESS_CAPABILITY(CAP_SETGID);
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  ASSERT_SYSCALL_OK(chmod(dir.path().c_str(), 0755));
  std::string path = dir.File("f");
  EXPECT_EQ(RunInChild([&] {
              // The TempDir's parents need not be open to uid 65534: work
              // relative to the directory, entered while still root.
              if (chdir(dir.path().c_str()) != 0) return 11;
              if (!DropToNobody()) return 10;
              return chmod("f", 0777) == -1 && errno == EPERM ? 0 : 1;
            }),
            0);
  EXPECT_EQ(ModeOf(path) & 07777, 0644u);
}

TEST(ChownTest, ChownChangesOwnerAndGroup) {
  SKIP_UNLESS_CAPABILITY(CAP_CHOWN);
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  ASSERT_SYSCALL_OK(chown(dir.File("f").c_str(), 1234, 5678));
  struct stat st;
  ASSERT_SYSCALL_OK(stat(dir.File("f").c_str(), &st));
  EXPECT_EQ(st.st_uid, 1234u);
  EXPECT_EQ(st.st_gid, 5678u);
}

TEST(ChownTest, MinusOneLeavesAnIdUnchanged) {
  SKIP_UNLESS_CAPABILITY(CAP_CHOWN);
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  ASSERT_SYSCALL_OK(chown(dir.File("f").c_str(), 1234, 5678));
  ASSERT_SYSCALL_OK(chown(dir.File("f").c_str(), static_cast<uid_t>(-1), 42));
  struct stat st;
  ASSERT_SYSCALL_OK(stat(dir.File("f").c_str(), &st));
  EXPECT_EQ(st.st_uid, 1234u);
  EXPECT_EQ(st.st_gid, 42u);
}

TEST(ChownTest, ChownClearsSetuidAndSetgid) {
  SKIP_UNLESS_CAPABILITY(CAP_CHOWN);
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  ASSERT_SYSCALL_OK(chmod(dir.File("f").c_str(), 06755));
  // Since Linux 2.2.13 this happens even when root changes the owner.
  ASSERT_SYSCALL_OK(chown(dir.File("f").c_str(), 1234, 5678));
  EXPECT_EQ(ModeOf(dir.File("f")) & 07777, 0755u);
}

TEST(ChownTest, LchownChangesTheLinkNotTheTarget) {
  SKIP_UNLESS_CAPABILITY(CAP_CHOWN);
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  ASSERT_SYSCALL_OK(symlink("f", dir.File("link").c_str()));
  ASSERT_SYSCALL_OK(lchown(dir.File("link").c_str(), 1234, 5678));
  struct stat link_st, file_st;
  ASSERT_SYSCALL_OK(lstat(dir.File("link").c_str(), &link_st));
  ASSERT_SYSCALL_OK(stat(dir.File("f").c_str(), &file_st));
  EXPECT_EQ(link_st.st_uid, 1234u);
  EXPECT_EQ(file_st.st_uid, geteuid());
}

TEST(ChownTest, FchownChangesTheOpenFile) {
  SKIP_UNLESS_CAPABILITY(CAP_CHOWN);
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  ASSERT_SYSCALL_OK(fchown(fd, 4321, 8765));
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fd, &st));
  EXPECT_EQ(st.st_uid, 4321u);
  EXPECT_EQ(st.st_gid, 8765u);
  EXPECT_SYSCALL_ERRNO(fchown(-1, 0, 0), EBADF);
  close(fd);
}

TEST(ChownTest, FchownatEmptyPathChangesTheFd) {
  SKIP_UNLESS_CAPABILITY(CAP_CHOWN);
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  int fd = open(dir.File("f").c_str(), O_PATH);
  ASSERT_SYSCALL_OK(fd);
  ASSERT_SYSCALL_OK(fchownat(fd, "", 1111, 2222, AT_EMPTY_PATH));
  struct stat st;
  ASSERT_SYSCALL_OK(stat(dir.File("f").c_str(), &st));
  EXPECT_EQ(st.st_uid, 1111u);
  EXPECT_EQ(st.st_gid, 2222u);
  EXPECT_SYSCALL_ERRNO(fchownat(fd, "", 1, 1, 0x1), EINVAL);
  close(fd);
}

TEST(ChownTest, AnOrdinaryUserCannotGiveAFileAway) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  SKIP_UNLESS_CAPABILITY(CAP_SETGID);
  TempDir dir;
  ASSERT_SYSCALL_OK(chmod(dir.path().c_str(), 0777));
  EXPECT_EQ(RunInChild([&] {
              // The TempDir's parents need not be open to uid 65534: work
              // relative to the directory, entered while still root.
              if (chdir(dir.path().c_str()) != 0) return 11;
              if (!DropToNobody()) return 10;
              int fd = open("mine", O_WRONLY | O_CREAT, 0644);
              if (fd < 0) return 12;
              close(fd);
              return chown("mine", 0, static_cast<gid_t>(-1)) == -1 && errno == EPERM ? 0 : 1;
            }),
            0);
}

TEST(UmaskTest, UmaskReturnsThePreviousMask) {
  EXPECT_EQ(RunInChild([] {
              umask(022);
              if (umask(077) != 022) return 1;
              if (umask(0) != 077) return 2;
              return 0;
            }),
            0);
}

TEST(UmaskTest, UmaskKeepsOnlyThePermissionBits) {
  EXPECT_EQ(RunInChild([] {
              umask(0177777);
              return umask(0) == 0777 ? 0 : 1;
            }),
            0);
}

}  // namespace
}  // namespace runsc::syscall_test
