// Family: rename, renameat, renameat2 (RENAME_NOREPLACE, RENAME_EXCHANGE).
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

std::string Contents(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return "<" + std::string(strerrorname_np(errno)) + ">";
  char buf[256];
  ssize_t n = read(fd, buf, sizeof(buf));
  close(fd);
  return n < 0 ? "<read failed>" : std::string(buf, n);
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

TEST(RenameTest, RenameMovesAFile) {
  TempDir dir;
  WriteFileOrDie(dir.File("a"), "A");
  ASSERT_SYSCALL_OK(rename(dir.File("a").c_str(), dir.File("b").c_str()));
  EXPECT_FALSE(Exists(dir.File("a")));
  EXPECT_EQ(Contents(dir.File("b")), "A");
}

TEST(RenameTest, RenameKeepsTheInode) {
  TempDir dir;
  WriteFileOrDie(dir.File("a"), "A");
  struct stat before, after;
  ASSERT_SYSCALL_OK(stat(dir.File("a").c_str(), &before));
  ASSERT_SYSCALL_OK(mkdir(dir.File("sub").c_str(), 0755));
  ASSERT_SYSCALL_OK(rename(dir.File("a").c_str(), dir.File("sub/a").c_str()));
  ASSERT_SYSCALL_OK(stat(dir.File("sub/a").c_str(), &after));
  EXPECT_EQ(before.st_ino, after.st_ino);
}

TEST(RenameTest, RenameOverAFileReplacesIt) {
  TempDir dir;
  WriteFileOrDie(dir.File("a"), "A");
  WriteFileOrDie(dir.File("b"), "B");
  int old_b = open(dir.File("b").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(old_b);
  ASSERT_SYSCALL_OK(rename(dir.File("a").c_str(), dir.File("b").c_str()));
  EXPECT_EQ(Contents(dir.File("b")), "A");
  // The replaced file lives on while it is open, with no links.
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(old_b, &st));
  EXPECT_EQ(st.st_nlink, 0u);
  close(old_b);
}

TEST(RenameTest, AMissingSourceIsENOENT) {
  TempDir dir;
  EXPECT_SYSCALL_ERRNO(rename(dir.File("missing").c_str(), dir.File("b").c_str()), ENOENT);
}

TEST(RenameTest, AFileOverADirectoryIsEISDIR) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  ASSERT_SYSCALL_OK(mkdir(dir.File("d").c_str(), 0755));
  EXPECT_SYSCALL_ERRNO(rename(dir.File("f").c_str(), dir.File("d").c_str()), EISDIR);
}

TEST(RenameTest, ADirectoryOverAFileIsENOTDIR) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  ASSERT_SYSCALL_OK(mkdir(dir.File("d").c_str(), 0755));
  EXPECT_SYSCALL_ERRNO(rename(dir.File("d").c_str(), dir.File("f").c_str()), ENOTDIR);
}

TEST(RenameTest, ADirectoryOverAnEmptyDirectoryReplacesIt) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("d1").c_str(), 0755));
  WriteFileOrDie(dir.File("d1/f"), "F");
  ASSERT_SYSCALL_OK(mkdir(dir.File("d2").c_str(), 0755));
  ASSERT_SYSCALL_OK(rename(dir.File("d1").c_str(), dir.File("d2").c_str()));
  EXPECT_FALSE(Exists(dir.File("d1")));
  EXPECT_EQ(Contents(dir.File("d2/f")), "F");
}

TEST(RenameTest, ADirectoryOverANonEmptyDirectoryIsENOTEMPTY) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("d1").c_str(), 0755));
  ASSERT_SYSCALL_OK(mkdir(dir.File("d2").c_str(), 0755));
  WriteFileOrDie(dir.File("d2/f"), "");
  errno = 0;
  EXPECT_EQ(rename(dir.File("d1").c_str(), dir.File("d2").c_str()), -1);
  // POSIX allows either; Linux filesystems answer ENOTEMPTY.
  EXPECT_TRUE(errno == ENOTEMPTY || errno == EEXIST) << strerrorname_np(errno);
}

TEST(RenameTest, MovingADirectoryIntoItselfIsEINVAL) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("d").c_str(), 0755));
  ASSERT_SYSCALL_OK(mkdir(dir.File("d/sub").c_str(), 0755));
  EXPECT_SYSCALL_ERRNO(rename(dir.File("d").c_str(), dir.File("d/sub/x").c_str()), EINVAL);
  EXPECT_SYSCALL_ERRNO(rename(dir.File("d").c_str(), dir.File("d/x").c_str()), EINVAL);
}

