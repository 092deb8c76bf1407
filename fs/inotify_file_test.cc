// An inotify instance's queue: whole records with padded names, EINVAL for
// a buffer too small for the next one, merging of identical consecutive
// events, IN_Q_OVERFLOW at the limit, FIONREAD-style sizes, readiness,
// blocking reads that an event or a signal ends, and the watches ending
// with the instance.
#include "fs/inotify_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/sysmacros.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "base/errno_status.h"
#include "fs/inotify_test_events.h"
#include "gtest/gtest.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/no_dispatch.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {
namespace {

constexpr int kErestartsys = 512;

using sentry::NoDispatch;

class StubNode : public Node {
 public:
  absl::StatusOr<struct stat> Stat() override {
    struct stat st {};
    st.st_mode = S_IFDIR | 0755;
    st.st_ino = 7;
    return st;
  }
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task&, int) override {
    return ErrnoError(EPERM, "stub");
  }
};

using Record = InotifyRecord;

std::vector<Record> Parse(const std::vector<uint8_t>& buf, size_t n) {
  return ParseInotifyRecords(buf, n);
}

class InotifyFileTest : public ::testing::Test {
 protected:
  InotifyFileTest() : kernel_(nullptr, dispatcher_), task_(kernel_, 1) {}

  std::shared_ptr<InotifyFile> Make(bool nonblock = true) {
    absl::StatusOr<std::shared_ptr<InotifyFile>> f =
        InotifyFile::Create(kernel_, table_, 0, nonblock);
    EXPECT_TRUE(f.ok()) << f.status();
    return *f;
  }
  absl::StatusOr<std::vector<Record>> ReadAll(InotifyFile& f, size_t size = 4096) {
    std::vector<uint8_t> buf(size);
    absl::StatusOr<size_t> n = f.Read(task_, absl::MakeSpan(buf));
    if (!n.ok()) return n.status();
    return Parse(buf, *n);
  }

  NoDispatch dispatcher_;
  sentry::Kernel kernel_;
  sentry::Task task_;
  WatchTable table_;
};

TEST_F(InotifyFileTest, RecordsCarryNamesPaddedToTheHeaderSize) {
  auto f = Make();
  f->Enqueue(1, IN_CREATE, 0, "born");
  f->Enqueue(1, IN_MODIFY, 0, "");
  f->Enqueue(2, IN_MOVED_FROM, 9, std::string(16, 'x'));
  absl::StatusOr<std::vector<Record>> r = ReadAll(*f);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].wd, 1);
  EXPECT_EQ((*r)[0].mask, static_cast<uint32_t>(IN_CREATE));
  EXPECT_EQ((*r)[0].len, sizeof(inotify_event));  // "born\0" padded to 16.
  EXPECT_EQ((*r)[0].name, "born");
  EXPECT_EQ((*r)[1].len, 0u);
  EXPECT_EQ((*r)[2].cookie, 9u);
  EXPECT_EQ((*r)[2].len, 2 * sizeof(inotify_event));  // 16 characters and the NUL.
  EXPECT_EQ((*r)[2].name, std::string(16, 'x'));
}

TEST_F(InotifyFileTest, ABufferTooSmallForTheNextEventIsEinvalAndKeepsIt) {
  auto f = Make();
  f->Enqueue(1, IN_CREATE, 0, "name");
  EXPECT_EQ(ErrnoOf(ReadAll(*f, sizeof(inotify_event)).status()), EINVAL);
  EXPECT_EQ(ErrnoOf(ReadAll(*f, 0).status()), EINVAL);
  EXPECT_EQ(f->QueuedForTest(), 1u);
  EXPECT_EQ(ReadAll(*f)->size(), 1u);
}

TEST_F(InotifyFileTest, AReadReturnsTheWholeEventsThatFit) {
  auto f = Make();
  f->Enqueue(1, IN_OPEN, 0, "");
  f->Enqueue(1, IN_CLOSE_NOWRITE, 0, "");
  absl::StatusOr<std::vector<Record>> r = ReadAll(*f, sizeof(inotify_event) + 8);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].mask, static_cast<uint32_t>(IN_OPEN));
  EXPECT_EQ(f->QueuedForTest(), 1u);
}

TEST_F(InotifyFileTest, OnlyIdenticalConsecutiveUnreadEventsMerge) {
  auto f = Make();
  f->Enqueue(1, IN_MODIFY, 0, "");
  f->Enqueue(1, IN_MODIFY, 0, "");
  EXPECT_EQ(f->QueuedForTest(), 1u);
  f->Enqueue(1, IN_MODIFY, 0, "a");  // Another name.
  f->Enqueue(2, IN_MODIFY, 0, "a");  // Another watch.
  f->Enqueue(1, IN_MODIFY, 0, "");   // Not the last one.
  EXPECT_EQ(f->QueuedForTest(), 4u);
  ASSERT_TRUE(ReadAll(*f).ok());
  f->Enqueue(1, IN_MODIFY, 0, "");  // The last one was read.
  EXPECT_EQ(f->QueuedForTest(), 1u);
}

