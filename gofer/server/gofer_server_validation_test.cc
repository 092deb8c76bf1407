// What the gofer refuses: bad names and ids, hostile raw messages, flags
// it must not honour, files replaced since the walk, read-only roots.
#include "gofer/server/gofer_server_test_fixture.h"

namespace runsc::gofer::server_test {
namespace {

TEST_F(GoferServerTest, BadNamesAreRefusedByClientAndServer) {
  StartServer();
  WalkedFile root = AttachOrDie();
  const std::vector<std::string> bad = {"..", ".", "", "a/b", "/", std::string("\0", 1),
                                        std::string("hello.txt\0x", 11)};
  for (const std::string& name : bad) {
    EXPECT_EQ(ErrnoOf(client().Walk(root.id, name).status()), EINVAL) << "size " << name.size();
    // The client refuses before sending; the server must refuse on its own.
    EXPECT_EQ(RawWalkErrno(root.id, name), EINVAL) << "size " << name.size();
  }
  EXPECT_EQ(RawWalkErrno(root.id, std::string(256, 'x')), ENAMETOOLONG);
  ExpectStillServing();
}

TEST_F(GoferServerTest, UnknownIdsAreEbadf) {
  StartServer();
  WalkedFile root = AttachOrDie();
  for (FileId id : {FileId{0}, root.id + 1000, ~FileId{0}}) {
    EXPECT_EQ(ErrnoOf(client().Walk(id, "hello.txt").status()), EBADF);
    EXPECT_EQ(ErrnoOf(client().Stat(id).status()), EBADF);
    EXPECT_EQ(ErrnoOf(client().Open(id, O_RDONLY).status()), EBADF);
    EXPECT_EQ(ErrnoOf(client().ReadDir(id).status()), EBADF);
    EXPECT_EQ(ErrnoOf(client().ReadLink(id).status()), EBADF);
    EXPECT_EQ(ErrnoOf(client().Close(id)), EBADF);
  }
  // A closed id is unknown from then on.
  absl::StatusOr<WalkedFile> file = client().Walk(root.id, "hello.txt");
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE(client().Close(file->id).ok());
  EXPECT_EQ(ErrnoOf(client().Stat(file->id).status()), EBADF);
  EXPECT_EQ(ErrnoOf(client().Close(file->id)), EBADF);
}

TEST_F(GoferServerTest, WalkErrorsComeFromTheHost) {
  StartServer();
  WalkedFile root = AttachOrDie();
  EXPECT_EQ(ErrnoOf(client().Walk(root.id, "missing").status()), ENOENT);
  absl::StatusOr<WalkedFile> file = client().Walk(root.id, "hello.txt");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(ErrnoOf(client().Walk(file->id, "x").status()), ENOTDIR);
}

TEST_F(GoferServerTest, OpenRefusesFlagsAndFileTypesItMustNot) {
  StartServer();
  WalkedFile root = AttachOrDie();
  absl::StatusOr<WalkedFile> file = client().Walk(root.id, "hello.txt");
  ASSERT_TRUE(file.ok());
  for (int flags : {O_RDWR | O_CREAT, O_RDONLY | O_NOFOLLOW, O_PATH, O_RDWR | O_TMPFILE,
                    O_RDONLY | O_EXCL, O_ACCMODE}) {
    EXPECT_EQ(ErrnoOf(client().Open(file->id, flags).status()), EINVAL) << std::oct << flags;
  }
  EXPECT_EQ(ErrnoOf(client().Open(file->id, O_RDONLY | O_DIRECTORY).status()), ENOTDIR);
  // A directory fd would reach above the root through "..".
  EXPECT_EQ(ErrnoOf(client().Open(root.id, O_RDONLY | O_DIRECTORY).status()), EISDIR);
  absl::StatusOr<WalkedFile> fifo = client().Walk(root.id, "fifo");
  ASSERT_TRUE(fifo.ok());
  EXPECT_EQ(ErrnoOf(client().Open(fifo->id, O_RDONLY).status()), ENXIO);
}

TEST_F(GoferServerTest, OpenOfAFileReplacedSinceTheWalkIsRefused) {
  StartServer();
  WalkedFile root = AttachOrDie();
  absl::StatusOr<WalkedFile> file = client().Walk(root.id, "hello.txt");
  ASSERT_TRUE(file.ok());
  fs::rename(root_ / "dir" / "inner.txt", root_ / "hello.txt");
  EXPECT_EQ(ErrnoOf(client().Open(file->id, O_RDONLY).status()), ESTALE);
}

TEST_F(GoferServerTest, ReadOnlyRootRefusesWrites) {
  StartServer(GoferServerOptions{.read_only = true});
  WalkedFile root = AttachOrDie();
  absl::StatusOr<WalkedFile> file = client().Walk(root.id, "hello.txt");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(ErrnoOf(client().Open(file->id, O_WRONLY).status()), EROFS);
  EXPECT_EQ(ErrnoOf(client().Open(file->id, O_RDWR).status()), EROFS);
  EXPECT_EQ(ErrnoOf(client().Open(file->id, O_RDONLY | O_TRUNC).status()), EROFS);
  absl::StatusOr<UniqueFd> fd = client().Open(file->id, O_RDONLY);
  ASSERT_TRUE(fd.ok()) << fd.status();
  EXPECT_EQ(fcntl(fd->get(), F_GETFL) & O_ACCMODE, O_RDONLY);
}

TEST_F(GoferServerTest, IdsPerConnectionAreLimited) {
  StartServer(GoferServerOptions{.max_files = 3});
  WalkedFile root = AttachOrDie();
  absl::StatusOr<WalkedFile> a = client().Walk(root.id, "hello.txt");
  absl::StatusOr<WalkedFile> b = client().Walk(root.id, "dir");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(ErrnoOf(client().Walk(root.id, "fifo").status()), EMFILE);
  EXPECT_EQ(ErrnoOf(client().Attach().status()), EMFILE);
  ASSERT_TRUE(client().Close(a->id).ok());
  EXPECT_TRUE(client().Walk(root.id, "fifo").ok());
}

TEST_F(GoferServerTest, HostileRawMessagesGetErrorRepliesAndServingGoesOn) {
  StartServer();
  // Room for the oversized messages below.
  int sndbuf = 1 << 20;
  ASSERT_EQ(setsockopt(raw_.get(), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)), 0);

