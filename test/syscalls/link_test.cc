// Family: link, linkat, unlink, unlinkat (with AT_REMOVEDIR).
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

nlink_t Links(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return 0;
  return st.st_nlink;
}

ino_t Inode(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return 0;
  return st.st_ino;
}

TEST(LinkTest, LinkAddsANameForTheSameInode) {
  TempDir dir;
  WriteFileOrDie(dir.File("a"), "A");
  EXPECT_EQ(Links(dir.File("a")), 1u);
  ASSERT_SYSCALL_OK(link(dir.File("a").c_str(), dir.File("b").c_str()));
  EXPECT_EQ(Links(dir.File("a")), 2u);
  EXPECT_EQ(Links(dir.File("b")), 2u);
  EXPECT_EQ(Inode(dir.File("a")), Inode(dir.File("b")));
}

TEST(LinkTest, LinkOntoAnExistingNameIsEEXIST) {
  TempDir dir;
  WriteFileOrDie(dir.File("a"), "A");
  WriteFileOrDie(dir.File("b"), "B");
  EXPECT_SYSCALL_ERRNO(link(dir.File("a").c_str(), dir.File("b").c_str()), EEXIST);
  EXPECT_EQ(Links(dir.File("a")), 1u);
}

TEST(LinkTest, LinkOfADirectoryIsEPERM) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("d").c_str(), 0755));
  EXPECT_SYSCALL_ERRNO(link(dir.File("d").c_str(), dir.File("e").c_str()), EPERM);
}

TEST(LinkTest, LinkOfAMissingFileIsENOENT) {
  TempDir dir;
  EXPECT_SYSCALL_ERRNO(link(dir.File("missing").c_str(), dir.File("b").c_str()), ENOENT);
  WriteFileOrDie(dir.File("a"), "");
  EXPECT_SYSCALL_ERRNO(link(dir.File("a").c_str(), dir.File("no/b").c_str()), ENOENT);
}

TEST(LinkTest, LinkDoesNotFollowASymlinkButLinkatCanBeAsked) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  ASSERT_SYSCALL_OK(symlink("f", dir.File("s").c_str()));
  ASSERT_SYSCALL_OK(linkat(AT_FDCWD, dir.File("s").c_str(), AT_FDCWD, dir.File("l1").c_str(), 0));
  EXPECT_EQ(Inode(dir.File("l1")), Inode(dir.File("s")));
  ASSERT_SYSCALL_OK(linkat(AT_FDCWD, dir.File("s").c_str(), AT_FDCWD, dir.File("l2").c_str(),
                           AT_SYMLINK_FOLLOW));
  EXPECT_EQ(Inode(dir.File("l2")), Inode(dir.File("f")));
}

TEST(LinkTest, LinkatWithAnUnknownFlagIsEINVAL) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  EXPECT_SYSCALL_ERRNO(
      linkat(AT_FDCWD, dir.File("f").c_str(), AT_FDCWD, dir.File("g").c_str(), 0x8000000),
      EINVAL);
}

TEST(LinkTest, LinkatEmptyPathLinksAnOpenFile) {
  SKIP_UNLESS_CAPABILITY(CAP_DAC_READ_SEARCH);
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "F");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  ASSERT_SYSCALL_OK(linkat(fd, "", AT_FDCWD, dir.File("g").c_str(), AT_EMPTY_PATH));
  EXPECT_EQ(Inode(dir.File("g")), Inode(dir.File("f")));
  close(fd);
}

TEST(LinkTest, LinkatCanGiveATmpfileAName) {
  TempDir dir;
  int fd = open(dir.path().c_str(), O_TMPFILE | O_RDWR, 0600);
  if (fd < 0 && errno == EOPNOTSUPP) GTEST_SKIP() << "filesystem has no O_TMPFILE";
  ASSERT_SYSCALL_OK(fd);
  ASSERT_EQ(write(fd, "T", 1), 1);
  std::string proc = "/proc/self/fd/" + std::to_string(fd);
  ASSERT_SYSCALL_OK(
      linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, dir.File("named").c_str(), AT_SYMLINK_FOLLOW));
  EXPECT_EQ(Links(dir.File("named")), 1u);
  close(fd);
}

