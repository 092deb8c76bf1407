// A real GoferServer on a thread and a real GoferClient, over a real
// SOCK_SEQPACKET socketpair, on a temporary directory tree.
#include "gofer/server/gofer_server.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <climits>
#include <cstdio>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "gofer/client/gofer_client.h"
#include "gofer/proto/gofer.pb.h"
#include "gofer/proto/wire.h"
#include "gtest/gtest.h"

namespace runsc::gofer {
namespace {

namespace fs = std::filesystem;

size_t CountOpenFds() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

class GoferServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = fs::path(::testing::TempDir()) / "gofer_server_test.XXXXXX";
    ASSERT_NE(mkdtemp(templ.data()), nullptr) << strerror(errno);
    root_ = templ;
    WriteFile(root_ / "hello.txt", "hello, gofer\n");
    fs::create_directory(root_ / "dir");
    WriteFile(root_ / "dir" / "inner.txt", "inner\n");
    fs::create_symlink("/etc/shadow", root_ / "shadow_link");
    fs::create_symlink("../../..", root_ / "up_link");
    fs::create_symlink("hello.txt", root_ / "hello_link");
    ASSERT_EQ(mkfifo((root_ / "fifo").c_str(), 0600), 0);
  }

  void TearDown() override {
    StopServer();
    fs::remove_all(root_);
  }