  proto::Request huge_walk;
  huge_walk.mutable_walk()->set_dir(1);
  huge_walk.mutable_walk()->set_name(std::string(100 * 1024, 'x'));

  const std::vector<std::pair<std::string, std::string>> messages = {
      {"garbage", "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x02"},
      {"empty message", ""},
      {"valid proto with no op", proto::Request().SerializeAsString()},
      {"unknown op field", std::string("\xf8\x01\x01", 3)},  // Field 31, varint.
      {"truncated sub-message", std::string("\x1a\x10\x08\x01", 4)},
      {"huge garbage", std::string(100 * 1024, '\x5a')},
      {"huge valid proto", huge_walk.SerializeAsString()},
  };
  for (const auto& [what, bytes] : messages) {
    proto::Response response = RawCall(bytes);
    ASSERT_TRUE(response.has_error()) << what << ": " << response.DebugString();
    EXPECT_EQ(response.error().linux_errno(), EINVAL) << what;
    ExpectStillServing();
  }
}

TEST_F(GoferServerTest, RequestCarryingFdsIsRefusedAndTheFdsClosed) {
  StartServer();
  ExpectStillServing();
  size_t before = CountOpenFds();
  {
    UniqueFd null(open("/dev/null", O_RDONLY | O_CLOEXEC));
    proto::Request attach;
    attach.mutable_attach();
    proto::Response response = RawCall(attach.SerializeAsString(), null.get());
    ASSERT_TRUE(response.has_error()) << response.DebugString();
    EXPECT_EQ(response.error().linux_errno(), EINVAL);
  }
  ExpectStillServing();
  EXPECT_EQ(CountOpenFds(), before);
}

TEST_F(GoferServerTest, MutationsRefuseBadIdsAndNames) {
  StartServer();
  WalkedFile root = AttachOrDie();
  absl::StatusOr<WalkedFile> file = client().Walk(root.id, "hello.txt");
  ASSERT_TRUE(file.ok());
  constexpr FileId kBad = 999;
  EXPECT_EQ(ErrnoOf(client().Create(kBad, "x", O_RDWR, 0600).status()), EBADF);
  EXPECT_EQ(ErrnoOf(client().Mkdir(kBad, "x", 0700).status()), EBADF);
  EXPECT_EQ(ErrnoOf(client().Mknod(kBad, "x", S_IFIFO | 0600).status()), EBADF);
  EXPECT_EQ(ErrnoOf(client().Symlink(kBad, "x", "y").status()), EBADF);
  EXPECT_EQ(ErrnoOf(client().Link(kBad, root.id, "x").status()), EBADF);
  EXPECT_EQ(ErrnoOf(client().Link(file->id, kBad, "x").status()), EBADF);
  EXPECT_EQ(ErrnoOf(client().Unlink(kBad, "hello.txt", 0)), EBADF);
  EXPECT_EQ(ErrnoOf(client().Rename(kBad, "hello.txt", root.id, "x", 0)), EBADF);
  EXPECT_EQ(ErrnoOf(client().Rename(root.id, "hello.txt", kBad, "x", 0)), EBADF);
  EXPECT_EQ(ErrnoOf(client().SetAttr(kBad, {.mode = 0600}).status()), EBADF);
  // A file id where a directory is needed.
  EXPECT_EQ(ErrnoOf(client().Mkdir(file->id, "x", 0700).status()), ENOTDIR);
  EXPECT_EQ(ErrnoOf(client().Unlink(file->id, "x", 0)), ENOTDIR);

  // Names the client refuses, sent raw so the server's own checks are hit.
  for (const std::string& name : std::vector<std::string>{"", ".", "..", "a/b", "/", "../etc",
                                                          std::string("a\0b", 3)}) {
    auto expect_einval = [&](proto::Request request) {
      proto::Response response = RawCall(request.SerializeAsString());
      ASSERT_TRUE(response.has_error()) << name;
      EXPECT_EQ(response.error().linux_errno(), EINVAL) << name;
    };
    proto::Request r;
    r.mutable_create()->set_dir(root.id);
    r.mutable_create()->set_name(name);
    r.mutable_create()->set_mode(0600);
    expect_einval(r);
    r.Clear();
    r.mutable_mkdir()->set_dir(root.id);
    r.mutable_mkdir()->set_name(name);
    expect_einval(r);
    r.Clear();
    r.mutable_mknod()->set_dir(root.id);
    r.mutable_mknod()->set_name(name);
    r.mutable_mknod()->set_mode(S_IFIFO | 0600);
    expect_einval(r);
    r.Clear();
    r.mutable_symlink()->set_dir(root.id);
    r.mutable_symlink()->set_name(name);
    r.mutable_symlink()->set_target("t");
    expect_einval(r);
    r.Clear();
    r.mutable_link()->set_target(file->id);
    r.mutable_link()->set_dir(root.id);
    r.mutable_link()->set_name(name);
    expect_einval(r);
    r.Clear();
    r.mutable_unlink()->set_dir(root.id);
    r.mutable_unlink()->set_name(name);
    expect_einval(r);
    r.Clear();
    r.mutable_rename()->set_old_dir(root.id);
    r.mutable_rename()->set_old_name(name);
    r.mutable_rename()->set_new_dir(root.id);
    r.mutable_rename()->set_new_name("x");
    expect_einval(r);
    r.Clear();
    r.mutable_rename()->set_old_dir(root.id);
    r.mutable_rename()->set_old_name("hello.txt");
    r.mutable_rename()->set_new_dir(root.id);
    r.mutable_rename()->set_new_name(name);
    expect_einval(r);
    r.Clear();
    r.mutable_set_attr()->set_id(file->id);
    r.mutable_set_attr()->set_valid(0x100);
    expect_einval(r);
  }
  // Nothing was made or removed in or above the root.
  EXPECT_TRUE(fs::exists(root_ / "hello.txt"));
  EXPECT_TRUE(fs::exists(root_ / "dir" / "inner.txt"));
  EXPECT_FALSE(fs::exists(root_ / "x"));
  EXPECT_FALSE(fs::exists(root_ / "a"));
}

TEST_F(GoferServerTest, ReadOnlyRootRefusesEveryMutation) {
  StartServer(GoferServerOptions{.read_only = true});
  WalkedFile root = AttachOrDie();
  absl::StatusOr<WalkedFile> file = client().Walk(root.id, "hello.txt");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(ErrnoOf(client().Create(root.id, "x", O_RDWR, 0600).status()), EROFS);
  EXPECT_EQ(ErrnoOf(client().Mkdir(root.id, "x", 0700).status()), EROFS);
  EXPECT_EQ(ErrnoOf(client().Mknod(root.id, "x", S_IFIFO | 0600).status()), EROFS);
  EXPECT_EQ(ErrnoOf(client().Symlink(root.id, "x", "y").status()), EROFS);
  EXPECT_EQ(ErrnoOf(client().Link(file->id, root.id, "x").status()), EROFS);
  EXPECT_EQ(ErrnoOf(client().Unlink(root.id, "hello.txt", 0)), EROFS);
  EXPECT_EQ(ErrnoOf(client().Rename(root.id, "hello.txt", root.id, "x", 0)), EROFS);
  EXPECT_EQ(ErrnoOf(client().SetAttr(file->id, {.mode = 0777}).status()), EROFS);
  EXPECT_EQ(ErrnoOf(client().SetAttr(file->id, {.size = 0}).status()), EROFS);
  EXPECT_EQ(ErrnoOf(client().SetAttr(file->id, {.times = std::pair{timespec{}, timespec{}}})
                        .status()),
            EROFS);
  absl::StatusOr<FsStat> st = client().StatFs(root.id);
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_NE(st->flags & 1, 0);  // ST_RDONLY.
  EXPECT_EQ(ReadAll(root_ / "hello.txt"), "hello, gofer\n");
  EXPECT_FALSE(fs::exists(root_ / "x"));
}

TEST(GoferServerMessageTest, HandleMessageNeverFailsOnArbitraryInput) {
  // What a fuzzer would do, deterministically: every prefix of a valid
  // request and some byte flips of it, straight into the decoder.
  std::string templ = fs::path(::testing::TempDir()) / "gofer_message_test.XXXXXX";
  ASSERT_NE(mkdtemp(templ.data()), nullptr);
  {
    GoferServer server(UniqueFd(open(templ.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)), {});
    proto::Request request;
    request.mutable_walk()->set_dir(1);
    request.mutable_walk()->set_name("name");
    const std::string valid = request.SerializeAsString();
    for (size_t len = 0; len <= valid.size(); ++len) {
      GoferServer::Reply reply = server.HandleMessage(absl::string_view(valid).substr(0, len));
      EXPECT_NE(reply.response.result_case(), proto::Response::RESULT_NOT_SET);
      EXPECT_FALSE(reply.fd.valid());
    }
    for (size_t i = 0; i < valid.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string mutated = valid;
        mutated[i] = static_cast<char>(mutated[i] ^ (1 << bit));
        GoferServer::Reply reply = server.HandleMessage(mutated);
        EXPECT_NE(reply.response.result_case(), proto::Response::RESULT_NOT_SET);
      }
    }
  }
  fs::remove_all(templ);
}

}  // namespace
}  // namespace runsc::gofer::server_test