TEST(UnlinkTest, UnlinkRemovesOneName) {
  TempDir dir;
  WriteFileOrDie(dir.File("a"), "A");
  ASSERT_SYSCALL_OK(link(dir.File("a").c_str(), dir.File("b").c_str()));
  ASSERT_SYSCALL_OK(unlink(dir.File("a").c_str()));
  EXPECT_EQ(Links(dir.File("b")), 1u);
  struct stat st;
  EXPECT_SYSCALL_ERRNO(stat(dir.File("a").c_str(), &st), ENOENT);
}

TEST(UnlinkTest, AnOpenFileOutlivesItsLastName) {
  TempDir dir;
  WriteFileOrDie(dir.File("a"), "data");
  int fd = open(dir.File("a").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  ASSERT_SYSCALL_OK(unlink(dir.File("a").c_str()));
  char buf[4];
  EXPECT_EQ(read(fd, buf, 4), 4);
  EXPECT_EQ(std::string(buf, 4), "data");
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fd, &st));
  EXPECT_EQ(st.st_nlink, 0u);
  close(fd);
}

TEST(UnlinkTest, UnlinkOfADirectoryIsEISDIR) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("d").c_str(), 0755));
  EXPECT_SYSCALL_ERRNO(unlink(dir.File("d").c_str()), EISDIR);
}

TEST(UnlinkTest, UnlinkOfAMissingNameIsENOENT) {
  TempDir dir;
  EXPECT_SYSCALL_ERRNO(unlink(dir.File("missing").c_str()), ENOENT);
}

TEST(UnlinkTest, UnlinkThroughAFileIsENOTDIR) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  EXPECT_SYSCALL_ERRNO(unlink(dir.File("f/x").c_str()), ENOTDIR);
}

TEST(UnlinkTest, UnlinkOfASymlinkRemovesTheLinkOnly) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  ASSERT_SYSCALL_OK(symlink("f", dir.File("s").c_str()));
  ASSERT_SYSCALL_OK(unlink(dir.File("s").c_str()));
  EXPECT_EQ(Links(dir.File("f")), 1u);
}

TEST(UnlinkTest, UnlinkatRemoveDirRemovesAnEmptyDirectory) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("d").c_str(), 0755));
  int dfd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(dfd);
  EXPECT_SYSCALL_ERRNO(unlinkat(dfd, "d", 0), EISDIR);
  EXPECT_SYSCALL_OK(unlinkat(dfd, "d", AT_REMOVEDIR));
  struct stat st;
  EXPECT_SYSCALL_ERRNO(stat(dir.File("d").c_str(), &st), ENOENT);
  close(dfd);
}

TEST(UnlinkTest, UnlinkatRemoveDirOnAFileIsENOTDIR) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  EXPECT_SYSCALL_ERRNO(unlinkat(AT_FDCWD, dir.File("f").c_str(), AT_REMOVEDIR), ENOTDIR);
}

TEST(UnlinkTest, UnlinkatRemoveDirOnANonEmptyDirectoryIsENOTEMPTY) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("d").c_str(), 0755));
  WriteFileOrDie(dir.File("d/f"), "");
  EXPECT_SYSCALL_ERRNO(unlinkat(AT_FDCWD, dir.File("d").c_str(), AT_REMOVEDIR), ENOTEMPTY);
}

TEST(UnlinkTest, UnlinkatWithAnUnknownFlagIsEINVAL) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  EXPECT_SYSCALL_ERRNO(unlinkat(AT_FDCWD, dir.File("f").c_str(), 0x1), EINVAL);
  EXPECT_EQ(Links(dir.File("f")), 1u);
}

}  // namespace
}  // namespace runsc::syscall_test
