// tmpfs through the Node and File interfaces the syscalls use, with real
// memfds: contents, link counts, rename flags, the size limit, permissions
// against several credentials, and MAP_SHARED of the memfd.
#include "fs/tmpfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>  // RENAME_*.
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstring>
#include <set>

#include "base/errno_status.h"
#include "fs/vfs.h"
#include "fs/xattr.h"
#include "gtest/gtest.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/no_dispatch.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {
namespace {

using sentry::NoDispatch;

int Errno(const absl::Status& s) { return ErrnoOf(s); }
template <typename T>
int Errno(const absl::StatusOr<T>& s) {
  return ErrnoOf(s.status());
}

absl::Span<const uint8_t> Bytes(const std::string& s) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

class TmpfsTest : public ::testing::Test {
 protected:
  TmpfsTest()
      : kernel_(nullptr, dispatcher_),
        root_task_(kernel_, 1, nullptr),
        user_(kernel_, 2, nullptr),
        other_(kernel_, 3, nullptr) {
    user_.creds.ResetTo(1000, 1000);
    other_.creds.ResetTo(2000, 2000);
    root_ = NewTmpfs({});
  }

  // Creates `name` in `dir` as `task` and writes `contents`.
  std::shared_ptr<Node> MakeFile(Node& dir, const std::string& name, const std::string& contents,
                                 sentry::Task* task = nullptr, mode_t mode = 0644) {
    sentry::Task& t = task ? *task : root_task_;
    absl::StatusOr<CreatedNode> c = dir.Create(t, name, O_RDWR, mode);
    EXPECT_TRUE(c.ok()) << c.status();
    if (!c.ok()) return nullptr;
    if (!contents.empty()) {
      absl::StatusOr<size_t> n = c->file->Write(t, Bytes(contents));
      EXPECT_TRUE(n.ok()) << n.status();
      EXPECT_EQ(*n, contents.size());
    }
    return c->node;
  }
  std::string ReadAll(Node& node, sentry::Task* task = nullptr) {
    sentry::Task& t = task ? *task : root_task_;
    absl::StatusOr<std::shared_ptr<File>> f = node.Open(t, O_RDONLY);
    if (!f.ok()) return "error " + std::to_string(Errno(f));
    std::string out;
    uint8_t buf[1000];
    for (;;) {
      absl::StatusOr<size_t> n = (*f)->Read(t, absl::MakeSpan(buf));
      if (!n.ok() || *n == 0) break;
      out.append(reinterpret_cast<char*>(buf), *n);
    }
    return out;
  }
  struct stat StatOf(Node& node) {
    absl::StatusOr<struct stat> st = node.Stat();
    EXPECT_TRUE(st.ok()) << st.status();
    return st.ok() ? *st : (struct stat){};
  }
  std::set<std::string> Names(Node& dir) {
    absl::StatusOr<std::shared_ptr<File>> f = dir.Open(root_task_, O_RDONLY | O_DIRECTORY);
    std::set<std::string> out;
    if (!f.ok()) return out;
    absl::StatusOr<std::vector<DirEntry>> entries = (*f)->ReadDir();
    if (entries.ok()) {
      for (const DirEntry& e : *entries) out.insert(e.name);
    }
    return out;
  }

