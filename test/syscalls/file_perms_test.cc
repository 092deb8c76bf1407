// Family: file_perms: discretionary access control of files on the root
// filesystem for a process that is not root: EACCES on a 0600 root file,
// success on its own files, new files owned by the process's fs ids (or the
// set-gid directory's group), the sticky-bit rule, chmod/chown by non-owners.
//
// Under runsc the TempDir is on the gofer-served rootfs, whose files the
// gofer touches with host root's credentials: these checks are the sentry's.
// Every change of credentials happens in a forked child.
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

constexpr uid_t kNobody = 65534;
constexpr gid_t kNogroup = 65534;
constexpr gid_t kOtherGroup = 4242;

// Becomes nobody:nogroup with no supplementary groups (and so, as Linux
// does on a setuid away from root, with no capabilities).
bool BecomeNobody() {
  return syscall(SYS_setgroups, 0, nullptr) == 0 &&
         syscall(SYS_setresgid, kNogroup, kNogroup, kNogroup) == 0 &&
         syscall(SYS_setresuid, kNobody, kNobody, kNobody) == 0;
}

void WriteFile(const std::string& path, mode_t mode) {
  int fd = open(path.c_str(), O_CREAT | O_WRONLY | O_EXCL, mode);
  ASSERT_SYSCALL_OK(fd);
  ASSERT_EQ(write(fd, "x", 1), 1);
  close(fd);
  ASSERT_SYSCALL_OK(chmod(path.c_str(), mode));  // Past the umask.
}

class FilePermsTest : public ::testing::Test {
 protected:
  // Not TempDir: $TEST_TMPDIR may sit below a 0700 directory nobody cannot
  // search. /tmp is 01777 natively and in the compat rootfs.
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to make files for another uid";
    char tmpl[] = "/tmp/file_perms.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr) << strerror(errno);
    dir_ = tmpl;
    ASSERT_SYSCALL_OK(chmod(dir_.c_str(), 0755));
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  std::string dir_;
};

TEST_F(FilePermsTest, NonRootGetsEACCESOnARootFile0600) {
  const std::string secret = Path("secret");
  WriteFile(secret, 0600);
  EXPECT_EQ(RunInChild([&] {
              CHILD_CHECK(BecomeNobody());
              CHILD_CHECK(open(secret.c_str(), O_RDONLY) == -1 && errno == EACCES);
              CHILD_CHECK(open(secret.c_str(), O_WRONLY) == -1 && errno == EACCES);
              CHILD_CHECK(access(secret.c_str(), R_OK) == -1 && errno == EACCES);
              CHILD_CHECK(truncate(secret.c_str(), 0) == -1 && errno == EACCES);
              return 0;
            }),
            0);
  struct stat st;
  ASSERT_SYSCALL_OK(stat(secret.c_str(), &st));
  EXPECT_EQ(st.st_size, 1) << "the refused truncate changed the file";
}

TEST_F(FilePermsTest, NonRootCannotSearchA0700RootDirectory) {
  const std::string closed = Path("closed");
  ASSERT_SYSCALL_OK(mkdir(closed.c_str(), 0700));
  WriteFile(closed + "/inside", 0644);
  EXPECT_EQ(RunInChild([&] {
              CHILD_CHECK(BecomeNobody());
              struct stat st;
              CHILD_CHECK(stat((closed + "/inside").c_str(), &st) == -1 && errno == EACCES);
              CHILD_CHECK(open(closed.c_str(), O_RDONLY | O_DIRECTORY) == -1 && errno == EACCES);
              return 0;
            }),
            0);
}

