// Family: named pipes (mkfifo, mkfifoat, mknod S_IFIFO) and the open rules
// that are particular to them.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

mode_t CurrentUmask() {
  mode_t mask = umask(0);
  umask(mask);
  return mask;
}

TEST(FifoTest, MkfifoCreatesAFifoWithTheUmaskApplied) {
  TempDir dir;
  const std::string path = dir.File("fifo");
  ASSERT_SYSCALL_OK(mkfifo(path.c_str(), 0666));
  struct stat st;
  ASSERT_SYSCALL_OK(stat(path.c_str(), &st));
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0666 & ~CurrentUmask());
  EXPECT_EQ(st.st_size, 0);
}

TEST(FifoTest, MknodWithSIfifoCreatesAFifo) {
  TempDir dir;
  const std::string path = dir.File("node");
  ASSERT_SYSCALL_OK(mknod(path.c_str(), S_IFIFO | 0600, 0));
  struct stat st;
  ASSERT_SYSCALL_OK(lstat(path.c_str(), &st));
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600 & ~CurrentUmask());
}

TEST(FifoTest, MkfifoatIsRelativeToTheDirectoryFd) {
  TempDir dir;
  int dirfd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(dirfd, 0);
  ASSERT_SYSCALL_OK(mkfifoat(dirfd, "rel", 0600));
  struct stat st;
  EXPECT_SYSCALL_OK(stat(dir.File("rel").c_str(), &st));
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  close(dirfd);
}

TEST(FifoTest, MkfifoOnAnExistingPathIsEEXIST) {
  TempDir dir;
  const std::string path = dir.File("fifo");
  ASSERT_SYSCALL_OK(mkfifo(path.c_str(), 0600));
  EXPECT_SYSCALL_ERRNO(mkfifo(path.c_str(), 0600), EEXIST);
  WriteFileOrDie(dir.File("file"), "x");
  EXPECT_SYSCALL_ERRNO(mkfifo(dir.File("file").c_str(), 0600), EEXIST);
}

TEST(FifoTest, MkfifoInAMissingDirectoryIsENOENT) {
  TempDir dir;
  EXPECT_SYSCALL_ERRNO(mkfifo(dir.File("missing/fifo").c_str(), 0600), ENOENT);
}

TEST(FifoTest, MkfifoUnderARegularFileIsENOTDIR) {
  TempDir dir;
  WriteFileOrDie(dir.File("file"), "x");
  EXPECT_SYSCALL_ERRNO(mkfifo(dir.File("file/fifo").c_str(), 0600), ENOTDIR);
}

TEST(FifoTest, NonblockingReadOpenWithoutAWriterSucceedsAndReadsEOF) {
  TempDir dir;
  const std::string path = dir.File("fifo");
  ASSERT_SYSCALL_OK(mkfifo(path.c_str(), 0600));
  int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(fd, 0) << strerror(errno);
  char c;
  EXPECT_EQ(read(fd, &c, 1), 0);
  close(fd);
}

TEST(FifoTest, NonblockingWriteOpenWithoutAReaderIsENXIO) {
  TempDir dir;
  const std::string path = dir.File("fifo");
  ASSERT_SYSCALL_OK(mkfifo(path.c_str(), 0600));
  EXPECT_SYSCALL_ERRNO(open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC), ENXIO);
}

TEST(FifoTest, NonblockingWriteOpenWithAReaderCarriesData) {
  TempDir dir;
  const std::string path = dir.File("fifo");
  ASSERT_SYSCALL_OK(mkfifo(path.c_str(), 0600));
  int rfd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(rfd, 0);
  int wfd = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(wfd, 0) << strerror(errno);
  ASSERT_EQ(write(wfd, "ping", 4), 4);
  char buf[8] = {};
  EXPECT_EQ(read(rfd, buf, sizeof(buf)), 4);
  EXPECT_STREQ(buf, "ping");
  // With a writer present and nothing buffered, a read would block.
  EXPECT_SYSCALL_ERRNO(read(rfd, buf, sizeof(buf)), EAGAIN);
  close(wfd);
  EXPECT_EQ(read(rfd, buf, sizeof(buf)), 0);
  close(rfd);
}

TEST(FifoTest, BlockingOpensRendezvousWithAForkedChild) {
  TempDir dir;
  const std::string path = dir.File("fifo");
  ASSERT_SYSCALL_OK(mkfifo(path.c_str(), 0600));
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    alarm(10);
    int fd = open(path.c_str(), O_RDONLY);  // Blocks until the parent opens for writing.
    if (fd < 0) _exit(2);
    std::string got;
    char buf[64];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) got.append(buf, n);
    _exit(n == 0 && got == "through the fifo" ? 0 : 1);
  }
  int fd;
  {
    ScopedAlarm guard(10);
    fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);  // Blocks until the child opens.
  }
  ASSERT_GE(fd, 0) << strerror(errno);
  EXPECT_EQ(write(fd, "through the fifo", 16), 16);
  close(fd);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(FifoTest, ReadWriteOpenDoesNotBlock) {
  // POSIX leaves O_RDWR undefined; Linux opens it at once as both ends.
  TempDir dir;
  const std::string path = dir.File("fifo");
  ASSERT_SYSCALL_OK(mkfifo(path.c_str(), 0600));
  int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0) << strerror(errno);
  ASSERT_EQ(write(fd, "self", 4), 4);
  char buf[8];
  EXPECT_EQ(read(fd, buf, sizeof(buf)), 4);
  close(fd);
}

TEST(FifoTest, LseekOnAFifoIsESPIPE) {
  TempDir dir;
  const std::string path = dir.File("fifo");
  ASSERT_SYSCALL_OK(mkfifo(path.c_str(), 0600));
  int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_SYSCALL_ERRNO(lseek(fd, 0, SEEK_SET), ESPIPE);
  close(fd);
}

TEST(FifoTest, FifoHasAPipeBufferSize) {
  TempDir dir;
  const std::string path = dir.File("fifo");
  ASSERT_SYSCALL_OK(mkfifo(path.c_str(), 0600));
  int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(fcntl(fd, F_GETPIPE_SZ), 65536);
  close(fd);
}

TEST(FifoTest, DataDoesNotPersistAfterAllEndsClose) {
  TempDir dir;
  const std::string path = dir.File("fifo");
  ASSERT_SYSCALL_OK(mkfifo(path.c_str(), 0600));
  int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "lost", 4), 4);
  close(fd);
  fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  char buf[8];
  EXPECT_EQ(read(fd, buf, sizeof(buf)), 0);
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fd, &st));
  EXPECT_EQ(st.st_size, 0);
  close(fd);
}

TEST(FifoTest, UnlinkingAnOpenFifoKeepsItUsable) {
  TempDir dir;
  const std::string path = dir.File("fifo");
  ASSERT_SYSCALL_OK(mkfifo(path.c_str(), 0600));
  int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_SYSCALL_OK(unlink(path.c_str()));
  ASSERT_EQ(write(fd, "still", 5), 5);
  char buf[8];
  EXPECT_EQ(read(fd, buf, sizeof(buf)), 5);
  close(fd);
}

}  // namespace
}  // namespace runsc::syscall_test
