// Create, mkdir, link, unlink, rename, setattr and statfs through the gofer.
#include "gofer/server/gofer_server_test_fixture.h"

namespace runsc::gofer::server_test {
namespace {

TEST_F(GoferServerTest, CreateMakesTheFileWithItsModeAndDonatesAWritableFd) {
  StartServer();
  WalkedFile root = AttachOrDie();
  absl::StatusOr<CreatedFile> created = client().Create(root.id, "new.txt", O_RDWR, 0640);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->file.stat.mode, S_IFREG | 0640u);
  ASSERT_EQ(write(created->fd.get(), "abc", 3), 3);
  struct stat st;
  ASSERT_EQ(stat((root_ / "new.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 3);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(st.st_ino, created->file.stat.ino);
  // The new id opens like a walked one.
  EXPECT_TRUE(client().Open(created->file.id, O_RDONLY).ok());
  // Exclusive: an existing file, or a symlink (never followed), is EEXIST.
  EXPECT_EQ(ErrnoOf(client().Create(root.id, "new.txt", O_RDWR, 0600).status()), EEXIST);
  EXPECT_EQ(ErrnoOf(client().Create(root.id, "shadow_link", O_RDWR, 0600).status()), EEXIST);
  EXPECT_EQ(ErrnoOf(client().Create(root.id, "up_link", O_RDWR, 0600).status()), EEXIST);
}

TEST_F(GoferServerTest, CreateRefusesFlagsAndModesItMustNot) {
  StartServer();
  WalkedFile root = AttachOrDie();
  for (int flags : {O_RDWR | O_TRUNC, O_RDWR | O_PATH, O_RDWR | O_TMPFILE, O_RDWR | O_DIRECTORY, 3}) {
    EXPECT_EQ(ErrnoOf(client().Create(root.id, "x", flags, 0600).status()), EINVAL) << flags;
  }
  EXPECT_EQ(ErrnoOf(client().Create(root.id, "x", O_RDWR, S_IFREG | 0600).status()), EINVAL);
  EXPECT_FALSE(fs::exists(root_ / "x"));
}

TEST_F(GoferServerTest, MkdirMknodSymlinkMakeWhatTheySay) {
  StartServer();
  WalkedFile root = AttachOrDie();
  absl::StatusOr<WalkedFile> dir = client().Mkdir(root.id, "sub", 0750);
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(dir->stat.mode, S_IFDIR | 0750u);
  EXPECT_TRUE(fs::is_directory(root_ / "sub"));
  EXPECT_EQ(ErrnoOf(client().Mkdir(root.id, "sub", 0750).status()), EEXIST);
  // The new directory's id is a directory id.
  EXPECT_TRUE(client().Create(dir->id, "f", O_WRONLY, 0600).ok());
  EXPECT_TRUE(fs::exists(root_ / "sub" / "f"));

  absl::StatusOr<WalkedFile> fifo = client().Mknod(root.id, "newfifo", S_IFIFO | 0600);
  ASSERT_TRUE(fifo.ok()) << fifo.status();
  EXPECT_TRUE(S_ISFIFO(fifo->stat.mode));
  absl::StatusOr<WalkedFile> reg = client().Mknod(root.id, "newreg", 0604);
  ASSERT_TRUE(reg.ok()) << reg.status();
  EXPECT_EQ(reg->stat.mode, S_IFREG | 0604u);
  absl::StatusOr<WalkedFile> sock = client().Mknod(root.id, "newsock", S_IFSOCK | 0755);
  ASSERT_TRUE(sock.ok()) << sock.status();
  EXPECT_EQ(sock->stat.mode, S_IFSOCK | 0755u);
  EXPECT_TRUE(fs::is_socket(root_ / "newsock"));
  for (uint32_t type : {S_IFCHR, S_IFBLK, S_IFDIR, S_IFLNK}) {
    EXPECT_EQ(ErrnoOf(client().Mknod(root.id, "dev", type | 0600).status()), EPERM) << type;
  }
  EXPECT_FALSE(fs::exists(root_ / "dev"));

  absl::StatusOr<WalkedFile> link = client().Symlink(root.id, "sl", "../../etc/passwd");
  ASSERT_TRUE(link.ok()) << link.status();
  EXPECT_TRUE(S_ISLNK(link->stat.mode));
  EXPECT_EQ(fs::read_symlink(root_ / "sl"), "../../etc/passwd");
  EXPECT_EQ(client().ReadLink(link->id).value_or(""), "../../etc/passwd");
  EXPECT_EQ(ErrnoOf(client().Symlink(root.id, "sl2", "").status()), ENOENT);
  EXPECT_EQ(ErrnoOf(client().Symlink(root.id, "sl2", std::string(PATH_MAX, 'a')).status()),
            ENAMETOOLONG);
  EXPECT_EQ(ErrnoOf(client().Symlink(root.id, "sl2", std::string("a\0b", 3)).status()), EINVAL);
}

TEST_F(GoferServerTest, LinkAddsANameForTheSameFile) {
  StartServer();
  WalkedFile root = AttachOrDie();
  absl::StatusOr<WalkedFile> file = client().Walk(root.id, "hello.txt");
  absl::StatusOr<WalkedFile> dir = client().Walk(root.id, "dir");
  ASSERT_TRUE(file.ok() && dir.ok());
  absl::StatusOr<WalkedFile> link = client().Link(file->id, dir->id, "hard");
  ASSERT_TRUE(link.ok()) << link.status();
  EXPECT_EQ(link->stat.ino, file->stat.ino);
  EXPECT_EQ(link->stat.nlink, 2u);
  EXPECT_EQ(ErrnoOf(client().Link(dir->id, root.id, "dirlink").status()), EPERM);
  EXPECT_EQ(ErrnoOf(client().Link(file->id, dir->id, "hard").status()), EEXIST);
  // A link of a symlink is a link of the symlink, never of its target.
  absl::StatusOr<WalkedFile> shadow = client().Walk(root.id, "shadow_link");
  ASSERT_TRUE(shadow.ok());
  absl::StatusOr<WalkedFile> shadow2 = client().Link(shadow->id, root.id, "shadow2");
  ASSERT_TRUE(shadow2.ok()) << shadow2.status();
  EXPECT_TRUE(S_ISLNK(shadow2->stat.mode));
}

TEST_F(GoferServerTest, UnlinkAndRmdir) {
  StartServer();
  WalkedFile root = AttachOrDie();
  EXPECT_EQ(ErrnoOf(client().Unlink(root.id, "dir", 0)), EISDIR);
  EXPECT_EQ(ErrnoOf(client().Unlink(root.id, "dir", AT_REMOVEDIR)), ENOTEMPTY);
  EXPECT_EQ(ErrnoOf(client().Unlink(root.id, "hello.txt", AT_REMOVEDIR)), ENOTDIR);
  EXPECT_EQ(ErrnoOf(client().Unlink(root.id, "missing", 0)), ENOENT);
  EXPECT_EQ(ErrnoOf(client().Unlink(root.id, "hello.txt", 1)), EINVAL);
  // Unlinking a symlink removes the link, not what it points at.
  EXPECT_TRUE(client().Unlink(root.id, "hello_link", 0).ok());
  EXPECT_FALSE(fs::is_symlink(root_ / "hello_link"));
  EXPECT_TRUE(fs::exists(root_ / "hello.txt"));
  absl::StatusOr<WalkedFile> dir = client().Walk(root.id, "dir");
  ASSERT_TRUE(dir.ok());
  EXPECT_TRUE(client().Unlink(dir->id, "inner.txt", 0).ok());
  EXPECT_TRUE(client().Unlink(root.id, "dir", AT_REMOVEDIR).ok());
  EXPECT_FALSE(fs::exists(root_ / "dir"));
}

TEST_F(GoferServerTest, RenameWithFlagsAndIdsFollowTheirFile) {
  StartServer();
  WalkedFile root = AttachOrDie();
  absl::StatusOr<WalkedFile> dir = client().Walk(root.id, "dir");
  absl::StatusOr<WalkedFile> hello = client().Walk(root.id, "hello.txt");
  ASSERT_TRUE(dir.ok() && hello.ok());
  EXPECT_EQ(ErrnoOf(client().Rename(root.id, "hello.txt", dir->id, "inner.txt", RENAME_NOREPLACE)),
            EEXIST);
  ASSERT_TRUE(client().Rename(root.id, "hello.txt", dir->id, "inner.txt", RENAME_EXCHANGE).ok());
  EXPECT_EQ(ReadAll(root_ / "hello.txt"), "inner\n");
  // The id still opens its file, now under its new name.
  absl::StatusOr<UniqueFd> fd = client().Open(hello->id, O_RDONLY);
  ASSERT_TRUE(fd.ok()) << fd.status();
  char buf[32] = {};
  EXPECT_EQ(read(fd->get(), buf, sizeof(buf)), 13);
  ASSERT_TRUE(client().Rename(dir->id, "inner.txt", root.id, "moved.txt", 0).ok());
  EXPECT_TRUE(client().Open(hello->id, O_RDONLY).ok());
  EXPECT_EQ(ErrnoOf(client().Rename(root.id, "missing", root.id, "x", 0)), ENOENT);
  EXPECT_EQ(ErrnoOf(client().Rename(root.id, "moved.txt", root.id, "x",
                                    RENAME_NOREPLACE | RENAME_EXCHANGE)),
            EINVAL);
  EXPECT_EQ(ErrnoOf(client().Rename(root.id, "moved.txt", root.id, "x", RENAME_WHITEOUT)), EINVAL);
  // A directory into itself.
  EXPECT_EQ(ErrnoOf(client().Rename(root.id, "dir", dir->id, "self", 0)), EINVAL);
}

TEST_F(GoferServerTest, SetAttrChangesTheFileNeverASymlinkTarget) {
  StartServer();
  WalkedFile root = AttachOrDie();
  absl::StatusOr<WalkedFile> file = client().Walk(root.id, "hello.txt");
  ASSERT_TRUE(file.ok());
  absl::StatusOr<FileStat> st = client().SetAttr(file->id, {.mode = 0601});
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->mode, S_IFREG | 0601u);
  st = client().SetAttr(file->id, {.size = 5});
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->size, 5);
  EXPECT_EQ(ReadAll(root_ / "hello.txt"), "hello");
  st = client().SetAttr(file->id, {.times = std::pair{timespec{1000, 5}, timespec{2000, UTIME_OMIT}}});
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->atime_sec, 1000);
  EXPECT_EQ(st->atime_nsec, 5);
  EXPECT_NE(st->mtime_sec, 2000);
  st = client().SetAttr(file->id, {.owner = std::pair{getuid(), getgid()}});
  EXPECT_TRUE(st.ok()) << st.status();

