// GoferNode over a real GoferServer serving a temporary host tree: what an
// exclusive filesystem (GoferFsCache) answers without a gofer round trip,
// counted with GoferClient::RequestsSent, and that every change the sandbox
// makes (setattr, writes through donated fds, links, unlinks) is seen by the
// next stat, through the same name or another.
#include "fs/gofer_node.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "base/errno_status.h"
#include "gofer/server/gofer_server.h"
#include "gtest/gtest.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/no_dispatch.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {
namespace {

using sentry::NoDispatch;

absl::Span<const uint8_t> Bytes(const std::string& s) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

class GoferNodeTest : public ::testing::Test {
 protected:
  GoferNodeTest() : kernel_(nullptr, dispatcher_), task_(kernel_, 1, nullptr) {}

  void SetUp() override {
    std::string templ = std::filesystem::path(::testing::TempDir()) / "gofer_node_test.XXXXXX";
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    host_root_ = templ;
    std::ofstream(host_root_ / "f") << "hello";
    std::ofstream(host_root_ / "o") << "other";
    std::filesystem::create_symlink("f", host_root_ / "l");
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
    server_socket_.reset(fds[1]);
    client_ = std::make_shared<gofer::GoferClient>(UniqueFd(fds[0]));
    server_.emplace(UniqueFd(open(host_root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)),
                    gofer::GoferServerOptions{});
    server_thread_ = std::thread([this] { (void)server_->Serve(server_socket_.get()); });
    absl::StatusOr<gofer::WalkedFile> root = client_->Attach();
    ASSERT_TRUE(root.ok()) << root.status();
    cache_ = std::make_shared<GoferFsCache>();
    root_ = std::make_shared<GoferNode>(client_, *root, cache_);
    uncached_root_ = std::make_shared<GoferNode>(client_, *root);
  }

  void TearDown() override {
    root_.reset();
    uncached_root_.reset();
    client_.reset();  // Hangs up: Serve returns.
    server_thread_.join();
    std::filesystem::remove_all(host_root_);
  }

  std::shared_ptr<Node> Walk(Node& dir, const std::string& name) {
    absl::StatusOr<std::shared_ptr<Node>> node = dir.Lookup(task_, name);
    EXPECT_TRUE(node.ok()) << node.status();
    return node.value_or(nullptr);
  }
  struct stat StatOf(Node& node) {
    absl::StatusOr<struct stat> st = node.Stat();
    EXPECT_TRUE(st.ok()) << st.status();
    using Stat = struct stat;
    return st.value_or(Stat{});
  }
  struct stat HostStat(const std::string& name) {
    struct stat st {};
    EXPECT_EQ(::lstat((host_root_ / name).c_str(), &st), 0);
    return st;
  }
  std::shared_ptr<File> OpenOrDie(Node& node, int flags) {
    absl::StatusOr<std::shared_ptr<File>> file = node.Open(task_, flags);
    EXPECT_TRUE(file.ok()) << file.status();
    return file.value_or(nullptr);
  }
  std::string Read(File& file, size_t n) {
    std::string buf(n, '\0');
    absl::StatusOr<size_t> got =
        file.Read(task_, absl::MakeSpan(reinterpret_cast<uint8_t*>(buf.data()), buf.size()));
    EXPECT_TRUE(got.ok()) << got.status();
    buf.resize(got.value_or(0));
    return buf;
  }
  uint64_t Requests() const { return client_->RequestsSent(); }

