// Family: getdents64 (the raw directory-listing syscall).
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <map>
#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

struct LinuxDirent64 {
  ino64_t d_ino;
  off64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

long Getdents(int fd, void* buf, size_t size) { return syscall(SYS_getdents64, fd, buf, size); }

// Reads the whole directory behind `fd` from its current offset, as name ->
// d_type. Fails the test on an error.
std::map<std::string, unsigned char> ListAll(int fd) {
  std::map<std::string, unsigned char> out;
  alignas(8) char buf[4096];
  for (;;) {
    long n = Getdents(fd, buf, sizeof(buf));
    if (n < 0) {
      ADD_FAILURE() << "getdents64: " << strerror(errno);
      return out;
    }
    if (n == 0) return out;
    for (long off = 0; off < n;) {
      auto* d = reinterpret_cast<LinuxDirent64*>(buf + off);
      out[d->d_name] = d->d_type;
      off += d->d_reclen;
    }
  }
}

TEST(GetdentsTest, AnEmptyDirectoryListsDotAndDotDot) {
  TempDir dir;
  int fd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(fd);
  auto entries = ListAll(fd);
  EXPECT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries.count("."), 1u);
  EXPECT_EQ(entries.count(".."), 1u);
  EXPECT_EQ(entries["."], DT_DIR);
  close(fd);
}

TEST(GetdentsTest, ListsEveryEntryWithItsType) {
  TempDir dir;
  WriteFileOrDie(dir.File("file"), "");
  ASSERT_SYSCALL_OK(mkdir(dir.File("sub").c_str(), 0755));
  ASSERT_SYSCALL_OK(symlink("file", dir.File("link").c_str()));
  ASSERT_SYSCALL_OK(mkfifo(dir.File("fifo").c_str(), 0644));
  int fd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(fd);
  auto entries = ListAll(fd);
  EXPECT_EQ(entries.size(), 6u);
  EXPECT_EQ(entries["file"], DT_REG);
  EXPECT_EQ(entries["sub"], DT_DIR);
  EXPECT_EQ(entries["link"], DT_LNK);
  EXPECT_EQ(entries["fifo"], DT_FIFO);
  close(fd);
}

TEST(GetdentsTest, InodeNumbersMatchStat) {
  TempDir dir;
  WriteFileOrDie(dir.File("file"), "");
  struct stat st;
  ASSERT_SYSCALL_OK(stat(dir.File("file").c_str(), &st));
  int fd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(fd);
  alignas(8) char buf[4096];
  long n = Getdents(fd, buf, sizeof(buf));
  ASSERT_GT(n, 0);
  bool found = false;
  for (long off = 0; off < n;) {
    auto* d = reinterpret_cast<LinuxDirent64*>(buf + off);
    if (std::string(d->d_name) == "file") {
      found = true;
      EXPECT_EQ(d->d_ino, st.st_ino);
    }
    EXPECT_EQ(d->d_reclen % 8, 0);
    off += d->d_reclen;
  }
  EXPECT_TRUE(found);
  close(fd);
}

TEST(GetdentsTest, ReturnsZeroAtTheEnd) {
  TempDir dir;
  int fd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(fd);
  ListAll(fd);
  alignas(8) char buf[4096];
  EXPECT_EQ(Getdents(fd, buf, sizeof(buf)), 0);
  close(fd);
}

TEST(GetdentsTest, ABufferTooSmallForOneEntryIsEINVAL) {
  TempDir dir;
  int fd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(fd);
  alignas(8) char buf[8];
  EXPECT_SYSCALL_ERRNO(Getdents(fd, buf, sizeof(buf)), EINVAL);
  EXPECT_SYSCALL_ERRNO(Getdents(fd, buf, 0), EINVAL);
  close(fd);
}

