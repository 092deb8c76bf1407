// signalfd(2)'s file: reads take pending signals of its mask as 128-byte
// signalfd_siginfo records (lowest signal first, as many as fit), EINVAL
// for a short buffer, EAGAIN with O_NONBLOCK, waits that a signal of the
// mask ends or one outside it interrupts, the mask can change, and poll.
#include "fs/signalfd_file.h"

#include <fcntl.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "base/errno_status.h"
#include "gtest/gtest.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/no_dispatch.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {
namespace {

using sentry::SignalBit;

constexpr int kErestartsys = 512;

using sentry::NoDispatch;

class SignalfdFileTest : public ::testing::Test {
 protected:
  SignalfdFileTest() : kernel_(nullptr, dispatcher_), task_(kernel_, 1) {}

  void Queue(int sig, int pid = 7) {
    siginfo_t info{};
    info.si_signo = sig;
    info.si_code = SI_USER;
    info.si_pid = pid;
    info.si_uid = 1000;
    absl::MutexLock lock(&kernel_.mu);
    task_.pending.push_back(info);
    kernel_.cv.SignalAll();
  }
  absl::StatusOr<std::vector<signalfd_siginfo>> Read(SignalfdFile& f, size_t records = 1) {
    std::vector<signalfd_siginfo> out(records);
    absl::StatusOr<size_t> n = f.Read(
        task_, absl::MakeSpan(reinterpret_cast<uint8_t*>(out.data()), records * sizeof(out[0])));
    if (!n.ok()) return n.status();
    EXPECT_EQ(*n % sizeof(signalfd_siginfo), 0u);
    out.resize(*n / sizeof(signalfd_siginfo));
    return out;
  }
  short Poll(SignalfdFile& f) {
    absl::MutexLock lock(&kernel_.mu);
    return f.PollLocked(task_, POLLIN | POLLOUT);
  }
  size_t PendingCount() {
    absl::MutexLock lock(&kernel_.mu);
    return task_.pending.size();
  }

  NoDispatch dispatcher_;
  sentry::Kernel kernel_;
  sentry::Task task_;
};

TEST_F(SignalfdFileTest, ReadTakesAPendingSignalOfTheMask) {
  SignalfdFile f(kernel_, SignalBit(SIGUSR1), true);
  Queue(SIGUSR2);
  Queue(SIGUSR1, 42);
  absl::StatusOr<std::vector<signalfd_siginfo>> r = Read(f);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].ssi_signo, static_cast<uint32_t>(SIGUSR1));
  EXPECT_EQ((*r)[0].ssi_pid, 42u);
  EXPECT_EQ((*r)[0].ssi_uid, 1000u);
  EXPECT_EQ((*r)[0].ssi_code, SI_USER);
  EXPECT_EQ(PendingCount(), 1u);  // SIGUSR2 stays.
  EXPECT_EQ(ErrnoOf(Read(f).status()), EAGAIN);
}

TEST_F(SignalfdFileTest, ReadTakesAsManyAsFitLowestFirst) {
  SignalfdFile f(kernel_, SignalBit(SIGUSR1) | SignalBit(SIGUSR2) | SignalBit(SIGHUP), true);
  Queue(SIGUSR2);
  Queue(SIGHUP);
  Queue(SIGUSR1);
  absl::StatusOr<std::vector<signalfd_siginfo>> r = Read(f, 2);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].ssi_signo, static_cast<uint32_t>(SIGHUP));
  EXPECT_EQ((*r)[1].ssi_signo, static_cast<uint32_t>(SIGUSR1));
  EXPECT_EQ(PendingCount(), 1u);
}

TEST_F(SignalfdFileTest, AShortBufferIsEinval) {
  SignalfdFile f(kernel_, SignalBit(SIGUSR1), true);
  Queue(SIGUSR1);
  uint8_t small[127];
  EXPECT_EQ(ErrnoOf(f.Read(task_, absl::MakeSpan(small)).status()), EINVAL);
  EXPECT_EQ(PendingCount(), 1u);
}

TEST_F(SignalfdFileTest, SigkillAndSigstopNeverEnterTheMask) {
  SignalfdFile f(kernel_, ~sentry::SignalSet{0}, true);
  EXPECT_EQ(f.MaskForTest() & sentry::kUnblockableSignals, 0u);
  f.SetMask(SignalBit(SIGKILL) | SignalBit(SIGTERM));
  EXPECT_EQ(f.MaskForTest(), SignalBit(SIGTERM));
}

TEST_F(SignalfdFileTest, PollFollowsPendingSignalsOfTheMask) {
  SignalfdFile f(kernel_, SignalBit(SIGUSR1), true);
  EXPECT_EQ(Poll(f), 0);
  Queue(SIGUSR2);
  EXPECT_EQ(Poll(f), 0);
  f.SetMask(SignalBit(SIGUSR1) | SignalBit(SIGUSR2));
  EXPECT_EQ(Poll(f), POLLIN);
  ASSERT_TRUE(Read(f).ok());
  EXPECT_EQ(Poll(f), 0);
}

TEST_F(SignalfdFileTest, BlockedReadWakesForASignalOfTheMask) {
  SignalfdFile f(kernel_, SignalBit(SIGUSR1), false);
  {
    absl::MutexLock lock(&kernel_.mu);
    task_.blocked = SignalBit(SIGUSR1);
  }
  std::thread sender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    Queue(SIGUSR1);
  });
  absl::StatusOr<std::vector<signalfd_siginfo>> r = Read(f);
  sender.join();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].ssi_signo, static_cast<uint32_t>(SIGUSR1));
}

TEST_F(SignalfdFileTest, ASignalOutsideTheMaskInterruptsABlockedRead) {
  SignalfdFile f(kernel_, SignalBit(SIGUSR1), false);
  Queue(SIGUSR2);
  EXPECT_EQ(ErrnoOf(Read(f).status()), kErestartsys);
}

TEST_F(SignalfdFileTest, QueuedValuesAndTimerFieldsAreCopied) {
  siginfo_t info{};
  info.si_signo = SIGRTMIN;
  info.si_code = SI_QUEUE;
  info.si_pid = 3;
  info.si_value.sival_int = 99;
  signalfd_siginfo q = SignalfdFile::ToSignalfdSiginfo(info);
  EXPECT_EQ(q.ssi_pid, 3u);
  EXPECT_EQ(q.ssi_int, 99);
  siginfo_t timer{};
  timer.si_signo = SIGALRM;
  timer.si_code = SI_TIMER;
  timer.si_timerid = 5;
  timer.si_overrun = 2;
  signalfd_siginfo t = SignalfdFile::ToSignalfdSiginfo(timer);
  EXPECT_EQ(t.ssi_tid, 5u);
  EXPECT_EQ(t.ssi_overrun, 2u);
}

TEST_F(SignalfdFileTest, FlagsAreReadWriteAndNonblock) {
  SignalfdFile blocking(kernel_, 0, false), nonblocking(kernel_, 0, true);
  EXPECT_EQ(blocking.flags(), O_RDWR);
  EXPECT_EQ(nonblocking.flags(), O_RDWR | O_NONBLOCK);
}

}  // namespace
}  // namespace runsc::fs