  NoDispatch dispatcher_;
  sentry::Kernel kernel_;
  sentry::Task task_;
  std::filesystem::path host_root_;
  UniqueFd server_socket_;
  std::shared_ptr<gofer::GoferClient> client_;
  std::optional<gofer::GoferServer> server_;
  std::thread server_thread_;
  std::shared_ptr<GoferFsCache> cache_;
  std::shared_ptr<Node> root_, uncached_root_;
};

TEST_F(GoferNodeTest, StatOfAWalkedFileIsTheWalksAndAsksNothing) {
  std::shared_ptr<Node> f = Walk(*root_, "f");
  ASSERT_NE(f, nullptr);
  const uint64_t after_walk = Requests();
  struct stat first = StatOf(*f);
  struct stat second = StatOf(*f);
  EXPECT_EQ(Requests(), after_walk);
  const struct stat host = HostStat("f");
  EXPECT_EQ(first.st_ino, host.st_ino);
  EXPECT_EQ(first.st_size, 5);
  EXPECT_EQ(first.st_mtim.tv_nsec, host.st_mtim.tv_nsec);
  EXPECT_EQ(second.st_size, 5);
}

TEST_F(GoferNodeTest, WithoutACacheEveryStatAsksTheGofer) {
  std::shared_ptr<Node> f = Walk(*uncached_root_, "f");
  ASSERT_NE(f, nullptr);
  const uint64_t after_walk = Requests();
  StatOf(*f);
  StatOf(*f);
  EXPECT_EQ(Requests(), after_walk + 2);
}

TEST_F(GoferNodeTest, StatAfterChmodTruncateAndUtimesSeesEach) {
  std::shared_ptr<Node> f = Walk(*root_, "f");
  ASSERT_NE(f, nullptr);
  StatOf(*f);
  ASSERT_TRUE(f->SetAttr(task_, {.mode = 0600}).ok());
  EXPECT_EQ(StatOf(*f).st_mode & 07777, 0600u);
  ASSERT_TRUE(f->SetAttr(task_, {.size = 2}).ok());
  EXPECT_EQ(StatOf(*f).st_size, 2);
  const struct timespec when{.tv_sec = 1000000000, .tv_nsec = 5};
  ASSERT_TRUE(f->SetAttr(task_, {.times = std::make_pair(when, when)}).ok());
  struct stat st = StatOf(*f);
  EXPECT_EQ(st.st_mtim.tv_sec, when.tv_sec);
  EXPECT_EQ(st.st_atim.tv_nsec, when.tv_nsec);
  EXPECT_EQ(st.st_ctim.tv_sec, HostStat("f").st_ctim.tv_sec);
}

TEST_F(GoferNodeTest, XattrsReachTheHostFileAndAChangeIsSeenByTheNextStat) {
  std::shared_ptr<Node> f = Walk(*root_, "f");
  ASSERT_NE(f, nullptr);
  const struct stat kept = StatOf(*f);  // Kept by the cache.
  // Let the host's coarse clock pass the kept ctime, so that the change
  // moves it (a wait for the clock, not a timing assertion).
  for (;;) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if ((now.tv_sec - kept.st_ctim.tv_sec) * 1'000'000'000 + now.tv_nsec - kept.st_ctim.tv_nsec >
        20'000'000) {
      break;
    }
    usleep(5000);
  }
  ASSERT_TRUE(f->SetXattr("user.k", "v", 0).ok());
  char buf[8];
  EXPECT_EQ(getxattr((host_root_ / "f").c_str(), "user.k", buf, sizeof(buf)), 1);
  const struct stat host = HostStat("f");
  const struct stat after = StatOf(*f);
  EXPECT_EQ(after.st_ctim.tv_sec, host.st_ctim.tv_sec);
  EXPECT_EQ(after.st_ctim.tv_nsec, host.st_ctim.tv_nsec);
  EXPECT_NE(after.st_ctim.tv_nsec, kept.st_ctim.tv_nsec);
  EXPECT_EQ(f->GetXattr("user.k").value_or("?"), "v");
  EXPECT_EQ(f->ListXattr().value_or(std::vector<std::string>{}), std::vector<std::string>{"user.k"});
  ASSERT_TRUE(f->RemoveXattr("user.k").ok());
  EXPECT_EQ(ErrnoOf(f->GetXattr("user.k").status()), ENODATA);
  // The namespaces the gofer does not serve cost no round trip.
  const uint64_t before = Requests();
  EXPECT_EQ(ErrnoOf(f->SetXattr("security.capability", "c", 0)), EOPNOTSUPP);
  EXPECT_EQ(ErrnoOf(f->GetXattr("security.selinux").status()), EOPNOTSUPP);
  EXPECT_EQ(ErrnoOf(f->GetXattr("system.posix_acl_access").status()), EOPNOTSUPP);
  EXPECT_EQ(Requests(), before);
}

TEST_F(GoferNodeTest, StatSeesWritesThroughADonatedFdWhileOpenAndAfterTheClose) {
  std::shared_ptr<Node> f = Walk(*root_, "f");
  ASSERT_NE(f, nullptr);
  StatOf(*f);
  std::shared_ptr<File> file = OpenOrDie(*f, O_RDWR);
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(file->Write(task_, Bytes("hello, world")).ok());
  EXPECT_EQ(StatOf(*f).st_size, 12);
  ASSERT_TRUE(file->PWrite(task_, Bytes("!"), 20).ok());
  EXPECT_EQ(StatOf(*f).st_size, 21);
  file.reset();
  EXPECT_EQ(StatOf(*f).st_size, 21);
  EXPECT_EQ(StatOf(*f).st_mtim.tv_nsec, HostStat("f").st_mtim.tv_nsec);
}

