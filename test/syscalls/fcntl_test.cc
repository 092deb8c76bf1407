// Family: fcntl (descriptor flags, status flags, F_DUPFD, POSIX and OFD
// record locks). Record-lock conflicts need a second process, so those cases
// fork a child that probes the lock and reports through its exit code.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

struct flock Lock(short type, off_t start, off_t len) {
  struct flock fl = {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = start;
  fl.l_len = len;
  return fl;
}

// Exit code of a child that tries F_SETLK of `type` over [start, start+len)
// on `path`: 0 if it got the lock, 1 if refused with EAGAIN/EACCES, 2 otherwise.
int ChildTrySetlk(const std::string& path, short type, off_t start, off_t len) {
  return RunInChild([&] {
    int fd = open(path.c_str(), O_RDWR);
    if (fd < 0) return 2;
    struct flock fl = Lock(type, start, len);
    if (fcntl(fd, F_SETLK, &fl) == 0) return 0;
    return errno == EAGAIN || errno == EACCES ? 1 : 2;
  });
}

TEST(FcntlTest, ANewFdHasNoDescriptorFlags) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(fcntl(fd, F_GETFD), 0);
  close(fd);
}

TEST(FcntlTest, SetfdSetsAndClearsCloexec) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
  EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
  EXPECT_EQ(fcntl(fd, F_SETFD, 0), 0);
  EXPECT_EQ(fcntl(fd, F_GETFD), 0);
  close(fd);
}

TEST(FcntlTest, GetflReportsTheAccessModeButNotCreationFlags) {
  TempDir dir;
  int fd = open(dir.File("f").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
  ASSERT_SYSCALL_OK(fd);
  int flags = fcntl(fd, F_GETFL);
  ASSERT_SYSCALL_OK(flags);
  EXPECT_EQ(flags & O_ACCMODE, O_WRONLY);
  EXPECT_EQ(flags & O_APPEND, O_APPEND);
  EXPECT_EQ(flags & (O_CREAT | O_TRUNC | O_EXCL), 0);
  close(fd);
}

TEST(FcntlTest, SetflChangesAppendAndNonblock) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  int fd = open(dir.File("f").c_str(), O_RDWR);
  ASSERT_SYSCALL_OK(fd);
  ASSERT_SYSCALL_OK(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK));
  int flags = fcntl(fd, F_GETFL);
  EXPECT_EQ(flags & (O_APPEND | O_NONBLOCK), O_APPEND | O_NONBLOCK);
  ASSERT_SYSCALL_OK(fcntl(fd, F_SETFL, 0));
  EXPECT_EQ(fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK), 0);
  close(fd);
}

TEST(FcntlTest, SetflIgnoresTheAccessMode) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(fcntl(fd, F_SETFL, O_RDWR), 0);
  EXPECT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
  EXPECT_SYSCALL_ERRNO(write(fd, "x", 1), EBADF);
  close(fd);
}

TEST(FcntlTest, DupfdReturnsTheLowestFreeFdAtLeastTheArgument) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  int fd = open(dir.File("f").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_SYSCALL_OK(fd);
  ASSERT_EQ(dup2(fd, 150), 150);
  EXPECT_EQ(fcntl(fd, F_DUPFD, 150), 151);
  // F_DUPFD clears close-on-exec on the copy.
  EXPECT_EQ(fcntl(151, F_GETFD), 0);
  close(150);
  close(151);
  close(fd);
}

TEST(FcntlTest, DupfdCloexecSetsCloexecOnTheCopy) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 160);
  ASSERT_GE(copy, 160);
  EXPECT_EQ(fcntl(copy, F_GETFD), FD_CLOEXEC);
  EXPECT_EQ(fcntl(fd, F_GETFD), 0);
  close(copy);
  close(fd);
}

TEST(FcntlTest, DupfdWithAnOutOfRangeArgumentIsEINVAL) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  struct rlimit rl;
  ASSERT_SYSCALL_OK(getrlimit(RLIMIT_NOFILE, &rl));
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_DUPFD, -1), EINVAL);
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_DUPFD, static_cast<int>(rl.rlim_cur)), EINVAL);
  close(fd);
}

TEST(FcntlTest, ABadFdIsEBADF) {
  EXPECT_SYSCALL_ERRNO(fcntl(-1, F_GETFD), EBADF);
  EXPECT_SYSCALL_ERRNO(fcntl(1 << 20, F_GETFL), EBADF);
}

TEST(FcntlTest, AnUnknownCommandIsEINVAL) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_fcntl, fd, 0x7fff, 0), EINVAL);
  close(fd);
}

TEST(FcntlTest, GetlkWithNoConflictReturnsUnlck) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "0123456789");
  int fd = open(dir.File("f").c_str(), O_RDWR);
  ASSERT_SYSCALL_OK(fd);
  struct flock fl = Lock(F_WRLCK, 0, 10);
  ASSERT_SYSCALL_OK(fcntl(fd, F_GETLK, &fl));
  EXPECT_EQ(fl.l_type, F_UNLCK);
  close(fd);
}