TEST(RenameTest, RenamingDotIsEBUSY) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("d").c_str(), 0755));
  EXPECT_SYSCALL_ERRNO(rename(dir.File("d/.").c_str(), dir.File("x").c_str()), EBUSY);
}

TEST(RenameTest, RenamingOntoAHardLinkOfItselfDoesNothing) {
  TempDir dir;
  WriteFileOrDie(dir.File("a"), "A");
  ASSERT_SYSCALL_OK(link(dir.File("a").c_str(), dir.File("b").c_str()));
  EXPECT_SYSCALL_OK(rename(dir.File("a").c_str(), dir.File("b").c_str()));
  EXPECT_TRUE(Exists(dir.File("a")));
  EXPECT_TRUE(Exists(dir.File("b")));
}

TEST(RenameTest, RenameatIsRelativeToBothDirfds) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("from").c_str(), 0755));
  ASSERT_SYSCALL_OK(mkdir(dir.File("to").c_str(), 0755));
  WriteFileOrDie(dir.File("from/f"), "F");
  int from = open(dir.File("from").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(from);
  int to = open(dir.File("to").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(to);
  ASSERT_SYSCALL_OK(renameat(from, "f", to, "g"));
  EXPECT_EQ(Contents(dir.File("to/g")), "F");
  EXPECT_SYSCALL_ERRNO(renameat(-1, "g", to, "h"), EBADF);
  close(from);
  close(to);
}

TEST(Renameat2Test, NoreplaceOverAnExistingNameIsEEXIST) {
  TempDir dir;
  WriteFileOrDie(dir.File("a"), "A");
  WriteFileOrDie(dir.File("b"), "B");
  EXPECT_SYSCALL_ERRNO(renameat2(AT_FDCWD, dir.File("a").c_str(), AT_FDCWD,
                                 dir.File("b").c_str(), RENAME_NOREPLACE),
                       EEXIST);
  EXPECT_EQ(Contents(dir.File("a")), "A");
  EXPECT_EQ(Contents(dir.File("b")), "B");
}

TEST(Renameat2Test, NoreplaceToAFreeNameRenames) {
  TempDir dir;
  WriteFileOrDie(dir.File("a"), "A");
  EXPECT_SYSCALL_OK(renameat2(AT_FDCWD, dir.File("a").c_str(), AT_FDCWD, dir.File("b").c_str(),
                              RENAME_NOREPLACE));
  EXPECT_EQ(Contents(dir.File("b")), "A");
}

TEST(Renameat2Test, ExchangeSwapsTwoNames) {
  TempDir dir;
  WriteFileOrDie(dir.File("a"), "A");
  ASSERT_SYSCALL_OK(mkdir(dir.File("d").c_str(), 0755));
  ASSERT_SYSCALL_OK(renameat2(AT_FDCWD, dir.File("a").c_str(), AT_FDCWD, dir.File("d").c_str(),
                              RENAME_EXCHANGE));
  struct stat st;
  ASSERT_SYSCALL_OK(stat(dir.File("a").c_str(), &st));
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(Contents(dir.File("d")), "A");
}

TEST(Renameat2Test, ExchangeWithAMissingNameIsENOENT) {
  TempDir dir;
  WriteFileOrDie(dir.File("a"), "A");
  EXPECT_SYSCALL_ERRNO(renameat2(AT_FDCWD, dir.File("a").c_str(), AT_FDCWD,
                                 dir.File("missing").c_str(), RENAME_EXCHANGE),
                       ENOENT);
  EXPECT_EQ(Contents(dir.File("a")), "A");
}

TEST(Renameat2Test, NoreplaceWithExchangeIsEINVAL) {
  TempDir dir;
  WriteFileOrDie(dir.File("a"), "A");
  WriteFileOrDie(dir.File("b"), "B");
  EXPECT_SYSCALL_ERRNO(renameat2(AT_FDCWD, dir.File("a").c_str(), AT_FDCWD,
                                 dir.File("b").c_str(), RENAME_NOREPLACE | RENAME_EXCHANGE),
                       EINVAL);
}

TEST(Renameat2Test, AnUnknownFlagIsEINVAL) {
  TempDir dir;
  WriteFileOrDie(dir.File("a"), "A");
  EXPECT_SYSCALL_ERRNO(
      renameat2(AT_FDCWD, dir.File("a").c_str(), AT_FDCWD, dir.File("b").c_str(), 1u << 20),
      EINVAL);
  EXPECT_TRUE(Exists(dir.File("a")));
}

}  // namespace
}  // namespace runsc::syscall_test