  NoDispatch dispatcher_;
  sentry::Kernel kernel_;
  sentry::Task root_task_, user_, other_;
  std::shared_ptr<Node> root_;
};

TEST_F(TmpfsTest, FilesKeepWhatIsWrittenAndStatSaysSo) {
  std::shared_ptr<Node> f = MakeFile(*root_, "a", "hello, tmpfs");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(ReadAll(*f), "hello, tmpfs");
  struct stat st = StatOf(*f);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  EXPECT_EQ(st.st_size, 12);
  EXPECT_EQ(st.st_nlink, 1u);
  EXPECT_EQ(st.st_dev, StatOf(*root_).st_dev);
  EXPECT_NE(st.st_ino, StatOf(*root_).st_ino);
  // Lookup finds the same inode.
  absl::StatusOr<std::shared_ptr<Node>> again = root_->Lookup(root_task_, "a");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(StatOf(**again).st_ino, st.st_ino);
  EXPECT_EQ(Errno(root_->Lookup(root_task_, "missing")), ENOENT);
  EXPECT_EQ(Errno(root_->Create(root_task_, "a", O_RDWR, 0644)), EEXIST);
  // Two tmpfs instances are two devices.
  EXPECT_NE(StatOf(*NewTmpfs({})).st_dev, StatOf(*root_).st_dev);
}

TEST_F(TmpfsTest, OffsetsAppendTruncateAndSeek) {
  absl::StatusOr<CreatedNode> c = root_->Create(root_task_, "f", O_RDWR, 0600);
  ASSERT_TRUE(c.ok());
  File& file = *c->file;
  ASSERT_TRUE(file.PWrite(root_task_, Bytes("world"), 6).ok());
  ASSERT_TRUE(file.PWrite(root_task_, Bytes("hello "), 0).ok());
  EXPECT_EQ(ReadAll(*c->node), "hello world");
  EXPECT_EQ(*file.Seek(0, SEEK_END), 11);
  EXPECT_EQ(*file.Seek(-5, SEEK_CUR), 6);
  EXPECT_EQ(Errno(file.Seek(-100, SEEK_CUR)), EINVAL);
  EXPECT_EQ(Errno(file.Seek(11, SEEK_DATA)), ENXIO);
  ASSERT_TRUE(file.Truncate(5).ok());
  EXPECT_EQ(ReadAll(*c->node), "hello");
  ASSERT_TRUE(file.Truncate(8).ok());
  EXPECT_EQ(ReadAll(*c->node), std::string("hello\0\0\0", 8));
  // O_APPEND writes at the end whatever the offset.
  absl::StatusOr<std::shared_ptr<File>> appender = c->node->Open(root_task_, O_WRONLY | O_APPEND);
  ASSERT_TRUE(appender.ok());
  ASSERT_TRUE((*appender)->PWrite(root_task_, Bytes("!"), 0).ok());
  EXPECT_EQ(StatOf(*c->node).st_size, 9);
  // O_TRUNC empties it.
  ASSERT_TRUE(c->node->Open(root_task_, O_WRONLY | O_TRUNC).ok());
  EXPECT_EQ(StatOf(*c->node).st_size, 0);
  // Truncate by path (SetAttr) too.
  ASSERT_TRUE(c->node->SetAttr(root_task_, {.size = 4096}).ok());
  EXPECT_EQ(StatOf(*c->node).st_size, 4096);
  EXPECT_EQ(StatOf(*c->node).st_blocks, 8);
}

TEST_F(TmpfsTest, MemfdIsSharedWithMappings) {
  absl::StatusOr<CreatedNode> c = root_->Create(root_task_, "shm", O_RDWR, 0600);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->file->Truncate(4096).ok());
  const int fd = c->file->HostFd();
  ASSERT_GE(fd, 0);
  // Another open of the same file hands out the same memory.
  absl::StatusOr<std::shared_ptr<File>> other = c->node->Open(root_task_, O_RDWR);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ((*other)->HostFd(), fd);
  void* p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ASSERT_NE(p, MAP_FAILED) << strerror(errno);
  std::memcpy(p, "mapped", 6);
  EXPECT_EQ(ReadAll(*c->node).substr(0, 6), "mapped");
  ASSERT_TRUE((*other)->PWrite(root_task_, Bytes("WRITE"), 0).ok());
  EXPECT_EQ(std::memcmp(p, "WRITEd", 6), 0);
  munmap(p, 4096);
}

TEST_F(TmpfsTest, DirectoriesCountLinksAndRefuseRemovalWhenFull) {
  absl::StatusOr<std::shared_ptr<Node>> d = root_->Mkdir(root_task_, "d", 0755);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(StatOf(*root_).st_nlink, 3u);
  EXPECT_EQ(StatOf(**d).st_nlink, 2u);
  ASSERT_TRUE((*d)->Mkdir(root_task_, "sub", 0755).ok());
  EXPECT_EQ(StatOf(**d).st_nlink, 3u);
  MakeFile(**d, "file", "x");
  EXPECT_EQ(Names(**d), (std::set<std::string>{".", "..", "sub", "file"}));
  EXPECT_EQ(Errno(root_->Unlink(root_task_, "d", true)), ENOTEMPTY);
  EXPECT_EQ(Errno(root_->Unlink(root_task_, "d", false)), EISDIR);
  EXPECT_EQ(Errno((*d)->Unlink(root_task_, "file", true)), ENOTDIR);
  ASSERT_TRUE((*d)->Unlink(root_task_, "file", false).ok());
  ASSERT_TRUE((*d)->Unlink(root_task_, "sub", true).ok());
  ASSERT_TRUE(root_->Unlink(root_task_, "d", true).ok());
  EXPECT_EQ(StatOf(*root_).st_nlink, 2u);
  // A removed directory (still open somewhere) takes no new names.
  EXPECT_EQ(StatOf(**d).st_nlink, 0u);
  EXPECT_EQ(Errno((*d)->Mkdir(root_task_, "late", 0755)), ENOENT);
  EXPECT_EQ(Errno(root_->Unlink(root_task_, "d", true)), ENOENT);
}