TEST(FcntlTest, AWriteLockBlocksAnotherProcess) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "0123456789");
  int fd = open(dir.File("f").c_str(), O_RDWR);
  ASSERT_SYSCALL_OK(fd);
  struct flock fl = Lock(F_WRLCK, 0, 5);
  ASSERT_SYSCALL_OK(fcntl(fd, F_SETLK, &fl));
  EXPECT_EQ(ChildTrySetlk(dir.File("f"), F_RDLCK, 2, 1), 1);
  EXPECT_EQ(ChildTrySetlk(dir.File("f"), F_WRLCK, 4, 10), 1);
  // Bytes outside the locked range are free.
  EXPECT_EQ(ChildTrySetlk(dir.File("f"), F_WRLCK, 5, 5), 0);
  close(fd);
}

TEST(FcntlTest, GetlkInAnotherProcessReportsTheHolder) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "0123456789");
  int fd = open(dir.File("f").c_str(), O_RDWR);
  ASSERT_SYSCALL_OK(fd);
  struct flock fl = Lock(F_WRLCK, 3, 4);
  ASSERT_SYSCALL_OK(fcntl(fd, F_SETLK, &fl));
  const pid_t parent = getpid();
  std::string path = dir.File("f");
  EXPECT_EQ(RunInChild([&] {
              int cfd = open(path.c_str(), O_RDONLY);
              if (cfd < 0) return 10;
              struct flock probe = Lock(F_RDLCK, 0, 0);
              if (fcntl(cfd, F_GETLK, &probe) != 0) return 11;
              if (probe.l_type != F_WRLCK) return 1;
              if (probe.l_pid != parent) return 2;
              if (probe.l_start != 3 || probe.l_len != 4) return 3;
              return 0;
            }),
            0);
  close(fd);
}

TEST(FcntlTest, ReadLocksAreShared) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "0123456789");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  struct flock fl = Lock(F_RDLCK, 0, 0);
  ASSERT_SYSCALL_OK(fcntl(fd, F_SETLK, &fl));
  EXPECT_EQ(ChildTrySetlk(dir.File("f"), F_RDLCK, 0, 0), 0);
  EXPECT_EQ(ChildTrySetlk(dir.File("f"), F_WRLCK, 0, 0), 1);
  close(fd);
}

TEST(FcntlTest, UnlockingLetsAnotherProcessLock) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "0123456789");
  int fd = open(dir.File("f").c_str(), O_RDWR);
  ASSERT_SYSCALL_OK(fd);
  struct flock fl = Lock(F_WRLCK, 0, 0);
  ASSERT_SYSCALL_OK(fcntl(fd, F_SETLK, &fl));
  ASSERT_EQ(ChildTrySetlk(dir.File("f"), F_WRLCK, 0, 0), 1);
  fl = Lock(F_UNLCK, 0, 0);
  ASSERT_SYSCALL_OK(fcntl(fd, F_SETLK, &fl));
  EXPECT_EQ(ChildTrySetlk(dir.File("f"), F_WRLCK, 0, 0), 0);
  close(fd);
}

TEST(FcntlTest, ClosingAnyFdOfTheFileDropsTheProcessLocks) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "0123456789");
  int fd = open(dir.File("f").c_str(), O_RDWR);
  ASSERT_SYSCALL_OK(fd);
  struct flock fl = Lock(F_WRLCK, 0, 0);
  ASSERT_SYSCALL_OK(fcntl(fd, F_SETLK, &fl));
  int other = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(other);
  ASSERT_SYSCALL_OK(close(other));
  EXPECT_EQ(ChildTrySetlk(dir.File("f"), F_WRLCK, 0, 0), 0);
  close(fd);
}

TEST(FcntlTest, LockTypeMustMatchTheAccessMode) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "0123456789");
  int rfd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(rfd);
  int wfd = open(dir.File("f").c_str(), O_WRONLY);
  ASSERT_SYSCALL_OK(wfd);
  struct flock wr = Lock(F_WRLCK, 0, 1);
  struct flock rd = Lock(F_RDLCK, 0, 1);
  EXPECT_SYSCALL_ERRNO(fcntl(rfd, F_SETLK, &wr), EBADF);
  EXPECT_SYSCALL_ERRNO(fcntl(wfd, F_SETLK, &rd), EBADF);
  close(rfd);
  close(wfd);
}

TEST(FcntlTest, ABadLockTypeIsEINVAL) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "0123456789");
  int fd = open(dir.File("f").c_str(), O_RDWR);
  ASSERT_SYSCALL_OK(fd);
  struct flock fl = Lock(42, 0, 1);
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_SETLK, &fl), EINVAL);
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_GETLK, &fl), EINVAL);
  close(fd);
}

TEST(FcntlTest, OfdLocksConflictBetweenOpenFilesOfOneProcess) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "0123456789");
  int a = open(dir.File("f").c_str(), O_RDWR);
  ASSERT_SYSCALL_OK(a);
  int b = open(dir.File("f").c_str(), O_RDWR);
  ASSERT_SYSCALL_OK(b);
  struct flock fl = Lock(F_WRLCK, 0, 0);
  ASSERT_SYSCALL_OK(fcntl(a, F_OFD_SETLK, &fl));
  fl = Lock(F_WRLCK, 0, 0);
  EXPECT_SYSCALL_ERRNO(fcntl(b, F_OFD_SETLK, &fl), EAGAIN);
  struct flock probe = Lock(F_WRLCK, 0, 0);
  ASSERT_SYSCALL_OK(fcntl(b, F_OFD_GETLK, &probe));
  EXPECT_EQ(probe.l_type, F_WRLCK);
  EXPECT_EQ(probe.l_pid, -1);
  close(a);
  close(b);
}

}  // namespace
}  // namespace runsc::syscall_test
