// A sentry pty pair through its open files: bytes each way through the
// line discipline, blocking and O_NONBLOCK, readiness, and what each end
// sees once the other is closed (man 7 pty, man 4 pts; Linux's pty.c).
#include "fs/pty.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/sysmacros.h>

#include <thread>

#include "base/errno_status.h"
#include "fs/devpts.h"
#include "gtest/gtest.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/no_dispatch.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {
namespace {

constexpr int kErestartsys = 512;

using sentry::NoDispatch;

// A pty needs a kernel (its lock and condition variable) and a task (whose
// signals interrupt a wait), not a platform or a running process.
class PtyTest : public ::testing::Test {
 protected:
  PtyTest()
      : kernel_(nullptr, dispatcher_),
        task_(kernel_, 1),
        devpts_(std::make_shared<Devpts>(std::make_shared<HostTerminals>())) {
    struct stat ptmx {};
    ptmx.st_mode = S_IFCHR | 0666;
    master_ = *devpts_->OpenMaster(task_, O_RDWR, ptmx);
    pty_ = devpts_->Find(0);
  }

  std::shared_ptr<File> OpenReplica(int flags = O_RDWR) {
    pty_->SetLocked(false);
    absl::StatusOr<std::shared_ptr<File>> f = pty_->OpenReplica(task_, flags | O_NOCTTY);
    EXPECT_TRUE(f.ok()) << f.status();
    return f.ok() ? *f : nullptr;
  }
  absl::StatusOr<size_t> Write(File& f, const std::string& s) {
    return f.Write(task_, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  }
  absl::StatusOr<std::string> Read(File& f, size_t max = 4096) {
    std::string buf(max, '\0');
    absl::StatusOr<size_t> n = f.Read(task_, absl::MakeSpan(reinterpret_cast<uint8_t*>(buf.data()), max));
    if (!n.ok()) return n.status();
    buf.resize(*n);
    return buf;
  }
  short Poll(File& f, short events = POLLIN | POLLOUT) {
    absl::MutexLock lock(&kernel_.mu);
    return f.PollLocked(task_, events);
  }
  void SetNonblocking(File& f) { f.set_flags(f.flags() | O_NONBLOCK); }

  NoDispatch dispatcher_;
  sentry::Kernel kernel_;
  sentry::Task task_;
  std::shared_ptr<Devpts> devpts_;
  std::shared_ptr<File> master_;
  std::shared_ptr<Pty> pty_;
};

TEST_F(PtyTest, ANewPtyIsLockedUntilUnlockpt) {
  ASSERT_NE(pty_, nullptr);
  absl::StatusOr<std::shared_ptr<File>> f = pty_->OpenReplica(task_, O_RDWR | O_NOCTTY);
  EXPECT_EQ(ErrnoOf(f.status()), EIO);
  EXPECT_NE(OpenReplica(), nullptr);
}

TEST_F(PtyTest, TypedLinesReachTheReplicaAndAreEchoed) {
  std::shared_ptr<File> replica = OpenReplica();
  ASSERT_EQ(*Write(*master_, "ls -l\r"), 6u);
  EXPECT_EQ(*Read(*replica), "ls -l\n");
  EXPECT_EQ(*Read(*master_), "ls -l\r\n");
}

TEST_F(PtyTest, ReplicaOutputReachesTheMasterWithCrLf) {
  std::shared_ptr<File> replica = OpenReplica();
  ASSERT_EQ(*Write(*replica, "one\ntwo\n"), 8u);
  EXPECT_EQ(*Read(*master_), "one\r\ntwo\r\n");
}

TEST_F(PtyTest, StatNamesTheReplicaAndThePtmx) {
  std::shared_ptr<File> replica = OpenReplica();
  struct stat st = *replica->Stat();
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(major(st.st_rdev), 136u);
  EXPECT_EQ(minor(st.st_rdev), 0u);
  EXPECT_EQ(replica->Path(), "/dev/pts/0");
  EXPECT_TRUE(S_ISCHR(master_->Stat()->st_mode));
}

TEST_F(PtyTest, AReplicaReadWaitsForACompleteLine) {
  std::shared_ptr<File> replica = OpenReplica();
  absl::StatusOr<std::string> got;
  std::thread reader([&] { got = Read(*replica); });
  ASSERT_TRUE(Write(*master_, "not yet").ok());
  ASSERT_TRUE(Write(*master_, ", now\n").ok());
  reader.join();
  EXPECT_EQ(*got, "not yet, now\n");
}

TEST_F(PtyTest, ASignalInterruptsABlockedRead) {
  std::shared_ptr<File> replica = OpenReplica();
  {
    siginfo_t info{};
    info.si_signo = SIGUSR1;
    absl::MutexLock lock(&kernel_.mu);
    task_.pending.push_back(info);
  }
  EXPECT_EQ(ErrnoOf(Read(*replica).status()), kErestartsys);
  EXPECT_EQ(ErrnoOf(Read(*master_).status()), kErestartsys);
}

TEST_F(PtyTest, NonblockingReadsOfNothingAreEagain) {
  std::shared_ptr<File> replica = OpenReplica(O_RDWR | O_NONBLOCK);
  SetNonblocking(*master_);
  EXPECT_EQ(ErrnoOf(Read(*replica).status()), EAGAIN);
  EXPECT_EQ(ErrnoOf(Read(*master_).status()), EAGAIN);
  ASSERT_TRUE(Write(*master_, "half").ok());
  EXPECT_EQ(ErrnoOf(Read(*replica).status()), EAGAIN);  // No line yet.
}

TEST_F(PtyTest, AFullQueueBlocksTheWriterOrIsEagain) {
  std::shared_ptr<File> replica = OpenReplica();
  SetNonblocking(*replica);
  const std::string big(LineDiscipline::kQueueCapacity + 100, 'x');
  EXPECT_EQ(*Write(*replica, big), LineDiscipline::kQueueCapacity);
  EXPECT_EQ(ErrnoOf(Write(*replica, "y").status()), EAGAIN);
  EXPECT_EQ(Poll(*replica, POLLOUT), 0);
  ASSERT_TRUE(Read(*master_, 100).ok());
  EXPECT_EQ(Poll(*replica, POLLOUT), POLLOUT);
}

TEST_F(PtyTest, PollShowsWhatEachEndCanDo) {
  std::shared_ptr<File> replica = OpenReplica();
  EXPECT_EQ(Poll(*replica), POLLOUT);
  EXPECT_EQ(Poll(*master_), POLLOUT);
  ASSERT_TRUE(Write(*master_, "x").ok());
  EXPECT_EQ(Poll(*replica), POLLOUT);  // Half a line is not readable.
  EXPECT_EQ(Poll(*master_), POLLIN | POLLOUT);  // The echo is.
  ASSERT_TRUE(Write(*master_, "\n").ok());
  EXPECT_EQ(Poll(*replica), POLLIN | POLLOUT);
}

TEST_F(PtyTest, ClosingTheMasterHangsUpTheReplica) {
  std::shared_ptr<File> replica = OpenReplica();
  ASSERT_TRUE(Write(*master_, "lost\n").ok());
  master_.reset();
  EXPECT_EQ(*Read(*replica), "");  // End of file.
  EXPECT_EQ(ErrnoOf(Write(*replica, "x").status()), EIO);
  EXPECT_EQ(Poll(*replica), POLLIN | POLLOUT | POLLERR | POLLHUP);
  EXPECT_EQ(devpts_->Find(0), nullptr);  // Gone from /dev/pts.
  EXPECT_EQ(ErrnoOf(pty_->OpenReplica(task_, O_RDWR | O_NOCTTY).status()), EIO);
}

TEST_F(PtyTest, ClosingEveryReplicaGivesTheMasterEioAfterTheData) {
  std::shared_ptr<File> replica = OpenReplica();
  ASSERT_TRUE(Write(*replica, "bye").ok());
  replica.reset();
  EXPECT_EQ(Poll(*master_, POLLIN) & POLLHUP, POLLHUP);
  EXPECT_EQ(*Read(*master_), "bye");
  EXPECT_EQ(ErrnoOf(Read(*master_).status()), EIO);
  // A new open of the replica makes it readable again.
  std::shared_ptr<File> again = OpenReplica();
  EXPECT_EQ(Poll(*master_, POLLIN) & POLLHUP, 0);
}

}  // namespace
}  // namespace runsc::fs
