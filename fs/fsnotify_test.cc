// The fsnotify hooks: which events each operation makes, for the file and
// for its directory (parent first, with the name), IN_ISDIR, what O_PATH
// files and unwatched tables skip, the last close, the mapping of attribute
// changes, removal (IN_DELETE_SELF only for the last link), and renames.
#include "fs/fsnotify.h"

#include <fcntl.h>
#include <sys/inotify.h>

#include <cstring>
#include <string>
#include <vector>

#include "base/errno_status.h"
#include "fs/inotify_file.h"
#include "fs/inotify_test_events.h"
#include "fs/watch_table.h"
#include "gtest/gtest.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/no_dispatch.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {
namespace {

using sentry::NoDispatch;

class FakeNode : public Node {
 public:
  explicit FakeNode(mode_t type) : type_(type) {}
  absl::StatusOr<struct stat> Stat() override {
    struct stat st {};
    st.st_mode = type_ | 0755;
    st.st_nlink = nlink;
    return st;
  }
  mode_t Type() override { return type_; }
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task&, int) override {
    return ErrnoError(EPERM, "fake");
  }
  int nlink = 1;

 private:
  mode_t type_;
};

class PlainFile : public File {
 public:
  explicit PlainFile(int flags) : File(flags) {}
  absl::StatusOr<struct stat> Stat() override {
    struct stat st {};
    return st;
  }
};

std::shared_ptr<Dentry> MakeDentry(std::shared_ptr<Node> node, std::shared_ptr<Dentry> parent,
                                   const std::string& path) {
  auto d = std::make_shared<Dentry>();
  d->node = std::move(node);
  d->parent = std::move(parent);
  d->path = path;
  return d;
}

// The hooks use the sentry's table; each test's instance ends its watches.
class FsnotifyTest : public ::testing::Test {
 protected:
  FsnotifyTest()
      : kernel_(nullptr, dispatcher_),
        task_(kernel_, 1),
        root_(MakeDentry(std::make_shared<FakeNode>(S_IFDIR), nullptr, "/")),
        dir_(MakeDentry(std::make_shared<FakeNode>(S_IFDIR), root_, "/dir")),
        file_(MakeDentry(std::make_shared<FakeNode>(S_IFREG), dir_, "/dir/file")),
        inotify_(*InotifyFile::Create(kernel_, WatchTable::Sentry(), 0, /*nonblock=*/true)) {}

  int Watch(const std::shared_ptr<Dentry>& d, uint32_t mask) {
    return *inotify_->AddWatch(d->node, *d->node->Stat(), mask);
  }
  std::vector<Seen> Drain() { return DrainInotify(*inotify_, task_); }
  std::shared_ptr<File> OpenFile(const std::shared_ptr<Dentry>& d, int flags) {
    auto f = std::make_shared<PlainFile>(flags);
    f->dentry = d;
    return f;
  }

  NoDispatch dispatcher_;
  sentry::Kernel kernel_;
  sentry::Task task_;
  std::shared_ptr<Dentry> root_, dir_, file_;
  std::shared_ptr<InotifyFile> inotify_;
};

TEST_F(FsnotifyTest, FileEventsGoToTheDirectoryWithTheNameThenToTheFile) {
  const int dir_wd = Watch(dir_, IN_MODIFY | IN_OPEN);
  const int file_wd = Watch(file_, IN_MODIFY);
  std::shared_ptr<File> f = OpenFile(file_, O_WRONLY);
  NotifyOpen(*f, /*truncated=*/false);
  NotifyFileEvent(*f, IN_MODIFY);
  EXPECT_EQ(Drain(), (std::vector<Seen>{{dir_wd, IN_OPEN, "file"},
                                        {dir_wd, IN_MODIFY, "file"},
                                        {file_wd, IN_MODIFY, ""}}));
}

TEST_F(FsnotifyTest, DirectoryEventsCarryIsdirAndOPathFilesMakeNone) {
  const int wd = Watch(dir_, IN_OPEN | IN_ACCESS);
  NotifyOpen(*OpenFile(dir_, O_PATH), false);
  NotifyFileEvent(*OpenFile(dir_, O_PATH), IN_ACCESS);
  NotifyOpen(*OpenFile(dir_, O_RDONLY), false);
  EXPECT_EQ(Drain(), (std::vector<Seen>{{wd, IN_OPEN | IN_ISDIR, ""}}));
}

TEST_F(FsnotifyTest, TheLastCloseSaysWhetherTheFileWasOpenForWriting) {
  const int wd = Watch(file_, IN_CLOSE);
  OpenFile(file_, O_RDONLY).reset();
  OpenFile(file_, O_RDWR).reset();
  std::shared_ptr<File> kept = OpenFile(file_, O_WRONLY);
  std::shared_ptr<File> copy = kept;
  kept.reset();  // Not the last reference: no close yet.
  EXPECT_EQ(Drain(), (std::vector<Seen>{{wd, IN_CLOSE_NOWRITE, ""}, {wd, IN_CLOSE_WRITE, ""}}));
  copy.reset();
  EXPECT_EQ(Drain(), (std::vector<Seen>{{wd, IN_CLOSE_WRITE, ""}}));
}

TEST_F(FsnotifyTest, TruncateByOpenIsModifyBeforeOpen) {
  const int wd = Watch(file_, IN_MODIFY | IN_OPEN);
  NotifyOpen(*OpenFile(file_, O_WRONLY | O_TRUNC), /*truncated=*/true);
  EXPECT_EQ(Drain(), (std::vector<Seen>{{wd, IN_MODIFY, ""}, {wd, IN_OPEN, ""}}));
}

