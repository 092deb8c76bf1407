// Family: getxattr, lgetxattr, fgetxattr, setxattr, removexattr, listxattr
// and their l/f forms. First what holds on every Linux file system: the
// errors of the file, fd and name come first, and an attribute a file lacks
// is ENODATA (or EOPNOTSUPP without xattr support), never ENOSYS, which
// `ls -l` reports as an error. Then user.* attributes for real, on the two
// file systems the harness gives both runs: the TempDir (natively the
// host's ext4, under runsc the gofer-served rootfs) and /dev/shm (a tmpfs
// natively and in the sandbox). trusted.* and security.* on the rootfs are
// the sandbox's deliberate difference (EOPNOTSUPP: they would reach the
// host), so those cases accept either answer.
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <set>
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

constexpr uid_t kNobody = 65534;
constexpr gid_t kNogroup = 65534;

bool BecomeNobody() {
  return syscall(SYS_setgroups, 0, nullptr) == 0 &&
         syscall(SYS_setresgid, kNogroup, kNogroup, kNogroup) == 0 &&
         syscall(SYS_setresuid, kNobody, kNobody, kNobody) == 0;
}

// The names listxattr returns, as a set.
std::set<std::string> Names(const char* list, ssize_t size) {
  std::set<std::string> names;
  for (ssize_t i = 0; i < size; i += static_cast<ssize_t>(strlen(list + i)) + 1) {
    names.insert(list + i);
  }
  return names;
}

// A directory on each file system with user.* attributes: the rootfs (not
// TempDir: $TEST_TMPDIR may sit below a directory nobody cannot search;
// /tmp is 01777 natively and in the compat rootfs) and a tmpfs.
class XattrFsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* base : {"/tmp", "/dev/shm"}) {
      std::string tmpl = std::string(base) + "/runsc_xattr.XXXXXX";
      ASSERT_NE(mkdtemp(tmpl.data()), nullptr) << base << ": " << strerror(errno);
      ASSERT_SYSCALL_OK(chmod(tmpl.c_str(), 0755));
      dirs_.push_back(tmpl);
    }
  }
  void TearDown() override {
    for (const std::string& dir : dirs_) std::filesystem::remove_all(dir);
  }
  // Runs `body` once per file system, with its directory.
  void OnEachFs(const std::function<void(const std::string& dir)>& body) {
    for (const std::string& dir : dirs_) {
      SCOPED_TRACE(dir);
      body(dir);
    }
  }
  std::vector<std::string> dirs_;
};

TEST_F(XattrFsTest, UserAttributesAreKept) {
  OnEachFs([](const std::string& dir) {
    const std::string path = dir + "/f";
    WriteFileOrDie(path, "x");
    ASSERT_SYSCALL_OK(setxattr(path.c_str(), "user.colour", "blue", 4, 0));
    char buf[64] = {};
    EXPECT_EQ(getxattr(path.c_str(), "user.colour", nullptr, 0), 4);  // The size needed.
    EXPECT_EQ(getxattr(path.c_str(), "user.colour", buf, sizeof(buf)), 4);
    EXPECT_EQ(std::string(buf, 4), "blue");
    EXPECT_SYSCALL_ERRNO(getxattr(path.c_str(), "user.colour", buf, 3), ERANGE);
    EXPECT_SYSCALL_ERRNO(getxattr(path.c_str(), "user.absent", buf, sizeof(buf)), ENODATA);
    // An empty value is a value.
    ASSERT_SYSCALL_OK(setxattr(path.c_str(), "user.empty", "", 0, 0));
    EXPECT_EQ(getxattr(path.c_str(), "user.empty", buf, sizeof(buf)), 0);

    // Through an fd, and replaced.
    int fd = open(path.c_str(), O_RDONLY);
    ASSERT_SYSCALL_OK(fd);
    ASSERT_SYSCALL_OK(fsetxattr(fd, "user.colour", "green", 5, 0));
    EXPECT_EQ(fgetxattr(fd, "user.colour", buf, sizeof(buf)), 5);
    EXPECT_EQ(std::string(buf, 5), "green");
    EXPECT_EQ(flistxattr(fd, nullptr, 0), 23);  // "user.colour\0user.empty\0"
    close(fd);

    ASSERT_SYSCALL_OK(removexattr(path.c_str(), "user.colour"));
    EXPECT_SYSCALL_ERRNO(getxattr(path.c_str(), "user.colour", buf, sizeof(buf)), ENODATA);
    EXPECT_SYSCALL_ERRNO(removexattr(path.c_str(), "user.colour"), ENODATA);
  });
}

