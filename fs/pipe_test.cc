// Pipes as pipe(7) describes them: byte stream, EOF once every writer is
// gone, EPIPE once every reader is, O_NONBLOCK's EAGAIN, PIPE_BUF-atomic
// writes, and blocking that a signal interrupts.
#include "fs/pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <numeric>
#include <thread>
#include <vector>

#include "base/errno_status.h"
#include "gtest/gtest.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/no_dispatch.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {
namespace {

constexpr int kErestartsys = 512;

using sentry::NoDispatch;

// Pipes need a kernel (its lock and condition variable) and a task (whose
// pending signals interrupt a wait), not a platform or a running process.
class PipeTest : public ::testing::Test {
 protected:
  PipeTest() : kernel_(nullptr, dispatcher_), task_(kernel_, 1) {
    std::tie(read_end_, write_end_) = Pipe::Create(kernel_, 0);
  }

  absl::StatusOr<size_t> Write(const std::string& s) {
    return write_end_->Write(task_, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()),
                                                        s.size()));
  }
  absl::StatusOr<std::string> Read(size_t max) {
    std::string buf(max, '\0');
    absl::StatusOr<size_t> n =
        read_end_->Read(task_, absl::MakeSpan(reinterpret_cast<uint8_t*>(buf.data()), max));
    if (!n.ok()) return n.status();
    buf.resize(*n);
    return buf;
  }
  void SetNonblocking(File& f) { f.set_flags(f.flags() | O_NONBLOCK); }
  void QueueSignal(int sig) {
    siginfo_t info{};
    info.si_signo = sig;
    absl::MutexLock lock(&kernel_.mu);
    task_.pending.push_back(info);
  }

  NoDispatch dispatcher_;
  sentry::Kernel kernel_;
  sentry::Task task_;
  std::shared_ptr<File> read_end_, write_end_;
};

TEST_F(PipeTest, BytesComeOutInOrder) {
  ASSERT_EQ(*Write("hello, "), 7u);
  ASSERT_EQ(*Write("world"), 5u);
  EXPECT_EQ(*Read(3), "hel");  // A short read leaves the rest.
  EXPECT_EQ(*Read(100), "lo, world");
}

TEST_F(PipeTest, EndsHaveTheirAccessModeAndRefuseTheOther) {
  EXPECT_EQ(read_end_->flags() & O_ACCMODE, O_RDONLY);
  EXPECT_EQ(write_end_->flags() & O_ACCMODE, O_WRONLY);
  uint8_t byte = 0;
  EXPECT_EQ(ErrnoOf(write_end_->Read(task_, absl::MakeSpan(&byte, 1)).status()), EBADF);
  EXPECT_EQ(ErrnoOf(read_end_->Write(task_, absl::MakeConstSpan(&byte, 1)).status()), EBADF);
  absl::StatusOr<struct stat> r = read_end_->Stat(), w = write_end_->Stat();
  ASSERT_TRUE(r.ok() && w.ok());
  EXPECT_TRUE(S_ISFIFO(r->st_mode));
  EXPECT_EQ(r->st_ino, w->st_ino);  // One pipe, two ends.
  auto [other_read, other_write] = Pipe::Create(kernel_, O_NONBLOCK);
  EXPECT_NE(other_read->Stat()->st_ino, r->st_ino);
  EXPECT_TRUE(other_read->flags() & O_NONBLOCK);
  EXPECT_TRUE(other_write->flags() & O_NONBLOCK);
}

TEST_F(PipeTest, EofOnceTheWriterIsGoneAndTheDataIsRead) {
  ASSERT_TRUE(Write("last words").ok());
  write_end_.reset();  // The last fd of the write end closed.
  EXPECT_EQ(*Read(100), "last words");
  EXPECT_EQ(*Read(100), "");
  EXPECT_EQ(*Read(100), "");
}