TEST_F(TmpfsTest, SymlinksAndHardLinks) {
  std::shared_ptr<Node> f = MakeFile(*root_, "target", "data");
  absl::StatusOr<std::shared_ptr<Node>> l = root_->Symlink(root_task_, "link", "target");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ((*l)->Type(), static_cast<mode_t>(S_IFLNK));
  EXPECT_EQ(*(*l)->ReadLink(root_task_), "target");
  EXPECT_EQ(StatOf(**l).st_size, 6);
  EXPECT_EQ(Errno(f->ReadLink(root_task_)), EINVAL);
  ASSERT_TRUE(root_->Link(root_task_, "hard", *f).ok());
  EXPECT_EQ(StatOf(*f).st_nlink, 2u);
  EXPECT_EQ(Errno(root_->Link(root_task_, "hard", *f)), EEXIST);
  ASSERT_TRUE(root_->Unlink(root_task_, "target", false).ok());
  EXPECT_EQ(StatOf(*f).st_nlink, 1u);
  EXPECT_EQ(ReadAll(**root_->Lookup(root_task_, "hard")), "data");
  // Links across filesystems and to directories are refused.
  std::shared_ptr<Node> elsewhere = NewTmpfs({});
  EXPECT_EQ(Errno(elsewhere->Link(root_task_, "x", *f)), EXDEV);
  EXPECT_EQ(Errno(root_->Link(root_task_, "rootlink", *root_)), EPERM);
}

TEST_F(TmpfsTest, RenameReplacesExchangesAndRefusesWhatLinuxRefuses) {
  MakeFile(*root_, "a", "A");
  MakeFile(*root_, "b", "B");
  absl::StatusOr<std::shared_ptr<Node>> d = root_->Mkdir(root_task_, "d", 0755);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(Errno(root_->Rename(root_task_, "a", *root_, "b", RENAME_NOREPLACE)), EEXIST);
  ASSERT_TRUE(root_->Rename(root_task_, "a", *root_, "b", RENAME_EXCHANGE).ok());
  EXPECT_EQ(ReadAll(**root_->Lookup(root_task_, "a")), "B");
  EXPECT_EQ(ReadAll(**root_->Lookup(root_task_, "b")), "A");
  EXPECT_EQ(Errno(root_->Rename(root_task_, "a", *root_, "none", RENAME_EXCHANGE)), ENOENT);
  // Replace: the old "b" is gone.
  ASSERT_TRUE(root_->Rename(root_task_, "a", **d, "moved", 0).ok());
  EXPECT_EQ(Errno(root_->Lookup(root_task_, "a")), ENOENT);
  EXPECT_EQ(ReadAll(**(*d)->Lookup(root_task_, "moved")), "B");
  ASSERT_TRUE((*d)->Rename(root_task_, "moved", *root_, "b", 0).ok());
  EXPECT_EQ(ReadAll(**root_->Lookup(root_task_, "b")), "B");
  // Directories: not over a file, not below themselves, not over a full one.
  EXPECT_EQ(Errno(root_->Rename(root_task_, "d", *root_, "b", 0)), ENOTDIR);
  EXPECT_EQ(Errno(root_->Rename(root_task_, "b", *root_, "d", 0)), EISDIR);
  EXPECT_EQ(Errno(root_->Rename(root_task_, "d", **d, "inside", 0)), EINVAL);
  absl::StatusOr<std::shared_ptr<Node>> e = root_->Mkdir(root_task_, "e", 0755);
  ASSERT_TRUE(e.ok());
  MakeFile(**e, "keep", "");
  EXPECT_EQ(Errno(root_->Rename(root_task_, "d", *root_, "e", 0)), ENOTEMPTY);
  ASSERT_TRUE((*e)->Unlink(root_task_, "keep", false).ok());
  ASSERT_TRUE(root_->Rename(root_task_, "d", *root_, "e", 0).ok());
  EXPECT_EQ(StatOf(*root_).st_nlink, 3u);  // "e" (the old d) only.
  // Moving a directory to another parent moves its link.
  absl::StatusOr<std::shared_ptr<Node>> f = root_->Mkdir(root_task_, "f", 0755);
  ASSERT_TRUE(root_->Rename(root_task_, "e", **f, "e", 0).ok());
  EXPECT_EQ(StatOf(*root_).st_nlink, 3u);
  EXPECT_EQ(StatOf(**f).st_nlink, 3u);
  // Another filesystem.
  std::shared_ptr<Node> elsewhere = NewTmpfs({});
  EXPECT_EQ(Errno(root_->Rename(root_task_, "b", *elsewhere, "b", 0)), EXDEV);
}

