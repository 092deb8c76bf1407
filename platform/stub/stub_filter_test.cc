#include "platform/stub/stub_filter.h"

#include <linux/seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "gtest/gtest.h"

namespace runsc::platform::stub {
namespace {

// A page holding `syscall; ret`, so a syscall can be made from an address
// the filter allows.
class SyscallPage {
 public:
  SyscallPage() {
    page_ = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    const unsigned char code[] = {0x0f, 0x05, 0xc3};
    std::memcpy(page_, code, sizeof(code));
    ::mprotect(page_, 4096, PROT_READ | PROT_EXEC);
  }
  ~SyscallPage() { ::munmap(page_, 4096); }
  uint64_t start() const { return reinterpret_cast<uint64_t>(page_); }
  uint64_t end() const { return start() + 4096; }

  // Makes syscall `nr` with up to three arguments from the page.
  long Call(long nr, long arg = 0, long arg2 = 0, long arg3 = 0) const {
    long result;
    asm volatile("call *%1"
                 : "=a"(result)
                 : "r"(page_), "a"(nr), "D"(arg), "S"(arg2), "d"(arg3)
                 : "rcx", "r11", "memory");
    return result;
  }

 private:
  void* page_;
};

// Runs `body` in a forked child with the filter for `page` installed and
// returns its wait status.
template <typename Body>
int RunFiltered(const SyscallPage& page, Body body) {
  const StubFilter filter(page.start(), page.end());
  pid_t pid = fork();
  if (pid == 0) {
    if (filter.InstallInChild() != 0) _exit(100);
    body();
    // exit_group from the allowed page: the only way out that the filter lets through.
    page.Call(SYS_exit_group, 0);
    _exit(101);  // Not reached: exit_group above ends the process (status 0).
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

TEST(StubFilterTest, AllowsSyscallsFromTheStubCode) {
  SyscallPage page;
  int status = RunFiltered(page, [&] {
    // getpid from the page works; if it were killed, the status says SIGSYS.
    if (page.Call(SYS_getpid) <= 0) page.Call(SYS_exit_group, 1);
  });
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(StubFilterTest, KillsSyscallsFromAnywhereElse) {
  SyscallPage page;
  int status = RunFiltered(page, [] { ::syscall(SYS_getpid); });
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGSYS);
}

TEST(StubFilterTest, KillsEvenExitFromOutside) {
  SyscallPage page;
  int status = RunFiltered(page, [] { ::syscall(SYS_exit_group, 7); });
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGSYS);
}

// The systrap application thread's filter, stacked on the stub's, from
// the page: `body` runs with both; it must end the process itself (the
// thread filter lets exit through, not exit_group).
template <typename Body>
int RunThreadFiltered(const SyscallPage& page, Body body) {
  std::vector<sock_filter> program = SystrapThreadFilter(page.start(), page.end());
  return RunFiltered(page, [&] {
    sock_fprog prog = {static_cast<unsigned short>(program.size()), program.data()};
    // From the page: the stub filter kills syscalls from anywhere else.
    if (page.Call(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, reinterpret_cast<long>(&prog)) != 0) {
      page.Call(SYS_exit_group, 102);
    }
    body();
    page.Call(SYS_exit, 0);
  });
}

TEST(SystrapThreadFilterTest, LetsExitThroughFromTheStubCode) {
  SyscallPage page;
  int status = RunThreadFiltered(page, [] {});
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(SystrapThreadFilterTest, KillsSignalMaskChangesFromTheStubCode) {
  // No stub code needs rt_sigprocmask since patched stops run with signals
  // unblocked; an application that blocked every signal this way would
  // ignore the sentry's interrupts.
  SyscallPage page;
  int status = RunThreadFiltered(page, [&] { page.Call(SYS_rt_sigprocmask, SIG_SETMASK); });
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGSYS);
}

TEST(SystrapThreadFilterTest, KillsAnyOtherSyscallFromTheStubCode) {
  SyscallPage page;
  int status = RunThreadFiltered(page, [&] { page.Call(SYS_getpid); });
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGSYS);
}

TEST(StubFilterTest, RefusesARangeAcross4GiB) {
  StubFilter filter(0xfffff000, 0x100001000);
  EXPECT_FALSE(filter.valid());
  EXPECT_EQ(filter.InstallInChild(), -EINVAL);
}

}  // namespace
}  // namespace runsc::platform::stub
