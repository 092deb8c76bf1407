// Family: open, openat, creat and their flags.
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

off_t SizeOf(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return -1;
  return st.st_size;
}

TEST(OpenTest, OpenOfAMissingFileIsENOENT) {
  TempDir dir;
  EXPECT_SYSCALL_ERRNO(open(dir.File("missing").c_str(), O_RDONLY), ENOENT);
  EXPECT_SYSCALL_ERRNO(open(dir.File("missing/x").c_str(), O_RDONLY), ENOENT);
}

TEST(OpenTest, OpenOfAnEmptyPathIsENOENT) {
  EXPECT_SYSCALL_ERRNO(open("", O_RDONLY), ENOENT);
}

TEST(OpenTest, OpenWithABadPathPointerIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(syscall(SYS_openat, AT_FDCWD, reinterpret_cast<char*>(1), O_RDONLY),
                       EFAULT);
}

TEST(OpenTest, OpenReturnsTheLowestFreeFd) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  int a = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(a);
  int b = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(b);
  ASSERT_SYSCALL_OK(close(a));
  int c = open(dir.File("f").c_str(), O_RDONLY);
  EXPECT_EQ(c, a);
  close(b);
  close(c);
}

TEST(OpenTest, CreatExclOnAnExistingFileIsEEXIST) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "keep");
  EXPECT_SYSCALL_ERRNO(open(dir.File("f").c_str(), O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
  EXPECT_EQ(SizeOf(dir.File("f")), 4);
}

TEST(OpenTest, CreatExclDoesNotFollowADanglingSymlink) {
  TempDir dir;
  ASSERT_SYSCALL_OK(symlink(dir.File("target").c_str(), dir.File("link").c_str()));
  EXPECT_SYSCALL_ERRNO(open(dir.File("link").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644),
                       EEXIST);
  EXPECT_SYSCALL_ERRNO(access(dir.File("target").c_str(), F_OK), ENOENT);
}

TEST(OpenTest, CreatModeIsMaskedByTheUmask) {
  TempDir dir;
  std::string path = dir.File("f");
  EXPECT_EQ(RunInChild([&] {
              umask(027);
              int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0777);
              if (fd < 0) return 1;
              struct stat st;
              if (fstat(fd, &st) != 0) return 2;
              return (st.st_mode & 07777) == 0750 && S_ISREG(st.st_mode) ? 0 : 3;
            }),
            0);
}

TEST(OpenTest, OTruncEmptiesTheFile) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "contents");
  int fd = open(dir.File("f").c_str(), O_WRONLY | O_TRUNC);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(SizeOf(dir.File("f")), 0);
  close(fd);
}

TEST(OpenTest, OAppendWritesAtTheEndWhateverTheOffset) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "abc");
  int fd = open(dir.File("f").c_str(), O_RDWR | O_APPEND);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 0);
  ASSERT_EQ(lseek(fd, 1, SEEK_SET), 1);
  EXPECT_EQ(write(fd, "de", 2), 2);
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 5);
  char buf[8] = {};
  EXPECT_EQ(pread(fd, buf, sizeof(buf), 0), 5);
  EXPECT_EQ(std::string(buf, 5), "abcde");
  close(fd);
}

TEST(OpenTest, ODirectoryOnAFileIsENOTDIR) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  EXPECT_SYSCALL_ERRNO(open(dir.File("f").c_str(), O_RDONLY | O_DIRECTORY), ENOTDIR);
  int fd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  EXPECT_SYSCALL_OK(fd);
  close(fd);
}

TEST(OpenTest, OpeningADirectoryForWritingIsEISDIR) {
  TempDir dir;
  EXPECT_SYSCALL_ERRNO(open(dir.path().c_str(), O_WRONLY), EISDIR);
  EXPECT_SYSCALL_ERRNO(open(dir.path().c_str(), O_RDWR), EISDIR);
}

TEST(OpenTest, CreatWithATrailingSlashIsEISDIR) {
  TempDir dir;
  EXPECT_SYSCALL_ERRNO(open((dir.File("new") + "/").c_str(), O_WRONLY | O_CREAT, 0644), EISDIR);
  EXPECT_SYSCALL_ERRNO(access(dir.File("new").c_str(), F_OK), ENOENT);
}

TEST(OpenTest, ONofollowOnASymlinkIsELOOP) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "x");
  ASSERT_SYSCALL_OK(symlink(dir.File("f").c_str(), dir.File("link").c_str()));
  EXPECT_SYSCALL_ERRNO(open(dir.File("link").c_str(), O_RDONLY | O_NOFOLLOW), ELOOP);
  // Only the last component is affected.
  int fd = open(dir.File("f").c_str(), O_RDONLY | O_NOFOLLOW);
  EXPECT_SYSCALL_OK(fd);
  close(fd);
}