TEST_F(TmpfsTest, SizeLimitGivesShortWritesThenEnospc) {
  absl::StatusOr<TmpfsOptions> options = ParseTmpfsOptions({"size=8k"});
  ASSERT_TRUE(options.ok());
  std::shared_ptr<Node> small = NewTmpfs(*options);
  absl::StatusOr<CreatedNode> c = small->Create(root_task_, "big", O_RDWR, 0644);
  ASSERT_TRUE(c.ok());
  std::string data(12000, 'x');
  absl::StatusOr<size_t> n = c->file->Write(root_task_, Bytes(data));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 8192u);
  EXPECT_EQ(Errno(c->file->Write(root_task_, Bytes(data))), ENOSPC);
  EXPECT_EQ(Errno(c->file->Truncate(16384)), ENOSPC);
  absl::StatusOr<struct statfs> st = small->StatFs(root_task_);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->f_type, 0x01021994);
  EXPECT_EQ(st->f_blocks, 2u);
  EXPECT_EQ(st->f_bfree, 0u);
  // Space comes back when the file shrinks, and when it is gone.
  ASSERT_TRUE(c->file->Truncate(4096).ok());
  EXPECT_EQ(small->StatFs(root_task_)->f_bfree, 1u);
  ASSERT_TRUE(small->Unlink(root_task_, "big", false).ok());
  c.value().file.reset();
  c.value().node.reset();
  EXPECT_EQ(small->StatFs(root_task_)->f_bfree, 2u);
  std::shared_ptr<Node> again = MakeFile(*small, "again", std::string(8192, 'y'));
  EXPECT_EQ(StatOf(*again).st_size, 8192);
}

TEST_F(TmpfsTest, FallocateGrowsPunchesAndIsChargedToTheSizeLimit) {
  absl::StatusOr<TmpfsOptions> options = ParseTmpfsOptions({"size=8k"});
  ASSERT_TRUE(options.ok());
  std::shared_ptr<Node> small = NewTmpfs(*options);
  absl::StatusOr<CreatedNode> c = small->Create(root_task_, "f", O_RDWR, 0644);
  ASSERT_TRUE(c.ok());
  File& file = *c->file;
  ASSERT_TRUE(file.Allocate(0, 0, 4096).ok());
  EXPECT_EQ(file.Stat()->st_size, 4096);
  EXPECT_EQ(small->StatFs(root_task_)->f_bfree, 1u);
  // KEEP_SIZE leaves the size (and so the charge) alone.
  ASSERT_TRUE(file.Allocate(FALLOC_FL_KEEP_SIZE, 0, 8192).ok());
  EXPECT_EQ(file.Stat()->st_size, 4096);
  // Growing past size= is ENOSPC and changes nothing.
  EXPECT_EQ(Errno(file.Allocate(0, 4096, 8192)), ENOSPC);
  EXPECT_EQ(file.Stat()->st_size, 4096);
  EXPECT_EQ(small->StatFs(root_task_)->f_bfree, 1u);
  // A punched hole reads as zeros; shmem has no ZERO_RANGE.
  ASSERT_TRUE(file.PWrite(root_task_, Bytes("abcd"), 0).ok());
  ASSERT_TRUE(file.Allocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 1, 2).ok());
  std::string back(4, '?');
  ASSERT_TRUE(
      file.PRead(root_task_, absl::MakeSpan(reinterpret_cast<uint8_t*>(back.data()), 4), 0).ok());
  EXPECT_EQ(back, std::string("a\0\0d", 4));
  EXPECT_EQ(Errno(file.Allocate(FALLOC_FL_ZERO_RANGE, 0, 10)), EOPNOTSUPP);
}