TEST_F(GoferNodeTest, OpeningAndWritingAnotherFileKeepsThisFilesStat) {
  std::shared_ptr<Node> f = Walk(*root_, "f");
  std::shared_ptr<Node> o = Walk(*root_, "o");
  ASSERT_NE(f, nullptr);
  ASSERT_NE(o, nullptr);
  {
    std::shared_ptr<File> other = OpenOrDie(*o, O_RDWR);
    ASSERT_NE(other, nullptr);
    ASSERT_TRUE(other->Write(task_, Bytes("changed")).ok());
  }
  const uint64_t before = Requests();
  EXPECT_EQ(StatOf(*f).st_size, 5);
  EXPECT_EQ(Requests(), before);
  EXPECT_EQ(StatOf(*o).st_size, 7);
  EXPECT_EQ(Requests(), before + 1);
}

TEST_F(GoferNodeTest, AnotherNameOfTheFileSeesItsLinksAndWrites) {
  std::shared_ptr<Node> f = Walk(*root_, "f");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(StatOf(*f).st_nlink, 1u);
  ASSERT_TRUE(root_->Link(task_, "g", *f).ok());
  EXPECT_EQ(StatOf(*f).st_nlink, 2u);
  std::shared_ptr<Node> g = Walk(*root_, "g");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(StatOf(*g).st_nlink, 2u);
  {
    std::shared_ptr<File> through_g = OpenOrDie(*g, O_WRONLY | O_APPEND);
    ASSERT_NE(through_g, nullptr);
    ASSERT_TRUE(through_g->Write(task_, Bytes(" again")).ok());
  }
  EXPECT_EQ(StatOf(*f).st_size, 11);
  ASSERT_TRUE(root_->Unlink(task_, "g", /*directory=*/false).ok());
  EXPECT_EQ(StatOf(*f).st_nlink, 1u);
}

TEST_F(GoferNodeTest, ADirectorySeesEntriesMadeAndRemovedInIt) {
  const struct stat before = StatOf(*root_);
  absl::StatusOr<std::shared_ptr<Node>> d = root_->Mkdir(task_, "d", 0755);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(StatOf(*root_).st_nlink, before.st_nlink + 1);
  ASSERT_TRUE(root_->Unlink(task_, "d", /*directory=*/true).ok());
  EXPECT_EQ(StatOf(*root_).st_nlink, before.st_nlink);
}

TEST_F(GoferNodeTest, AMissingNameIsAskedOnceUntilSomethingChanges) {
  const uint64_t before = Requests();
  EXPECT_EQ(ErrnoOf(root_->Lookup(task_, "nope").status()), ENOENT);
  EXPECT_EQ(ErrnoOf(root_->Lookup(task_, "nope").status()), ENOENT);
  EXPECT_EQ(Requests(), before + 1);
  absl::StatusOr<CreatedNode> made = root_->Create(task_, "nope", O_RDWR, 0644);
  ASSERT_TRUE(made.ok()) << made.status();
  std::shared_ptr<Node> found = Walk(*root_, "nope");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(StatOf(*found).st_ino, HostStat("nope").st_ino);
}

TEST_F(GoferNodeTest, AMissingNameIsStillAskedWithoutACache) {
  const uint64_t before = Requests();
  EXPECT_EQ(ErrnoOf(uncached_root_->Lookup(task_, "nope").status()), ENOENT);
  EXPECT_EQ(ErrnoOf(uncached_root_->Lookup(task_, "nope").status()), ENOENT);
  EXPECT_EQ(Requests(), before + 2);
}

TEST_F(GoferNodeTest, ReadOnlyOpensShareOneDonatedFdWithPositionsOfTheirOwn) {
  std::shared_ptr<Node> f = Walk(*root_, "f");
  ASSERT_NE(f, nullptr);
  const uint64_t after_walk = Requests();
  std::shared_ptr<File> first = OpenOrDie(*f, O_RDONLY);
  std::shared_ptr<File> second = OpenOrDie(*f, O_RDONLY);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(Requests(), after_walk + 1);
  EXPECT_EQ(Read(*first, 2), "he");
  EXPECT_EQ(Read(*second, 3), "hel");
  EXPECT_EQ(Read(*first, 10), "llo");
  EXPECT_EQ(Read(*first, 10), "");
  EXPECT_EQ(first->Seek(0, SEEK_CUR).value_or(-1), 5);
  EXPECT_EQ(second->Seek(0, SEEK_CUR).value_or(-1), 3);
  EXPECT_EQ(second->Seek(-1, SEEK_END).value_or(-1), 4);
  EXPECT_EQ(Read(*second, 10), "o");
  EXPECT_EQ(ErrnoOf(second->Seek(-10, SEEK_CUR).status()), EINVAL);
  EXPECT_EQ(ErrnoOf(second->Write(task_, Bytes("x")).status()), EBADF);
  first.reset();
  second.reset();
  // A later open, after every File closed, still reuses the kept fd.
  std::shared_ptr<File> third = OpenOrDie(*f, O_RDONLY);
  EXPECT_EQ(Requests(), after_walk + 1);
  ASSERT_NE(third, nullptr);
  EXPECT_EQ(Read(*third, 10), "hello");
}

