// Family: stat, lstat, fstat, fstatat (newfstatat), statx.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

TEST(StatTest, StatReportsTypeSizeAndMode) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "12345");
  ASSERT_SYSCALL_OK(chmod(dir.File("f").c_str(), 0640));
  struct stat st;
  ASSERT_SYSCALL_OK(stat(dir.File("f").c_str(), &st));
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(st.st_size, 5);
  EXPECT_EQ(st.st_nlink, 1u);
  EXPECT_EQ(st.st_uid, geteuid());
  EXPECT_GT(st.st_blksize, 0);
}

TEST(StatTest, StatOfADirectory) {
  TempDir dir;
  struct stat st;
  ASSERT_SYSCALL_OK(stat(dir.path().c_str(), &st));
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_GE(st.st_nlink, 2u);
}

TEST(StatTest, StatOfAMissingPathIsENOENT) {
  TempDir dir;
  struct stat st;
  EXPECT_SYSCALL_ERRNO(stat(dir.File("missing").c_str(), &st), ENOENT);
  EXPECT_SYSCALL_ERRNO(stat("", &st), ENOENT);
}

TEST(StatTest, StatThroughAFileIsENOTDIR) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  struct stat st;
  EXPECT_SYSCALL_ERRNO(stat(dir.File("f/x").c_str(), &st), ENOTDIR);
  EXPECT_SYSCALL_ERRNO(stat((dir.File("f") + "/").c_str(), &st), ENOTDIR);
}

TEST(StatTest, StatWithBadPointersIsEFAULT) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  struct stat st;
  EXPECT_SYSCALL_ERRNO(syscall(SYS_stat, dir.File("f").c_str(), reinterpret_cast<void*>(1)),
                       EFAULT);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_stat, reinterpret_cast<char*>(1), &st), EFAULT);
}

TEST(StatTest, LstatReportsTheSymlinkAndStatFollowsIt) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "abc");
  ASSERT_SYSCALL_OK(symlink("f", dir.File("link").c_str()));
  struct stat lst, st;
  ASSERT_SYSCALL_OK(lstat(dir.File("link").c_str(), &lst));
  EXPECT_TRUE(S_ISLNK(lst.st_mode));
  EXPECT_EQ(lst.st_size, 1);  // strlen("f")
  ASSERT_SYSCALL_OK(stat(dir.File("link").c_str(), &st));
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_size, 3);
  EXPECT_NE(st.st_ino, lst.st_ino);
}

TEST(StatTest, StatOfADanglingSymlinkIsENOENTButLstatWorks) {
  TempDir dir;
  ASSERT_SYSCALL_OK(symlink("nowhere", dir.File("link").c_str()));
  struct stat st;
  EXPECT_SYSCALL_ERRNO(stat(dir.File("link").c_str(), &st), ENOENT);
  EXPECT_SYSCALL_OK(lstat(dir.File("link").c_str(), &st));
}

TEST(StatTest, FstatMatchesStat) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "contents");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  struct stat by_fd, by_path;
  ASSERT_SYSCALL_OK(fstat(fd, &by_fd));
  ASSERT_SYSCALL_OK(stat(dir.File("f").c_str(), &by_path));
  EXPECT_EQ(by_fd.st_dev, by_path.st_dev);
  EXPECT_EQ(by_fd.st_ino, by_path.st_ino);
  EXPECT_EQ(by_fd.st_size, by_path.st_size);
  EXPECT_EQ(by_fd.st_mode, by_path.st_mode);
  close(fd);
}

TEST(StatTest, FstatOfABadFdIsEBADF) {
  struct stat st;
  EXPECT_SYSCALL_ERRNO(fstat(-1, &st), EBADF);
}

TEST(StatTest, FstatOfAPipeIsAFifo) {
  int fds[2];
  ASSERT_SYSCALL_OK(pipe(fds));
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fds[0], &st));
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  close(fds[0]);
  close(fds[1]);
}

TEST(StatTest, FstatSeesTheSizeOfAnUnlinkedFile) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "xyz");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  ASSERT_SYSCALL_OK(unlink(dir.File("f").c_str()));
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fd, &st));
  EXPECT_EQ(st.st_nlink, 0u);
  EXPECT_EQ(st.st_size, 3);
  close(fd);
}

TEST(StatTest, FstatatSymlinkNofollowReportsTheLink) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  ASSERT_SYSCALL_OK(symlink("f", dir.File("link").c_str()));
  int dfd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(dfd);
  struct stat st;
  ASSERT_SYSCALL_OK(fstatat(dfd, "link", &st, AT_SYMLINK_NOFOLLOW));
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  ASSERT_SYSCALL_OK(fstatat(dfd, "link", &st, 0));
  EXPECT_TRUE(S_ISREG(st.st_mode));
  close(dfd);
}

