// Family: symlink, symlinkat, readlink, readlinkat.
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

TEST(SymlinkTest, ReadlinkReturnsTheTargetWithoutANul) {
  TempDir dir;
  ASSERT_SYSCALL_OK(symlink("some/target", dir.File("link").c_str()));
  char buf[64];
  memset(buf, 'X', sizeof(buf));
  ssize_t n = readlink(dir.File("link").c_str(), buf, sizeof(buf));
  ASSERT_EQ(n, 11);
  EXPECT_EQ(std::string(buf, n), "some/target");
  EXPECT_EQ(buf[n], 'X');
}

TEST(SymlinkTest, ReadlinkTruncatesToTheBuffer) {
  TempDir dir;
  ASSERT_SYSCALL_OK(symlink("abcdefgh", dir.File("link").c_str()));
  char buf[4];
  EXPECT_EQ(readlink(dir.File("link").c_str(), buf, sizeof(buf)), 4);
  EXPECT_EQ(std::string(buf, 4), "abcd");
}

TEST(SymlinkTest, ReadlinkOfANonLinkIsEINVAL) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  char buf[16];
  EXPECT_SYSCALL_ERRNO(readlink(dir.File("f").c_str(), buf, sizeof(buf)), EINVAL);
  EXPECT_SYSCALL_ERRNO(readlink(dir.path().c_str(), buf, sizeof(buf)), EINVAL);
}

TEST(SymlinkTest, ReadlinkWithAZeroOrNegativeSizeIsEINVAL) {
  TempDir dir;
  ASSERT_SYSCALL_OK(symlink("t", dir.File("link").c_str()));
  char buf[16];
  EXPECT_SYSCALL_ERRNO(syscall(SYS_readlink, dir.File("link").c_str(), buf, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_readlink, dir.File("link").c_str(), buf, -1), EINVAL);
}

TEST(SymlinkTest, ReadlinkOfAMissingNameIsENOENT) {
  TempDir dir;
  char buf[16];
  EXPECT_SYSCALL_ERRNO(readlink(dir.File("missing").c_str(), buf, sizeof(buf)), ENOENT);
}

TEST(SymlinkTest, ReadlinkIntoABadBufferIsEFAULT) {
  TempDir dir;
  ASSERT_SYSCALL_OK(symlink("target", dir.File("link").c_str()));
  EXPECT_SYSCALL_ERRNO(
      syscall(SYS_readlink, dir.File("link").c_str(), reinterpret_cast<char*>(1), 16), EFAULT);
}

TEST(SymlinkTest, SymlinkOntoAnExistingNameIsEEXIST) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  EXPECT_SYSCALL_ERRNO(symlink("x", dir.File("f").c_str()), EEXIST);
}

TEST(SymlinkTest, AnEmptyTargetIsENOENT) {
  TempDir dir;
  EXPECT_SYSCALL_ERRNO(symlink("", dir.File("link").c_str()), ENOENT);
}

TEST(SymlinkTest, ATargetLongerThanPathMaxIsENAMETOOLONG) {
  TempDir dir;
  std::string target(PATH_MAX + 1, 'a');
  EXPECT_SYSCALL_ERRNO(symlink(target.c_str(), dir.File("link").c_str()), ENAMETOOLONG);
}

TEST(SymlinkTest, TheTargetNeedNotExistAndTheLinkIsMode0777) {
  TempDir dir;
  ASSERT_SYSCALL_OK(symlink("does/not/exist", dir.File("link").c_str()));
  struct stat st;
  ASSERT_SYSCALL_OK(lstat(dir.File("link").c_str(), &st));
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0777u);
  EXPECT_EQ(st.st_size, 14);
}

TEST(SymlinkTest, ARelativeTargetResolvesFromTheLinksDirectory) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("d").c_str(), 0755));
  WriteFileOrDie(dir.File("d/f"), "inside");
  ASSERT_SYSCALL_OK(symlink("f", dir.File("d/link").c_str()));
  int fd = open(dir.File("d/link").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  char buf[8];
  EXPECT_EQ(read(fd, buf, sizeof(buf)), 6);
  close(fd);
}

TEST(SymlinkTest, ALoopIsELOOP) {
  TempDir dir;
  ASSERT_SYSCALL_OK(symlink("b", dir.File("a").c_str()));
  ASSERT_SYSCALL_OK(symlink("a", dir.File("b").c_str()));
  EXPECT_SYSCALL_ERRNO(open(dir.File("a").c_str(), O_RDONLY), ELOOP);
  struct stat st;
  EXPECT_SYSCALL_ERRNO(stat(dir.File("a/x").c_str(), &st), ELOOP);
  // The link itself is fine.
  char buf[4];
  EXPECT_EQ(readlink(dir.File("a").c_str(), buf, sizeof(buf)), 1);
}

TEST(SymlinkTest, TooManyLinksInAChainIsELOOP) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  // Linux follows at most 40 links while resolving one path.
  std::string prev = "f";
  for (int i = 0; i < 41; ++i) {
    std::string name = "l" + std::to_string(i);
    ASSERT_SYSCALL_OK(symlink(prev.c_str(), dir.File(name).c_str()));
    prev = name;
  }
  struct stat st;
  EXPECT_SYSCALL_OK(stat(dir.File("l39").c_str(), &st));
  EXPECT_SYSCALL_ERRNO(stat(dir.File("l40").c_str(), &st), ELOOP);
}

TEST(SymlinkTest, SymlinkatAndReadlinkatAreRelativeToTheDirfd) {
  TempDir dir;
  int dfd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(dfd);
  ASSERT_SYSCALL_OK(symlinkat("target", dfd, "link"));
  char buf[16];
  EXPECT_EQ(readlinkat(dfd, "link", buf, sizeof(buf)), 6);
  EXPECT_EQ(std::string(buf, 6), "target");
  EXPECT_EQ(readlink(dir.File("link").c_str(), buf, sizeof(buf)), 6);
  EXPECT_SYSCALL_ERRNO(symlinkat("t", -1, "other"), EBADF);
  EXPECT_SYSCALL_ERRNO(readlinkat(-1, "link", buf, sizeof(buf)), EBADF);
  close(dfd);
}

TEST(SymlinkTest, ReadlinkatWithAnEmptyPathReadsAnOPathLinkFd) {
  TempDir dir;
  ASSERT_SYSCALL_OK(symlink("target", dir.File("link").c_str()));
  int fd = open(dir.File("link").c_str(), O_PATH | O_NOFOLLOW);
  ASSERT_SYSCALL_OK(fd);
  char buf[16];
  EXPECT_EQ(readlinkat(fd, "", buf, sizeof(buf)), 6);
  EXPECT_EQ(std::string(buf, 6), "target");
  close(fd);
}

TEST(SymlinkTest, ReadlinkatWithAnEmptyPathOfANonLinkIsENOENT) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  int fd = open(dir.File("f").c_str(), O_PATH);
  ASSERT_SYSCALL_OK(fd);
  char buf[16];
  EXPECT_SYSCALL_ERRNO(readlinkat(fd, "", buf, sizeof(buf)), ENOENT);
  EXPECT_SYSCALL_ERRNO(readlinkat(AT_FDCWD, "", buf, sizeof(buf)), ENOENT);
  close(fd);
}

}  // namespace
}  // namespace runsc::syscall_test
