// Path resolution as path_resolution(7) describes it, over a small tree of
// synthetic nodes: components, ".", "..", symlinks (relative, absolute,
// loops), trailing slashes, mounts, and a task root that ".." and absolute
// symlinks never leave.
#include "fs/vfs.h"

#include <errno.h>
#include <fcntl.h>

#include "base/errno_status.h"
#include "fs/synthetic.h"
#include "gtest/gtest.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/no_dispatch.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {
namespace {

using sentry::NoDispatch;

std::shared_ptr<Node> FileNode(const std::string& key, const std::string& contents) {
  return std::make_shared<SyntheticFileNode>(
      key, [contents](sentry::Task&) -> absl::StatusOr<std::string> { return contents; });
}
std::shared_ptr<Node> Link(const std::string& key, const std::string& target) {
  return std::make_shared<SyntheticSymlinkNode>(
      key, [target](sentry::Task&) -> absl::StatusOr<std::string> { return target; });
}

// /
// ├── etc/hostname            "sandbox"
// ├── usr/bin/tool            "tool"
// ├── usr/lib -> ../lib       (relative)
// ├── lib/libc                "libc"
// ├── bin -> /usr/bin         (absolute)
// ├── loop -> loop
// ├── empty -> ""
// ├── dangling -> /nowhere
// ├── jail/inside             "inside"
// ├── jail/escape -> /etc     (absolute: within a jail, the jail's /etc)
// ├── jail/etc/hostname       "jailed"
// └── mnt/                    (mount point)
class VfsTest : public ::testing::Test {
 protected:
  VfsTest() : kernel_(nullptr, dispatcher_), task_(kernel_, 1), vfs_(BuildTree()) {}

  static std::shared_ptr<Node> BuildTree() {
    auto etc = SyntheticDirNode::Fixed("etc", {{"hostname", FileNode("hostname", "sandbox")}});
    auto usr_bin = SyntheticDirNode::Fixed("usr/bin", {{"tool", FileNode("tool", "tool")}});
    auto usr = SyntheticDirNode::Fixed("usr", {{"bin", usr_bin}, {"lib", Link("usr/lib", "../lib")}});
    auto lib = SyntheticDirNode::Fixed("lib", {{"libc", FileNode("libc", "libc")}});
    auto jail_etc =
        SyntheticDirNode::Fixed("jail/etc", {{"hostname", FileNode("jail/hostname", "jailed")}});
    auto jail = SyntheticDirNode::Fixed(
        "jail", {{"inside", FileNode("inside", "inside")}, {"escape", Link("jail/escape", "/etc")},
                 {"etc", jail_etc}});
    return SyntheticDirNode::Fixed(
        "/", {{"etc", etc},
              {"usr", usr},
              {"lib", lib},
              {"bin", Link("bin", "/usr/bin")},
              {"loop", Link("loop", "loop")},
              {"empty", Link("empty", "")},
              {"dangling", Link("dangling", "/nowhere")},
              {"jail", jail},
              {"mnt", SyntheticDirNode::Fixed("mnt", {})}});
  }

  absl::StatusOr<std::shared_ptr<Dentry>> Resolve(const std::string& path,
                                                  bool follow_last = true) {
    return vfs_.Resolve(task_, vfs_.root(), path, follow_last);
  }
  // The path a resolution ends at, or "errno N".
  std::string PathOf(const std::string& path, bool follow_last = true) {
    absl::StatusOr<std::shared_ptr<Dentry>> d = Resolve(path, follow_last);
    if (!d.ok()) return "errno " + std::to_string(ErrnoOf(d.status()));
    return (*d)->path;
  }
  static std::string Errno(int e) { return "errno " + std::to_string(e); }
  // Contents of the file `path` names.
  std::string Contents(const std::string& path) {
    absl::StatusOr<std::shared_ptr<Dentry>> d = Resolve(path);
    if (!d.ok()) return "errno " + std::to_string(ErrnoOf(d.status()));
    absl::StatusOr<std::shared_ptr<File>> f = vfs_.Open(task_, *d, O_RDONLY);
    if (!f.ok()) return "errno " + std::to_string(ErrnoOf(f.status()));
    std::string buf(100, '\0');
    absl::StatusOr<size_t> n =
        (*f)->Read(task_, absl::MakeSpan(reinterpret_cast<uint8_t*>(buf.data()), buf.size()));
    if (!n.ok()) return "errno " + std::to_string(ErrnoOf(n.status()));
    buf.resize(*n);
    return buf;
  }