TEST_F(TmpfsTest, OptionsParseAsMountWritesThem) {
  absl::StatusOr<TmpfsOptions> o =
      ParseTmpfsOptions({"size=1m", "mode=755", "uid=1000", "gid=1001", "nr_inodes=10k"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->size_bytes, 1u << 20);
  EXPECT_EQ(o->mode, 0755u);
  std::shared_ptr<Node> fs = NewTmpfs(*o);
  struct stat st = StatOf(*fs);
  EXPECT_EQ(st.st_mode, static_cast<mode_t>(S_IFDIR | 0755));
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 1001u);
  EXPECT_EQ(ParseTmpfsOptions({"size=100"})->size_bytes, 4096u);  // Whole pages.
  EXPECT_GT(ParseTmpfsOptions({"size=50%"})->size_bytes, 0u);
  EXPECT_EQ(StatOf(*NewTmpfs({})).st_mode, static_cast<mode_t>(S_IFDIR | 01777));
  for (const char* bad : {"size=", "size=x", "mode=9", "mode=77777", "uid=-1", "bogus", "huge=1",
                          "nr_inodes=5%"}) {
    EXPECT_FALSE(ParseTmpfsOptions({bad}).ok()) << bad;
  }
}

TEST_F(TmpfsTest, NewFilesBelongToTheTasksFsIds) {
  MakeFile(*root_, "mine", "", &user_);
  struct stat st = StatOf(**root_->Lookup(user_, "mine"));
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 1000u);
  user_.creds.fsuid = 1234;
  user_.creds.fsgid = 4321;
  ASSERT_TRUE(root_->Mkdir(user_, "fsids", 0755).ok());
  st = StatOf(**root_->Lookup(user_, "fsids"));
  EXPECT_EQ(st.st_uid, 1234u);
  EXPECT_EQ(st.st_gid, 4321u);
  // A set-gid directory gives its group, and its set-gid bit to directories.
  absl::StatusOr<std::shared_ptr<Node>> sgid = root_->Mkdir(root_task_, "sgid", 0777);
  ASSERT_TRUE((*sgid)->SetAttr(root_task_, {.owner = std::pair(0u, 55u)}).ok());
  ASSERT_TRUE((*sgid)->SetAttr(root_task_, {.mode = 02777}).ok());
  ASSERT_TRUE((*sgid)->Mkdir(user_, "sub", 0755).ok());
  st = StatOf(**(*sgid)->Lookup(user_, "sub"));
  EXPECT_EQ(st.st_gid, 55u);
  EXPECT_EQ(st.st_mode & 07777, 02755u);
}