TEST_F(FilePermsTest, NewFilesAreOwnedByTheCreatorAndItsOwnFilesWork) {
  const std::string shared = Path("shared");
  ASSERT_SYSCALL_OK(mkdir(shared.c_str(), 0777));
  ASSERT_SYSCALL_OK(chmod(shared.c_str(), 0777));
  const std::string mine = shared + "/mine", subdir = shared + "/subdir";
  EXPECT_EQ(RunInChild([&] {
              CHILD_CHECK(BecomeNobody());
              int fd = open(mine.c_str(), O_CREAT | O_RDWR | O_EXCL, 0600);
              CHILD_CHECK(fd >= 0);
              CHILD_CHECK(write(fd, "ok", 2) == 2);
              close(fd);
              CHILD_CHECK(chmod(mine.c_str(), 0640) == 0);
              CHILD_CHECK(mkdir(subdir.c_str(), 0700) == 0);
              CHILD_CHECK(open(mine.c_str(), O_RDONLY) >= 0);
              return 0;
            }),
            0);
  // As root, back in the parent: the files belong to nobody:nogroup.
  struct stat st;
  ASSERT_SYSCALL_OK(stat(mine.c_str(), &st));
  EXPECT_EQ(st.st_uid, kNobody);
  EXPECT_EQ(st.st_gid, kNogroup);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  ASSERT_SYSCALL_OK(stat(subdir.c_str(), &st));
  EXPECT_EQ(st.st_uid, kNobody);
  EXPECT_EQ(st.st_gid, kNogroup);
}

TEST_F(FilePermsTest, ASetgidDirectoryGivesNewFilesItsGroup) {
  const std::string group_dir = Path("group_dir");
  ASSERT_SYSCALL_OK(mkdir(group_dir.c_str(), 0777));
  ASSERT_SYSCALL_OK(chown(group_dir.c_str(), 0, kOtherGroup));
  ASSERT_SYSCALL_OK(chmod(group_dir.c_str(), 02777));
  const std::string file = group_dir + "/file", sub = group_dir + "/sub";
  EXPECT_EQ(RunInChild([&] {
              CHILD_CHECK(BecomeNobody());
              int fd = open(file.c_str(), O_CREAT | O_WRONLY | O_EXCL, 0644);
              CHILD_CHECK(fd >= 0);
              close(fd);
              CHILD_CHECK(mkdir(sub.c_str(), 0755) == 0);
              return 0;
            }),
            0);
  struct stat st;
  ASSERT_SYSCALL_OK(stat(file.c_str(), &st));
  EXPECT_EQ(st.st_uid, kNobody);
  EXPECT_EQ(st.st_gid, kOtherGroup);
  ASSERT_SYSCALL_OK(stat(sub.c_str(), &st));
  EXPECT_EQ(st.st_gid, kOtherGroup);
  EXPECT_TRUE(st.st_mode & S_ISGID) << "a new directory inherits S_ISGID";
}

// The same rules on tmpfs (/dev/shm, a tmpfs natively and in the sandbox).
TEST_F(FilePermsTest, ASetgidTmpfsDirectoryGivesNewFilesItsGroup) {
  char tmpl[] = "/dev/shm/file_perms.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr) << strerror(errno);
  const std::string group_dir = tmpl;
  ASSERT_SYSCALL_OK(chmod(group_dir.c_str(), 0777));
  ASSERT_SYSCALL_OK(chown(group_dir.c_str(), 0, kOtherGroup));
  ASSERT_SYSCALL_OK(chmod(group_dir.c_str(), 02777));
  const std::string file = group_dir + "/file", sub = group_dir + "/sub";
  EXPECT_EQ(RunInChild([&] {
              CHILD_CHECK(BecomeNobody());
              int fd = open(file.c_str(), O_CREAT | O_WRONLY | O_EXCL, 0644);
              CHILD_CHECK(fd >= 0);
              close(fd);
              CHILD_CHECK(mkdir(sub.c_str(), 0755) == 0);
              return 0;
            }),
            0);
  struct stat st;
  ASSERT_SYSCALL_OK(stat(file.c_str(), &st));
  EXPECT_EQ(st.st_uid, kNobody);
  EXPECT_EQ(st.st_gid, kOtherGroup);
  ASSERT_SYSCALL_OK(stat(sub.c_str(), &st));
  EXPECT_EQ(st.st_gid, kOtherGroup);
  EXPECT_TRUE(st.st_mode & S_ISGID) << "a new directory inherits S_ISGID";
  std::filesystem::remove_all(group_dir);
}

