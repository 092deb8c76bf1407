// Family: stat/fstat/readlink/open after the sandbox changed a file. A
// sandbox may answer stat from what it remembers of a file (runsc keeps the
// rootfs's stats, missing names and read-only fds between calls); every
// case here stats first, so that something is remembered, then changes the
// file by another path, fd, name or process, and checks the next answer is
// the host's. Times are set to a fixed old value before a change that moves
// them, so no case depends on the clock's granularity.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

constexpr time_t kLongAgo = 1000000000;  // 2001-09-09.

struct stat StatOrDie(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path << ": " << strerror(errno);
  return st;
}

// Sets both times of `path` to kLongAgo.
void AgeOrDie(const std::string& path) {
  const struct timespec times[2] = {{kLongAgo, 0}, {kLongAgo, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << strerror(errno);
}

std::string ReadFd(int fd, size_t n) {
  std::string buf(n, '\0');
  const ssize_t got = read(fd, buf.data(), buf.size());
  EXPECT_GE(got, 0) << strerror(errno);
  buf.resize(got < 0 ? 0 : static_cast<size_t>(got));
  return buf;
}

TEST(StatCoherenceTest, AWriteThroughAnFdMovesSizeAndMtimeForTheNextStat) {
  TempDir dir;
  const std::string f = dir.File("f");
  WriteFileOrDie(f, "12345");
  AgeOrDie(f);
  EXPECT_EQ(StatOrDie(f).st_mtime, kLongAgo);
  const int fd = open(f.c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "678", 3), 3);
  struct stat open_st = StatOrDie(f);
  EXPECT_EQ(open_st.st_size, 8);
  ASSERT_EQ(write(fd, "9", 1), 1);
  ASSERT_SYSCALL_OK(close(fd));
  struct stat st = StatOrDie(f);
  EXPECT_EQ(st.st_size, 9);
  EXPECT_NE(st.st_mtime, kLongAgo);
}

TEST(StatCoherenceTest, TruncateByPathAndByAnotherFdAreSeen) {
  TempDir dir;
  const std::string f = dir.File("f");
  WriteFileOrDie(f, "12345");
  EXPECT_EQ(StatOrDie(f).st_size, 5);
  ASSERT_SYSCALL_OK(truncate(f.c_str(), 2));
  EXPECT_EQ(StatOrDie(f).st_size, 2);
  const int fd = open(f.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  ASSERT_SYSCALL_OK(ftruncate(fd, 7000));
  ASSERT_SYSCALL_OK(close(fd));
  EXPECT_EQ(StatOrDie(f).st_size, 7000);
  // O_TRUNC is a change too.
  ASSERT_SYSCALL_OK(close(open(f.c_str(), O_WRONLY | O_TRUNC)));
  EXPECT_EQ(StatOrDie(f).st_size, 0);
}

TEST(StatCoherenceTest, ChmodChownAndUtimesByPathAndByFdAreSeen) {
  TempDir dir;
  const std::string f = dir.File("f");
  WriteFileOrDie(f, "x");
  EXPECT_EQ(StatOrDie(f).st_mode & 07777, 0644u);
  ASSERT_SYSCALL_OK(chmod(f.c_str(), 0600));
  EXPECT_EQ(StatOrDie(f).st_mode & 07777, 0600u);
  const int fd = open(f.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_SYSCALL_OK(fchmod(fd, 0640));
  const struct timespec times[2] = {{kLongAgo, 1}, {kLongAgo, 2}};
  ASSERT_SYSCALL_OK(futimens(fd, times));
  ASSERT_SYSCALL_OK(close(fd));
  struct stat st = StatOrDie(f);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(st.st_atim.tv_nsec, 1);
  EXPECT_EQ(st.st_mtim.tv_nsec, 2);
  ASSERT_SYSCALL_OK(chown(f.c_str(), getuid(), getgid()));
  const struct timespec later[2] = {{kLongAgo + 5, 0}, {kLongAgo + 6, 0}};
  ASSERT_SYSCALL_OK(utimensat(AT_FDCWD, f.c_str(), later, 0));
  st = StatOrDie(f);
  EXPECT_EQ(st.st_atime, kLongAgo + 5);
  EXPECT_EQ(st.st_mtime, kLongAgo + 6);
}

TEST(StatCoherenceTest, EveryNameOfAFileSeesItsLinkCountAndWrites) {
  TempDir dir;
  const std::string a = dir.File("a"), b = dir.File("b");
  WriteFileOrDie(a, "12345");
  EXPECT_EQ(StatOrDie(a).st_nlink, 1u);
  ASSERT_SYSCALL_OK(link(a.c_str(), b.c_str()));
  EXPECT_EQ(StatOrDie(a).st_nlink, 2u);
  EXPECT_EQ(StatOrDie(b).st_nlink, 2u);
  const int fd = open(b.c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "67", 2), 2);
  ASSERT_SYSCALL_OK(close(fd));
  EXPECT_EQ(StatOrDie(a).st_size, 7);
  ASSERT_SYSCALL_OK(unlink(b.c_str()));
  EXPECT_EQ(StatOrDie(a).st_nlink, 1u);
}

TEST(StatCoherenceTest, RenameOverAFileIsSeenByBothNames) {
  TempDir dir;
  const std::string from = dir.File("from"), to = dir.File("to");
  WriteFileOrDie(from, "new");
  WriteFileOrDie(to, "old file");
  const ino_t from_ino = StatOrDie(from).st_ino;
  EXPECT_EQ(StatOrDie(to).st_size, 8);
  ASSERT_SYSCALL_OK(rename(from.c_str(), to.c_str()));
  struct stat st = StatOrDie(to);
  EXPECT_EQ(st.st_ino, from_ino);
  EXPECT_EQ(st.st_size, 3);
  struct stat gone;
  EXPECT_SYSCALL_ERRNO(stat(from.c_str(), &gone), ENOENT);
}

TEST(StatCoherenceTest, AMissingNameIsFoundOnceMadeByThisOrAnotherProcess) {
  TempDir dir;
  const std::string f = dir.File("f"), d = dir.File("d");
  struct stat st;
  EXPECT_SYSCALL_ERRNO(stat(f.c_str(), &st), ENOENT);
  EXPECT_SYSCALL_ERRNO(stat(f.c_str(), &st), ENOENT);
  ASSERT_SYSCALL_OK(close(open(f.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600)));
  EXPECT_EQ(StatOrDie(f).st_mode & 07777, 0600u);
  EXPECT_SYSCALL_ERRNO(stat(d.c_str(), &st), ENOENT);
  EXPECT_EQ(RunInChild([&] {
              CHILD_CHECK(mkdir(d.c_str(), 0700) == 0);
              return 0;
            }),
            0);
  EXPECT_TRUE(S_ISDIR(StatOrDie(d).st_mode));
}

TEST(StatCoherenceTest, ChangesMadeByAnotherProcessAreSeen) {
  TempDir dir;
  const std::string f = dir.File("f");
  WriteFileOrDie(f, "12345");
  AgeOrDie(f);
  EXPECT_EQ(StatOrDie(f).st_size, 5);
  EXPECT_EQ(RunInChild([&] {
              const int fd = open(f.c_str(), O_WRONLY | O_APPEND);
              CHILD_CHECK(fd >= 0);
              CHILD_CHECK(write(fd, "6789", 4) == 4);
              CHILD_CHECK(fchmod(fd, 0604) == 0);
              return 0;  // The fd closes as the child exits.
            }),
            0);
  struct stat st = StatOrDie(f);
  EXPECT_EQ(st.st_size, 9);
  EXPECT_EQ(st.st_mode & 07777, 0604u);
  EXPECT_NE(st.st_mtime, kLongAgo);
}

TEST(StatCoherenceTest, AWriteThroughASharedMappingMovesMtimeAfterTheClose) {
  TempDir dir;
  const std::string f = dir.File("f");
  WriteFileOrDie(f, std::string(4096, 'a'));
  const int fd = open(f.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  void* map = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ASSERT_NE(map, MAP_FAILED) << strerror(errno);
  ASSERT_SYSCALL_OK(close(fd));
  AgeOrDie(f);
  EXPECT_EQ(StatOrDie(f).st_mtime, kLongAgo);
  static_cast<char*>(map)[0] = 'b';
  ASSERT_SYSCALL_OK(msync(map, 4096, MS_SYNC));
  EXPECT_NE(StatOrDie(f).st_mtime, kLongAgo);
  ASSERT_SYSCALL_OK(munmap(map, 4096));
}

TEST(StatCoherenceTest, AReadMovesAtimeAsTheHostDecides) {
  TempDir dir;
  const std::string f = dir.File("f");
  WriteFileOrDie(f, "12345");
  // atime before mtime: a read moves it under relatime and strictatime.
  const struct timespec times[2] = {{kLongAgo, 0}, {kLongAgo + 10, 0}};
  ASSERT_SYSCALL_OK(utimensat(AT_FDCWD, f.c_str(), times, 0));
  EXPECT_EQ(StatOrDie(f).st_atime, kLongAgo);
  const int fd = open(f.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(ReadFd(fd, 10), "12345");
  ASSERT_SYSCALL_OK(close(fd));
  EXPECT_NE(StatOrDie(f).st_atime, kLongAgo);
}

TEST(StatCoherenceTest, ADirectorySeesEntriesMadeAndRemovedThroughPathAndFd) {
  TempDir dir;
  const int dfd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(dfd, 0);
  struct stat before;
  ASSERT_SYSCALL_OK(fstat(dfd, &before));
  AgeOrDie(dir.path());
  ASSERT_SYSCALL_OK(mkdir(dir.File("sub").c_str(), 0755));
  struct stat after;
  ASSERT_SYSCALL_OK(fstat(dfd, &after));
  EXPECT_EQ(after.st_nlink, before.st_nlink + 1);
  EXPECT_NE(after.st_mtime, kLongAgo);
  EXPECT_EQ(StatOrDie(dir.path()).st_nlink, before.st_nlink + 1);
  ASSERT_SYSCALL_OK(rmdir(dir.File("sub").c_str()));
  ASSERT_SYSCALL_OK(fstat(dfd, &after));
  EXPECT_EQ(after.st_nlink, before.st_nlink);
  ASSERT_SYSCALL_OK(close(dfd));
}

TEST(StatCoherenceTest, AReplacedSymlinkReadsItsNewTarget) {
  TempDir dir;
  const std::string l = dir.File("l");
  ASSERT_SYSCALL_OK(symlink("first", l.c_str()));
  char buf[64];
  ASSERT_EQ(readlink(l.c_str(), buf, sizeof(buf)), 5);
  ASSERT_SYSCALL_OK(unlink(l.c_str()));
  ASSERT_SYSCALL_OK(symlink("second", l.c_str()));
  ASSERT_EQ(readlink(l.c_str(), buf, sizeof(buf)), 6);
  EXPECT_EQ(std::string(buf, 6), "second");
}

TEST(StatCoherenceTest, ReadOnlyOpensHaveTheirOwnPositionsAndSeeLaterWrites) {
  TempDir dir;
  const std::string f = dir.File("f");
  WriteFileOrDie(f, "hello");
  const int first = open(f.c_str(), O_RDONLY);
  const int second = open(f.c_str(), O_RDONLY);
  ASSERT_GE(first, 0);
  ASSERT_GE(second, 0);
  EXPECT_EQ(ReadFd(first, 2), "he");
  EXPECT_EQ(lseek(second, 0, SEEK_CUR), 0);
  EXPECT_EQ(ReadFd(second, 3), "hel");
  EXPECT_EQ(lseek(first, 0, SEEK_CUR), 2);
  // A dup and a fork share the open file description, and so its position.
  const int dup_of_first = dup(first);
  ASSERT_GE(dup_of_first, 0);
  EXPECT_EQ(ReadFd(dup_of_first, 1), "l");
  EXPECT_EQ(lseek(first, 0, SEEK_CUR), 3);
  EXPECT_EQ(RunInChild([&] {
              char c;
              CHILD_CHECK(read(first, &c, 1) == 1 && c == 'l');
              return 0;
            }),
            0);
  EXPECT_EQ(lseek(first, 0, SEEK_CUR), 4);
  EXPECT_EQ(lseek(second, -1, SEEK_END), 4);
  EXPECT_EQ(ReadFd(second, 10), "o");
  EXPECT_EQ(ReadFd(second, 10), "");
  // A writer's change is what every reader reads next.
  const int writer = open(f.c_str(), O_WRONLY | O_TRUNC);
  ASSERT_GE(writer, 0);
  ASSERT_EQ(write(writer, "bye", 3), 3);
  ASSERT_SYSCALL_OK(close(writer));
  const int third = open(f.c_str(), O_RDONLY);
  ASSERT_GE(third, 0);
  EXPECT_EQ(ReadFd(third, 10), "bye");
  ASSERT_EQ(lseek(first, 0, SEEK_SET), 0);
  EXPECT_EQ(ReadFd(first, 10), "bye");
  EXPECT_SYSCALL_ERRNO(write(first, "x", 1), EBADF);
  for (int fd : {first, second, dup_of_first, third}) ASSERT_SYSCALL_OK(close(fd));
}

}  // namespace
}  // namespace runsc::syscall_test