TEST_F(GoferNodeTest, AReadOnlyOpenSeesWhatAWriterWroteSinceTheFdWasKept) {
  std::shared_ptr<Node> f = Walk(*root_, "f");
  ASSERT_NE(f, nullptr);
  OpenOrDie(*f, O_RDONLY);  // Keeps the fd.
  {
    std::shared_ptr<File> writer = OpenOrDie(*f, O_WRONLY | O_TRUNC);
    ASSERT_NE(writer, nullptr);
    ASSERT_TRUE(writer->Write(task_, Bytes("bye")).ok());
  }
  std::shared_ptr<File> reader = OpenOrDie(*f, O_RDONLY);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(Read(*reader, 10), "bye");
  EXPECT_EQ(StatOf(*f).st_size, 3);
}

TEST_F(GoferNodeTest, WithAKeptFdAStatOfAFileBeingWrittenIsTheHostsFstat) {
  std::shared_ptr<Node> f = Walk(*root_, "f");
  ASSERT_NE(f, nullptr);
  std::shared_ptr<File> reader = OpenOrDie(*f, O_RDONLY);  // Keeps the fd.
  std::shared_ptr<File> writer = OpenOrDie(*f, O_WRONLY | O_APPEND);
  ASSERT_NE(writer, nullptr);
  const uint64_t before = Requests();
  ASSERT_TRUE(writer->Write(task_, Bytes(", world")).ok());
  EXPECT_EQ(StatOf(*f).st_size, 12);
  ASSERT_TRUE(writer->Write(task_, Bytes("!")).ok());
  struct stat st = StatOf(*f);
  EXPECT_EQ(st.st_size, 13);
  EXPECT_EQ(st.st_mtim.tv_nsec, HostStat("f").st_mtim.tv_nsec);
  EXPECT_EQ(st.st_ino, HostStat("f").st_ino);
  EXPECT_EQ(Requests(), before);
}

TEST_F(GoferNodeTest, AFileMappableSharedAndWritableIsNeverCachedAgain) {
  std::shared_ptr<Node> f = Walk(*root_, "f");
  ASSERT_NE(f, nullptr);
  {
    std::shared_ptr<File> file = OpenOrDie(*f, O_RDWR);
    ASSERT_NE(file, nullptr);
    EXPECT_GE(file->HostFd(), 0);  // What mmap asks for.
  }
  const uint64_t before = Requests();
  StatOf(*f);
  StatOf(*f);
  EXPECT_EQ(Requests(), before + 2);
}

TEST_F(GoferNodeTest, ASymlinkTargetIsAskedOnce) {
  std::shared_ptr<Node> l = Walk(*root_, "l");
  ASSERT_NE(l, nullptr);
  const uint64_t after_walk = Requests();
  EXPECT_EQ(l->ReadLink(task_).value_or(""), "f");
  EXPECT_EQ(l->ReadLink(task_).value_or(""), "f");
  EXPECT_EQ(Requests(), after_walk + 1);
}

TEST_F(GoferNodeTest, TheKeptFdBudgetSpentOpensAskTheGoferEachTime) {
  cache_ = std::make_shared<GoferFsCache>(/*kept_fd_budget=*/0);
  absl::StatusOr<gofer::WalkedFile> root = client_->Attach();
  ASSERT_TRUE(root.ok());
  auto tight_root = std::make_shared<GoferNode>(client_, *root, cache_);
  std::shared_ptr<Node> f = Walk(*tight_root, "f");
  ASSERT_NE(f, nullptr);
  const uint64_t after_walk = Requests();
  std::shared_ptr<File> first = OpenOrDie(*f, O_RDONLY);
  std::shared_ptr<File> second = OpenOrDie(*f, O_RDONLY);
  EXPECT_EQ(Requests(), after_walk + 2);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(Read(*first, 10), "hello");
}

}  // namespace
}  // namespace runsc::fs