TEST(StatTest, FstatatEmptyPathStatsTheFdItself) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "1234");
  int fd = open(dir.File("f").c_str(), O_PATH);
  ASSERT_SYSCALL_OK(fd);
  struct stat st;
  ASSERT_SYSCALL_OK(fstatat(fd, "", &st, AT_EMPTY_PATH));
  EXPECT_EQ(st.st_size, 4);
  // Without AT_EMPTY_PATH, "" names nothing.
  EXPECT_SYSCALL_ERRNO(fstatat(fd, "", &st, 0), ENOENT);
  close(fd);
}

TEST(StatTest, FstatatWithAnUnknownFlagIsEINVAL) {
  TempDir dir;
  struct stat st;
  EXPECT_SYSCALL_ERRNO(fstatat(AT_FDCWD, dir.path().c_str(), &st, 0x40000000), EINVAL);
}

TEST(StatTest, FstatatRelativeToAFileIsENOTDIR) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  struct stat st;
  EXPECT_SYSCALL_ERRNO(fstatat(fd, "x", &st, 0), ENOTDIR);
  close(fd);
}

TEST(StatxTest, ReportsTheBasicStatsLikeStat) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "123456");
  struct statx stx = {};
  ASSERT_SYSCALL_OK(statx(AT_FDCWD, dir.File("f").c_str(), 0, STATX_BASIC_STATS, &stx));
  EXPECT_EQ(stx.stx_mask & STATX_BASIC_STATS, static_cast<unsigned>(STATX_BASIC_STATS));
  struct stat st;
  ASSERT_SYSCALL_OK(stat(dir.File("f").c_str(), &st));
  EXPECT_EQ(stx.stx_size, 6u);
  EXPECT_EQ(stx.stx_ino, st.st_ino);
  EXPECT_EQ(stx.stx_mode, st.st_mode);
  EXPECT_EQ(stx.stx_nlink, st.st_nlink);
  EXPECT_EQ(stx.stx_uid, st.st_uid);
  EXPECT_EQ(stx.stx_blksize, static_cast<unsigned>(st.st_blksize));
  EXPECT_EQ(makedev(stx.stx_dev_major, stx.stx_dev_minor), st.st_dev);
  EXPECT_EQ(stx.stx_mtime.tv_sec, st.st_mtim.tv_sec);
  EXPECT_EQ(stx.stx_mtime.tv_nsec, static_cast<unsigned>(st.st_mtim.tv_nsec));
}

TEST(StatxTest, SymlinkNofollowStatsTheLinkAndEmptyPathTheFd) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  ASSERT_SYSCALL_OK(symlink("f", dir.File("link").c_str()));
  struct statx stx = {};
  ASSERT_SYSCALL_OK(
      statx(AT_FDCWD, dir.File("link").c_str(), AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx));
  EXPECT_TRUE(S_ISLNK(stx.stx_mode));
  int fd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(fd);
  ASSERT_SYSCALL_OK(statx(fd, "", AT_EMPTY_PATH, STATX_TYPE, &stx));
  EXPECT_TRUE(S_ISDIR(stx.stx_mode));
  close(fd);
}

TEST(StatxTest, EmptyPathOfABadFdIsEBADFAndUnknownFlagsAreEINVAL) {
  TempDir dir;
  struct statx stx;
  EXPECT_SYSCALL_ERRNO(syscall(SYS_statx, -1, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx), EBADF);
  EXPECT_SYSCALL_ERRNO(
      syscall(SYS_statx, AT_FDCWD, dir.path().c_str(), 0x40000000, STATX_BASIC_STATS, &stx),
      EINVAL);
}

TEST(StatxTest, TheReservedMaskBitIsEINVAL) {
  TempDir dir;
  struct statx stx;
  EXPECT_SYSCALL_ERRNO(statx(AT_FDCWD, dir.path().c_str(), 0, STATX__RESERVED, &stx), EINVAL);
}

TEST(StatxTest, ForceSyncWithDontSyncIsEINVAL) {
  TempDir dir;
  struct statx stx;
  EXPECT_SYSCALL_ERRNO(statx(AT_FDCWD, dir.path().c_str(), AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC,
                             STATX_BASIC_STATS, &stx),
                       EINVAL);
}

TEST(StatxTest, MissingPathIsENOENTAndBadBufferIsEFAULT) {
  TempDir dir;
  struct statx stx;
  EXPECT_SYSCALL_ERRNO(statx(AT_FDCWD, dir.File("missing").c_str(), 0, STATX_BASIC_STATS, &stx),
                       ENOENT);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_statx, AT_FDCWD, dir.path().c_str(), 0, STATX_BASIC_STATS,
                               reinterpret_cast<void*>(1)),
                       EFAULT);
}

}  // namespace
}  // namespace runsc::syscall_test