TEST_F(InotifyFileTest, AFullQueueTakesOneOverflowEventUntilItIsRead) {
  auto f = Make();
  for (size_t i = 0; i < InotifyFile::kMaxQueuedEvents + 5; ++i) {
    f->Enqueue(1, IN_CREATE, 0, std::to_string(i));
  }
  EXPECT_EQ(f->QueuedForTest(), InotifyFile::kMaxQueuedEvents + 1);
  std::vector<Record> all;
  for (;;) {
    absl::StatusOr<std::vector<Record>> r = ReadAll(*f, 1 << 16);
    if (!r.ok()) {
      EXPECT_EQ(ErrnoOf(r.status()), EAGAIN);
      break;
    }
    all.insert(all.end(), r->begin(), r->end());
  }
  ASSERT_EQ(all.size(), InotifyFile::kMaxQueuedEvents + 1);
  EXPECT_EQ(all.back().wd, -1);
  EXPECT_EQ(all.back().mask, static_cast<uint32_t>(IN_Q_OVERFLOW));
  EXPECT_EQ(all[InotifyFile::kMaxQueuedEvents - 1].name,
            std::to_string(InotifyFile::kMaxQueuedEvents - 1));
  f->Enqueue(1, IN_CREATE, 0, "again");
  EXPECT_EQ(f->QueuedForTest(), 1u);
}

TEST_F(InotifyFileTest, PollAndTheEventSequenceFollowTheQueue) {
  auto f = Make();
  uint64_t before;
  {
    absl::MutexLock lock(&kernel_.mu);
    EXPECT_EQ(f->PollLocked(task_, POLLIN | POLLOUT), 0);
    before = f->EventSeqLocked();
  }
  f->Enqueue(1, IN_CREATE, 0, "x");
  {
    absl::MutexLock lock(&kernel_.mu);
    EXPECT_EQ(f->PollLocked(task_, POLLIN | POLLOUT), POLLIN);
    EXPECT_NE(f->EventSeqLocked(), before);
  }
  ASSERT_TRUE(ReadAll(*f).ok());
  absl::MutexLock lock(&kernel_.mu);
  EXPECT_EQ(f->PollLocked(task_, POLLIN), 0);
}

TEST_F(InotifyFileTest, NonblockingReadOfNothingIsEagain) {
  auto f = Make();
  EXPECT_EQ(ErrnoOf(ReadAll(*f).status()), EAGAIN);
  EXPECT_EQ(f->flags(), O_RDONLY | O_NONBLOCK);
  EXPECT_EQ(Make(false)->flags(), O_RDONLY);
}

TEST_F(InotifyFileTest, BlockedReadWakesForAnEvent) {
  auto f = Make(false);
  std::thread producer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    f->Enqueue(3, IN_DELETE, 0, "gone");
  });
  absl::StatusOr<std::vector<Record>> r = ReadAll(*f);
  producer.join();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].name, "gone");
}

TEST_F(InotifyFileTest, PendingSignalInterruptsABlockedRead) {
  auto f = Make(false);
  siginfo_t info{};
  info.si_signo = SIGUSR1;
  {
    absl::MutexLock lock(&kernel_.mu);
    task_.pending.push_back(info);
  }
  EXPECT_EQ(ErrnoOf(ReadAll(*f).status()), kErestartsys);
}

TEST_F(InotifyFileTest, RemoveWatchQueuesIgnoredAndTheInstanceEndsItsWatches) {
  auto node = std::make_shared<StubNode>();
  struct stat st = *node->Stat();
  {
    auto f = Make();
    absl::StatusOr<int> wd = f->AddWatch(node, st, IN_CREATE);
    ASSERT_TRUE(wd.ok());
    EXPECT_EQ(ErrnoOf(f->RemoveWatch(*wd + 1)), EINVAL);
    ASSERT_TRUE(f->RemoveWatch(*wd).ok());
    absl::StatusOr<std::vector<Record>> r = ReadAll(*f);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].wd, *wd);
    EXPECT_EQ((*r)[0].mask, static_cast<uint32_t>(IN_IGNORED));
    EXPECT_EQ(ErrnoOf(f->RemoveWatch(*wd)), EINVAL);
    ASSERT_TRUE(f->AddWatch(node, st, IN_CREATE).ok());
    EXPECT_FALSE(table_.Empty());
  }
  EXPECT_TRUE(table_.Empty());
}

TEST_F(InotifyFileTest, FdinfoListsEachWatch) {
  auto node = std::make_shared<StubNode>();
  struct stat st = *node->Stat();
  st.st_dev = makedev(8, 3);
  auto f = Make();
  ASSERT_TRUE(f->AddWatch(node, st, IN_CREATE | IN_ONESHOT | IN_ONLYDIR).ok());
  absl::MutexLock lock(&kernel_.mu);
  EXPECT_EQ(f->FdInfoLocked(), "inotify wd:1 ino:7 sdev:800003 mask:80000100 ignored_mask:0\n");
}

TEST_F(InotifyFileTest, InstancesPastTheUserLimitAreEmfile) {
  WatchTable small(/*max_user_watches=*/8, /*max_user_instances=*/1);
  absl::StatusOr<std::shared_ptr<InotifyFile>> first = InotifyFile::Create(kernel_, small, 5, true);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(ErrnoOf(InotifyFile::Create(kernel_, small, 5, true).status()), EMFILE);
  EXPECT_TRUE(InotifyFile::Create(kernel_, small, 6, true).ok());  // Another user.
  first->reset();
  EXPECT_TRUE(InotifyFile::Create(kernel_, small, 5, true).ok());
}

}  // namespace
}  // namespace runsc::fs