TEST_F(FsnotifyTest, AttributeChangesMapAsFsnotifyChange) {
  const int wd = Watch(file_, IN_ATTRIB | IN_MODIFY | IN_ACCESS);
  NotifySetAttr(*file_, {.mode = 0600});
  NotifySetAttr(*file_, {.owner = std::pair(static_cast<uid_t>(-1), static_cast<gid_t>(-1))});
  NotifySetAttr(*file_, {.size = 0});
  NotifySetAttr(*file_, {.times = std::pair(timespec{0, UTIME_NOW}, timespec{0, UTIME_OMIT})});
  NotifySetAttr(*file_, {.times = std::pair(timespec{0, UTIME_NOW}, timespec{0, UTIME_NOW})});
  EXPECT_EQ(Drain(), (std::vector<Seen>{{wd, IN_ATTRIB, ""},
                                        {wd, IN_MODIFY, ""},
                                        {wd, IN_ACCESS, ""},
                                        {wd, IN_ATTRIB, ""}}));
}

TEST_F(FsnotifyTest, RemovingALinkThatIsNotTheLastIsOnlyAttribAndDelete) {
  const int dir_wd = Watch(dir_, IN_DELETE);
  const int file_wd = Watch(file_, IN_ATTRIB | IN_DELETE_SELF);
  NotifyRemove(*dir_, "file", *file_, /*directory=*/false);  // nlink is still 1.
  EXPECT_TRUE(file_->unlinked.load());
  EXPECT_EQ(Drain(), (std::vector<Seen>{{file_wd, IN_ATTRIB, ""}, {dir_wd, IN_DELETE, "file"}}));
  static_cast<FakeNode&>(*file_->node).nlink = 0;
  NotifyRemove(*dir_, "file", *file_, /*directory=*/false);
  EXPECT_EQ(Drain(), (std::vector<Seen>{{file_wd, IN_ATTRIB, ""},
                                        {file_wd, IN_DELETE_SELF, ""},
                                        {file_wd, IN_IGNORED, ""},
                                        {dir_wd, IN_DELETE, "file"}}));
}

TEST_F(FsnotifyTest, ExclUnlinkSkipsOnlyEventsThroughOpenFiles) {
  const int wd = Watch(dir_, IN_MODIFY | IN_ATTRIB | IN_EXCL_UNLINK);
  file_->unlinked.store(true);
  NotifyFileEvent(*OpenFile(file_, O_WRONLY), IN_MODIFY);
  NotifySetAttr(*file_, {.mode = 0600});
  EXPECT_EQ(Drain(), (std::vector<Seen>{{wd, IN_ATTRIB, "file"}}));
}

TEST_F(FsnotifyTest, RenamesPairTheirEventsAndExchangeMovesBoth) {
  auto other = MakeDentry(std::make_shared<FakeNode>(S_IFDIR), dir_, "/dir/other");
  const int wd = Watch(dir_, IN_MOVE);
  NotifyRename(*dir_, "file", *dir_, "other", *file_, other.get(), /*exchange=*/true);
  std::vector<Seen> seen = Drain();
  EXPECT_EQ(seen, (std::vector<Seen>{{wd, IN_MOVED_FROM, "file"},
                                     {wd, IN_MOVED_TO, "other"},
                                     {wd, IN_MOVED_FROM | IN_ISDIR, "other"},
                                     {wd, IN_MOVED_TO | IN_ISDIR, "file"}}));
  EXPECT_FALSE(other->unlinked.load());
  // Over itself (another name of the same file): nothing happens.
  auto alias = MakeDentry(file_->node, dir_, "/dir/alias");
  NotifyRename(*dir_, "file", *dir_, "alias", *file_, alias.get(), false);
  EXPECT_TRUE(Drain().empty());
}

TEST_F(FsnotifyTest, RenamingOverAFileEndsItsWatchesIfThatWasItsLastLink) {
  auto target = MakeDentry(std::make_shared<FakeNode>(S_IFREG), dir_, "/dir/target");
  static_cast<FakeNode&>(*target->node).nlink = 0;
  const int target_wd = Watch(target, IN_ATTRIB | IN_DELETE_SELF);
  const int moved_wd = Watch(file_, IN_MOVE_SELF);
  NotifyRename(*dir_, "file", *dir_, "target", *file_, target.get(), false);
  EXPECT_TRUE(target->unlinked.load());
  EXPECT_EQ(Drain(), (std::vector<Seen>{{target_wd, IN_ATTRIB, ""},
                                        {moved_wd, IN_MOVE_SELF, ""},
                                        {target_wd, IN_DELETE_SELF, ""},
                                        {target_wd, IN_IGNORED, ""}}));
}

TEST_F(FsnotifyTest, CreateAndLink) {
  const int dir_wd = Watch(dir_, IN_CREATE);
  const int file_wd = Watch(file_, IN_ATTRIB);
  NotifyCreate(*dir_, "sub", *dir_->node);
  NotifyLink(*file_->node, *dir_, "again");
  EXPECT_EQ(Drain(), (std::vector<Seen>{{dir_wd, IN_CREATE | IN_ISDIR, "sub"},
                                        {file_wd, IN_ATTRIB, ""},
                                        {dir_wd, IN_CREATE, "again"}}));
}

}  // namespace
}  // namespace runsc::fs