TEST_F(XattrFsTest, CreateAndReplaceFlags) {
  OnEachFs([](const std::string& dir) {
    const std::string path = dir + "/f";
    WriteFileOrDie(path, "x");
    EXPECT_SYSCALL_ERRNO(setxattr(path.c_str(), "user.a", "1", 1, XATTR_REPLACE), ENODATA);
    ASSERT_SYSCALL_OK(setxattr(path.c_str(), "user.a", "1", 1, XATTR_CREATE));
    EXPECT_SYSCALL_ERRNO(setxattr(path.c_str(), "user.a", "2", 1, XATTR_CREATE), EEXIST);
    ASSERT_SYSCALL_OK(setxattr(path.c_str(), "user.a", "3", 1, XATTR_REPLACE));
    char buf[8];
    EXPECT_EQ(getxattr(path.c_str(), "user.a", buf, sizeof(buf)), 1);
    EXPECT_EQ(buf[0], '3');
    EXPECT_SYSCALL_ERRNO(setxattr(path.c_str(), "user.a", "4", 1, 4), EINVAL);
  });
}

TEST_F(XattrFsTest, ListSizesAndASmallBuffer) {
  OnEachFs([](const std::string& dir) {
    const std::string path = dir + "/f";
    WriteFileOrDie(path, "x");
    EXPECT_EQ(listxattr(path.c_str(), nullptr, 0), 0);
    ASSERT_SYSCALL_OK(setxattr(path.c_str(), "user.one", "1", 1, 0));
    ASSERT_SYSCALL_OK(setxattr(path.c_str(), "user.two", "2", 1, 0));
    const ssize_t needed = listxattr(path.c_str(), nullptr, 0);
    EXPECT_EQ(needed, 18);  // "user.one\0user.two\0"
    char list[256];
    EXPECT_SYSCALL_ERRNO(listxattr(path.c_str(), list, static_cast<size_t>(needed) - 1), ERANGE);
    ASSERT_EQ(listxattr(path.c_str(), list, sizeof(list)), needed);
    EXPECT_EQ(Names(list, needed), (std::set<std::string>{"user.one", "user.two"}));
    EXPECT_SYSCALL_ERRNO(listxattr(path.c_str(), reinterpret_cast<char*>(8), sizeof(list)),
                         EFAULT);
  });
}

TEST_F(XattrFsTest, DirectoriesKeepThemAndSymlinksDoNot) {
  OnEachFs([](const std::string& dir) {
    const std::string sub = dir + "/sub";
    ASSERT_SYSCALL_OK(mkdir(sub.c_str(), 0755));
    ASSERT_SYSCALL_OK(setxattr(sub.c_str(), "user.d", "dir", 3, 0));
    char buf[16];
    EXPECT_EQ(getxattr(sub.c_str(), "user.d", buf, sizeof(buf)), 3);
    int fd = open(sub.c_str(), O_RDONLY | O_DIRECTORY);
    ASSERT_SYSCALL_OK(fd);
    EXPECT_EQ(fgetxattr(fd, "user.d", buf, sizeof(buf)), 3);
    close(fd);

    const std::string file = dir + "/f";
    const std::string link = dir + "/link";
    WriteFileOrDie(file, "x");
    ASSERT_SYSCALL_OK(symlink("f", link.c_str()));
    // The l* forms act on the link, where user.* cannot live.
    EXPECT_SYSCALL_ERRNO(lsetxattr(link.c_str(), "user.l", "v", 1, 0), EPERM);
    EXPECT_SYSCALL_ERRNO(lgetxattr(link.c_str(), "user.l", buf, sizeof(buf)), ENODATA);
    EXPECT_SYSCALL_ERRNO(lremovexattr(link.c_str(), "user.l"), EPERM);
    EXPECT_EQ(llistxattr(link.c_str(), buf, sizeof(buf)), 0);
    // The others follow it to the file.
    ASSERT_SYSCALL_OK(setxattr(link.c_str(), "user.l", "v", 1, 0));
    EXPECT_EQ(getxattr(file.c_str(), "user.l", buf, sizeof(buf)), 1);
    EXPECT_EQ(listxattr(link.c_str(), buf, sizeof(buf)), 7);

    // An O_PATH fd is no fd for them.
    fd = open(file.c_str(), O_PATH);
    ASSERT_SYSCALL_OK(fd);
    EXPECT_SYSCALL_ERRNO(fgetxattr(fd, "user.l", buf, sizeof(buf)), EBADF);
    EXPECT_SYSCALL_ERRNO(fsetxattr(fd, "user.l", "v", 1, 0), EBADF);
    close(fd);
  });
}