TEST_F(PipeTest, EpipeOnceTheReaderIsGone) {
  read_end_.reset();
  absl::StatusOr<size_t> n = Write("anyone?");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(ErrnoOf(n.status()), EPIPE);
}

TEST_F(PipeTest, NonblockingEmptyReadIsEagain) {
  SetNonblocking(*read_end_);  // fcntl(F_SETFL, O_NONBLOCK) after pipe2.
  EXPECT_EQ(ErrnoOf(Read(10).status()), EAGAIN);
  ASSERT_TRUE(Write("x").ok());
  EXPECT_EQ(*Read(10), "x");
}

TEST_F(PipeTest, NonblockingWritesFillToCapacityThenEagain) {
  SetNonblocking(*write_end_);
  // Larger than PIPE_BUF: written in part.
  EXPECT_EQ(*Write(std::string(Pipe::kCapacity + 1000, 'a')), Pipe::kCapacity);
  EXPECT_EQ(ErrnoOf(Write("b").status()), EAGAIN);
  // Room for 100 bytes: a small write is all or nothing (PIPE_BUF atomic)...
  ASSERT_EQ(Read(100)->size(), 100u);
  EXPECT_EQ(ErrnoOf(Write(std::string(200, 'c')).status()), EAGAIN);
  // ...a large one takes what fits.
  EXPECT_EQ(*Write(std::string(Pipe::kAtomicWrite + 1, 'd')), 100u);
}

TEST_F(PipeTest, BlockedReaderWakesForAWriter) {
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    sentry::Task other(kernel_, 2);
    const std::string msg = "wake up";
    ASSERT_TRUE(write_end_->Write(other, absl::MakeConstSpan(
                                             reinterpret_cast<const uint8_t*>(msg.data()),
                                             msg.size())).ok());
  });
  EXPECT_EQ(*Read(100), "wake up");
  writer.join();
}

TEST_F(PipeTest, BlockedReaderWakesWithEofWhenTheWriterCloses) {
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    write_end_.reset();
  });
  EXPECT_EQ(*Read(100), "");
  closer.join();
}

TEST_F(PipeTest, BlockingWriteLargerThanThePipeCompletesAsTheReaderDrains) {
  std::vector<uint8_t> data(3 * Pipe::kCapacity + 123);
  std::iota(data.begin(), data.end(), 0);  // A pattern that shows reordering.
  std::vector<uint8_t> received;
  std::thread reader([&] {
    sentry::Task other(kernel_, 2);
    std::vector<uint8_t> buf(10000);
    for (;;) {
      absl::StatusOr<size_t> n = read_end_->Read(other, absl::MakeSpan(buf));
      ASSERT_TRUE(n.ok());
      if (*n == 0) break;
      received.insert(received.end(), buf.begin(), buf.begin() + *n);
    }
  });
  EXPECT_EQ(*write_end_->Write(task_, data), data.size());
  write_end_.reset();
  reader.join();
  EXPECT_EQ(received, data);
}

TEST_F(PipeTest, PendingSignalInterruptsABlockedRead) {
  QueueSignal(SIGUSR1);
  absl::StatusOr<std::string> r = Read(10);
  ASSERT_FALSE(r.ok());
  // ERESTARTSYS: signal delivery then picks EINTR or a restart (SA_RESTART).
  EXPECT_EQ(ErrnoOf(r.status()), kErestartsys);
}

TEST_F(PipeTest, BlockedSignalDoesNotInterrupt) {
  {
    absl::MutexLock lock(&kernel_.mu);
    task_.blocked = sentry::SignalBit(SIGUSR1);
  }
  QueueSignal(SIGUSR1);
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    sentry::Task other(kernel_, 2);
    uint8_t byte = 'z';
    ASSERT_TRUE(write_end_->Write(other, absl::MakeConstSpan(&byte, 1)).ok());
  });
  EXPECT_EQ(*Read(10), "z");
  writer.join();
}

