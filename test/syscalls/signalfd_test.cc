// Family: signalfd, signalfd4.
//
// A signalfd reads signals that are blocked and pending, so every case blocks
// signals in a forked child.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// The kernel's sigset_t, which signalfd4's size argument must match.
constexpr size_t kKernelSigsetSize = 8;

sigset_t SetOf(int sig) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  return set;
}

bool Block(const sigset_t& set) { return sigprocmask(SIG_BLOCK, &set, nullptr) == 0; }

bool Pending(int sig) {
  sigset_t pending;
  return sigpending(&pending) == 0 && sigismember(&pending, sig) == 1;
}

TEST(SignalfdTest, ReadReturnsTheSiginfoOfABlockedPendingSignal) {
  EXPECT_EQ(RunInChild([] {
              sigset_t usr1 = SetOf(SIGUSR1);
              CHILD_CHECK(Block(usr1));
              int fd = signalfd(-1, &usr1, 0);
              CHILD_CHECK(fd >= 0);
              CHILD_CHECK(kill(getpid(), SIGUSR1) == 0);
              struct signalfd_siginfo info = {};
              CHILD_CHECK(read(fd, &info, sizeof(info)) == sizeof(info));
              CHILD_CHECK(info.ssi_signo == SIGUSR1);
              CHILD_CHECK(info.ssi_code == SI_USER);
              CHILD_CHECK(info.ssi_pid == static_cast<uint32_t>(getpid()));
              CHILD_CHECK(info.ssi_uid == getuid());
              return 0;
            }),
            0);
}

TEST(SignalfdTest, ReadingConsumesThePendingSignal) {
  EXPECT_EQ(RunInChild([] {
              sigset_t usr1 = SetOf(SIGUSR1);
              CHILD_CHECK(Block(usr1));
              int fd = signalfd(-1, &usr1, SFD_NONBLOCK);
              CHILD_CHECK(fd >= 0);
              CHILD_CHECK(raise(SIGUSR1) == 0);
              CHILD_CHECK(Pending(SIGUSR1));
              struct signalfd_siginfo info;
              CHILD_CHECK(read(fd, &info, sizeof(info)) == sizeof(info));
              CHILD_CHECK(!Pending(SIGUSR1));
              CHILD_CHECK(read(fd, &info, sizeof(info)) == -1 && errno == EAGAIN);
              return 0;
            }),
            0);
}

