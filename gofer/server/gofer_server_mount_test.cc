// Bind mounts served as further attach roots.
#include "gofer/server/gofer_server_test_fixture.h"

namespace runsc::gofer::server_test {
namespace {

TEST_F(GoferServerMountTest, EachMountAttachesToItsOwnTree) {
  WalkedFile rw = AttachMount(1);
  struct stat st;
  ASSERT_EQ(stat((host_ / "rw").c_str(), &st), 0);
  EXPECT_EQ(rw.stat.ino, st.st_ino);
  EXPECT_TRUE(S_ISDIR(rw.stat.mode));
  // The root is still the root.
  WalkedFile root = AttachOrDie();
  EXPECT_TRUE(client().Walk(root.id, "hello.txt").ok());
  EXPECT_EQ(ErrnoOf(client().Walk(rw.id, "hello.txt").status()), ENOENT);
  // A mount number the gofer was not given.
  EXPECT_EQ(ErrnoOf(client().Attach(4).status()), EINVAL);
  EXPECT_EQ(ErrnoOf(client().Attach(1000000).status()), EINVAL);
  ExpectStillServing();
}

TEST_F(GoferServerMountTest, WritesInARwMountLandOnTheHost) {
  WalkedFile rw = AttachMount(1);
  absl::StatusOr<CreatedFile> created = client().Create(rw.id, "new", O_RDWR, 0640);
  ASSERT_TRUE(created.ok()) << created.status();
  ASSERT_EQ(write(created->fd.get(), "written", 7), 7);
  EXPECT_EQ(ReadAll(host_ / "rw" / "new"), "written");
  ASSERT_TRUE(client().Mkdir(rw.id, "sub", 0755).ok());
  EXPECT_TRUE(fs::is_directory(host_ / "rw" / "sub"));
  ASSERT_TRUE(client().Rename(rw.id, "new", rw.id, "renamed", 0).ok());
  EXPECT_TRUE(fs::exists(host_ / "rw" / "renamed"));
}

TEST_F(GoferServerMountTest, ReadOnlyMountRefusesEveryChangeWithErofs) {
  WalkedFile ro = AttachMount(2);
  absl::StatusOr<WalkedFile> file = client().Walk(ro.id, "existing");
  ASSERT_TRUE(file.ok()) << file.status();
  absl::StatusOr<UniqueFd> fd = client().Open(file->id, O_RDONLY);
  ASSERT_TRUE(fd.ok()) << fd.status();
  char buf[32];
  EXPECT_EQ(read(fd->get(), buf, sizeof(buf)), 8);
  EXPECT_EQ(ErrnoOf(client().Open(file->id, O_WRONLY).status()), EROFS);
  EXPECT_EQ(ErrnoOf(client().Open(file->id, O_RDONLY | O_TRUNC).status()), EROFS);
  EXPECT_EQ(ErrnoOf(client().Create(ro.id, "x", O_RDWR, 0600).status()), EROFS);
  EXPECT_EQ(ErrnoOf(client().Mkdir(ro.id, "x", 0700).status()), EROFS);
  EXPECT_EQ(ErrnoOf(client().Unlink(ro.id, "existing", 0)), EROFS);
  EXPECT_EQ(ErrnoOf(client().SetAttr(file->id, {.mode = 0777}).status()), EROFS);
  absl::StatusOr<FsStat> st = client().StatFs(ro.id);
  ASSERT_TRUE(st.ok());
  EXPECT_NE(st->flags & 1, 0);  // ST_RDONLY.
  EXPECT_EQ(ReadAll(host_ / "ro" / "existing"), "ro data\n");
  // The rw mount and the root stay writable.
  EXPECT_TRUE(client().Create(AttachMount(1).id, "fine", O_RDWR, 0600).ok());
  EXPECT_EQ(client().StatFs(AttachOrDie().id)->flags & 1, 0);
}

TEST_F(GoferServerMountTest, SingleFileMountOpensTheFile) {
  WalkedFile hosts = AttachMount(3);
  EXPECT_TRUE(S_ISREG(hosts.stat.mode));
  absl::StatusOr<UniqueFd> fd = client().Open(hosts.id, O_RDWR);
  ASSERT_TRUE(fd.ok()) << fd.status();
  char buf[64];
  ASSERT_EQ(read(fd->get(), buf, sizeof(buf)), 20);
  EXPECT_EQ(std::string(buf, 20), "127.0.0.1 localhost\n");
  ASSERT_EQ(pwrite(fd->get(), "::1", 3, 0), 3);
  EXPECT_EQ(ReadAll(host_ / "hosts").substr(0, 3), "::1");
  // Nothing can be walked from a file, and its directory is not served.
  EXPECT_EQ(ErrnoOf(client().Walk(hosts.id, "x").status()), ENOTDIR);
  EXPECT_EQ(ErrnoOf(client().Walk(hosts.id, "..").status()), EINVAL);
}

TEST_F(GoferServerMountTest, LinkAndRenameAcrossMountsAreExdev) {
  WalkedFile root = AttachOrDie();
  WalkedFile rw = AttachMount(1);
  absl::StatusOr<WalkedFile> file = client().Walk(rw.id, "existing");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(ErrnoOf(client().Link(file->id, root.id, "linked").status()), EXDEV);
  EXPECT_EQ(ErrnoOf(client().Rename(rw.id, "existing", root.id, "moved", 0)), EXDEV);
  EXPECT_TRUE(fs::exists(host_ / "rw" / "existing"));
  EXPECT_FALSE(fs::exists(root_ / "moved"));
}

}  // namespace
}  // namespace runsc::gofer::server_test