TEST_F(PipeTest, PendingSignalInterruptsABlockedWriteButKeepsWhatWasWritten) {
  ASSERT_EQ(*Write(std::string(Pipe::kCapacity, 'a')), Pipe::kCapacity);
  QueueSignal(SIGUSR1);
  EXPECT_EQ(ErrnoOf(Write("b").status()), kErestartsys);
  EXPECT_EQ(Read(Pipe::kCapacity + 10)->size(), Pipe::kCapacity);
}

TEST_F(PipeTest, SetPipeSizeRoundsUpAndBoundsWhatAWriteMayQueue) {
  EXPECT_EQ(*write_end_->PipeSize(std::nullopt), static_cast<int64_t>(Pipe::kCapacity));
  EXPECT_EQ(*write_end_->PipeSize(5000), 8192);
  EXPECT_EQ(*read_end_->PipeSize(std::nullopt), 8192);
  SetNonblocking(*write_end_);
  EXPECT_EQ(*Write(std::string(10000, 'a')), 8192u);
  // Shrinking below what is queued is EBUSY; above pipe-max-size EPERM.
  EXPECT_EQ(ErrnoOf(write_end_->PipeSize(1).status()), EBUSY);
  EXPECT_EQ(ErrnoOf(write_end_->PipeSize(Pipe::kMaxCapacity + 1).status()), EPERM);
  EXPECT_EQ(*read_end_->PipeSize(std::nullopt), 8192);
}

TEST_F(PipeTest, APacketModeWriterMakesPacketsThatReadsTakeOneAtATime) {
  write_end_->set_flags(write_end_->flags() | O_DIRECT | O_NONBLOCK);
  ASSERT_EQ(*Write("abc"), 3u);
  ASSERT_EQ(*Write("defg"), 4u);
  EXPECT_EQ(*Read(100), "abc");
  EXPECT_EQ(*Read(2), "de");  // The rest of the packet is dropped.
  SetNonblocking(*read_end_);
  EXPECT_EQ(ErrnoOf(Read(100).status()), EAGAIN);
}

TEST_F(PipeTest, OrdinaryBytesBeforeAPacketRunIntoIt) {
  ASSERT_EQ(*Write("ab"), 2u);
  write_end_->set_flags(write_end_->flags() | O_DIRECT);
  ASSERT_EQ(*Write("cd"), 2u);
  ASSERT_EQ(*Write("ef"), 2u);
  // A read goes across ordinary bytes but stops at a packet's end.
  EXPECT_EQ(*Read(100), "abcd");
  EXPECT_EQ(*Read(100), "ef");
}

TEST_F(PipeTest, EachPacketTakesAPageOfTheCapacity) {
  write_end_->set_flags(write_end_->flags() | O_DIRECT | O_NONBLOCK);
  const size_t pages = Pipe::kCapacity / Pipe::kAtomicWrite;
  for (size_t i = 0; i < pages; ++i) ASSERT_EQ(*Write("x"), 1u) << i;
  EXPECT_EQ(ErrnoOf(Write("x").status()), EAGAIN);
  EXPECT_EQ(*Read(100), "x");
  EXPECT_EQ(*Write("y"), 1u);  // Reading a packet gave its page back.
}

TEST_F(PipeTest, TheProcFdNodeOfAnEndOpensTheSamePipe) {
  std::shared_ptr<Node> node = Pipe::AnonymousPipeNodeOf(read_end_);
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(node->Stat()->st_ino, read_end_->Stat()->st_ino);
  absl::StatusOr<std::shared_ptr<File>> writer = node->Open(task_, O_WRONLY);
  ASSERT_TRUE(writer.ok()) << writer.status();
  ASSERT_EQ(*(*writer)->Write(task_, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>("hi"), 2)),
            2u);
  EXPECT_EQ(*Read(100), "hi");
}

}  // namespace
}  // namespace runsc::fs
