// Family: getxattr, lgetxattr, fgetxattr, setxattr, removexattr, listxattr
// and their l/f forms. The sandbox keeps no extended attributes (it answers
// as a file system mounted without them); what is checked is what holds on
// every Linux file system: the errors of the file, fd and name come first,
// and an attribute a file lacks is ENODATA (the host) or EOPNOTSUPP (no
// xattr support), never ENOSYS, which `ls -l` reports as an error.
#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

constexpr char kAbsent[] = "user.runsc_absent";

// ENODATA or EOPNOTSUPP: "this file has no such attribute here".
void ExpectNoSuchAttribute(long rc, int err, const char* what) {
  EXPECT_EQ(rc, -1) << what;
  EXPECT_TRUE(err == ENODATA || err == EOPNOTSUPP) << what << ": " << strerror(err);
}

TEST(XattrTest, AMissingFileIsENOENT) {
  TempDir dir;
  const std::string missing = dir.File("missing");
  char buf[64];
  EXPECT_SYSCALL_ERRNO(getxattr(missing.c_str(), kAbsent, buf, sizeof(buf)), ENOENT);
  EXPECT_SYSCALL_ERRNO(lgetxattr(missing.c_str(), kAbsent, buf, sizeof(buf)), ENOENT);
  EXPECT_SYSCALL_ERRNO(listxattr(missing.c_str(), buf, sizeof(buf)), ENOENT);
  EXPECT_SYSCALL_ERRNO(llistxattr(missing.c_str(), buf, sizeof(buf)), ENOENT);
  EXPECT_SYSCALL_ERRNO(setxattr(missing.c_str(), kAbsent, "v", 1, 0), ENOENT);
  EXPECT_SYSCALL_ERRNO(removexattr(missing.c_str(), kAbsent), ENOENT);
}

TEST(XattrTest, AClosedFdIsEBADF) {
  char buf[64];
  int fd = open("/", O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(close(fd), 0);
  EXPECT_SYSCALL_ERRNO(fgetxattr(fd, kAbsent, buf, sizeof(buf)), EBADF);
  EXPECT_SYSCALL_ERRNO(flistxattr(fd, buf, sizeof(buf)), EBADF);
  EXPECT_SYSCALL_ERRNO(fsetxattr(fd, kAbsent, "v", 1, 0), EBADF);
  EXPECT_SYSCALL_ERRNO(fremovexattr(fd, kAbsent), EBADF);
}

TEST(XattrTest, AnEmptyNameIsERANGEAndABadOneEFAULT) {
  TempDir dir;
  const std::string path = dir.File("f");
  WriteFileOrDie(path, "x");
  char buf[64];
  EXPECT_SYSCALL_ERRNO(getxattr(path.c_str(), "", buf, sizeof(buf)), ERANGE);
  EXPECT_SYSCALL_ERRNO(getxattr(path.c_str(), reinterpret_cast<const char*>(8), buf, sizeof(buf)),
                       EFAULT);
  EXPECT_SYSCALL_ERRNO(getxattr(reinterpret_cast<const char*>(8), kAbsent, buf, sizeof(buf)),
                       EFAULT);
}

TEST(XattrTest, AnAttributeAFileLacksIsNoDataNeverENOSYS) {
  TempDir dir;
  const std::string path = dir.File("f");
  WriteFileOrDie(path, "x");
  char buf[64];
  long rc = getxattr(path.c_str(), kAbsent, buf, sizeof(buf));
  ExpectNoSuchAttribute(rc, errno, "getxattr");
  // What coreutils' ls -l asks of every file it lists.
  rc = lgetxattr(path.c_str(), "security.selinux", buf, sizeof(buf));
  if (rc < 0) ExpectNoSuchAttribute(rc, errno, "lgetxattr security.selinux");
  rc = getxattr(path.c_str(), "system.posix_acl_access", nullptr, 0);
  ExpectNoSuchAttribute(rc, errno, "getxattr system.posix_acl_access");
  rc = removexattr(path.c_str(), kAbsent);
  ExpectNoSuchAttribute(rc, errno, "removexattr");
  int fd = open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  rc = fgetxattr(fd, kAbsent, buf, sizeof(buf));
  ExpectNoSuchAttribute(rc, errno, "fgetxattr");
  EXPECT_GE(flistxattr(fd, nullptr, 0), 0) << strerror(errno);
  close(fd);
  EXPECT_GE(listxattr(path.c_str(), nullptr, 0), 0) << strerror(errno);
}

TEST(XattrTest, TheLFormsDoNotFollowADanglingSymlink) {
  TempDir dir;
  const std::string link = dir.File("dangling");
  ASSERT_EQ(symlink(dir.File("nowhere").c_str(), link.c_str()), 0);
  char buf[64];
  EXPECT_SYSCALL_ERRNO(getxattr(link.c_str(), kAbsent, buf, sizeof(buf)), ENOENT);
  long rc = lgetxattr(link.c_str(), kAbsent, buf, sizeof(buf));
  ExpectNoSuchAttribute(rc, errno, "lgetxattr on the link");
  EXPECT_SYSCALL_ERRNO(listxattr(link.c_str(), buf, sizeof(buf)), ENOENT);
  EXPECT_GE(llistxattr(link.c_str(), buf, sizeof(buf)), 0) << strerror(errno);
}

}  // namespace
}  // namespace runsc::syscall_test