TEST(SignalfdTest, ANonblockingReadWithNothingPendingIsEAGAIN) {
  EXPECT_EQ(RunInChild([] {
              sigset_t usr1 = SetOf(SIGUSR1);
              CHILD_CHECK(Block(usr1));
              int fd = signalfd(-1, &usr1, SFD_NONBLOCK);
              CHILD_CHECK(fd >= 0);
              CHILD_CHECK((fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
              struct signalfd_siginfo info;
              CHILD_CHECK(read(fd, &info, sizeof(info)) == -1 && errno == EAGAIN);
              return 0;
            }),
            0);
}

TEST(SignalfdTest, PollIsReadableOnlyWhileASignalIsPending) {
  EXPECT_EQ(RunInChild([] {
              sigset_t usr1 = SetOf(SIGUSR1);
              CHILD_CHECK(Block(usr1));
              int fd = signalfd(-1, &usr1, 0);
              CHILD_CHECK(fd >= 0);
              struct pollfd pfd = {fd, POLLIN, 0};
              CHILD_CHECK(poll(&pfd, 1, 0) == 0);
              CHILD_CHECK(raise(SIGUSR1) == 0);
              pfd.revents = 0;
              CHILD_CHECK(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLIN);
              return 0;
            }),
            0);
}

TEST(SignalfdTest, ABufferSmallerThanOneSiginfoIsEINVAL) {
  EXPECT_EQ(RunInChild([] {
              sigset_t usr1 = SetOf(SIGUSR1);
              CHILD_CHECK(Block(usr1));
              int fd = signalfd(-1, &usr1, SFD_NONBLOCK);
              CHILD_CHECK(fd >= 0);
              CHILD_CHECK(raise(SIGUSR1) == 0);
              char small[sizeof(struct signalfd_siginfo) - 1];
              CHILD_CHECK(read(fd, small, sizeof(small)) == -1 && errno == EINVAL);
              // The signal is still there for a proper read.
              CHILD_CHECK(Pending(SIGUSR1));
              return 0;
            }),
            0);
}

TEST(SignalfdTest, OneReadReturnsSeveralSignals) {
  EXPECT_EQ(RunInChild([] {
              sigset_t both = SetOf(SIGUSR1);
              sigaddset(&both, SIGUSR2);
              CHILD_CHECK(Block(both));
              int fd = signalfd(-1, &both, SFD_NONBLOCK);
              CHILD_CHECK(fd >= 0);
              CHILD_CHECK(raise(SIGUSR1) == 0);
              CHILD_CHECK(raise(SIGUSR2) == 0);
              struct signalfd_siginfo info[3] = {};
              CHILD_CHECK(read(fd, info, sizeof(info)) == 2 * sizeof(info[0]));
              // Lower-numbered standard signals are dequeued first.
              CHILD_CHECK(info[0].ssi_signo == SIGUSR1);
              CHILD_CHECK(info[1].ssi_signo == SIGUSR2);
              return 0;
            }),
            0);
}

TEST(SignalfdTest, OnlySignalsInTheMaskAreRead) {
  EXPECT_EQ(RunInChild([] {
              sigset_t both = SetOf(SIGUSR1);
              sigaddset(&both, SIGUSR2);
              CHILD_CHECK(Block(both));
              sigset_t usr1 = SetOf(SIGUSR1);
              int fd = signalfd(-1, &usr1, SFD_NONBLOCK);
              CHILD_CHECK(fd >= 0);
              CHILD_CHECK(raise(SIGUSR2) == 0);
              struct signalfd_siginfo info;
              CHILD_CHECK(read(fd, &info, sizeof(info)) == -1 && errno == EAGAIN);
              CHILD_CHECK(Pending(SIGUSR2));
              return 0;
            }),
            0);
}

TEST(SignalfdTest, PassingTheFdAgainReplacesItsMask) {
  EXPECT_EQ(RunInChild([] {
              sigset_t both = SetOf(SIGUSR1);
              sigaddset(&both, SIGUSR2);
              CHILD_CHECK(Block(both));
              sigset_t usr1 = SetOf(SIGUSR1), usr2 = SetOf(SIGUSR2);
              int fd = signalfd(-1, &usr1, SFD_NONBLOCK);
              CHILD_CHECK(fd >= 0);
              CHILD_CHECK(signalfd(fd, &usr2, 0) == fd);
              CHILD_CHECK(raise(SIGUSR1) == 0);
              CHILD_CHECK(raise(SIGUSR2) == 0);
              struct signalfd_siginfo info[2] = {};
              CHILD_CHECK(read(fd, info, sizeof(info)) == sizeof(info[0]));
              CHILD_CHECK(info[0].ssi_signo == SIGUSR2);
              CHILD_CHECK(Pending(SIGUSR1));
              return 0;
            }),
            0);
}

TEST(SignalfdTest, SigqueueValuesAndCodeAreReported) {
  EXPECT_EQ(RunInChild([] {
              sigset_t rt = SetOf(SIGRTMIN);
              CHILD_CHECK(Block(rt));
              int fd = signalfd(-1, &rt, SFD_NONBLOCK);
              CHILD_CHECK(fd >= 0);
              union sigval value;
              value.sival_int = 77;
              CHILD_CHECK(sigqueue(getpid(), SIGRTMIN, value) == 0);
              struct signalfd_siginfo info = {};
              CHILD_CHECK(read(fd, &info, sizeof(info)) == sizeof(info));
              CHILD_CHECK(info.ssi_signo == static_cast<uint32_t>(SIGRTMIN));
              CHILD_CHECK(info.ssi_code == SI_QUEUE);
              CHILD_CHECK(info.ssi_int == 77);
              return 0;
            }),
            0);
}

TEST(SignalfdTest, UnknownFlagsAreEINVAL) {
  sigset_t usr1 = SetOf(SIGUSR1);
  EXPECT_SYSCALL_ERRNO(signalfd(-1, &usr1, 0x1234), EINVAL);
}

TEST(SignalfdTest, ABadFdIsEBADFAndANonSignalfdIsEINVAL) {
  sigset_t usr1 = SetOf(SIGUSR1);
  EXPECT_SYSCALL_ERRNO(signalfd(1000000, &usr1, 0), EBADF);
  int fds[2];
  ASSERT_SYSCALL_OK(pipe(fds));
  EXPECT_SYSCALL_ERRNO(signalfd(fds[0], &usr1, 0), EINVAL);
  close(fds[0]);
  close(fds[1]);
}

TEST(SignalfdTest, AWrongMaskSizeIsEINVALAndABadMaskIsEFAULT) {
  sigset_t usr1 = SetOf(SIGUSR1);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_signalfd4, -1, &usr1, 4, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(
      syscall(SYS_signalfd4, -1, reinterpret_cast<void*>(1), kKernelSigsetSize, 0), EFAULT);
}

TEST(SignalfdTest, SfdCloexecSetsFdCloexec) {
  sigset_t usr1 = SetOf(SIGUSR1);
  int fd = signalfd(-1, &usr1, SFD_CLOEXEC);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
  close(fd);
  fd = signalfd(-1, &usr1, 0);
  ASSERT_SYSCALL_OK(fd);
  EXPECT_EQ(fcntl(fd, F_GETFD), 0);
  close(fd);
}

TEST(SignalfdTest, SigkillAndSigstopInTheMaskAreSilentlyIgnored) {
  EXPECT_EQ(RunInChild([] {
              sigset_t mask = SetOf(SIGUSR1);
              sigaddset(&mask, SIGKILL);
              sigaddset(&mask, SIGSTOP);
              CHILD_CHECK(Block(mask));
              int fd = signalfd(-1, &mask, SFD_NONBLOCK);
              CHILD_CHECK(fd >= 0);
              CHILD_CHECK(raise(SIGUSR1) == 0);
              struct signalfd_siginfo info = {};
              CHILD_CHECK(read(fd, &info, sizeof(info)) == sizeof(info));
              CHILD_CHECK(info.ssi_signo == SIGUSR1);
              // fdinfo shows the mask the kernel kept: SIGUSR1 (bit 9) alone.
              std::string fdinfo = "/proc/self/fdinfo/" + std::to_string(fd);
              int info_fd = open(fdinfo.c_str(), O_RDONLY);
              CHILD_CHECK(info_fd >= 0);
              char text[512] = {};
              CHILD_CHECK(read(info_fd, text, sizeof(text) - 1) > 0);
              CHILD_CHECK(strstr(text, "sigmask:\t0000000000000200\n") != nullptr);
              return 0;
            }),
            0);
}

}  // namespace
}  // namespace runsc::syscall_test
