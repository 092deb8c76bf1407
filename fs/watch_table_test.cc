// The watch table: one wd per instance and file (whichever Node object
// names it), mask updates (IN_MASK_ADD, IN_MASK_CREATE), delivery only of
// what a watch asks for, IN_ONESHOT, IN_EXCL_UNLINK, the end of a watch
// when its file is deleted, and the per-user watch limit.
#include "fs/watch_table.h"

#include <sys/inotify.h>

#include <cstring>
#include <string>
#include <vector>

#include "base/errno_status.h"
#include "fs/inotify_file.h"
#include "fs/inotify_test_events.h"
#include "gtest/gtest.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/no_dispatch.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {
namespace {

using sentry::NoDispatch;

// A node that says which file it is, as a gofer node does.
class FileNode : public Node {
 public:
  explicit FileNode(uint64_t ino) : ino_(ino) {}
  absl::StatusOr<struct stat> Stat() override {
    struct stat st {};
    st.st_mode = S_IFREG | 0644;
    st.st_ino = ino_;
    st.st_nlink = 1;
    return st;
  }
  NodeIdentity Identity() override { return {nullptr, 1, ino_}; }
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task&, int) override {
    return ErrnoError(EPERM, "stub");
  }

 private:
  uint64_t ino_;
};

class WatchTableTest : public ::testing::Test {
 protected:
  WatchTableTest() : kernel_(nullptr, dispatcher_), task_(kernel_, 1) {}

  std::shared_ptr<InotifyFile> Instance(WatchTable& table) {
    return *InotifyFile::Create(kernel_, table, 0, /*nonblock=*/true);
  }
  absl::StatusOr<int> Watch(const std::shared_ptr<InotifyFile>& f, const std::shared_ptr<Node>& n,
                            uint32_t mask) {
    return f->AddWatch(n, *n->Stat(), mask);
  }
  std::vector<Seen> Drain(InotifyFile& f) { return DrainInotify(f, task_); }

  NoDispatch dispatcher_;
  sentry::Kernel kernel_;
  sentry::Task task_;
  WatchTable table_;
};

TEST_F(WatchTableTest, OneWdPerInstanceAndFile) {
  auto a = Instance(table_), b = Instance(table_);
  auto file = std::make_shared<FileNode>(10);
  auto same_file = std::make_shared<FileNode>(10);  // Walked again.
  auto other = std::make_shared<FileNode>(11);
  const int wd = *Watch(a, file, IN_MODIFY);
  EXPECT_EQ(*Watch(a, same_file, IN_MODIFY), wd);
  EXPECT_NE(*Watch(a, other, IN_MODIFY), wd);
  EXPECT_EQ(*Watch(b, file, IN_MODIFY), 1);  // Each instance counts its own.
  table_.Notify(same_file->Identity(), IN_MODIFY, 0, "");
  EXPECT_EQ(Drain(*a), (std::vector<Seen>{{wd, IN_MODIFY, ""}}));
  EXPECT_EQ(Drain(*b), (std::vector<Seen>{{1, IN_MODIFY, ""}}));
}

TEST_F(WatchTableTest, OnlyAskedForEventsAreDeliveredWithTheirName) {
  auto f = Instance(table_);
  auto dir = std::make_shared<FileNode>(1);
  const int wd = *Watch(f, dir, IN_CREATE);
  table_.Notify(dir->Identity(), IN_DELETE, 0, "x");
  table_.Notify(dir->Identity(), IN_CREATE | IN_ISDIR, 0, "sub");
  EXPECT_EQ(Drain(*f), (std::vector<Seen>{{wd, IN_CREATE | IN_ISDIR, "sub"}}));
}

TEST_F(WatchTableTest, MaskAddAddsMaskCreateRefusesAndOtherwiseTheMaskIsReplaced) {
  auto f = Instance(table_);
  auto n = std::make_shared<FileNode>(1);
  const int wd = *Watch(f, n, IN_CREATE);
  EXPECT_EQ(ErrnoOf(Watch(f, n, IN_DELETE | IN_MASK_CREATE).status()), EEXIST);
  ASSERT_EQ(*Watch(f, n, IN_DELETE | IN_MASK_ADD), wd);
  table_.Notify(n->Identity(), IN_CREATE, 0, "a");
  table_.Notify(n->Identity(), IN_DELETE, 0, "a");
  EXPECT_EQ(Drain(*f).size(), 2u);
  ASSERT_EQ(*Watch(f, n, IN_MODIFY), wd);
  table_.Notify(n->Identity(), IN_CREATE, 0, "b");
  table_.Notify(n->Identity(), IN_MODIFY, 0, "b");
  EXPECT_EQ(Drain(*f), (std::vector<Seen>{{wd, IN_MODIFY, "b"}}));
}