  static void WriteFile(const fs::path& path, const std::string& contents) {
    std::ofstream(path) << contents;
  }
  static std::string ReadAll(const fs::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  void StartServer(GoferServerOptions options = {}, std::vector<GoferMount> mounts = {}) {
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
    server_socket_.reset(fds[1]);
    raw_.reset(dup(fds[0]));
    client_.emplace(UniqueFd(fds[0]));
    UniqueFd root(open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(root.valid());
    server_.emplace(std::move(root), options, std::move(mounts));
    server_thread_ = std::thread([this] { serve_status_ = server_->Serve(server_socket_.get()); });
  }

  // Hangs up and checks the server took that as a clean end.
  void StopServer() {
    if (!server_thread_.joinable()) return;
    client_.reset();
    raw_.reset();
    server_thread_.join();
    EXPECT_TRUE(serve_status_.ok()) << serve_status_;
    server_.reset();
    server_socket_.reset();
  }

  GoferClient& client() { return *client_; }

  WalkedFile AttachOrDie() {
    absl::StatusOr<WalkedFile> root = client().Attach();
    EXPECT_TRUE(root.ok()) << root.status();
    return root.value_or(WalkedFile{});
  }

  // Sends raw bytes as one message on the client's connection and returns
  // the reply, as a hostile sentry would see it.
  proto::Response RawCall(absl::string_view bytes, int fd = -1) {
    EXPECT_TRUE(SendPacket(raw_.get(), bytes, fd).ok());
    std::vector<char> buffer(kMaxMessageSize);
    absl::StatusOr<ReceivedPacket> packet = ReceivePacket(raw_.get(), absl::MakeSpan(buffer));
    EXPECT_TRUE(packet.ok()) << packet.status();
    proto::Response response;
    if (!packet.ok()) return response;
    EXPECT_FALSE(packet->hung_up);
    EXPECT_TRUE(packet->fds.empty());
    EXPECT_TRUE(response.ParseFromArray(buffer.data(), static_cast<int>(packet->size)));
    return response;
  }

  proto::Response RawCall(const proto::Request& request) {
    return RawCall(request.SerializeAsString());
  }

  int RawWalkErrno(FileId dir, const std::string& name) {
    proto::Request request;
    request.mutable_walk()->set_dir(dir);
    request.mutable_walk()->set_name(name);
    proto::Response response = RawCall(request);
    return response.has_error() ? response.error().linux_errno() : 0;
  }

  // The server answers a valid request normally after whatever came before.
  void ExpectStillServing() {
    absl::StatusOr<WalkedFile> root = client().Attach();
    ASSERT_TRUE(root.ok()) << root.status();
    EXPECT_TRUE(client().Close(root->id).ok());
  }

  fs::path root_;
  UniqueFd server_socket_;
  UniqueFd raw_;  // A dup of the client's socket, for hand-made messages.
  std::optional<GoferClient> client_;
  std::optional<GoferServer> server_;
  std::thread server_thread_;
  absl::Status serve_status_;
};

TEST_F(GoferServerTest, AttachStatsTheRoot) {
  StartServer();
  WalkedFile root = AttachOrDie();
  EXPECT_NE(root.id, 0u);
  EXPECT_TRUE(S_ISDIR(root.stat.mode));
  struct stat st;
  ASSERT_EQ(stat(root_.c_str(), &st), 0);
  EXPECT_EQ(root.stat.ino, st.st_ino);
  EXPECT_EQ(root.stat.dev, st.st_dev);
}

TEST_F(GoferServerTest, WalkStatAndReadThroughDonatedFd) {
  StartServer();
  WalkedFile root = AttachOrDie();
  absl::StatusOr<WalkedFile> dir = client().Walk(root.id, "dir");
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_TRUE(S_ISDIR(dir->stat.mode));
  absl::StatusOr<WalkedFile> file = client().Walk(dir->id, "inner.txt");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_TRUE(S_ISREG(file->stat.mode));
  EXPECT_EQ(file->stat.size, 6);

  absl::StatusOr<FileStat> st = client().Stat(file->id);
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->ino, file->stat.ino);

  absl::StatusOr<UniqueFd> fd = client().Open(file->id, O_RDONLY);
  ASSERT_TRUE(fd.ok()) << fd.status();
  char buf[64];
  ssize_t n = read(fd->get(), buf, sizeof(buf));
  ASSERT_EQ(n, 6);
  EXPECT_EQ(std::string(buf, n), "inner\n");
  EXPECT_EQ(fcntl(fd->get(), F_GETFL) & O_NONBLOCK, 0);  // The gofer's own O_NONBLOCK is gone.
}

TEST_F(GoferServerTest, OpenForWriteReachesTheHostFile) {
  StartServer();
  WalkedFile root = AttachOrDie();
  absl::StatusOr<WalkedFile> file = client().Walk(root.id, "hello.txt");
  ASSERT_TRUE(file.ok()) << file.status();
  absl::StatusOr<UniqueFd> fd = client().Open(file->id, O_WRONLY | O_TRUNC);
  ASSERT_TRUE(fd.ok()) << fd.status();
  ASSERT_EQ(write(fd->get(), "new", 3), 3);
  std::ifstream in(root_ / "hello.txt");
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(contents, "new");
}

TEST_F(GoferServerTest, ReadDirListsEveryEntry) {
  StartServer();
  WalkedFile root = AttachOrDie();
  absl::StatusOr<std::vector<DirEntry>> entries = client().ReadDir(root.id);
  ASSERT_TRUE(entries.ok()) << entries.status();
  std::set<std::string> names;
  std::map<std::string, uint8_t> types;
  for (const DirEntry& e : *entries) {
    names.insert(e.name);
    types[e.name] = e.type;
  }
  EXPECT_EQ(types["dir"], DT_DIR);
  EXPECT_EQ(types["hello.txt"], DT_REG);
  EXPECT_EQ(types["up_link"], DT_LNK);
  EXPECT_EQ(types["fifo"], DT_FIFO);
  EXPECT_EQ(names, (std::set<std::string>{".", "..", "dir", "hello.txt", "shadow_link", "up_link",
                                          "hello_link", "fifo"}));
}

TEST_F(GoferServerTest, ReadDirPagesALargeDirectory) {
  constexpr int kEntries = 2000;
  fs::create_directory(root_ / "big");
  std::set<std::string> want = {".", ".."};
  for (int i = 0; i < kEntries; ++i) {
    // Long names, so the listing is several 64 KiB messages.
    std::string name = absl::StrCat("entry_with_a_rather_long_name_to_force_paging_", i);
    WriteFile(root_ / "big" / name, "");
    want.insert(name);
  }
  StartServer();
  WalkedFile root = AttachOrDie();
  absl::StatusOr<WalkedFile> big = client().Walk(root.id, "big");
  ASSERT_TRUE(big.ok()) << big.status();

  // The server really did page: the first page alone is not the listing.
  proto::Request request;
  request.mutable_read_dir()->set_dir(big->id);
  proto::Response first = RawCall(request);
  ASSERT_TRUE(first.has_read_dir()) << first.DebugString();
  EXPECT_FALSE(first.read_dir().end());
  EXPECT_LT(first.read_dir().entries_size(), kEntries);
  EXPECT_LE(first.ByteSizeLong(), kMaxMessageSize);

  absl::StatusOr<std::vector<DirEntry>> entries = client().ReadDir(big->id);
  ASSERT_TRUE(entries.ok()) << entries.status();
  std::multiset<std::string> got;
  for (const DirEntry& e : *entries) got.insert(e.name);
  EXPECT_EQ(got.size(), want.size());  // No entry twice.
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), want);
}

TEST_F(GoferServerTest, ReadLink) {
  StartServer();
  WalkedFile root = AttachOrDie();
  absl::StatusOr<WalkedFile> link = client().Walk(root.id, "up_link");
  ASSERT_TRUE(link.ok()) << link.status();
  absl::StatusOr<std::string> target = client().ReadLink(link->id);
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(*target, "../../..");

  absl::StatusOr<WalkedFile> file = client().Walk(root.id, "hello.txt");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(ErrnoOf(client().ReadLink(file->id).status()), EINVAL);
}