TEST_F(TmpfsTest, PermissionsAreCheckedAgainstTheTasksCredentials) {
  absl::StatusOr<std::shared_ptr<Node>> closed = root_->Mkdir(root_task_, "closed", 0755);
  ASSERT_TRUE(closed.ok());
  // Not writable by others: no new names, no removals.
  EXPECT_EQ(Errno((*closed)->Create(user_, "x", O_RDWR, 0644)), EACCES);
  EXPECT_EQ(Errno((*closed)->Mkdir(user_, "x", 0755)), EACCES);
  MakeFile(**closed, "rootfile", "secret", nullptr, 0600);
  EXPECT_EQ(Errno((*closed)->Unlink(user_, "rootfile", false)), EACCES);
  // Not readable by others.
  std::shared_ptr<Node> secret = *(*closed)->Lookup(user_, "rootfile");
  EXPECT_EQ(Errno(secret->Open(user_, O_RDONLY)), EACCES);
  EXPECT_EQ(Errno(secret->Open(user_, O_WRONLY)), EACCES);
  EXPECT_EQ(ReadAll(*secret), "secret");  // Root reads it (CAP_DAC_OVERRIDE).
  // Not searchable: lookups fail.
  ASSERT_TRUE((*closed)->SetAttr(root_task_, {.mode = 0700}).ok());
  EXPECT_EQ(Errno((*closed)->Lookup(user_, "rootfile")), EACCES);
  EXPECT_EQ(Errno((*closed)->Open(user_, O_RDONLY)), EACCES);
  // chmod, chown and explicit times need ownership (or capabilities).
  EXPECT_EQ(Errno(secret->SetAttr(user_, {.mode = 0777})), EPERM);
  EXPECT_EQ(Errno(secret->SetAttr(user_, {.owner = std::pair(1000u, 1000u)})), EPERM);
  std::pair<struct timespec, struct timespec> explicit_times = {{1, 0}, {2, 0}};
  std::pair<struct timespec, struct timespec> now = {{0, UTIME_NOW}, {0, UTIME_NOW}};
  EXPECT_EQ(Errno(secret->SetAttr(user_, {.times = explicit_times})), EPERM);
  EXPECT_EQ(Errno(secret->SetAttr(user_, {.times = now})), EACCES);
  EXPECT_EQ(Errno(secret->SetAttr(user_, {.size = 0})), EACCES);
  // The owner may; a non-root owner may not give the file away.
  std::shared_ptr<Node> mine = MakeFile(*root_, "mine", "", &user_, 0600);
  ASSERT_TRUE(mine->SetAttr(user_, {.mode = 0640}).ok());
  ASSERT_TRUE(mine->SetAttr(user_, {.times = explicit_times}).ok());
  EXPECT_EQ(StatOf(*mine).st_mtim.tv_sec, 2);
  EXPECT_EQ(Errno(mine->SetAttr(user_, {.owner = std::pair(0u, static_cast<gid_t>(-1))})), EPERM);
  EXPECT_EQ(Errno(mine->SetAttr(user_, {.owner = std::pair(static_cast<uid_t>(-1), 77u)})), EPERM);
  user_.creds.groups = {77};
  ASSERT_TRUE(mine->SetAttr(user_, {.owner = std::pair(static_cast<uid_t>(-1), 77u)}).ok());
  EXPECT_EQ(StatOf(*mine).st_gid, 77u);
  EXPECT_EQ(Errno(mine->Open(other_, O_RDONLY)), EACCES);
  // Group bits apply to the group, other bits to the rest.
  other_.creds.groups = {77};
  EXPECT_TRUE(mine->Open(other_, O_RDONLY).ok());
  EXPECT_EQ(Errno(mine->Open(other_, O_WRONLY)), EACCES);
  // chown by root clears set-uid.
  ASSERT_TRUE(mine->SetAttr(root_task_, {.mode = 04755}).ok());
  ASSERT_TRUE(mine->SetAttr(root_task_, {.owner = std::pair(5u, 5u)}).ok());
  EXPECT_EQ(StatOf(*mine).st_mode & 07777, 0755u);
}

TEST_F(TmpfsTest, StickyDirectoriesProtectOthersEntries) {
  // The root is 1777, as /tmp.
  MakeFile(*root_, "users", "", &user_);
  EXPECT_EQ(Errno(root_->Unlink(other_, "users", false)), EPERM);
  EXPECT_EQ(Errno(root_->Rename(other_, "users", *root_, "stolen", 0)), EPERM);
  MakeFile(*root_, "others", "", &other_);
  EXPECT_EQ(Errno(root_->Rename(other_, "others", *root_, "users", 0)), EPERM);
  ASSERT_TRUE(root_->Unlink(user_, "users", false).ok());
  ASSERT_TRUE(root_->Unlink(root_task_, "others", false).ok());
}