// The clock has passed `t` far enough for a file system's coarse clock to
// show it (a wait for the clock to move, not a timing assertion).
void WaitForClockPast(const struct timespec& t) {
  for (;;) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    const int64_t past_ns = (now.tv_sec - t.tv_sec) * 1'000'000'000 + (now.tv_nsec - t.tv_nsec);
    if (past_ns > 20'000'000) return;
    struct timespec nap = {0, 5'000'000};
    nanosleep(&nap, nullptr);
  }
}

bool Later(const struct timespec& a, const struct timespec& b) {
  return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec);
}

TEST_F(XattrFsTest, SetAndRemoveMoveTheCtimeNotTheMtime) {
  OnEachFs([](const std::string& dir) {
    const std::string path = dir + "/f";
    WriteFileOrDie(path, "x");
    struct stat before, after;
    ASSERT_SYSCALL_OK(stat(path.c_str(), &before));
    WaitForClockPast(before.st_ctim);
    ASSERT_SYSCALL_OK(setxattr(path.c_str(), "user.t", "1", 1, 0));
    ASSERT_SYSCALL_OK(stat(path.c_str(), &after));
    EXPECT_TRUE(Later(after.st_ctim, before.st_ctim)) << "setxattr left the ctime";
    EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
    EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);

    before = after;
    WaitForClockPast(before.st_ctim);
    ASSERT_SYSCALL_OK(removexattr(path.c_str(), "user.t"));
    ASSERT_SYSCALL_OK(stat(path.c_str(), &after));
    EXPECT_TRUE(Later(after.st_ctim, before.st_ctim)) << "removexattr left the ctime";
    // A refused change changes nothing.
    before = after;
    WaitForClockPast(before.st_ctim);
    EXPECT_SYSCALL_ERRNO(setxattr(path.c_str(), "user.t", "1", 1, XATTR_REPLACE), ENODATA);
    ASSERT_SYSCALL_OK(stat(path.c_str(), &after));
    EXPECT_EQ(after.st_ctim.tv_nsec, before.st_ctim.tv_nsec);
  });
}