TEST_F(FilePermsTest, ChmodByAnOwnerOutsideTheGroupDropsSetgid) {
  char tmpl[] = "/dev/shm/file_perms.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr) << strerror(errno);
  const std::string shm_dir = tmpl;
  ASSERT_SYSCALL_OK(chmod(shm_dir.c_str(), 0755));
  for (const std::string& dir : {dir_, shm_dir}) {
    const std::string file = dir + "/theirs";
    WriteFile(file, 0644);
    ASSERT_SYSCALL_OK(chown(file.c_str(), kNobody, kOtherGroup));
    EXPECT_EQ(RunInChild([&] {
                CHILD_CHECK(BecomeNobody());
                CHILD_CHECK(chmod(file.c_str(), 02755) == 0);
                return 0;
              }),
              0)
        << dir;
    struct stat st;
    ASSERT_SYSCALL_OK(stat(file.c_str(), &st));
    EXPECT_EQ(st.st_mode & 07777, 0755u) << dir << ": not in the group, no CAP_FSETID";
    // Root (CAP_FSETID) keeps it.
    ASSERT_SYSCALL_OK(chmod(file.c_str(), 02755));
    ASSERT_SYSCALL_OK(stat(file.c_str(), &st));
    EXPECT_EQ(st.st_mode & 07777, 02755u) << dir;
  }
  std::filesystem::remove_all(shm_dir);
}

TEST_F(FilePermsTest, StickyDirectoryKeepsOthersFromRemovingRootsFile) {
  const std::string sticky = Path("sticky");
  ASSERT_SYSCALL_OK(mkdir(sticky.c_str(), 0777));
  ASSERT_SYSCALL_OK(chmod(sticky.c_str(), 01777));
  const std::string roots = sticky + "/roots", own = sticky + "/own";
  WriteFile(roots, 0666);
  EXPECT_EQ(RunInChild([&] {
              CHILD_CHECK(BecomeNobody());
              CHILD_CHECK(unlink(roots.c_str()) == -1 && errno == EPERM);
              CHILD_CHECK(rename(roots.c_str(), (sticky + "/moved").c_str()) == -1 &&
                          errno == EPERM);
              int fd = open(own.c_str(), O_CREAT | O_WRONLY | O_EXCL, 0644);
              CHILD_CHECK(fd >= 0);
              close(fd);
              CHILD_CHECK(unlink(own.c_str()) == 0);  // Its own file goes.
              return 0;
            }),
            0);
  EXPECT_SYSCALL_OK(access(roots.c_str(), F_OK));
}

TEST_F(FilePermsTest, NonOwnerCannotChmodOrChownAndCannotCreateInAReadOnlyDir) {
  const std::string roots = Path("roots");
  WriteFile(roots, 0666);
  const std::string readonly_dir = Path("ro_dir");
  ASSERT_SYSCALL_OK(mkdir(readonly_dir.c_str(), 0755));
  EXPECT_EQ(RunInChild([&] {
              CHILD_CHECK(BecomeNobody());
              CHILD_CHECK(chmod(roots.c_str(), 0777) == -1 && errno == EPERM);
              CHILD_CHECK(chown(roots.c_str(), kNobody, kNogroup) == -1 && errno == EPERM);
              CHILD_CHECK(open((readonly_dir + "/new").c_str(), O_CREAT | O_WRONLY, 0644) == -1 &&
                          errno == EACCES);
              CHILD_CHECK(mkdir((readonly_dir + "/d").c_str(), 0755) == -1 && errno == EACCES);
              CHILD_CHECK(unlink(roots.c_str()) == -1 && errno == EACCES);  // Parent is 0755.
              // Writable by others: writing it is allowed.
              int fd = open(roots.c_str(), O_WRONLY);
              CHILD_CHECK(fd >= 0);
              close(fd);
              return 0;
            }),
            0);
  struct stat st;
  ASSERT_SYSCALL_OK(stat(roots.c_str(), &st));
  EXPECT_EQ(st.st_mode & 07777, 0666u);
  EXPECT_EQ(st.st_uid, 0u);
}

}  // namespace
}  // namespace runsc::syscall_test