TEST_F(GoferServerTest, WalkOfSymlinkReturnsTheLinkNotItsTarget) {
  StartServer();
  WalkedFile root = AttachOrDie();
  for (const char* name : {"shadow_link", "up_link", "hello_link"}) {
    absl::StatusOr<WalkedFile> link = client().Walk(root.id, name);
    ASSERT_TRUE(link.ok()) << name << ": " << link.status();
    EXPECT_TRUE(S_ISLNK(link->stat.mode)) << name;
    struct stat st;
    ASSERT_EQ(lstat((root_ / name).c_str(), &st), 0);
    EXPECT_EQ(link->stat.ino, st.st_ino) << name;
  }
}

TEST_F(GoferServerTest, SymlinksCannotBeOpenedOrWalkedThrough) {
  StartServer();
  WalkedFile root = AttachOrDie();
  for (const char* name : {"shadow_link", "up_link", "hello_link"}) {
    absl::StatusOr<WalkedFile> link = client().Walk(root.id, name);
    ASSERT_TRUE(link.ok()) << name << ": " << link.status();
    for (int flags : {O_RDONLY, O_RDWR, O_WRONLY}) {
      absl::StatusOr<UniqueFd> fd = client().Open(link->id, flags);
      EXPECT_EQ(ErrnoOf(fd.status()), ELOOP) << name;
    }
    // Using the link as a directory does not go where it points.
    EXPECT_EQ(ErrnoOf(client().Walk(link->id, "etc").status()), ENOTDIR) << name;
    EXPECT_EQ(ErrnoOf(client().ReadDir(link->id).status()), ENOTDIR) << name;
  }
}

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

TEST_F(GoferServerTest, OpenAndCloseDoNotLeakFds) {
  StartServer();
  WalkedFile root = AttachOrDie();
  // One round first, so lazily created things (buffers, the client's) exist.
  size_t before = 0;
  for (int i = 0; i < 1001; ++i) {
    if (i == 1) before = CountOpenFds();
    absl::StatusOr<WalkedFile> file = client().Walk(root.id, "hello.txt");
    ASSERT_TRUE(file.ok()) << file.status();
    absl::StatusOr<UniqueFd> fd = client().Open(file->id, O_RDONLY);
    ASSERT_TRUE(fd.ok()) << fd.status();
    // Refused requests must not leak either.
    ASSERT_EQ(ErrnoOf(client().Open(file->id, O_RDONLY | O_DIRECTORY).status()), ENOTDIR);
    absl::StatusOr<std::vector<DirEntry>> entries = client().ReadDir(root.id);
    ASSERT_TRUE(entries.ok());
    ASSERT_TRUE(client().Close(file->id).ok());
  }
  EXPECT_EQ(CountOpenFds(), before);
  EXPECT_EQ(server_->open_file_count(), 1u);  // Only the root.
}

TEST_F(GoferServerTest, ClientIsSafeToShareBetweenThreads) {
  StartServer();
  WalkedFile root = AttachOrDie();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        absl::StatusOr<WalkedFile> file = client().Walk(root.id, "hello.txt");
        if (!file.ok() || !S_ISREG(file->stat.mode)) { ++failures; continue; }
        absl::StatusOr<UniqueFd> fd = client().Open(file->id, O_RDONLY);
        char c;
        if (!fd.ok() || read(fd->get(), &c, 1) != 1 || c != 'h') ++failures;
        if (!client().Close(file->id).ok()) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

// ---- Mutations ----

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

// Bind mounts: host trees outside the root, served as further attach roots.
class GoferServerMountTest : public GoferServerTest {
 protected:
  void SetUp() override {
    GoferServerTest::SetUp();
    std::string templ = fs::path(::testing::TempDir()) / "gofer_mounts_test.XXXXXX";
    ASSERT_NE(mkdtemp(templ.data()), nullptr) << strerror(errno);
    host_ = templ;
    fs::create_directory(host_ / "rw");
    fs::create_directory(host_ / "ro");
    WriteFile(host_ / "rw" / "existing", "rw data\n");
    WriteFile(host_ / "ro" / "existing", "ro data\n");
    WriteFile(host_ / "hosts", "127.0.0.1 localhost\n");
    std::vector<GoferMount> mounts;
    mounts.push_back(DirMount(host_ / "rw", false));
    mounts.push_back(DirMount(host_ / "ro", true));
    GoferMount file{.fd = UniqueFd(open((host_ / "hosts").c_str(), O_PATH | O_CLOEXEC)),
                    .parent = UniqueFd(open(host_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)),
                    .name = "hosts",
                    .read_only = false};
    mounts.push_back(std::move(file));
    StartServer({}, std::move(mounts));
  }
  void TearDown() override {
    GoferServerTest::TearDown();
    fs::remove_all(host_);
  }
  static GoferMount DirMount(const fs::path& path, bool read_only) {
    return GoferMount{.fd = UniqueFd(open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)),
                      .read_only = read_only};
  }
  WalkedFile AttachMount(uint32_t mount) {
    absl::StatusOr<WalkedFile> attached = client().Attach(mount);
    EXPECT_TRUE(attached.ok()) << attached.status();
    return attached.value_or(WalkedFile{});
  }

  fs::path host_;
};

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
}  // namespace runsc::gofer