TEST_F(XattrFsTest, ANonOwnerNeedsReadOrWritePermission) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to make files for another uid";
  OnEachFs([](const std::string& dir) {
    const std::string readable = dir + "/readable";
    const std::string secret = dir + "/secret";
    WriteFileOrDie(readable, "x");
    WriteFileOrDie(secret, "x");
    ASSERT_SYSCALL_OK(chmod(readable.c_str(), 0644));
    ASSERT_SYSCALL_OK(chmod(secret.c_str(), 0600));
    ASSERT_SYSCALL_OK(setxattr(readable.c_str(), "user.r", "r", 1, 0));
    ASSERT_SYSCALL_OK(setxattr(secret.c_str(), "user.s", "s", 1, 0));
    EXPECT_EQ(RunInChild([&] {
                CHILD_CHECK(BecomeNobody());
                char buf[8];
                CHILD_CHECK(getxattr(readable.c_str(), "user.r", buf, sizeof(buf)) == 1);
                CHILD_CHECK(setxattr(readable.c_str(), "user.r", "n", 1, 0) == -1 &&
                            errno == EACCES);
                CHILD_CHECK(removexattr(readable.c_str(), "user.r") == -1 && errno == EACCES);
                CHILD_CHECK(getxattr(secret.c_str(), "user.s", buf, sizeof(buf)) == -1 &&
                            errno == EACCES);
                // Listing checks no permission.
                CHILD_CHECK(listxattr(secret.c_str(), buf, sizeof(buf)) == 7);
                // trusted.* is root's: hidden, and not to be written.
                CHILD_CHECK(getxattr(readable.c_str(), "trusted.t", buf, sizeof(buf)) == -1 &&
                            errno == ENODATA);
                CHILD_CHECK(setxattr(readable.c_str(), "trusted.t", "n", 1, 0) == -1 &&
                            errno == EPERM);
                return 0;
              }),
              0);
    char buf[8];
    EXPECT_EQ(getxattr(readable.c_str(), "user.r", buf, sizeof(buf)), 1);
    EXPECT_EQ(buf[0], 'r');
  });
}

TEST_F(XattrFsTest, OnlyTheOwnerChangesThoseOfAStickyDirectory) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to make files for another uid";
  OnEachFs([](const std::string& dir) {
    const std::string sticky = dir + "/sticky";
    ASSERT_SYSCALL_OK(mkdir(sticky.c_str(), 0777));
    ASSERT_SYSCALL_OK(chmod(sticky.c_str(), 01777));
    const std::string open_dir = dir + "/open";
    ASSERT_SYSCALL_OK(mkdir(open_dir.c_str(), 0777));
    ASSERT_SYSCALL_OK(chmod(open_dir.c_str(), 0777));
    EXPECT_EQ(RunInChild([&] {
                CHILD_CHECK(BecomeNobody());
                CHILD_CHECK(setxattr(sticky.c_str(), "user.n", "n", 1, 0) == -1 &&
                            errno == EPERM);
                // Without the sticky bit, write permission is enough.
                CHILD_CHECK(setxattr(open_dir.c_str(), "user.n", "n", 1, 0) == 0);
                return 0;
              }),
              0);
  });
}

TEST_F(XattrFsTest, BadNamesValuesAndFlags) {
  OnEachFs([](const std::string& dir) {
    const std::string path = dir + "/f";
    WriteFileOrDie(path, "x");
    char buf[8];
    // A namespace prefix alone names nothing.
    EXPECT_SYSCALL_ERRNO(setxattr(path.c_str(), "user.", "v", 1, 0), EINVAL);
    EXPECT_SYSCALL_ERRNO(getxattr(path.c_str(), "user.", buf, sizeof(buf)), EINVAL);
    // Unknown namespaces are unsupported.
    EXPECT_SYSCALL_ERRNO(setxattr(path.c_str(), "runsc.x", "v", 1, 0), EOPNOTSUPP);
    EXPECT_SYSCALL_ERRNO(getxattr(path.c_str(), "runsc.x", buf, sizeof(buf)), EOPNOTSUPP);
    const std::string too_long = "user." + std::string(251, 'x');
    EXPECT_SYSCALL_ERRNO(setxattr(path.c_str(), too_long.c_str(), "v", 1, 0), ERANGE);
    // Oversized values and bad flags are refused before the path is walked.
    static char big[65537];
    const std::string missing = dir + "/missing";
    EXPECT_SYSCALL_ERRNO(setxattr(missing.c_str(), "user.big", big, sizeof(big), 0), E2BIG);
    EXPECT_SYSCALL_ERRNO(setxattr(missing.c_str(), "user.a", "v", 1, 8), EINVAL);
    EXPECT_SYSCALL_ERRNO(
        setxattr(path.c_str(), "user.a", reinterpret_cast<const char*>(8), 4, 0), EFAULT);
    ASSERT_SYSCALL_OK(setxattr(path.c_str(), "user.a", "value", 5, 0));
    EXPECT_SYSCALL_ERRNO(getxattr(path.c_str(), "user.a", reinterpret_cast<char*>(8), 8), EFAULT);
  });
}

