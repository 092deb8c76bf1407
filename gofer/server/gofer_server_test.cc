// Attach, walk, open, read and list through the gofer; fds and threads.
#include "gofer/server/gofer_server_test_fixture.h"

namespace runsc::gofer::server_test {
namespace {

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

}  // namespace
}  // namespace runsc::gofer::server_test