TEST(GetdentsTest, ASmallBufferReturnsOneEntryAtATime) {
  TempDir dir;
  int fd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(fd);
  // Room for "." (24 bytes) but not for a second record too.
  alignas(8) char buf[offsetof(LinuxDirent64, d_name) + 8 + 8];
  long n = Getdents(fd, buf, sizeof(buf));
  ASSERT_GT(n, 0);
  auto* d = reinterpret_cast<LinuxDirent64*>(buf);
  EXPECT_EQ(d->d_reclen, n);
  close(fd);
}

TEST(GetdentsTest, ABadFdIsEBADF) {
  alignas(8) char buf[256];
  EXPECT_SYSCALL_ERRNO(Getdents(-1, buf, sizeof(buf)), EBADF);
}

TEST(GetdentsTest, AnOPathFdIsEBADF) {
  TempDir dir;
  int fd = open(dir.path().c_str(), O_PATH | O_DIRECTORY);
  ASSERT_SYSCALL_OK(fd);
  alignas(8) char buf[256];
  EXPECT_SYSCALL_ERRNO(Getdents(fd, buf, sizeof(buf)), EBADF);
  close(fd);
}

TEST(GetdentsTest, AFileIsENOTDIR) {
  TempDir dir;
  WriteFileOrDie(dir.File("f"), "x");
  int fd = open(dir.File("f").c_str(), O_RDONLY);
  ASSERT_SYSCALL_OK(fd);
  alignas(8) char buf[256];
  EXPECT_SYSCALL_ERRNO(Getdents(fd, buf, sizeof(buf)), ENOTDIR);
  close(fd);
}

TEST(GetdentsTest, ABadBufferIsEFAULT) {
  TempDir dir;
  int fd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_SYSCALL_ERRNO(Getdents(fd, reinterpret_cast<void*>(1), 4096), EFAULT);
  close(fd);
}

TEST(GetdentsTest, AnUnlinkedEntryIsGoneAfterRewinding) {
  TempDir dir;
  WriteFileOrDie(dir.File("a"), "");
  WriteFileOrDie(dir.File("b"), "");
  int fd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(ListAll(fd).count("a"), 1u);
  ASSERT_SYSCALL_OK(unlink(dir.File("a").c_str()));
  ASSERT_EQ(lseek(fd, 0, SEEK_SET), 0);
  auto entries = ListAll(fd);
  EXPECT_EQ(entries.count("a"), 0u);
  EXPECT_EQ(entries.count("b"), 1u);
  close(fd);
}

TEST(GetdentsTest, ListingARemovedDirectoryIsENOENT) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("gone").c_str(), 0755));
  int fd = open(dir.File("gone").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(fd);
  ASSERT_SYSCALL_OK(rmdir(dir.File("gone").c_str()));
  alignas(8) char buf[4096];
  EXPECT_SYSCALL_ERRNO(Getdents(fd, buf, sizeof(buf)), ENOENT);
  close(fd);
}

TEST(GetdentsTest, DOffResumesTheListing) {
  TempDir dir;
  for (const char* name : {"a", "b", "c", "d"}) WriteFileOrDie(dir.File(name), "");
  int fd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_SYSCALL_OK(fd);
  alignas(8) char buf[4096];
  long n = Getdents(fd, buf, sizeof(buf));
  ASSERT_GT(n, 0);
  // Seek to the d_off of the first record: the listing goes on with the second.
  auto* first = reinterpret_cast<LinuxDirent64*>(buf);
  ASSERT_LT(first->d_reclen, n);
  auto* second = reinterpret_cast<LinuxDirent64*>(buf + first->d_reclen);
  std::string second_name = second->d_name;
  ASSERT_EQ(lseek(fd, first->d_off, SEEK_SET), first->d_off);
  alignas(8) char again[4096];
  ASSERT_GT(Getdents(fd, again, sizeof(again)), 0);
  EXPECT_EQ(std::string(reinterpret_cast<LinuxDirent64*>(again)->d_name), second_name);
  close(fd);
}

}  // namespace
}  // namespace runsc::syscall_test