TEST_F(TmpfsTest, FifosSocketsAndDevices) {
  absl::StatusOr<std::shared_ptr<Node>> fifo = root_->Mknod(root_task_, "fifo", S_IFIFO | 0600);
  ASSERT_TRUE(fifo.ok());
  EXPECT_TRUE(S_ISFIFO(StatOf(**fifo).st_mode));
  // A FIFO is a sentry pipe: with no reader a non-blocking writer is
  // ENXIO, and a non-blocking reader needs no writer.
  EXPECT_EQ(Errno((*fifo)->Open(root_task_, O_WRONLY | O_NONBLOCK)), ENXIO);
  EXPECT_TRUE((*fifo)->Open(root_task_, O_RDONLY | O_NONBLOCK).ok());
  absl::StatusOr<std::shared_ptr<Node>> sock = root_->Mknod(root_task_, "sock", S_IFSOCK | 0600);
  ASSERT_TRUE(sock.ok());
  EXPECT_TRUE(S_ISSOCK(StatOf(**sock).st_mode));
  EXPECT_EQ(Errno((*sock)->Open(root_task_, O_RDONLY)), ENXIO);
  EXPECT_EQ(Errno(root_->Mknod(root_task_, "null", S_IFCHR | 0666)), EPERM);
  absl::StatusOr<std::shared_ptr<Node>> reg = root_->Mknod(root_task_, "reg", S_IFREG | 0600);
  ASSERT_TRUE(reg.ok());
  EXPECT_EQ(ReadAll(**reg), "");
}

TEST_F(TmpfsTest, TmpfileIsUnnamedUntilLinked) {
  absl::StatusOr<CreatedNode> t = root_->CreateTmpfile(root_task_, O_RDWR, 0600);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(StatOf(*t->node).st_nlink, 0u);
  ASSERT_TRUE(t->file->Write(root_task_, Bytes("anon")).ok());
  EXPECT_EQ(Names(*root_), (std::set<std::string>{".", ".."}));
  ASSERT_TRUE(root_->Link(root_task_, "named", *t->node).ok());
  EXPECT_EQ(StatOf(*t->node).st_nlink, 1u);
  EXPECT_EQ(ReadAll(**root_->Lookup(root_task_, "named")), "anon");
  absl::StatusOr<CreatedNode> excl = root_->CreateTmpfile(root_task_, O_RDWR | O_EXCL, 0600);
  ASSERT_TRUE(excl.ok());
  EXPECT_EQ(Errno(root_->Link(root_task_, "never", *excl->node)), ENOENT);
  // A removed file cannot come back either.
  ASSERT_TRUE(root_->Unlink(root_task_, "named", false).ok());
  EXPECT_EQ(Errno(root_->Link(root_task_, "back", *t->node)), ENOENT);
}

TEST_F(TmpfsTest, ReadOnlyTmpfsRefusesEveryChange) {
  std::shared_ptr<Node> ro = NewTmpfs({.read_only = true});
  EXPECT_EQ(Errno(ro->Create(root_task_, "x", O_RDWR, 0644)), EROFS);
  EXPECT_EQ(Errno(ro->Mkdir(root_task_, "x", 0755)), EROFS);
  EXPECT_EQ(Errno(ro->SetAttr(root_task_, {.mode = 0})), EROFS);
  EXPECT_EQ(Errno(ro->Unlink(root_task_, "x", false)), EROFS);
  EXPECT_EQ(Errno(ro->CreateTmpfile(root_task_, O_RDWR, 0600)), EROFS);
  EXPECT_NE(ro->StatFs(root_task_)->f_flags & ST_RDONLY, 0u);
  EXPECT_TRUE(ro->Open(root_task_, O_RDONLY).ok());
}

