// The fd table's rules are the ones dup(2), dup2(2), close(2), fcntl(2) and
// execve(2) promise: lowest free number, shared file descriptions, per-fd
// close-on-exec, EBADF and EMFILE.
#include "fs/fd_table.h"

#include <errno.h>
#include <fcntl.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "base/errno_status.h"
#include "gtest/gtest.h"

namespace runsc::fs {
namespace {

class TestFile : public File {
 public:
  TestFile() : File(O_RDWR) {}
  absl::StatusOr<struct stat> Stat() override { return (struct stat){}; }
};

std::shared_ptr<File> NewFile() { return std::make_shared<TestFile>(); }

TEST(FdTableTest, InstallTakesTheLowestFreeNumber) {
  FdTable table;
  EXPECT_EQ(*table.Install(NewFile(), false), 0);
  EXPECT_EQ(*table.Install(NewFile(), false), 1);
  EXPECT_EQ(*table.Install(NewFile(), false), 2);
  ASSERT_TRUE(table.Close(1).ok());
  EXPECT_EQ(*table.Install(NewFile(), false), 1);  // The hole first.
  EXPECT_EQ(*table.Install(NewFile(), false), 3);
  // F_DUPFD: the lowest free number at or above the minimum.
  EXPECT_EQ(*table.Install(NewFile(), false, /*min_fd=*/10), 10);
  EXPECT_EQ(*table.Install(NewFile(), false, /*min_fd=*/10), 11);
  EXPECT_EQ(*table.Install(NewFile(), false, /*min_fd=*/2), 4);
}

TEST(FdTableTest, DupSharesTheFileDescription) {
  FdTable table;
  const int fd = *table.Install(NewFile(), false);
  std::shared_ptr<File> file = table.Get(fd);
  const int copy = *table.Install(file, false);
  EXPECT_NE(copy, fd);
  EXPECT_EQ(table.Get(copy), table.Get(fd));
  // Status flags live in the description: set through one, seen through both.
  table.Get(fd)->set_flags(O_RDWR | O_NONBLOCK);
  EXPECT_TRUE(table.Get(copy)->flags() & O_NONBLOCK);
  // Closing one fd leaves the description open through the other.
  ASSERT_TRUE(table.Close(fd).ok());
  EXPECT_EQ(table.Get(fd), nullptr);
  EXPECT_EQ(table.Get(copy), file);
}

TEST(FdTableTest, CloseReleasesTheLastReference) {
  FdTable table;
  std::weak_ptr<File> watch;
  int fd;
  {
    std::shared_ptr<File> file = NewFile();
    watch = file;
    fd = *table.Install(std::move(file), false);
  }
  EXPECT_FALSE(watch.expired());
  ASSERT_TRUE(table.Close(fd).ok());
  EXPECT_TRUE(watch.expired());  // A pipe end's close is what wakes its peer.
}

TEST(FdTableTest, BadDescriptorsAreEbadf) {
  FdTable table;
  EXPECT_EQ(ErrnoOf(table.Close(0)), EBADF);
  EXPECT_EQ(ErrnoOf(table.Close(-1)), EBADF);
  EXPECT_EQ(ErrnoOf(table.GetEntry(5).status()), EBADF);
  EXPECT_EQ(ErrnoOf(table.SetCloexec(5, true)), EBADF);
  EXPECT_EQ(table.Get(5), nullptr);
  const int fd = *table.Install(NewFile(), false);
  ASSERT_TRUE(table.Close(fd).ok());
  EXPECT_EQ(ErrnoOf(table.Close(fd)), EBADF);  // Twice.
}

TEST(FdTableTest, AnOPathFileIsOnlyForTheCallsThatTakeOne) {
  FdTable table;
  auto file = NewFile();
  file->set_flags(O_PATH);
  absl::StatusOr<int> fd = table.Install(file, false);
  ASSERT_TRUE(fd.ok());
  EXPECT_EQ(table.Get(*fd), nullptr);
  EXPECT_EQ(table.GetIncludingOPath(*fd), file);
  EXPECT_TRUE(table.GetEntry(*fd).ok());
  EXPECT_EQ(table.GetIncludingOPath(*fd + 1), nullptr);
}

TEST(FdTableTest, EmfileAtTheLimit) {
  FdTable table;
  for (int i = 0; i < 3; ++i) ASSERT_EQ(*table.Install(NewFile(), false, 0, /*limit=*/3), i);
  absl::StatusOr<int> over = table.Install(NewFile(), false, 0, /*limit=*/3);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(ErrnoOf(over.status()), EMFILE);
  EXPECT_EQ(table.Snapshot().size(), 3u);  // The failed install left nothing.
  // A minimum at or above the limit has no room either.
  EXPECT_EQ(ErrnoOf(table.Install(NewFile(), false, 5, 3).status()), EMFILE);
  // Free one: it is taken again, and the limit still holds after it.
  ASSERT_TRUE(table.Close(1).ok());
  EXPECT_EQ(*table.Install(NewFile(), false, 0, 3), 1);
  EXPECT_EQ(ErrnoOf(table.Install(NewFile(), false, 0, 3).status()), EMFILE);
  // The table's own ceiling holds whatever the rlimit says.
  EXPECT_EQ(ErrnoOf(table.Install(NewFile(), false, FdTable::kMaxFds, INT32_MAX).status()),
            EMFILE);
}

TEST(FdTableTest, NegativeMinimumIsRefused) {
  FdTable table;
  absl::StatusOr<int> fd = table.Install(NewFile(), false, /*min_fd=*/-1);
  ASSERT_FALSE(fd.ok()) << "installed at " << *fd;
  EXPECT_EQ(ErrnoOf(fd.status()), EINVAL);
  EXPECT_TRUE(table.Snapshot().empty());
}

TEST(FdTableTest, InstallAtReplacesWhatWasThere) {
  FdTable table;
  std::shared_ptr<File> old_file = NewFile();
  std::weak_ptr<File> watch = old_file;
  ASSERT_EQ(*table.Install(std::move(old_file), /*cloexec=*/true), 0);
  std::shared_ptr<File> new_file = NewFile();
  table.InstallAt(0, new_file, /*cloexec=*/false);  // dup2(new, 0).
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(table.Get(0), new_file);
  EXPECT_FALSE(table.GetEntry(0)->cloexec);  // dup2 clears FD_CLOEXEC.
  table.InstallAt(7, new_file, /*cloexec=*/true);  // dup3(..., O_CLOEXEC) to a free fd.
  EXPECT_TRUE(table.GetEntry(7)->cloexec);
  // InstallAt does not move the lowest-free search past the holes it leaves.
  EXPECT_EQ(*table.Install(NewFile(), false), 1);
}

TEST(FdTableTest, CloexecIsPerDescriptorAndCloseOnExecHonoursIt) {
  FdTable table;
  std::shared_ptr<File> shared = NewFile();
  const int keep = *table.Install(shared, /*cloexec=*/false);
  const int drop = *table.Install(shared, /*cloexec=*/true);  // F_DUPFD_CLOEXEC.
  const int later = *table.Install(NewFile(), /*cloexec=*/false);
  EXPECT_FALSE(table.GetEntry(keep)->cloexec);
  EXPECT_TRUE(table.GetEntry(drop)->cloexec);
  ASSERT_TRUE(table.SetCloexec(later, true).ok());  // fcntl(F_SETFD, FD_CLOEXEC).
  EXPECT_TRUE(table.GetEntry(later)->cloexec);

  table.CloseOnExec();
  EXPECT_EQ(table.Get(keep), shared);
  EXPECT_EQ(table.Get(drop), nullptr);
  EXPECT_EQ(table.Get(later), nullptr);
  EXPECT_EQ(table.Snapshot().size(), 1u);
}

TEST(FdTableTest, ForkCopiesTheTableAndSharesTheFiles) {
  FdTable parent;
  const int fd = *parent.Install(NewFile(), true);
  std::shared_ptr<FdTable> child = parent.Fork();
  EXPECT_EQ(child->Get(fd), parent.Get(fd));
  EXPECT_TRUE(child->GetEntry(fd)->cloexec);
  // From here on the tables are independent.
  ASSERT_TRUE(child->Close(fd).ok());
  EXPECT_NE(parent.Get(fd), nullptr);
  EXPECT_EQ(*child->Install(NewFile(), false, 0), 0);
  EXPECT_EQ(*parent.Install(NewFile(), false, 0), 1);
}

// A file whose last reference goes away calls back into the table from its
// destructor: the way a pipe end's close takes other locks. The table must
// drop files only after releasing its own lock, or this deadlocks.
class ReentrantFile : public File {
 public:
  ReentrantFile(FdTable& table, std::atomic<bool>& done) : File(O_RDONLY), table_(table),
                                                           done_(done) {}
  ~ReentrantFile() override {
    (void)table_.Get(0);
    done_ = true;
  }
  absl::StatusOr<struct stat> Stat() override { return (struct stat){}; }

