// epoll interest lists: ADD/MOD/DEL errors, level- and edge-triggered
// reports, EPOLLONESHOT, registrations that end with the open file, the
// round robin under maxevents, nesting and loops.
#include "fs/epoll_file.h"

#include <fcntl.h>

#include "base/errno_status.h"
#include "fs/eventfd_file.h"
#include "fs/pipe.h"
#include "gtest/gtest.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/no_dispatch.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {
namespace {

using sentry::NoDispatch;

class EpollFileTest : public ::testing::Test {
 protected:
  EpollFileTest() : kernel_(nullptr, dispatcher_), task_(kernel_, 1) {
    ep_ = std::make_shared<EpollFile>(kernel_);
    std::tie(read_end_, write_end_) = Pipe::Create(kernel_, O_NONBLOCK);
  }

  std::vector<epoll_event> Collect(EpollFile& ep, int max = 16) {
    std::vector<epoll_event> out;
    {
      absl::MutexLock lock(&kernel_.mu);
      ep.CollectLocked(task_, out, max);
    }
    ep.ReleaseDeferred();
    return out;
  }
  std::vector<epoll_event> Collect(int max = 16) { return Collect(*ep_, max); }
  void WriteByte() {
    uint8_t b = 'x';
    ASSERT_TRUE(write_end_->Write(task_, absl::MakeConstSpan(&b, 1)).ok());
  }
  void ReadByte() {
    uint8_t b;
    ASSERT_TRUE(read_end_->Read(task_, absl::MakeSpan(&b, 1)).ok());
  }

  NoDispatch dispatcher_;
  sentry::Kernel kernel_;
  sentry::Task task_;
  std::shared_ptr<EpollFile> ep_;
  std::shared_ptr<File> read_end_, write_end_;
};

TEST_F(EpollFileTest, CtlErrors) {
  ASSERT_TRUE(ep_->Add(3, read_end_, EPOLLIN, 1).ok());
  EXPECT_EQ(ErrnoOf(ep_->Add(3, read_end_, EPOLLIN, 1)), EEXIST);
  EXPECT_TRUE(ep_->Add(4, read_end_, EPOLLIN, 1).ok());  // Another fd of it: another interest.
  EXPECT_EQ(ErrnoOf(ep_->Modify(5, read_end_, EPOLLIN, 1)), ENOENT);
  EXPECT_EQ(ErrnoOf(ep_->Remove(3, write_end_)), ENOENT);
  EXPECT_TRUE(ep_->Remove(3, read_end_).ok());
  EXPECT_EQ(ep_->InterestCountForTest(), 1u);
}

TEST_F(EpollFileTest, LevelTriggeredReportsWhileReady) {
  ASSERT_TRUE(ep_->Add(3, read_end_, EPOLLIN, 0x1122334455667788ULL).ok());
  EXPECT_TRUE(Collect().empty());
  WriteByte();
  for (int i = 0; i < 2; ++i) {
    std::vector<epoll_event> ev = Collect();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].events, static_cast<uint32_t>(EPOLLIN));
    EXPECT_EQ(ev[0].data.u64, 0x1122334455667788ULL);
  }
  ReadByte();
  EXPECT_TRUE(Collect().empty());
}

TEST_F(EpollFileTest, EdgeTriggeredReportsEachNewWriteOnce) {
  ASSERT_TRUE(ep_->Add(3, read_end_, EPOLLIN | EPOLLET, 0).ok());
  WriteByte();
  EXPECT_EQ(Collect().size(), 1u);
  EXPECT_TRUE(Collect().empty());
  WriteByte();
  EXPECT_EQ(Collect().size(), 1u);
  EXPECT_TRUE(Collect().empty());
}

TEST_F(EpollFileTest, OneshotUntilModified) {
  ASSERT_TRUE(ep_->Add(3, read_end_, EPOLLIN | EPOLLONESHOT, 7).ok());
  WriteByte();
  EXPECT_EQ(Collect().size(), 1u);
  EXPECT_TRUE(Collect().empty());
  ASSERT_TRUE(ep_->Modify(3, read_end_, EPOLLIN | EPOLLONESHOT, 8).ok());
  std::vector<epoll_event> ev = Collect();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].data.u64, 8u);
}

TEST_F(EpollFileTest, HangupIsReportedUnasked) {
  ASSERT_TRUE(ep_->Add(3, read_end_, 0, 0).ok());
  write_end_.reset();
  std::vector<epoll_event> ev = Collect();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].events, static_cast<uint32_t>(EPOLLHUP));
}

TEST_F(EpollFileTest, RegistrationEndsWithTheOpenFileAndKeepsItNotAlive) {
  ASSERT_TRUE(ep_->Add(4, write_end_, EPOLLOUT, 0).ok());
  EXPECT_EQ(Collect().size(), 1u);
  write_end_.reset();  // Every fd of the write end closed.
  EXPECT_TRUE(Collect().empty());
  EXPECT_EQ(ep_->InterestCountForTest(), 0u);
  // And the reader saw the writer go: epoll held it only weakly.
  absl::MutexLock lock(&kernel_.mu);
  EXPECT_EQ(read_end_->PollLocked(task_, POLLIN), POLLHUP);
}

TEST_F(EpollFileTest, MaxeventsTakesTurns) {
  auto [r2, w2] = Pipe::Create(kernel_, O_NONBLOCK);
  ASSERT_TRUE(ep_->Add(4, write_end_, EPOLLOUT, 1).ok());
  ASSERT_TRUE(ep_->Add(6, w2, EPOLLOUT, 2).ok());
  std::vector<epoll_event> first = Collect(1), second = Collect(1);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_NE(first[0].data.u64, second[0].data.u64);
  EXPECT_EQ(Collect(2).size(), 2u);
}

TEST_F(EpollFileTest, NestedEpollIsReadableAndLoopsAreEloop) {
  auto outer = std::make_shared<EpollFile>(kernel_);
  ASSERT_TRUE(ep_->Add(3, read_end_, EPOLLIN, 0).ok());
  ASSERT_TRUE(outer->Add(5, ep_, EPOLLIN, 9).ok());
  EXPECT_TRUE(Collect(*outer).empty());
  WriteByte();
  std::vector<epoll_event> ev = Collect(*outer);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].data.u64, 9u);
  EXPECT_EQ(ErrnoOf(ep_->Add(6, outer, EPOLLIN, 0)), ELOOP);
}

TEST_F(EpollFileTest, WaitSetSeparatesHostAndSentryFiles) {
  auto efd = std::make_shared<EventfdFile>(kernel_, 0, true, false);
  ASSERT_TRUE(ep_->Add(3, efd, EPOLLIN, 0).ok());
  EpollFile::WaitSet set = ep_->Pin();
  EXPECT_EQ(set.files.size(), 1u);
  EXPECT_TRUE(set.host_fds.empty());
  EXPECT_TRUE(set.any_sentry_file);
}

}  // namespace
}  // namespace runsc::fs