  NoDispatch dispatcher_;
  sentry::Kernel kernel_;
  sentry::Task task_;
  Vfs vfs_;
};

TEST_F(VfsTest, ComponentsDotsAndSlashes) {
  EXPECT_EQ(PathOf("/"), "/");
  EXPECT_EQ(PathOf("/etc/hostname"), "/etc/hostname");
  EXPECT_EQ(PathOf("//etc///hostname"), "/etc/hostname");
  EXPECT_EQ(PathOf("/etc/./hostname"), "/etc/hostname");
  EXPECT_EQ(PathOf("/usr/bin/../../etc/hostname"), "/etc/hostname");
  EXPECT_EQ(PathOf("/etc/"), "/etc");
  EXPECT_EQ(Contents("/etc/hostname"), "sandbox");
}

TEST_F(VfsTest, RelativePathsStartAtTheGivenDirectory) {
  absl::StatusOr<std::shared_ptr<Dentry>> usr = Resolve("/usr");
  ASSERT_TRUE(usr.ok());
  absl::StatusOr<std::shared_ptr<Dentry>> tool = vfs_.Resolve(task_, *usr, "bin/tool", true);
  ASSERT_TRUE(tool.ok());
  EXPECT_EQ((*tool)->path, "/usr/bin/tool");
  absl::StatusOr<std::shared_ptr<Dentry>> up = vfs_.Resolve(task_, *usr, "..", true);
  ASSERT_TRUE(up.ok());
  EXPECT_EQ((*up)->path, "/");
  // An absolute path ignores the start.
  EXPECT_EQ((*vfs_.Resolve(task_, *usr, "/etc", true))->path, "/etc");
}

TEST_F(VfsTest, DotDotNeverClimbsAboveTheRoot) {
  EXPECT_EQ(PathOf("/.."), "/");
  EXPECT_EQ(PathOf("/../../../etc/hostname"), "/etc/hostname");
  EXPECT_EQ(PathOf("/usr/../../.."), "/");
}

TEST_F(VfsTest, ErrorsNameTheProblem) {
  EXPECT_EQ(PathOf(""), Errno(ENOENT));
  EXPECT_EQ(PathOf("/missing"), Errno(ENOENT));
  EXPECT_EQ(PathOf("/etc/missing/deeper"), Errno(ENOENT));
  EXPECT_EQ(PathOf("/etc/hostname/x"), Errno(ENOTDIR));
  EXPECT_EQ(PathOf("/etc/hostname/"), Errno(ENOTDIR));
  EXPECT_EQ(PathOf("/etc/hostname/."), Errno(ENOTDIR));
  EXPECT_EQ(PathOf("/etc/hostname/.."), Errno(ENOTDIR));
  EXPECT_EQ(PathOf("/" + std::string(256, 'n')), Errno(ENAMETOOLONG));
  EXPECT_EQ(PathOf("/" + std::string(255, 'n')), Errno(ENOENT));  // Long, but allowed.
  std::string deep;
  while (deep.size() < 4096) deep += "/etc";
  EXPECT_EQ(PathOf(deep), Errno(ENAMETOOLONG));
}

TEST_F(VfsTest, SymlinksAreFollowedByTheSentry) {
  EXPECT_EQ(PathOf("/bin"), "/usr/bin");           // Absolute target.
  EXPECT_EQ(PathOf("/bin/tool"), "/usr/bin/tool");  // In the middle of a path.
  EXPECT_EQ(Contents("/bin/tool"), "tool");
  EXPECT_EQ(PathOf("/usr/lib/libc"), "/lib/libc");  // Relative to the link's directory.
  EXPECT_EQ(PathOf("/bin/.."), "/usr");             // ".." of the target, not of /bin.
  EXPECT_EQ(PathOf("/dangling"), Errno(ENOENT));
  EXPECT_EQ(PathOf("/empty"), Errno(ENOENT));
}

TEST_F(VfsTest, TheLastComponentIsFollowedOnlyWhenAsked) {
  // lstat, readlink, O_NOFOLLOW: the link itself.
  EXPECT_EQ(PathOf("/bin", /*follow_last=*/false), "/bin");
  EXPECT_EQ((*Resolve("/bin", false))->node->Type(), S_IFLNK);
  EXPECT_EQ(PathOf("/dangling", false), "/dangling");
  // A trailing slash asks for the directory, so the link is followed.
  EXPECT_EQ(PathOf("/bin/", false), "/usr/bin");
  // Links before the last component are always followed.
  EXPECT_EQ(PathOf("/bin/tool", false), "/usr/bin/tool");
}

TEST_F(VfsTest, SymlinkLoopsEndWithEloop) {
  EXPECT_EQ(PathOf("/loop"), Errno(ELOOP));
  EXPECT_EQ(PathOf("/loop/x"), Errno(ELOOP));
  EXPECT_EQ(PathOf("/loop", false), "/loop");
}

TEST_F(VfsTest, MagicLinksReachTheirDentryNotTheirText) {
  // A detached dentry (a deleted file, a memfd): its text names nothing.
  auto gone = std::make_shared<Dentry>();
  gone->node = FileNode("gone", "unlinked contents");
  gone->path = "/gone (deleted)";
  auto magic = std::make_shared<MagicLinkNode>(
      "magic", [](sentry::Task&) -> absl::StatusOr<std::string> { return "/gone (deleted)"; },
      [gone](sentry::Task&) -> absl::StatusOr<std::shared_ptr<Dentry>> { return gone; });
  auto to_usr = std::make_shared<MagicLinkNode>(
      "to_usr", [](sentry::Task&) -> absl::StatusOr<std::string> { return "/nowhere"; },
      [this](sentry::Task&) -> absl::StatusOr<std::shared_ptr<Dentry>> { return Resolve("/usr"); });
  auto textual = std::make_shared<MagicLinkNode>(
      "textual", [](sentry::Task&) -> absl::StatusOr<std::string> { return "/etc/hostname"; },
      [](sentry::Task&) -> absl::StatusOr<std::shared_ptr<Dentry>> { return nullptr; });
  ASSERT_TRUE(vfs_.Mount(nullptr, "/mnt",
                         SyntheticDirNode::Fixed("mnt", {{"magic", magic},
                                                         {"to_usr", to_usr},
                                                         {"textual", textual}}))
                  .ok());
  EXPECT_EQ(Contents("/mnt/magic"), "unlinked contents");
  EXPECT_EQ(PathOf("/mnt/magic"), "/gone (deleted)");
  // Not followed when the last component is not: the link itself.
  EXPECT_EQ(PathOf("/mnt/magic", false), "/mnt/magic");
  // Walked through as the directory it reaches.
  EXPECT_EQ(Contents("/mnt/to_usr/bin/tool"), "tool");
  EXPECT_EQ(PathOf("/mnt/to_usr/.."), "/");
  // No dentry: the text is followed as for any symlink.
  EXPECT_EQ(Contents("/mnt/textual"), "sandbox");
}

TEST_F(VfsTest, TheTaskRootIsTheTopForDotDotAndAbsoluteLinks) {
  // As after chroot("/jail") (and pivot_root into a rootfs).
  auto fsc = std::make_shared<FsContext>();
  fsc->vfs = &vfs_;
  fsc->root = *Resolve("/jail");
  fsc->cwd = fsc->root;
  task_.fs = fsc;
  EXPECT_EQ(PathOf("/inside"), "/jail/inside");
  EXPECT_EQ(PathOf("/../../inside"), "/jail/inside");
  EXPECT_EQ(Contents("/escape/hostname"), "jailed");  // "/etc" is the jail's.
  EXPECT_EQ(PathOf("/etc/../.."), "/jail");
  // ResolveAt from the cwd, which is the jail's root.
  absl::StatusOr<std::shared_ptr<Dentry>> d = vfs_.ResolveAt(task_, AT_FDCWD, "../../inside", true);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)->path, "/jail/inside");
}