// user.* and trusted.* through the VFS half (fs/xattr.h), as the syscalls
// call them: kept per inode, the ctime moved, Linux's permission rules.
TEST_F(TmpfsTest, ExtendedAttributesWithPermissions) {
  std::shared_ptr<Node> file = MakeFile(*root_, "f", "x", &user_, 0644);
  ASSERT_NE(file, nullptr);
  auto target = [&] { return XattrTarget{.node = file, .st = *file->Stat()}; };
  const struct stat before = *file->Stat();
  ASSERT_TRUE(SetXattr(user_, target(), "user.mine", "1", 0).ok());
  EXPECT_EQ(GetXattr(other_, target(), "user.mine").value_or("?"), "1");  // 0644: readable.
  EXPECT_EQ(Errno(SetXattr(other_, target(), "user.mine", "2", 0)), EACCES);
  EXPECT_EQ(Errno(RemoveXattr(other_, target(), "user.mine")), EACCES);
  // trusted.* is for CAP_SYS_ADMIN, and hidden from the others' lists.
  EXPECT_EQ(Errno(SetXattr(user_, target(), "trusted.t", "t", 0)), EPERM);
  ASSERT_TRUE(SetXattr(root_task_, target(), "trusted.t", "t", 0).ok());
  EXPECT_EQ(Errno(GetXattr(user_, target(), "trusted.t")), ENODATA);
  EXPECT_EQ(ListXattr(user_, target()).value_or("?"), std::string("user.mine\0", 10));
  EXPECT_EQ(ListXattr(root_task_, target()).value_or("?"),
            std::string("user.mine\0trusted.t\0", 20));
  // security.* and system.* are not kept here.
  EXPECT_EQ(Errno(SetXattr(root_task_, target(), "security.capability", "c", 0)), EOPNOTSUPP);
  EXPECT_EQ(Errno(GetXattr(root_task_, target(), "system.posix_acl_access")), EOPNOTSUPP);
  const struct stat after = *file->Stat();
  EXPECT_TRUE(after.st_ctim.tv_sec > before.st_ctim.tv_sec ||
              (after.st_ctim.tv_sec == before.st_ctim.tv_sec &&
               after.st_ctim.tv_nsec >= before.st_ctim.tv_nsec));

  // A sticky directory's user.* are its owner's, whatever the mode says.
  ASSERT_TRUE(root_->Mkdir(root_task_, "sticky", 01777).ok());
  std::shared_ptr<Node> sticky = *root_->Lookup(root_task_, "sticky");
  XattrTarget dir{.node = sticky, .st = *sticky->Stat()};
  EXPECT_EQ(Errno(SetXattr(user_, dir, "user.d", "d", 0)), EPERM);
  EXPECT_TRUE(SetXattr(root_task_, dir, "user.d", "d", 0).ok());

  std::shared_ptr<Node> ro = NewTmpfs({.read_only = true});
  XattrTarget ro_target{.node = ro, .st = *ro->Stat()};
  EXPECT_EQ(Errno(SetXattr(root_task_, ro_target, "user.x", "x", 0)), EROFS);
  EXPECT_EQ(Errno(RemoveXattr(root_task_, ro_target, "user.x")), EROFS);
}

// Through the VFS, as the syscalls see it: a tmpfs mounted on a directory.
TEST_F(TmpfsTest, MountedInAVfs) {
  Vfs vfs(NewTmpfs({}), {.source = "rootfs", .type = "tmpfs", .options = "rw"});
  ASSERT_TRUE(vfs.root()->node->Mkdir(root_task_, "mnt", 0755).ok());
  ASSERT_TRUE(vfs.Resolve(root_task_, vfs.root(), "/mnt", true).ok());
  std::shared_ptr<Node> mounted = NewTmpfs({.mode = 0700});
  ASSERT_TRUE(vfs.Mount(&root_task_, "/mnt", mounted,
                        {.source = "tmpfs", .type = "tmpfs", .options = "rw,size=4k"})
                  .ok());
  absl::StatusOr<std::shared_ptr<Dentry>> d = vfs.Resolve(root_task_, vfs.root(), "/mnt", true);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)->node, mounted);
  MakeFile(*mounted, "inside", "in");
  absl::StatusOr<std::shared_ptr<Dentry>> inside =
      vfs.Resolve(root_task_, vfs.root(), "/mnt/./inside", true);
  ASSERT_TRUE(inside.ok());
  EXPECT_EQ((*inside)->path, "/mnt/inside");
  std::vector<MountEntry> table = vfs.MountTable();
  ASSERT_EQ(table.size(), 2u);
  EXPECT_EQ(table[0].path, "/");
  EXPECT_EQ(table[1].path, "/mnt");
  EXPECT_EQ(table[1].info.options, "rw,size=4k");
  // Mounting again at the same place replaces the mount.
  ASSERT_TRUE(vfs.Mount(&root_task_, "/mnt/", NewTmpfs({}), {.source = "again"}).ok());
  table = vfs.MountTable();
  ASSERT_EQ(table.size(), 2u);
  EXPECT_EQ(table[1].info.source, "again");
  EXPECT_NE((*vfs.Resolve(root_task_, vfs.root(), "/mnt", true))->node, mounted);
  EXPECT_EQ(Errno(vfs.Mount(&root_task_, "relative", mounted)), EINVAL);
}

}  // namespace
}  // namespace runsc::fs