TEST(OpenTest, OCloexecSetsFdCloexec) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  int with = open(dir.File("f").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_SYSCALL_OK(with);
  int without = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(without);
  EXPECT_EQ(fcntl(with, F_GETFD), FD_CLOEXEC);
  EXPECT_EQ(fcntl(without, F_GETFD), 0);
  // O_CLOEXEC is a descriptor flag, not a status flag.
  EXPECT_EQ(fcntl(with, F_GETFL) & O_CLOEXEC, 0);
  close(with);
  close(without);
}

TEST(OpenTest, OPathFdCannotBeReadOrWritten) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "data");
  int fd = open(dir.File("f").c_str(), O_PATH);
  ASSERT_SYSCALL_OK(fd);
  char buf[4];
  EXPECT_SYSCALL_ERRNO(read(fd, buf, sizeof(buf)), EBADF);
  EXPECT_SYSCALL_ERRNO(write(fd, "x", 1), EBADF);
  // But it still names the file.
  struct stat st;
  EXPECT_SYSCALL_OK(fstat(fd, &st));
  EXPECT_EQ(st.st_size, 4);
  EXPECT_EQ(fcntl(fd, F_GETFL) & O_PATH, O_PATH);
  close(fd);
}

// Linux's fdget(): every call that reads, writes, lists, maps, locks or
// changes the file through its fd refuses an O_PATH fd with EBADF.
TEST(OpenTest, OPathFdRefusesWhatNeedsAnOpenFile) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "data");
  int fd = open(dir.File("f").c_str(), O_PATH);
  ASSERT_SYSCALL_OK(fd);
  char buf[4];
  struct iovec iov = {buf, sizeof(buf)};
  EXPECT_SYSCALL_ERRNO(pread(fd, buf, sizeof(buf), 0), EBADF);
  EXPECT_SYSCALL_ERRNO(readv(fd, &iov, 1), EBADF);
  EXPECT_SYSCALL_ERRNO(pwrite(fd, "x", 1, 0), EBADF);
  EXPECT_SYSCALL_ERRNO(lseek(fd, 0, SEEK_SET), EBADF);
  EXPECT_SYSCALL_ERRNO(fchmod(fd, 0600), EBADF);
  EXPECT_SYSCALL_ERRNO(fchown(fd, -1, -1), EBADF);
  EXPECT_SYSCALL_ERRNO(ftruncate(fd, 0), EBADF);
  EXPECT_SYSCALL_ERRNO(fallocate(fd, 0, 0, 1), EBADF);
  int queued;
  EXPECT_SYSCALL_ERRNO(ioctl(fd, FIONREAD, &queued), EBADF);
  EXPECT_SYSCALL_ERRNO(ioctl(fd, FIOCLEX), EBADF);
  EXPECT_EQ(mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE, fd, 0), MAP_FAILED);
  EXPECT_EQ(errno, EBADF);
  EXPECT_SYSCALL_ERRNO(flock(fd, LOCK_SH), EBADF);
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_SETFL, O_NONBLOCK), EBADF);
  struct flock lock = {};
  lock.l_type = F_RDLCK;
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_GETLK, &lock), EBADF);
  struct timespec times[2] = {{1000, 0}, {1000, 0}};
  EXPECT_SYSCALL_ERRNO(futimens(fd, times), EBADF);
  int devnull = open("/dev/null", O_WRONLY);
  ASSERT_SYSCALL_OK(devnull);
  EXPECT_SYSCALL_ERRNO(sendfile(devnull, fd, nullptr, 1), EBADF);
  close(devnull);
  int ep = epoll_create1(0);
  ASSERT_SYSCALL_OK(ep);
  struct epoll_event ev = {};
  ev.events = EPOLLIN;
  EXPECT_SYSCALL_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), EBADF);
  close(ep);
  struct pollfd pfd = {fd, POLLIN, 0};
  EXPECT_EQ(poll(&pfd, 1, 0), 1);
  EXPECT_EQ(pfd.revents, POLLNVAL);
  close(fd);
}

