// Extended attributes: user.* served on regular files and directories and
// landing on the host; every other namespace refused by the server itself
// (raw requests, as a compromised sentry would send them); special files
// never opened; hostile sizes, names and ids refused; read-only mounts EROFS.
#include <sys/xattr.h>

#include "gofer/server/gofer_server_test_fixture.h"

namespace runsc::gofer::server_test {
namespace {

// The host's own view of an attribute, or "" with errno set.
std::string HostXattr(const fs::path& path, const char* name) {
  char buf[256];
  ssize_t n = lgetxattr(path.c_str(), name, buf, sizeof(buf));
  return n < 0 ? "" : std::string(buf, static_cast<size_t>(n));
}

int RawErrno(const proto::Response& response) {
  return response.has_error() ? response.error().linux_errno() : 0;
}

class GoferServerXattrTest : public GoferServerTest {
 protected:
  void SetUp() override {
    GoferServerTest::SetUp();
    StartServer();
    root_id_ = AttachOrDie().id;
  }
  FileId WalkOrDie(const std::string& name) {
    absl::StatusOr<WalkedFile> file = client().Walk(root_id_, name);
    EXPECT_TRUE(file.ok()) << name << ": " << file.status();
    return file.ok() ? file->id : 0;
  }
  proto::Response RawSet(FileId id, const std::string& name, const std::string& value,
                         uint32_t flags = 0) {
    proto::Request request;
    proto::SetXattrRequest* set = request.mutable_set_xattr();
    set->set_id(id);
    set->set_name(name);
    set->set_value(value);
    set->set_flags(flags);
    return RawCall(request);
  }
  proto::Response RawGet(FileId id, const std::string& name) {
    proto::Request request;
    request.mutable_get_xattr()->set_id(id);
    request.mutable_get_xattr()->set_name(name);
    return RawCall(request);
  }
  proto::Response RawRemove(FileId id, const std::string& name) {
    proto::Request request;
    request.mutable_remove_xattr()->set_id(id);
    request.mutable_remove_xattr()->set_name(name);
    return RawCall(request);
  }

