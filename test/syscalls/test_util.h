// Helpers shared by the syscall-compatibility families. Each family runs the
// same binary natively and in sandboxes, so nothing here may assume a
// particular runtime: only Linux behaviour, as the host kernel defines it.
#ifndef RUNSC_TEST_SYSCALLS_TEST_UTIL_H_
#define RUNSC_TEST_SYSCALLS_TEST_UTIL_H_

#include <errno.h>
#include <signal.h>
#include <string.h>

#include <cstdint>
#include <functional>
#include <string>

#include "gtest/gtest.h"

namespace runsc::syscall_test {

// Expects `call` (an expression yielding -1 on failure) to fail with `err`:
//   EXPECT_SYSCALL_ERRNO(read(-1, buf, 1), EBADF);
#define EXPECT_SYSCALL_ERRNO(call, err)                                              \
  do {                                                                               \
    errno = 0;                                                                       \
    long runsc_result_ = static_cast<long>(call);                                    \
    int runsc_errno_ = errno;                                                        \
    EXPECT_EQ(runsc_result_, -1) << #call;                                           \
    EXPECT_EQ(runsc_errno_, (err)) << #call << ": got " << strerrorname_np(runsc_errno_) \
                                   << ", want " << strerrorname_np(err);             \
  } while (0)

// Expects `call` to succeed (not -1); on failure names errno.
#define EXPECT_SYSCALL_OK(call)                                                  \
  do {                                                                           \
    errno = 0;                                                                   \
    long runsc_result_ = static_cast<long>(call);                                \
    EXPECT_NE(runsc_result_, -1) << #call << ": " << strerrorname_np(errno);     \
  } while (0)

#define ASSERT_SYSCALL_OK(call)                                                  \
  do {                                                                           \
    errno = 0;                                                                   \
    long runsc_result_ = static_cast<long>(call);                                \
    ASSERT_NE(runsc_result_, -1) << #call << ": " << strerrorname_np(errno);     \
  } while (0)

// A directory for the test's files, made fresh under $TEST_TMPDIR (else /tmp)
// and removed with everything in it by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// True when the process has `capability` in its effective set (capget).
bool HaveCapability(int capability);

// Skips the test unless it runs with `capability`:
//   SKIP_UNLESS_CAPABILITY(CAP_SYS_ADMIN);
#define SKIP_UNLESS_CAPABILITY(cap) \
  if (!::runsc::syscall_test::HaveCapability(cap)) GTEST_SKIP() << "needs " #cap

// Writes `contents` to `path` (created or truncated, mode 0644).
void WriteFileOrDie(const std::string& path, const std::string& contents);

// Runs `body` in a forked child and returns the child's exit code (body's
// return value). A child that does not finish within `timeout_seconds` is
// killed by SIGALRM; a child that dies of a signal yields 128 + the signal
// number, so a test can just EXPECT_EQ(RunInChild(...), 0). Use it for
// anything that changes process-wide state or could block.
int RunInChild(const std::function<int()>& body, unsigned timeout_seconds = 10);

// In a RunInChild body: unless `cond` holds, writes the file, line, condition
// and errno to stderr and exits the child with 1, so that the parent's
// EXPECT_EQ(RunInChild(...), 0) fails with the cause on the test's stderr:
//   CHILD_CHECK(sigprocmask(SIG_BLOCK, &set, nullptr) == 0);
#define CHILD_CHECK(cond)                                                           \
  do {                                                                              \
    if (!(cond)) ::runsc::syscall_test::ChildCheckFailed(__FILE__, __LINE__, #cond); \
  } while (0)
[[noreturn]] void ChildCheckFailed(const char* file, int line, const char* condition);

// Both ends of a pipe2(flags) pipe, closed by the destructor (or earlier by
// CloseRead/CloseWrite). A pipe2 failure is a test failure and leaves -1s.
class TestPipe {
 public:
  explicit TestPipe(int flags = 0);
  ~TestPipe();
  TestPipe(const TestPipe&) = delete;
  TestPipe& operator=(const TestPipe&) = delete;
  int read_fd() const { return fds_[0]; }
  int write_fd() const { return fds_[1]; }
  void CloseRead();
  void CloseWrite();

 private:
  int fds_[2] = {-1, -1};
};

// For a forked child only (it changes the process's credentials for good):
// becomes the unprivileged user and group 65534 with no supplementary
// groups, so permission checks see an ordinary user. False if any step failed.
inline constexpr unsigned kNobodyId = 65534;
bool DropToNobody();

// For a RunInChild body that is meant to die of a signal (SIGSEGV, SIGBUS...):
// sets RLIMIT_CORE to 0 so that the death leaves no core file behind.
void DisableCoreDumps();

// Guards a blocking call in the test process itself: after `seconds`, SIGALRM
// (with a no-op handler installed without SA_RESTART) makes the call fail with
// EINTR instead of hanging the whole family. The destructor disarms the alarm
// and restores the previous SIGALRM disposition.
class ScopedAlarm {
 public:
  explicit ScopedAlarm(unsigned seconds);
  ~ScopedAlarm();
  ScopedAlarm(const ScopedAlarm&) = delete;
  ScopedAlarm& operator=(const ScopedAlarm&) = delete;

 private:
  struct sigaction old_action_ = {};
};

// The SSE and x87 control state (rounding, flush-to-zero, precision),
// which a new thread or child inherits from its creator on Linux.
struct FpControl {
  uint32_t mxcsr = 0;  // Without the six exception flags (sticky status).
  uint16_t x87_control = 0;
  bool operator==(const FpControl&) const = default;
};
inline FpControl ReadFpControl() {
  FpControl c;
  asm volatile("stmxcsr %0" : "=m"(c.mxcsr));
  asm volatile("fnstcw %0" : "=m"(c.x87_control));
  c.mxcsr &= ~0x3fu;
  return c;
}
inline void WriteFpControl(const FpControl& c) {
  asm volatile("ldmxcsr %0" : : "m"(c.mxcsr));
  asm volatile("fldcw %0" : : "m"(c.x87_control));
}
// Round toward zero in both units, SSE flush-to-zero and denormals-are-zero:
// nothing the initial state has (MXCSR 0x1f80, control word 0x37f).
inline FpControl UnusualFpControl() { return FpControl{.mxcsr = 0xffc0, .x87_control = 0xf7f}; }

}  // namespace runsc::syscall_test

#endif  // RUNSC_TEST_SYSCALLS_TEST_UTIL_H_