// Linux's fdget_raw(): what only needs to know which file the fd names
// takes an O_PATH fd.
TEST(OpenTest, OPathFdServesTheCallsThatOnlyNameTheFile) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "data");
  int dfd = open(dir.path().c_str(), O_PATH | O_DIRECTORY);
  ASSERT_SYSCALL_OK(dfd);
  int fd = openat(dfd, "f", O_PATH);
  ASSERT_SYSCALL_OK(fd);
  struct stat st;
  EXPECT_SYSCALL_OK(fstatat(fd, "", &st, AT_EMPTY_PATH));
  EXPECT_EQ(st.st_size, 4);
  EXPECT_SYSCALL_OK(fstatat(dfd, "f", &st, 0));
  struct statfs sfs;
  EXPECT_SYSCALL_OK(fstatfs(fd, &sfs));
  EXPECT_SYSCALL_OK(faccessat(fd, "", R_OK, AT_EMPTY_PATH));
  EXPECT_SYSCALL_OK(fchownat(fd, "", -1, -1, AT_EMPTY_PATH));
  struct timespec times[2] = {{2000, 0}, {2000, 0}};
  EXPECT_SYSCALL_OK(utimensat(fd, "", times, AT_EMPTY_PATH));
  ASSERT_SYSCALL_OK(stat(dir.File("f").c_str(), &st));
  EXPECT_EQ(st.st_mtim.tv_sec, 2000);
  int copy = dup(fd);
  ASSERT_SYSCALL_OK(copy);
  EXPECT_EQ(fcntl(copy, F_GETFL) & O_PATH, O_PATH);
  EXPECT_SYSCALL_OK(dup2(fd, copy));
  EXPECT_SYSCALL_OK(fcntl(copy, F_SETFD, FD_CLOEXEC));
  EXPECT_EQ(fcntl(copy, F_GETFD), FD_CLOEXEC);
  close(copy);
  copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  ASSERT_SYSCALL_OK(copy);
  close(copy);
  // A real open through the O_PATH dirfd reads.
  int readable = openat(dfd, "f", O_RDONLY);
  ASSERT_SYSCALL_OK(readable);
  char buf[4];
  EXPECT_EQ(read(readable, buf, sizeof(buf)), 4);
  close(readable);
  char cwd[PATH_MAX];
  ASSERT_NE(getcwd(cwd, sizeof(cwd)), nullptr);
  EXPECT_SYSCALL_OK(fchdir(dfd));
  EXPECT_SYSCALL_OK(access("f", R_OK));
  ASSERT_SYSCALL_OK(chdir(cwd));
  close(fd);
  close(dfd);
}

TEST(OpenTest, OPathOpensASymlinkItselfWithONofollow) {
  TempDir dir;
  ASSERT_SYSCALL_OK(symlink("nowhere", dir.File("link").c_str()));
  int fd = open(dir.File("link").c_str(), O_PATH | O_NOFOLLOW);
  ASSERT_SYSCALL_OK(fd);
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fd, &st));
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  close(fd);
}

TEST(OpenTest, AComponentLongerThanNameMaxIsENAMETOOLONG) {
  TempDir dir;
  std::string name(NAME_MAX + 1, 'a');
  EXPECT_SYSCALL_ERRNO(open(dir.File(name).c_str(), O_RDONLY), ENAMETOOLONG);
  EXPECT_SYSCALL_ERRNO(open(dir.File(name).c_str(), O_WRONLY | O_CREAT, 0644), ENAMETOOLONG);
}

TEST(OpenTest, APathLongerThanPathMaxIsENAMETOOLONG) {
  std::string path;
  while (path.size() <= PATH_MAX) path += "/a";
  EXPECT_SYSCALL_ERRNO(open(path.c_str(), O_RDONLY), ENAMETOOLONG);
}

TEST(OpenTest, OpenThroughAFileIsENOTDIR) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  EXPECT_SYSCALL_ERRNO(open(dir.File("f/x").c_str(), O_RDONLY), ENOTDIR);
}

TEST(OpenTest, OpenatIsRelativeToTheDirfd) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "rel");
  int dfd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(dfd);
  int fd = openat(dfd, "f", O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  char buf[4] = {};
  EXPECT_EQ(read(fd, buf, sizeof(buf)), 3);
  EXPECT_EQ(std::string(buf, 3), "rel");
  close(fd);
  close(dfd);
}

TEST(OpenTest, OpenatWithABadDirfdIsEBADFForRelativePathsOnly) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  EXPECT_SYSCALL_ERRNO(openat(-1, "f", O_RDONLY), EBADF);
  // An absolute path ignores the dirfd.
  int fd = openat(-1, dir.File("f").c_str(), O_RDONLY);
  EXPECT_SYSCALL_OK(fd);
  close(fd);
}

TEST(OpenTest, OpenatWithAFileAsDirfdIsENOTDIR) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  int ffd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(ffd);
  EXPECT_SYSCALL_ERRNO(openat(ffd, "x", O_RDONLY), ENOTDIR);
  close(ffd);
}

TEST(OpenTest, CreatOpensWriteOnlyAndTruncates) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "old contents");
  int fd = creat(dir.File("f").c_str(), 0644);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_WRONLY);
  EXPECT_EQ(SizeOf(dir.File("f")), 0);
  char buf[1];
  EXPECT_SYSCALL_ERRNO(read(fd, buf, 1), EBADF);
  close(fd);
}

TEST(OpenTest, OTmpfileMakesAnUnnamedFile) {
  TempDir dir;
  int fd = open(dir.path().c_str(), O_TMPFILE | O_RDWR, 0600);
  if (fd < 0 && errno == EOPNOTSUPP) GTEST_SKIP() << "filesystem has no O_TMPFILE";
  ASSERT_SYSCALL_OK(fd);
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fd, &st));
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_nlink, 0u);
  EXPECT_EQ(write(fd, "x", 1), 1);
  close(fd);
}

}  // namespace
}  // namespace runsc::syscall_test