TEST_F(VfsTest, ResolveAtUsesTheDirfd) {
  auto fsc = std::make_shared<FsContext>();
  fsc->vfs = &vfs_;
  fsc->root = vfs_.root();
  fsc->cwd = *Resolve("/etc");
  task_.fs = fsc;
  auto fds = std::make_shared<FdTable>();
  task_.fds = fds;
  std::shared_ptr<Dentry> usr = *Resolve("/usr");
  const int usr_fd = *fds->Install(*vfs_.Open(task_, usr, O_RDONLY | O_DIRECTORY), false);
  const int file_fd = *fds->Install(*vfs_.Open(task_, *Resolve("/etc/hostname"), O_RDONLY), false);

  EXPECT_EQ((*vfs_.ResolveAt(task_, AT_FDCWD, "hostname", true))->path, "/etc/hostname");
  EXPECT_EQ((*vfs_.ResolveAt(task_, usr_fd, "bin/tool", true))->path, "/usr/bin/tool");
  // An absolute path ignores the dirfd, even a bad one.
  EXPECT_EQ((*vfs_.ResolveAt(task_, 99, "/lib", true))->path, "/lib");
  EXPECT_EQ(ErrnoOf(vfs_.ResolveAt(task_, 99, "lib", true).status()), EBADF);
  EXPECT_EQ(ErrnoOf(vfs_.ResolveAt(task_, file_fd, "x", true).status()), ENOTDIR);
}