  EXPECT_EQ(ErrnoOf(client().SetAttr(file->id, {.mode = S_IFDIR | 0777}).status()), EINVAL);
  EXPECT_EQ(ErrnoOf(client().SetAttr(file->id, {.size = -1}).status()), EINVAL);
  EXPECT_EQ(ErrnoOf(client().SetAttr(file->id,
                                     {.times = std::pair{timespec{0, 1'000'000'000}, timespec{}}})
                        .status()),
            EINVAL);
  absl::StatusOr<WalkedFile> dir = client().Walk(root.id, "dir");
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(ErrnoOf(client().SetAttr(dir->id, {.size = 0}).status()), EISDIR);
  EXPECT_TRUE(client().SetAttr(dir->id, {.mode = 0700}).ok());
  EXPECT_EQ(fs::status(root_ / "dir").permissions(), fs::perms::owner_all);

  // A symlink planted in the tree that points outside the root: setattr of
  // its id changes the link itself (chmod is refused), never the target.
  std::string outside = root_.string() + ".outside";
  WriteFile(outside, "outside\n");
  ASSERT_EQ(chmod(outside.c_str(), 0644), 0);
  fs::create_symlink(outside, root_ / "out_link");
  absl::StatusOr<WalkedFile> link = client().Walk(root.id, "out_link");
  ASSERT_TRUE(link.ok());
  EXPECT_EQ(ErrnoOf(client().SetAttr(link->id, {.mode = 0777}).status()), EOPNOTSUPP);
  EXPECT_EQ(ErrnoOf(client().SetAttr(link->id, {.size = 0}).status()), EINVAL);
  EXPECT_TRUE(client().SetAttr(link->id, {.times = std::pair{timespec{1, 0}, timespec{1, 0}}}).ok());
  struct stat target;
  ASSERT_EQ(stat(outside.c_str(), &target), 0);
  EXPECT_EQ(target.st_mode & 07777, 0644u);
  EXPECT_EQ(target.st_size, 8);
  EXPECT_NE(target.st_mtim.tv_sec, 1);
  // Nor is it followed by a create, mkdir or unlink of its name.
  EXPECT_EQ(ErrnoOf(client().Create(root.id, "out_link", O_RDWR, 0600).status()), EEXIST);
  EXPECT_EQ(ErrnoOf(client().Mkdir(root.id, "out_link", 0700).status()), EEXIST);
  EXPECT_TRUE(client().Unlink(root.id, "out_link", 0).ok());
  EXPECT_TRUE(fs::exists(outside));
  fs::remove(outside);
}

TEST_F(GoferServerTest, TruncateOfAFileReplacedSinceTheWalkIsRefused) {
  StartServer();
  WalkedFile root = AttachOrDie();
  absl::StatusOr<WalkedFile> file = client().Walk(root.id, "hello.txt");
  ASSERT_TRUE(file.ok());
  fs::remove(root_ / "hello.txt");
  fs::create_symlink("/etc/passwd", root_ / "hello.txt");
  EXPECT_EQ(ErrnoOf(client().SetAttr(file->id, {.size = 0}).status()), ELOOP);
}

TEST_F(GoferServerTest, StatFs) {
  StartServer();
  WalkedFile root = AttachOrDie();
  absl::StatusOr<FsStat> st = client().StatFs(root.id);
  ASSERT_TRUE(st.ok()) << st.status();
  struct statfs host;
  ASSERT_EQ(statfs(root_.c_str(), &host), 0);
  EXPECT_EQ(st->type, host.f_type);
  EXPECT_EQ(st->namelen, host.f_namelen);
  EXPECT_EQ(ErrnoOf(client().StatFs(12345).status()), EBADF);
}

}  // namespace
}  // namespace runsc::gofer::server_test