 private:
  FdTable& table_;
  std::atomic<bool>& done_;
};

// Runs `release` on its own thread; false if it did not finish in time (it
// is left blocked: the test has failed anyway).
bool FinishesWithoutDeadlock(std::function<void()> release) {
  auto finished = std::make_shared<std::atomic<bool>>(false);
  std::thread([release, finished] {
    release();
    *finished = true;
  }).detach();
  for (int i = 0; i < 500 && !*finished; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return *finished;
}

TEST(FdTableTest, FilesAreReleasedOutsideTheTableLock) {
  // Leaked on failure: a deadlocked thread may still use them.
  auto* table = new FdTable;
  auto* done = new std::atomic<bool>(false);
  ASSERT_EQ(*table->Install(std::make_shared<ReentrantFile>(*table, *done), true), 0);
  EXPECT_TRUE(FinishesWithoutDeadlock([table] { (void)table->Close(0); })) << "Close";
  EXPECT_TRUE(*done);

  *done = false;
  ASSERT_EQ(*table->Install(std::make_shared<ReentrantFile>(*table, *done), true), 0);
  EXPECT_TRUE(FinishesWithoutDeadlock([table] { table->InstallAt(0, NewFile(), false); }))
      << "InstallAt";
  EXPECT_TRUE(*done);

  *done = false;
  ASSERT_EQ(*table->Install(std::make_shared<ReentrantFile>(*table, *done), true), 1);
  EXPECT_TRUE(FinishesWithoutDeadlock([table] { table->CloseOnExec(); })) << "CloseOnExec";
  EXPECT_TRUE(*done);
  if (!HasFailure()) {
    delete table;
    delete done;
  }
}

}  // namespace
}  // namespace runsc::fs