TEST_F(WatchTableTest, OneshotEndsAfterItsEventWithIgnored) {
  auto f = Instance(table_);
  auto n = std::make_shared<FileNode>(1);
  const int wd = *Watch(f, n, IN_MODIFY | IN_ONESHOT);
  table_.Notify(n->Identity(), IN_MODIFY, 0, "");
  table_.Notify(n->Identity(), IN_MODIFY, 0, "again");
  EXPECT_EQ(Drain(*f), (std::vector<Seen>{{wd, IN_MODIFY, ""}, {wd, IN_IGNORED, ""}}));
  EXPECT_TRUE(table_.Empty());
}

TEST_F(WatchTableTest, ExclUnlinkWatchesDoNotHearOfUnlinkedNames) {
  auto f = Instance(table_);
  auto n = std::make_shared<FileNode>(1);
  const int wd = *Watch(f, n, IN_MODIFY | IN_EXCL_UNLINK);
  table_.Notify(n->Identity(), IN_MODIFY, 0, "gone", /*unlinked=*/true);
  table_.Notify(n->Identity(), IN_MODIFY, 0, "here", /*unlinked=*/false);
  EXPECT_EQ(Drain(*f), (std::vector<Seen>{{wd, IN_MODIFY, "here"}}));
}

TEST_F(WatchTableTest, DeletionSendsDeleteSelfAndIgnoredAndEndsEveryWatch) {
  auto a = Instance(table_), b = Instance(table_);
  auto n = std::make_shared<FileNode>(1);
  const int wa = *Watch(a, n, IN_DELETE_SELF);
  const int wb = *Watch(b, n, IN_MODIFY);
  EXPECT_TRUE(table_.Watched(n->Identity()));
  table_.NotifyDeleted(n->Identity());
  EXPECT_EQ(Drain(*a), (std::vector<Seen>{{wa, IN_DELETE_SELF, ""}, {wa, IN_IGNORED, ""}}));
  EXPECT_EQ(Drain(*b), (std::vector<Seen>{{wb, IN_IGNORED, ""}}));
  EXPECT_FALSE(table_.Watched(n->Identity()));
  EXPECT_EQ(ErrnoOf(a->RemoveWatch(wa)), EINVAL);
}

TEST_F(WatchTableTest, SelfEventsNeverCarryIsdir) {
  auto f = Instance(table_);
  auto n = std::make_shared<FileNode>(1);
  const int wd = *Watch(f, n, IN_MOVE_SELF);
  table_.Notify(n->Identity(), IN_MOVE_SELF | IN_ISDIR, 0, "");
  EXPECT_EQ(Drain(*f), (std::vector<Seen>{{wd, IN_MOVE_SELF, ""}}));
}

TEST_F(WatchTableTest, NewWatchesPastTheUserLimitAreEnospc) {
  WatchTable small(/*max_user_watches=*/2);
  auto f = Instance(small);
  auto n1 = std::make_shared<FileNode>(1), n2 = std::make_shared<FileNode>(2),
       n3 = std::make_shared<FileNode>(3);
  const int wd1 = *Watch(f, n1, IN_MODIFY);
  ASSERT_TRUE(Watch(f, n2, IN_MODIFY).ok());
  EXPECT_EQ(ErrnoOf(Watch(f, n3, IN_MODIFY).status()), ENOSPC);
  EXPECT_TRUE(Watch(f, n1, IN_ATTRIB).ok());  // Updating is no new watch.
  ASSERT_TRUE(f->RemoveWatch(wd1).ok());
  EXPECT_TRUE(Watch(f, n3, IN_MODIFY).ok());
}

TEST_F(WatchTableTest, CookiesAreNeverZero) {
  EXPECT_NE(table_.NextCookie(), 0u);
  EXPECT_NE(table_.NextCookie(), table_.NextCookie());
}

}  // namespace
}  // namespace runsc::fs