  FileId root_id_ = 0;
};

TEST_F(GoferServerXattrTest, UserAttributesLandOnTheHostFileAndMoveItsCtime) {
  const FileId file = WalkOrDie("hello.txt");
  struct stat before;
  ASSERT_EQ(stat((root_ / "hello.txt").c_str(), &before), 0);
  absl::StatusOr<FileStat> after = client().SetXattr(file, "user.colour", "blue", 0);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(HostXattr(root_ / "hello.txt", "user.colour"), "blue");
  EXPECT_GE(std::make_pair(after->ctime_sec, after->ctime_nsec),
            std::make_pair(int64_t{before.st_ctim.tv_sec}, int64_t{before.st_ctim.tv_nsec}));

  EXPECT_EQ(client().GetXattr(file, "user.colour").value_or("?"), "blue");
  EXPECT_EQ(ErrnoOf(client().GetXattr(file, "user.absent").status()), ENODATA);
  EXPECT_EQ(ErrnoOf(client().SetXattr(file, "user.colour", "red", XATTR_CREATE).status()), EEXIST);
  EXPECT_EQ(ErrnoOf(client().SetXattr(file, "user.new", "x", XATTR_REPLACE).status()), ENODATA);
  ASSERT_TRUE(client().SetXattr(file, "user.colour", "red", XATTR_REPLACE).ok());
  ASSERT_TRUE(client().SetXattr(file, "user.empty", "", XATTR_CREATE).ok());
  EXPECT_EQ(client().GetXattr(file, "user.empty").value_or("?"), "");

  absl::StatusOr<std::vector<std::string>> names = client().ListXattr(file);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(std::set<std::string>(names->begin(), names->end()),
            (std::set<std::string>{"user.colour", "user.empty"}));

  ASSERT_TRUE(client().RemoveXattr(file, "user.colour").ok());
  EXPECT_EQ(HostXattr(root_ / "hello.txt", "user.colour"), "");
  EXPECT_EQ(errno, ENODATA);
  EXPECT_EQ(ErrnoOf(client().RemoveXattr(file, "user.colour").status()), ENODATA);
}

TEST_F(GoferServerXattrTest, DirectoriesKeepUserAttributesToo) {
  const FileId dir = WalkOrDie("dir");
  ASSERT_TRUE(client().SetXattr(dir, "user.d", "1", 0).ok());
  EXPECT_EQ(HostXattr(root_ / "dir", "user.d"), "1");
  EXPECT_EQ(client().GetXattr(dir, "user.d").value_or("?"), "1");
  EXPECT_EQ(client().ListXattr(dir).value_or(std::vector<std::string>{}),
            std::vector<std::string>{"user.d"});
  ASSERT_TRUE(client().RemoveXattr(dir, "user.d").ok());
}

TEST_F(GoferServerXattrTest, OtherNamespacesAreRefusedByTheServerItself) {
  const FileId file = WalkOrDie("hello.txt");
  for (const std::string name : {"security.capability", "security.selinux", "trusted.overlay",
                                 "system.posix_acl_access", "other.name", "user"}) {
    // The client refuses before sending; a raw request reaches the server.
    EXPECT_EQ(ErrnoOf(client().SetXattr(file, name, "v", 0).status()), EOPNOTSUPP) << name;
    EXPECT_EQ(RawErrno(RawSet(file, name, "v")), EOPNOTSUPP) << name;
    EXPECT_EQ(RawErrno(RawGet(file, name)), EOPNOTSUPP) << name;
    EXPECT_EQ(RawErrno(RawRemove(file, name)), EOPNOTSUPP) << name;
  }
  char buf[64];
  EXPECT_LT(lgetxattr((root_ / "hello.txt").c_str(), "security.capability", buf, sizeof(buf)), 0);
  // Attributes the host has in other namespaces are not even named.
  if (lsetxattr((root_ / "hello.txt").c_str(), "trusted.host_only", "h", 1, 0) == 0) {
    ASSERT_TRUE(client().SetXattr(file, "user.shown", "s", 0).ok());
    EXPECT_EQ(client().ListXattr(file).value_or(std::vector<std::string>{}),
              std::vector<std::string>{"user.shown"});
  }
  ExpectStillServing();
}

TEST_F(GoferServerXattrTest, MalformedNamesValuesFlagsAndIdsAreRefused) {
  const FileId file = WalkOrDie("hello.txt");
  for (const std::string& name : {std::string(), std::string("user."),
                                  std::string("user.a\0security.capability", 26),
                                  "user." + std::string(251, 'x')}) {
    EXPECT_EQ(RawErrno(RawSet(file, name, "v")), EINVAL) << name.size();
    EXPECT_EQ(RawErrno(RawGet(file, name)), EINVAL) << name.size();
  }
  // The longest name Linux takes is fine.
  EXPECT_TRUE(client().SetXattr(file, "user." + std::string(250, 'x'), "v", 0).ok());
  EXPECT_EQ(RawErrno(RawSet(file, "user.big", std::string(kMaxXattrValueSize + 1, 'v'))), E2BIG);
  // A value of XATTR_SIZE_MAX fits in a message; whether the host fs can
  // hold it is the host's answer (ext4 cannot: ENOSPC), never EINVAL.
  const int full = RawErrno(RawSet(file, "user.full", std::string(kMaxXattrValueSize, 'v')));
  EXPECT_TRUE(full == 0 || full == ENOSPC || full == E2BIG) << full;
  EXPECT_EQ(RawErrno(RawSet(file, "user.f", "v", 4)), EINVAL);
  EXPECT_EQ(RawErrno(RawSet(file, "user.f", "v", ~0u)), EINVAL);
  for (FileId id : {FileId{0}, root_id_ + 1000, ~FileId{0}}) {
    EXPECT_EQ(ErrnoOf(client().GetXattr(id, "user.a").status()), EBADF);
    EXPECT_EQ(ErrnoOf(client().SetXattr(id, "user.a", "v", 0).status()), EBADF);
    EXPECT_EQ(ErrnoOf(client().ListXattr(id).status()), EBADF);
    EXPECT_EQ(ErrnoOf(client().RemoveXattr(id, "user.a").status()), EBADF);
  }
  ExpectStillServing();
}

TEST_F(GoferServerXattrTest, SymlinksAndFifosAreNeverOpenedAndKeepNone) {
  const size_t fds_before = CountOpenFds();
  // Opening the FIFO would block the gofer: these must answer at once.
  for (const char* name : {"fifo", "hello_link", "shadow_link"}) {
    const FileId file = WalkOrDie(name);
    EXPECT_EQ(ErrnoOf(client().GetXattr(file, "user.a").status()), ENODATA) << name;
    EXPECT_EQ(ErrnoOf(client().SetXattr(file, "user.a", "v", 0).status()), EPERM) << name;
    EXPECT_EQ(ErrnoOf(client().RemoveXattr(file, "user.a").status()), EPERM) << name;
    absl::StatusOr<std::vector<std::string>> names = client().ListXattr(file);
    ASSERT_TRUE(names.ok()) << names.status();
    EXPECT_TRUE(names->empty());
    ASSERT_TRUE(client().Close(file).ok());
  }
  // The link's target was not touched through it.
  EXPECT_EQ(HostXattr(root_ / "hello.txt", "user.a"), "");
  EXPECT_EQ(CountOpenFds(), fds_before);  // Nothing leaked.
}

TEST_F(GoferServerXattrTest, AFileReplacedSinceTheWalkIsEstale) {
  const FileId file = WalkOrDie("hello.txt");
  WriteFile(root_ / "other", "other");
  ASSERT_EQ(rename((root_ / "other").c_str(), (root_ / "hello.txt").c_str()), 0);
  EXPECT_EQ(ErrnoOf(client().SetXattr(file, "user.a", "v", 0).status()), ESTALE);
  EXPECT_EQ(HostXattr(root_ / "hello.txt", "user.a"), "");
}

TEST_F(GoferServerMountTest, ReadOnlyMountRefusesXattrChangesWithErofs) {
  ASSERT_EQ(lsetxattr((host_ / "ro" / "existing").c_str(), "user.kept", "k", 1, 0), 0);
  WalkedFile ro = AttachMount(2);
  absl::StatusOr<WalkedFile> file = client().Walk(ro.id, "existing");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(client().GetXattr(file->id, "user.kept").value_or("?"), "k");
  EXPECT_EQ(ErrnoOf(client().SetXattr(file->id, "user.new", "v", 0).status()), EROFS);
  EXPECT_EQ(ErrnoOf(client().RemoveXattr(file->id, "user.kept").status()), EROFS);
  EXPECT_EQ(ErrnoOf(client().SetXattr(ro.id, "user.new", "v", 0).status()), EROFS);
  EXPECT_EQ(HostXattr(host_ / "ro" / "existing", "user.kept"), "k");
  // The single-file mount (rw) serves its file.
  WalkedFile hosts = AttachMount(3);
  EXPECT_TRUE(client().SetXattr(hosts.id, "user.h", "v", 0).ok());
  EXPECT_EQ(HostXattr(host_ / "hosts", "user.h"), "v");
}

}  // namespace
}  // namespace runsc::gofer::server_test