TEST_F(XattrFsTest, TrustedAttributesOnATmpfsAreRoots) {
  if (!HaveCapability(CAP_SYS_ADMIN)) GTEST_SKIP() << "needs CAP_SYS_ADMIN";
  const std::string path = dirs_[1] + "/f";
  WriteFileOrDie(path, "x");
  ASSERT_SYSCALL_OK(setxattr(path.c_str(), "trusted.t", "tt", 2, 0));
  ASSERT_SYSCALL_OK(setxattr(path.c_str(), "user.u", "u", 1, 0));
  char buf[64];
  EXPECT_EQ(getxattr(path.c_str(), "trusted.t", buf, sizeof(buf)), 2);
  const ssize_t n = listxattr(path.c_str(), buf, sizeof(buf));
  EXPECT_EQ(Names(buf, n), (std::set<std::string>{"trusted.t", "user.u"}));
  ASSERT_SYSCALL_OK(chmod(path.c_str(), 0644));
  // Who lacks CAP_SYS_ADMIN does not even see the name.
  EXPECT_EQ(RunInChild([&] {
              CHILD_CHECK(BecomeNobody());
              char list[64];
              CHILD_CHECK(listxattr(path.c_str(), list, sizeof(list)) == 7);
              CHILD_CHECK(std::string(list) == "user.u");
              return 0;
            }),
            0);
  ASSERT_SYSCALL_OK(removexattr(path.c_str(), "trusted.t"));
}

// The sandbox refuses these on the rootfs (EOPNOTSUPP) so that they never
// reach the host's file; natively root may set them. Either way, what was
// refused is not there, and what was set reads back.
TEST_F(XattrFsTest, TrustedAndSecurityOnTheRootfsAreKeptOrRefused) {
  if (!HaveCapability(CAP_SYS_ADMIN)) GTEST_SKIP() << "needs CAP_SYS_ADMIN";
  const std::string path = dirs_[0] + "/f";
  WriteFileOrDie(path, "x");
  for (const char* name : {"trusted.t", "security.runsc_test"}) {
    SCOPED_TRACE(name);
    char buf[8];
    if (setxattr(path.c_str(), name, "v", 1, 0) == 0) {
      EXPECT_EQ(getxattr(path.c_str(), name, buf, sizeof(buf)), 1);
    } else {
      EXPECT_EQ(errno, EOPNOTSUPP) << strerror(errno);
      EXPECT_EQ(getxattr(path.c_str(), name, buf, sizeof(buf)), -1);
      EXPECT_EQ(listxattr(path.c_str(), buf, sizeof(buf)), 0);
    }
  }
}

TEST(XattrTest, PipesAndProcFilesKeepNone) {
  TestPipe pipe;
  char buf[64];
  EXPECT_SYSCALL_ERRNO(fgetxattr(pipe.read_fd(), "user.x", buf, sizeof(buf)), ENODATA);
  EXPECT_SYSCALL_ERRNO(fsetxattr(pipe.read_fd(), "user.x", "v", 1, 0), EPERM);
  EXPECT_SYSCALL_ERRNO(fremovexattr(pipe.write_fd(), "user.x"), EPERM);
  EXPECT_EQ(flistxattr(pipe.read_fd(), buf, sizeof(buf)), 0);
  EXPECT_SYSCALL_ERRNO(fgetxattr(pipe.read_fd(), "security.x", buf, sizeof(buf)), EOPNOTSUPP);

  EXPECT_SYSCALL_ERRNO(getxattr("/proc/self/status", "user.x", buf, sizeof(buf)), EOPNOTSUPP);
  EXPECT_SYSCALL_ERRNO(setxattr("/proc/self/status", "user.x", "v", 1, 0), EOPNOTSUPP);
  EXPECT_EQ(listxattr("/proc/self/status", buf, sizeof(buf)), 0);
  EXPECT_SYSCALL_ERRNO(getxattr("/dev/null", "user.x", buf, sizeof(buf)), ENODATA);
  EXPECT_EQ(listxattr("/dev/null", buf, sizeof(buf)), 0);
}

}  // namespace
}  // namespace runsc::syscall_test