TEST_F(VfsTest, MountsCoverTheirDirectory) {
  ASSERT_TRUE(vfs_.Mount(nullptr, "/mnt",
                         SyntheticDirNode::Fixed("tmpfs", {{"data", FileNode("data", "mounted")}}))
                  .ok());
  EXPECT_EQ(PathOf("/mnt/data"), "/mnt/data");
  EXPECT_EQ(Contents("/mnt/data"), "mounted");
  EXPECT_EQ(PathOf("/mnt/./data"), "/mnt/data");
  EXPECT_EQ(PathOf("/mnt/data/.."), Errno(ENOTDIR));  // ".." of a file.
  EXPECT_EQ(PathOf("/mnt/.."), "/");  // ".." of a mount root leaves the mount.
}

TEST_F(VfsTest, OpenChecksTypeAndAccessMode) {
  std::shared_ptr<Dentry> dir = *Resolve("/etc");
  std::shared_ptr<Dentry> file = *Resolve("/etc/hostname");
  std::shared_ptr<Dentry> link = *Resolve("/bin", false);
  EXPECT_EQ(ErrnoOf(vfs_.Open(task_, file, O_RDONLY | O_DIRECTORY).status()), ENOTDIR);
  EXPECT_EQ(ErrnoOf(vfs_.Open(task_, dir, O_WRONLY).status()), EISDIR);
  EXPECT_EQ(ErrnoOf(vfs_.Open(task_, dir, O_RDWR).status()), EISDIR);
  EXPECT_EQ(ErrnoOf(vfs_.Open(task_, link, O_RDONLY).status()), ELOOP);
  absl::StatusOr<std::shared_ptr<File>> opened = vfs_.Open(task_, file, O_RDONLY);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ((*opened)->Path(), "/etc/hostname");  // What /proc/self/fd shows.
  EXPECT_EQ((*opened)->dentry, file);             // What fchdir and *at() use.
  EXPECT_TRUE(vfs_.Open(task_, dir, O_RDONLY | O_DIRECTORY).ok());
}

}  // namespace
}  // namespace runsc::fs
